/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of dpkg's database formats (md5sums, diversions, status, conffiles), parsed strictly. */
#include "test-util.h"
#include "vouch/dpkg.h"

#define M1 "0123456789abcdef0123456789abcdef"
#define M2 "ffffffffffffffffffffffffffffffff"

static struct vouch_dpkg_cursor cur(const char *text)
{
	struct vouch_dpkg_cursor c;

	vouch_dpkg_cursor_init(&c, text, strlen(text));
	return c;
}

/* Whether @s/@n is the string @want. */
static bool is(const char *s, size_t n, const char *want)
{
	return s && n == strlen(want) && memcmp(s, want, n) == 0;
}

/* The line number at which @text is refused as an md5sums file (0: accepted). */
static size_t md5sums_bad_line(const char *text)
{
	struct vouch_dpkg_cursor c = cur(text);
	struct vouch_dpkg_md5sum l;
	int ret;

	while ((ret = vouch_dpkg_md5sums_next(&c, &l)) == 1)
		;
	assert_true(ret == 0 || ret == VOUCH_E_MANIFEST_LINE);
	return ret ? c.line : 0;
}

static void md5sums_lines(void **state)
{
	struct vouch_dpkg_cursor c = cur(M1 "  usr/bin/a\n" M2 " */usr/lib/b c\n" M1 "  //x");
	struct vouch_dpkg_md5sum l;

	(void)state;
	assert_int_equal(vouch_dpkg_md5sums_next(&c, &l), 1);
	assert_true(is(l.path, l.path_len, "usr/bin/a"));
	assert_int_equal(l.md5[0], 0x01);
	assert_int_equal(l.md5[15], 0xef);
	assert_int_equal(c.line, 1);
	/* Binary mode, a leading slash, a space in the name. */
	assert_int_equal(vouch_dpkg_md5sums_next(&c, &l), 1);
	assert_true(is(l.path, l.path_len, "usr/lib/b c"));
	assert_int_equal(l.md5[0], 0xff);
	/* The last line may lack its LF; the byte after every path is its line's end. */
	assert_int_equal(vouch_dpkg_md5sums_next(&c, &l), 1);
	assert_true(is(l.path, l.path_len, "x"));
	assert_int_equal(vouch_dpkg_md5sums_next(&c, &l), 0);
	assert_int_equal(vouch_dpkg_md5sums_next(&c, &l), 0);
	assert_int_equal(c.line, 3);
	assert_int_equal(md5sums_bad_line(""), 0);
}

static void md5sums_refused(void **state)
{
	static const char nul[] = M1 "  usr/bin/a\0b\n";
	struct vouch_dpkg_cursor c;
	struct vouch_dpkg_md5sum l;

	(void)state;
	assert_int_equal(md5sums_bad_line(M1 "  a\n\n"), 2); /* an empty line */
	assert_int_equal(md5sums_bad_line(M1 "  a\n" M1 "  \n"), 2); /* no path */
	assert_int_equal(md5sums_bad_line(M1 "  /\n"), 1);              /* only slashes */
	assert_int_equal(md5sums_bad_line("0123456789ABCDEF0123456789abcdef  a\n"), 1);
	assert_int_equal(md5sums_bad_line("0123456789abcdef0123456789abcde  a\n"), 1);
	assert_int_equal(md5sums_bad_line(M1 " a\n"), 1);
	assert_int_equal(md5sums_bad_line(M1 "\ta\n"), 1);
	assert_int_equal(md5sums_bad_line(M1 " +a\n"), 1);
	assert_int_equal(md5sums_bad_line("not an md5 line\n"), 1);
	vouch_dpkg_cursor_init(&c, nul, sizeof(nul) - 1);
	assert_err(vouch_dpkg_md5sums_next(&c, &l), VOUCH_E_MANIFEST_LINE);
	assert_int_equal(c.line, 1);
}

static size_t diversions_bad_line(const char *text)
{
	struct vouch_dpkg_cursor c = cur(text);
	struct vouch_dpkg_diversion d;
	int ret;

	while ((ret = vouch_dpkg_diversions_next(&c, &d)) == 1)
		;
	assert_true(ret == 0 || ret == VOUCH_E_MANIFEST_LINE);
	return ret ? c.line : 0;
}

static void diversions(void **state)
{
	struct vouch_dpkg_cursor c = cur("/usr/bin/a\n/usr/bin/a.distrib\npkg\n/b\n/b.orig\n:");
	struct vouch_dpkg_diversion d;

	(void)state;
	assert_int_equal(vouch_dpkg_diversions_next(&c, &d), 1);
	assert_true(is(d.from, d.from_len, "/usr/bin/a"));
	assert_true(is(d.to, d.to_len, "/usr/bin/a.distrib"));
	assert_true(is(d.pkg, d.pkg_len, "pkg"));
	assert_false(d.local);
	assert_int_equal(vouch_dpkg_diversions_next(&c, &d), 1);
	assert_true(d.local);
	assert_int_equal(vouch_dpkg_diversions_next(&c, &d), 0);
	assert_int_equal(diversions_bad_line(""), 0);
	/* Not in triples: the line that is missing. */
	assert_int_equal(diversions_bad_line("/a\n/b\n"), 3);
	assert_int_equal(diversions_bad_line("/a\n/b\np\n/c\n"), 5);
	assert_int_equal(diversions_bad_line("/a\n\np\n"), 2);
	assert_int_equal(diversions_bad_line("a\n/b\np\n"), 1);
	assert_int_equal(diversions_bad_line("/a\nb\np\n"), 2);
	assert_int_equal(diversions_bad_line("/a\n/b\np\n\n"), 4);
}

/* ---- status ----------------------------------------------------------------------- */

static const char status_text[] = "Package: coreutils\n"
                                  "Status: install ok installed\n"
                                  "Priority: required\n"
                                  "Description: GNU core utilities\n"
                                  " This package contains the basic file utilities.\n"
                                  " .\n"
                                  "\tand a tab\n"
                                  "\n"
                                  "\n"
                                  "package: libc6\n"
                                  "STATUS:  hold reinstreq half-configured  \n"
                                  "Architecture: amd64\n"
                                  "Multi-Arch: same\n"
                                  "Conffiles:\n"
                                  " /etc/ld.so.conf.d/x86_64-linux-gnu.conf " M1 "\n"
                                  " /etc/with space " M2 " obsolete\n"
                                  " /etc/new newconffile\n"
                                  " /etc/gone " M1 " obsolete remove-on-upgrade\n"
                                  " /etc/later " M1 " remove-on-upgrade\n"
                                  "Version: 2.36\n"
                                  "\n"
                                  "Package: x\n"
                                  "Status: deinstall ok config-files\n"
                                  "Conffiles:\n"
                                  " /etc/x " M1;

static void status_stanzas(void **state)
{
	struct vouch_dpkg_cursor c = cur(status_text), cc;
	struct vouch_dpkg_package p;
	struct vouch_dpkg_conffile f;

	(void)state;
	assert_int_equal(vouch_dpkg_status_next(&c, &p), 1);
	assert_true(is(p.name, p.name_len, "coreutils"));
	assert_int_equal(p.state, VOUCH_DPKG_INSTALLED);
	assert_null(p.arch);
	assert_false(p.multiarch_same);
	assert_null(p.conffiles);
	vouch_dpkg_conffiles_cursor(&cc, &p);
	assert_int_equal(vouch_dpkg_conffiles_next(&cc, &f), 0);

	/* Field names in any case; blanks around a value are not part of it. */
	assert_int_equal(vouch_dpkg_status_next(&c, &p), 1);
	assert_true(is(p.name, p.name_len, "libc6"));
	assert_int_equal(p.state, VOUCH_DPKG_HALF_CONFIGURED);
	assert_true(is(p.arch, p.arch_len, "amd64"));
	assert_true(p.multiarch_same);
	assert_int_equal(p.conffiles_line, 14);
	vouch_dpkg_conffiles_cursor(&cc, &p);
	assert_int_equal(vouch_dpkg_conffiles_next(&cc, &f), 1);
	assert_int_equal(cc.line, 15);
	assert_true(is(f.path, f.path_len, "/etc/ld.so.conf.d/x86_64-linux-gnu.conf"));
	assert_true(f.has_md5);
	assert_int_equal(f.md5[1], 0x23);
	assert_false(f.obsolete || f.remove_on_upgrade);
	assert_int_equal(vouch_dpkg_conffiles_next(&cc, &f), 1);
	assert_true(is(f.path, f.path_len, "/etc/with space"));
	assert_true(f.obsolete);
	assert_false(f.remove_on_upgrade);
	assert_int_equal(f.md5[0], 0xff);
	assert_int_equal(vouch_dpkg_conffiles_next(&cc, &f), 1);
	assert_true(is(f.path, f.path_len, "/etc/new"));
	assert_false(f.has_md5);
	assert_int_equal(vouch_dpkg_conffiles_next(&cc, &f), 1);
	assert_true(f.obsolete && f.remove_on_upgrade);
	assert_int_equal(vouch_dpkg_conffiles_next(&cc, &f), 1);
	assert_true(is(f.path, f.path_len, "/etc/later"));
	assert_true(!f.obsolete && f.remove_on_upgrade);
	assert_int_equal(vouch_dpkg_conffiles_next(&cc, &f), 0);

	/* The file may end without an LF, inside a field. */
	assert_int_equal(vouch_dpkg_status_next(&c, &p), 1);
	assert_int_equal(p.state, VOUCH_DPKG_CONFIG_FILES);
	vouch_dpkg_conffiles_cursor(&cc, &p);
	assert_int_equal(vouch_dpkg_conffiles_next(&cc, &f), 1);
	assert_true(is(f.path, f.path_len, "/etc/x"));
	assert_int_equal(vouch_dpkg_conffiles_next(&cc, &f), 0);
	assert_int_equal(vouch_dpkg_status_next(&c, &p), 0);
	assert_int_equal(c.line, 25);
}

static size_t status_bad_line(const char *text)
{
	struct vouch_dpkg_cursor c = cur(text), cc;
	struct vouch_dpkg_package p;
	struct vouch_dpkg_conffile f;
	int ret;

	while ((ret = vouch_dpkg_status_next(&c, &p)) == 1) {
		vouch_dpkg_conffiles_cursor(&cc, &p);
		while ((ret = vouch_dpkg_conffiles_next(&cc, &f)) == 1)
			;
		assert_true(ret == 0 || ret == VOUCH_E_MANIFEST_LINE);
		if (ret)
			return cc.line;
	}
	assert_true(ret == 0 || ret == VOUCH_E_MANIFEST_LINE);
	return ret ? c.line : 0;
}

#define OK "Package: a\nStatus: install ok installed\n"

static void status_refused(void **state)
{
	(void)state;
	assert_int_equal(status_bad_line(""), 0);
	assert_int_equal(status_bad_line("\n\n"), 0);
	assert_int_equal(status_bad_line(OK), 0);
	assert_int_equal(status_bad_line(OK "\n" OK "\n\n"), 0);
	/* Required fields, each once; the stanza's first line is blamed for a missing one. */
	assert_int_equal(status_bad_line(OK "\nStatus: install ok installed\n"), 4);
	assert_int_equal(status_bad_line(OK "\nPackage: b\nVersion: 1\n"), 4);
	assert_int_equal(status_bad_line(OK "Package: b\n"), 3);
	assert_int_equal(status_bad_line(OK "status: purge ok not-installed\n"), 3);
	assert_int_equal(status_bad_line(OK "Architecture: a\nArchitecture: b\n"), 4);
	/* Values. */
	assert_int_equal(status_bad_line("Package: A\nStatus: install ok installed\n"), 1);
	assert_int_equal(status_bad_line("Package: -a\nStatus: install ok installed\n"), 1);
	assert_int_equal(status_bad_line("Package: a b\nStatus: install ok installed\n"), 1);
	assert_int_equal(status_bad_line("Package:\nStatus: install ok installed\n"), 1);
	assert_int_equal(status_bad_line("Package: a\nStatus: install ok\n"), 2);
	assert_int_equal(status_bad_line("Package: a\nStatus: install  ok installed\n"), 2);
	assert_int_equal(status_bad_line("Package: a\nStatus: install ok installed x\n"), 2);
	assert_int_equal(status_bad_line("Package: a\nStatus: want ok installed\n"), 2);
	assert_int_equal(status_bad_line("Package: a\nStatus: install fine installed\n"), 2);
	assert_int_equal(status_bad_line(OK "Architecture: AMD64\n"), 3);
	assert_int_equal(status_bad_line(OK "Multi-Arch: maybe\n"), 3);
	/* Form. */
	assert_int_equal(status_bad_line(" continued\n" OK), 1);
	assert_int_equal(status_bad_line(OK "\n continued\n"), 4);
	assert_int_equal(status_bad_line(OK "no colon\n"), 3);
	assert_int_equal(status_bad_line(OK ": no name\n"), 3);
	assert_int_equal(status_bad_line(OK "#comment: x\n"), 3);
	assert_int_equal(status_bad_line(OK "-x: y\n"), 3);
	assert_int_equal(status_bad_line(OK "x y: z\n"), 3);
	assert_int_equal(status_bad_line(OK "x\x7f: z\n"), 3);
	/* Conffiles: an empty first line, then " PATH MD5 [obsolete] [remove-on-upgrade]". */
	assert_int_equal(status_bad_line(OK "Conffiles: /etc/a " M1 "\n"), 3);
	assert_int_equal(status_bad_line(OK "Conffiles:\n /etc/a " M1 "\n /etc/b\n"), 5);
	assert_int_equal(status_bad_line(OK "Conffiles:\n  /etc/a " M1 "\n"), 4);
	assert_int_equal(status_bad_line(OK "Conffiles:\n\t/etc/a " M1 "\n"), 4);
	assert_int_equal(status_bad_line(OK "Conffiles:\n etc/a " M1 "\n"), 4);
	assert_int_equal(status_bad_line(OK "Conffiles:\n / " M1 "\n"), 4);
	assert_int_equal(status_bad_line(OK "Conffiles:\n /etc/a " M1 " \n"), 4);
	assert_int_equal(status_bad_line(OK "Conffiles:\n /etc/a 0123\n"), 4);
	assert_int_equal(status_bad_line(OK "Conffiles:\n " M1 "\n"), 4);
	assert_int_equal(status_bad_line(OK "Conffiles:\n /etc/a " M1 " remove-on-upgrade obsolete\n"), 4);
	assert_int_equal(status_bad_line(OK "Conffiles:\n /etc/a obsolete\n"), 4);
	assert_int_equal(status_bad_line(OK "Conffiles:\n\n"), 0);
}

static void status_nul(void **state)
{
	static const char text[] = "Package: a\nStatus: install ok installed\nX: \0\n";
	struct vouch_dpkg_cursor c;
	struct vouch_dpkg_package p;

	(void)state;
	vouch_dpkg_cursor_init(&c, text, sizeof(text) - 1);
	assert_err(vouch_dpkg_status_next(&c, &p), VOUCH_E_MANIFEST_LINE);
	assert_int_equal(c.line, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(md5sums_lines),  cmocka_unit_test(md5sums_refused),
	    cmocka_unit_test(diversions),     cmocka_unit_test(status_stanzas),
	    cmocka_unit_test(status_refused), cmocka_unit_test(status_nul),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
