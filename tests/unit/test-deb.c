/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of .deb reading in the core: the ar layout, the tar stream reader, control, apt's hook
 * input. */
#include "test-util.h"
#include "vouch/apt.h"
#include "vouch/deb.h"

/* A tar archive built in memory, block by block. */
struct tarbuf {
	uint8_t b[64 * 512];
	size_t n;
};

static void hdr(struct tarbuf *t, const char *name, char type, size_t size, const char *link)
{
	uint8_t *h = t->b + t->n;
	unsigned sum = 0;

	memset(h, 0, 512);
	memcpy(h, name, strlen(name));
	snprintf((char *)h + 100, 8, "%07o", 0755);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011zo", size);
	snprintf((char *)h + 136, 12, "%011o", 0);
	h[156] = (uint8_t)type;
	if (link)
		memcpy(h + 157, link, strlen(link));
	memcpy(h + 257, "ustar  ", 8);
	memset(h + 148, ' ', 8);
	for (size_t i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	t->n += 512;
}

static void file(struct tarbuf *t, const char *name, const void *data, size_t n)
{
	hdr(t, name, '0', n, NULL);
	memcpy(t->b + t->n, data, n);
	t->n += (n + 511) / 512 * 512;
}

static void finish(struct tarbuf *t)
{
	memset(t->b + t->n, 0, 1024);
	t->n += 1024;
}

static const char script[] = "#!/bin/sh\necho hi\n";
static uint8_t elf[200];

static void make_elf(void)
{
	memset(elf, 0x5a, sizeof(elf));
	memcpy(elf,
	       "\x7f"
	       "ELF\x02\x01\x01",
	       7);
	memset(elf + 7, 0, 9);
	elf[16] = 3; /* ET_DYN, little-endian */
	elf[17] = 0;
}

static void sample(struct tarbuf *t)
{
	make_elf();
	t->n = 0;
	hdr(t, "./", '5', 0, NULL);
	hdr(t, "./usr/", '5', 0, NULL);
	file(t, "./usr/run", script, sizeof(script) - 1);
	file(t, "./usr/lib.so", elf, sizeof(elf));
	file(t, "./usr/README", "text\n", 5);
	hdr(t, "./usr/lib2.so", '1', 0, "./usr/lib.so");
	hdr(t, "./usr/link", '2', 0, "run");
	finish(t);
}

/* Feed @t in pieces of @step bytes (0: whole); the manifest text, or NULL after @want_err. */
static char *read_tar(const struct tarbuf *t, size_t step, unsigned flags, int want_err)
{
	struct vouch_debtar *r;
	struct vouch_manifest m;
	char *text = NULL;
	size_t len;
	int ret = 0;

	assert_err(vouch_debtar_create(&r, flags, "data.tar"), 0);
	for (size_t off = 0; off < t->n && !ret;) {
		size_t take = step && step < t->n - off ? step : t->n - off;

		ret = vouch_debtar_feed(r, t->b + off, take);
		off += take;
	}
	if (!ret)
		ret = vouch_debtar_finish(r, NULL);
	assert_err(ret, want_err);
	if (!ret) {
		vouch_manifest_init(&m);
		assert_err(vouch_debtar_add(r, "/", &m), 0);
		assert_err(vouch_manifest_sort(&m), 0);
		assert_err(vouch_manifest_format(&m, &text, &len), 0);
		vouch_manifest_free(&m);
	} else {
		assert_non_null(vouch_debtar_problem(r));
		/* Refused once, refused for good. */
		assert_err(vouch_debtar_feed(r, t->b, 1), want_err);
	}
	vouch_debtar_destroy(r);
	return text;
}

static void tar_pieces(void **state)
{
	struct tarbuf t;
	char *whole, *one, *odd;
	uint8_t sha[32];
	char hex[65], line[200];

	(void)state;
	sample(&t);
	whole = read_tar(&t, 0, 0, 0);
	one = read_tar(&t, 1, 0, 0);
	odd = read_tar(&t, 511, 0, 0);
	assert_string_equal(whole, one);
	assert_string_equal(whole, odd);
	/* The ELF and its hard link, with the file's hash; the script; not the text or link. */
	assert_err(vouch_sha256(elf, sizeof(elf), sha), 0);
	vouch_hex_encode(sha, 32, hex);
	snprintf(line, sizeof(line), "%s 200 /usr/lib.so\n", hex);
	assert_non_null(strstr(whole, line));
	snprintf(line, sizeof(line), "%s 200 /usr/lib2.so\n", hex);
	assert_non_null(strstr(whole, line));
	assert_non_null(strstr(whole, " 18 /usr/run\n"));
	assert_null(strstr(whole, "README"));
	assert_null(strstr(whole, "link"));
	free(whole);
	free(one);
	free(odd);
}

static void tar_refused(void **state)
{
	struct tarbuf t;

	(void)state;
	t.n = 0;
	file(&t, "./a/../b", script, 4);
	finish(&t);
	assert_null(read_tar(&t, 0, 0, VOUCH_E_DEB));
	t.n = 0;
	file(&t, "./a", script, 4);
	file(&t, "a", script, 4);
	finish(&t);
	assert_null(read_tar(&t, 7, 0, VOUCH_E_DEB));
	t.n = 0;
	hdr(&t, "./d/", '5', 512, NULL);
	t.n += 512;
	finish(&t);
	assert_null(read_tar(&t, 0, 0, VOUCH_E_DEB));
	t.n = 0;
	hdr(&t, "./h", '1', 0, "./nothing");
	finish(&t);
	assert_null(read_tar(&t, 0, 0, VOUCH_E_DEB));
	t.n = 0;
	file(&t, "/abs", script, 4);
	finish(&t);
	assert_null(read_tar(&t, 0, 0, VOUCH_E_DEB));
	/* No end block: cut short. Data after it: refused. */
	t.n = 0;
	file(&t, "./a", script, 4);
	assert_null(read_tar(&t, 0, 0, VOUCH_E_DEB));
	finish(&t);
	file(&t, "./late", script, 4);
	assert_null(read_tar(&t, 100, 0, VOUCH_E_DEB));
	/* A bad checksum. */
	sample(&t);
	t.b[512 * 2 + 3] ^= 1;
	assert_null(read_tar(&t, 0, 0, VOUCH_E_DEB));
	/* control.tar: files at its top only. */
	sample(&t);
	assert_null(read_tar(&t, 0, VOUCH_DEBTAR_CONTROL, VOUCH_E_DEB));
}

static void control_files(void **state)
{
	struct vouch_debtar *r;
	struct vouch_manifest m;
	struct tarbuf t;
	const char ctl[] = "Package: hello\nVersion: 1\n\nPackage: other\n";
	const char *text;
	char name[64];
	struct vouch_deb_problem pb;
	size_t len;

	(void)state;
	t.n = 0;
	hdr(&t, "./", '5', 0, NULL);
	file(&t, "./control", ctl, sizeof(ctl) - 1);
	file(&t, "./postinst", script, sizeof(script) - 1);
	finish(&t);
	assert_err(vouch_debtar_create(&r, VOUCH_DEBTAR_CONTROL, "control.tar"), 0);
	assert_err(vouch_debtar_feed(r, t.b, t.n), 0);
	assert_err(vouch_debtar_finish(r, NULL), 0);
	text = vouch_debtar_control_text(r, &len);
	assert_int_equal(len, sizeof(ctl) - 1);
	assert_err(vouch_deb_control_package(text, len, name, sizeof(name), &pb), 0);
	assert_string_equal(name, "hello");
	vouch_manifest_init(&m);
	assert_err(vouch_debtar_add(r, "/var/lib/dpkg/info/hello.", &m), 0);
	assert_int_equal(m.count, 1);
	assert_string_equal(m.entries[0].path, "/var/lib/dpkg/info/hello.postinst");
	vouch_manifest_free(&m);
	vouch_debtar_destroy(r);
	assert_err(vouch_deb_control_package("Version: 1\n", 11, name, sizeof(name), &pb),
	           VOUCH_E_DEB);
	assert_err(
	    vouch_deb_control_package("Package: a\nPackage: b\n", 22, name, sizeof(name), &pb),
	    VOUCH_E_DEB);
	assert_err(vouch_deb_control_package("Package: A/b\n", 13, name, sizeof(name), &pb),
	           VOUCH_E_DEB);
}

static void arhdr(uint8_t h[60], const char *name, uint64_t size)
{
	char buf[61];

	snprintf(buf, sizeof(buf), "%-16s%-12d%-6d%-6d%-8s%-10llu`\n", name, 0, 0, 0, "100644",
	         (unsigned long long)size);
	memcpy(h, buf, 60);
}

static void ar_layout(void **state)
{
	struct vouch_deb_layout l = {.offset = 8};
	struct vouch_deb_member m;
	struct vouch_deb_problem pb;
	uint8_t h[60];

	(void)state;
	arhdr(h, "debian-binary", 4);
	assert_err(vouch_deb_member(&l, h, 1000, &m, &pb), 0);
	assert_int_equal(m.part, VOUCH_DEB_BINARY);
	assert_int_equal(l.offset, 8 + 60 + 4);
	assert_err(vouch_deb_binary_check((const uint8_t *)"2.0\n", 4, &pb), 0);
	assert_err(vouch_deb_binary_check((const uint8_t *)"2.1\n", 4, &pb), VOUCH_E_DEB);
	arhdr(h, "_gpgorigin", 3);
	assert_err(vouch_deb_member(&l, h, 1000, &m, &pb), 0);
	assert_int_equal(m.part, VOUCH_DEB_IGNORED);
	assert_int_equal(l.offset, 72 + 60 + 4); /* odd sizes are padded */
	arhdr(h, "data.tar.xz", 10);
	assert_err(vouch_deb_member(&l, h, 1000, &m, &pb), VOUCH_E_DEB); /* before control */
	arhdr(h, "control.tar.zst", 10);
	assert_err(vouch_deb_member(&l, h, 1000, &m, &pb), 0);
	assert_int_equal(m.comp, VOUCH_DEB_ZSTD);
	arhdr(h, "control.tar", 10);
	assert_err(vouch_deb_member(&l, h, 1000, &m, &pb), VOUCH_E_DEB); /* twice */
	arhdr(h, "data.tar.bz2", 5000);
	assert_err(vouch_deb_member(&l, h, 1000, &m, &pb), VOUCH_E_DEB); /* past the end */
	arhdr(h, "data.tar.lzma", 10);
	assert_err(vouch_deb_member(&l, h, 1000, &m, &pb), VOUCH_E_DEB);
	arhdr(h, "data.tar.bz2", 10);
	h[58] = 'x';
	assert_err(vouch_deb_member(&l, h, 1000, &m, &pb), VOUCH_E_DEB);
	arhdr(h, "data.tar.bz2", 10);
	assert_err(vouch_deb_member(&l, h, 1000, &m, &pb), 0);
	assert_int_equal(m.comp, VOUCH_DEB_BZIP2);
	assert_err(vouch_deb_layout_done(&l, &pb), 0);
	arhdr(h, "evil", 1);
	assert_err(vouch_deb_member(&l, h, 1000, &m, &pb), VOUCH_E_DEB);
}

static void apt_input(void **state)
{
	const char v3[] =
	    "VERSION 3\nA::B=c\nD=e%3d\n\n"
	    "hello - - none < 2.10 amd64 same /var/cache/apt/archives/hello_2.10.deb\n"
	    "hello - - none < 2.10 amd64 same **CONFIGURE**\n"
	    "old 1 all none > - - none **REMOVE**\n"
	    "x 1 all none = 1 all none /a path/with spaces.deb\n";
	struct vouch_apt_cursor c;
	struct vouch_apt_action a;

	(void)state;
	assert_err(vouch_apt_begin(&c, v3, sizeof(v3) - 1), 0);
	assert_int_equal(c.version, 3);
	assert_int_equal(vouch_apt_next(&c, &a), 1);
	assert_int_equal(a.op, VOUCH_APT_UNPACK);
	assert_true(a.name_len == 5 && !memcmp(a.name, "hello", 5));
	assert_true(a.newver_len == 4 && !memcmp(a.newver, "2.10", 4));
	assert_true(a.deb_len == strlen("/var/cache/apt/archives/hello_2.10.deb") &&
	            !memcmp(a.deb, "/var/cache/apt/archives/hello_2.10.deb", a.deb_len));
	assert_int_equal(vouch_apt_next(&c, &a), 1);
	assert_int_equal(a.op, VOUCH_APT_CONFIGURE);
	assert_null(a.deb);
	assert_int_equal(vouch_apt_next(&c, &a), 1);
	assert_int_equal(a.op, VOUCH_APT_REMOVE);
	assert_int_equal(vouch_apt_next(&c, &a), 1);
	assert_true(a.deb_len == 23 && !memcmp(a.deb, "/a path/with spaces.deb", 23));
	assert_int_equal(vouch_apt_next(&c, &a), 0);

	assert_err(vouch_apt_begin(&c, "VERSION 2\n\nh - < 1 /x.deb\n", 26), 0);
	assert_int_equal(vouch_apt_next(&c, &a), 1);
	assert_true(a.deb_len == 6);
	assert_err(vouch_apt_begin(&c, "/x.deb\n", 7), VOUCH_E_CTL_VERSION);
	assert_err(vouch_apt_begin(&c, "VERSION 4\n\n", 11), VOUCH_E_CTL_VERSION);
	assert_err(vouch_apt_begin(&c, "VERSION 3\nnoequals\n\n", 20), VOUCH_E_MANIFEST_LINE);
	assert_err(vouch_apt_begin(&c, "VERSION 3\n\n", 11), 0);
	assert_err(vouch_apt_begin(&c, "VERSION 3\n\nh 1 a n < 2 a n x.deb\n", 33), 0);
	assert_err(vouch_apt_next(&c, &a), VOUCH_E_MANIFEST_LINE); /* not absolute */
	assert_err(vouch_apt_begin(&c, "VERSION 3\n\nH 1 a n < 2 a n /x.deb\n", 34), 0);
	assert_err(vouch_apt_next(&c, &a), VOUCH_E_MANIFEST_LINE); /* upper case name */
	assert_err(vouch_apt_begin(&c, "VERSION 3\n\nh 1 a n < 2 a n /x.deb", 33), 0);
	assert_err(vouch_apt_next(&c, &a), VOUCH_E_MANIFEST_LINE); /* no LF */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(tar_pieces),    cmocka_unit_test(tar_refused),
	    cmocka_unit_test(control_files), cmocka_unit_test(ar_layout),
	    cmocka_unit_test(apt_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
