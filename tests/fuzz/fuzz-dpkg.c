/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for dpkg's database files: every input read as md5sums, diversions and status. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/dpkg.h"
#include "vouch/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond, const char *what)
{
	if (cond)
		return;
	fprintf(stderr, "fuzz-dpkg: %s\n", what);
	abort();
}

static const char *text, *end;

/* A string a parser returned: inside the input, NUL-free, followed by no byte of itself. */
static void inside(const char *s, size_t n, const char *what)
{
	require(s >= text && s <= end && n <= (size_t)(end - s), what);
	require(!memchr(s, '\0', n), what);
}

/* Every call returns 1, 0 or the one error code, and lines only move forward. */
static void result(int ret, const struct vouch_dpkg_cursor *c, size_t before)
{
	require(ret == 1 || ret == 0 || ret == VOUCH_E_MANIFEST_LINE, "undocumented return");
	require(c->line >= before, "line number went back");
	require(ret != 1 || c->line > before, "a record without a line");
	require(ret != VOUCH_E_MANIFEST_LINE || c->line >= 1, "an error at line 0");
}

static void md5sums(void)
{
	struct vouch_dpkg_cursor c;
	struct vouch_dpkg_md5sum l;
	size_t before;
	int ret;

	vouch_dpkg_cursor_init(&c, text, (size_t)(end - text));
	do {
		before = c.line;
		ret = vouch_dpkg_md5sums_next(&c, &l);
		result(ret, &c, before);
		if (ret == 1) {
			inside(l.path, l.path_len, "md5sums path outside the input");
			require(l.path_len > 0 && l.path[0] != '/', "md5sums path empty or absolute");
			/* The line is "<32 hex><sep>[/...]path", and the path ends it. */
			require(l.path + l.path_len == end || l.path[l.path_len] == '\n',
			        "md5sums path does not end its line");
		}
	} while (ret == 1);
}

static void diversions(void)
{
	struct vouch_dpkg_cursor c;
	struct vouch_dpkg_diversion d;
	size_t before;
	int ret;

	vouch_dpkg_cursor_init(&c, text, (size_t)(end - text));
	do {
		before = c.line;
		ret = vouch_dpkg_diversions_next(&c, &d);
		result(ret, &c, before);
		if (ret == 1) {
			require(c.line == before + 3, "a diversion is not three lines");
			inside(d.from, d.from_len, "diversion outside the input");
			inside(d.to, d.to_len, "diversion outside the input");
			inside(d.pkg, d.pkg_len, "diversion outside the input");
			require(d.from_len > 0 && d.from[0] == '/' && d.to_len > 0 && d.to[0] == '/' &&
			            d.pkg_len > 0,
			        "diversion paths not absolute, or an empty package");
			require(d.local == (d.pkg_len == 1 && d.pkg[0] == ':'), "local wrong");
		}
	} while (ret == 1);
}

static void conffiles(const struct vouch_dpkg_package *p)
{
	struct vouch_dpkg_cursor c;
	struct vouch_dpkg_conffile f;
	size_t before;
	int ret;

	vouch_dpkg_conffiles_cursor(&c, p);
	do {
		before = c.line;
		ret = vouch_dpkg_conffiles_next(&c, &f);
		result(ret, &c, before);
		if (ret == 1) {
			inside(f.path, f.path_len, "conffile outside the input");
			require(f.path_len >= 2 && f.path[0] == '/', "conffile not absolute");
			/* The MD5 (or newconffile) follows, after one space. */
			require(f.path[f.path_len] == ' ', "conffile path not followed by a space");
		}
	} while (ret == 1);
}

static void status(void)
{
	struct vouch_dpkg_cursor c;
	struct vouch_dpkg_package p;
	size_t before;
	int ret;

	vouch_dpkg_cursor_init(&c, text, (size_t)(end - text));
	do {
		before = c.line;
		ret = vouch_dpkg_status_next(&c, &p);
		result(ret, &c, before);
		if (ret == 1) {
			inside(p.name, p.name_len, "package name outside the input");
			require(p.name_len > 0, "empty package name");
			require(p.state <= VOUCH_DPKG_INSTALLED, "state out of range");
			if (p.arch)
				inside(p.arch, p.arch_len, "architecture outside the input");
			if (p.conffiles) {
				inside(p.conffiles, p.conffiles_len, "conffiles outside the input");
				require(p.conffiles_line > before && p.conffiles_line <= c.line,
				        "conffiles line outside the stanza");
			}
			conffiles(&p);
		}
	} while (ret == 1);
}

/*
 * One target for the three files rather than one each: every input is read as
 * all three (each parse is cheap), so an input that libFuzzer grew for one
 * format also tries the others, and the seed corpus of each helps them all.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	text = (const char *)data;
	end = text + size;
	md5sums();
	diversions();
	status();
	return 0;
}
