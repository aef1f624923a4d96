/* SPDX-License-Identifier: Apache-2.0 */
/* dpkg's md5sums, diversions and status files parsed from bytes, strictly (no I/O). */
#include <stdbool.h>
#include <string.h>

#include "internal.h"
#include "vouch/dpkg.h"
#include "vouch/error.h"
#include "vouch/hex.h"

#define BAD VOUCH_E_MANIFEST_LINE

void vouch_dpkg_cursor_init(struct vouch_dpkg_cursor *c, const char *buf, size_t len)
{
	c->p = buf;
	c->end = buf + len;
	c->line = 0;
}

/* The next line, without its LF, into @s/@n; false at the end of the input. */
static bool next_line(struct vouch_dpkg_cursor *c, const char **s, size_t *n)
{
	const char *nl;

	if (c->p == c->end)
		return false;
	nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	*s = c->p;
	*n = nl ? (size_t)(nl - c->p) : (size_t)(c->end - c->p);
	c->p = nl ? nl + 1 : c->end;
	c->line++;
	return true;
}

/* 32 lower-case hex digits at @s into @md5. Return: 0 or -1. */
static int md5_hex(const char *s, uint8_t md5[static VOUCH_DPKG_MD5_LEN])
{
	if (vouch_hex_decode(md5, VOUCH_DPKG_MD5_LEN, s, 2 * VOUCH_DPKG_MD5_LEN, 0, NULL))
		return -1;
	return 0;
}

static bool same(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(s, word, n) == 0;
}

int vouch_dpkg_md5sums_next(struct vouch_dpkg_cursor *c, struct vouch_dpkg_md5sum *out)
{
	const size_t hex = 2 * VOUCH_DPKG_MD5_LEN;
	const char *s, *path;
	size_t n, plen;

	memset(out, 0, sizeof(*out));
	if (!next_line(c, &s, &n))
		return 0;
	if (n < hex + 3 || s[hex] != ' ' || (s[hex + 1] != ' ' && s[hex + 1] != '*') ||
	    md5_hex(s, out->md5))
		return BAD;
	path = s + hex + 2;
	plen = n - hex - 2;
	if (memchr(path, '\0', plen))
		return BAD;
	/* dpkg writes "usr/bin/x"; a leading "/" (older tools) names the same file. */
	while (plen > 0 && *path == '/') {
		path++;
		plen--;
	}
	if (plen == 0)
		return BAD;
	out->path = path;
	out->path_len = plen;
	return 1;
}

int vouch_dpkg_diversions_next(struct vouch_dpkg_cursor *c, struct vouch_dpkg_diversion *out)
{
	const char *s[3];
	size_t n[3];

	memset(out, 0, sizeof(*out));
	for (int k = 0; k < 3; k++) {
		if (!next_line(c, &s[k], &n[k])) {
			if (k == 0)
				return 0;
			c->line++; /* the line that should be there */
			return BAD;
		}
		if (n[k] == 0 || memchr(s[k], '\0', n[k]) || (k < 2 && s[k][0] != '/'))
			return BAD;
	}
	out->from = s[0];
	out->from_len = n[0];
	out->to = s[1];
	out->to_len = n[1];
	out->pkg = s[2];
	out->pkg_len = n[2];
	out->local = same(s[2], n[2], ":");
	return 1;
}

/* ---- status ----------------------------------------------------------------------- */

static char lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/* Field names compare without regard to ASCII case (deb822). */
static bool field_is(const char *s, size_t n, const char *name)
{
	if (strlen(name) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(s[i]) != lower(name[i]))
			return false;
	return true;
}

static bool valid_name(const char *s, size_t n)
{
	if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '+' ||
		      s[i] == '.' || s[i] == '-'))
			return false;
	return true;
}

static bool valid_arch(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

/* The index of @s/@n among @words (NULL-terminated), or -1. */
static int word_index(const char *s, size_t n, const char *const *words)
{
	for (int i = 0; words[i]; i++)
		if (same(s, n, words[i]))
			return i;
	return -1;
}

/* "WANT FLAG STATE", single spaces, dpkg's words only. Return: 0 or -1. */
static int parse_status(const char *s, size_t n, enum vouch_dpkg_state *state)
{
	static const char *const want[] = {"unknown", "install", "hold", "deinstall", "purge", NULL};
	static const char *const flag[] = {"ok", "reinstreq", NULL};
	/* In the order of enum vouch_dpkg_state. */
	static const char *const states[] = {"not-installed",    "config-files",
	                                     "half-installed",   "unpacked",
	                                     "half-configured",  "triggers-awaited",
	                                     "triggers-pending", "installed",
	                                     NULL};
	const char *const *lists[3] = {want, flag, states};
	const char *end = s + n;
	int idx = -1;

	for (int k = 0; k < 3; k++) {
		const char *sp = memchr(s, ' ', (size_t)(end - s)), *w = s;
		size_t wl;

		if (k < 2 && !sp)
			return -1;
		if (k == 2 && sp)
			return -1;
		wl = (size_t)((k < 2 ? sp : end) - w);
		idx = word_index(w, wl, lists[k]);
		if (idx < 0)
			return -1;
		s = k < 2 ? sp + 1 : end;
	}
	*state = (enum vouch_dpkg_state)idx;
	return 0;
}

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

enum { F_PACKAGE = 1, F_STATUS = 2, F_ARCH = 4, F_MULTIARCH = 8, F_CONFFILES = 16 };

int vouch_dpkg_status_next(struct vouch_dpkg_cursor *c, struct vouch_dpkg_package *out)
{
	static const char *const multiarch[] = {"same", "foreign", "allowed", "no", NULL};
	unsigned seen = 0;
	bool in_conffiles = false;
	size_t first;

	memset(out, 0, sizeof(*out));
	/* Stanzas are separated by one or more empty lines; so is the end. */
	while (c->p < c->end && *c->p == '\n') {
		c->p++;
		c->line++;
	}
	if (c->p == c->end)
		return 0;
	first = c->line + 1;
	while (c->p < c->end && *c->p != '\n') {
		const char *s, *colon, *v;
		size_t n, vlen;
		unsigned f = 0;
		int mi;

		next_line(c, &s, &n);
		if (memchr(s, '\0', n))
			return BAD;
		if (blank(s[0])) {
			if (c->line == first)
				return BAD; /* continues nothing */
			if (in_conffiles)
				out->conffiles_len = (size_t)(c->p - out->conffiles);
			continue;
		}
		in_conffiles = false;
		colon = memchr(s, ':', n);
		if (!colon || colon == s || s[0] == '#' || s[0] == '-')
			return BAD;
		for (const char *q = s; q < colon; q++)
			if (*q < '!' || *q > '~')
				return BAD;
		v = colon + 1;
		vlen = n - (size_t)(v - s);
		while (vlen > 0 && blank(v[0])) {
			v++;
			vlen--;
		}
		while (vlen > 0 && blank(v[vlen - 1]))
			vlen--;
		if (field_is(s, (size_t)(colon - s), "Package"))
			f = F_PACKAGE;
		else if (field_is(s, (size_t)(colon - s), "Status"))
			f = F_STATUS;
		else if (field_is(s, (size_t)(colon - s), "Architecture"))
			f = F_ARCH;
		else if (field_is(s, (size_t)(colon - s), "Multi-Arch"))
			f = F_MULTIARCH;
		else if (field_is(s, (size_t)(colon - s), "Conffiles"))
			f = F_CONFFILES;
		if (f & seen)
			return BAD;
		seen |= f;
		switch (f) {
		case F_PACKAGE:
			if (!valid_name(v, vlen))
				return BAD;
			out->name = v;
			out->name_len = vlen;
			break;
		case F_STATUS:
			if (parse_status(v, vlen, &out->state))
				return BAD;
			break;
		case F_ARCH:
			if (!valid_arch(v, vlen))
				return BAD;
			out->arch = v;
			out->arch_len = vlen;
			break;
		case F_MULTIARCH:
			mi = word_index(v, vlen, multiarch);
			if (mi < 0)
				return BAD;
			out->multiarch_same = mi == 0;
			break;
		case F_CONFFILES:
			if (vlen != 0)
				return BAD;
			out->conffiles = c->p;
			out->conffiles_len = 0;
			out->conffiles_line = c->line;
			in_conffiles = true;
			break;
		default:
			break;
		}
	}
	if (!(seen & F_PACKAGE) || !(seen & F_STATUS)) {
		c->line = first;
		return BAD;
	}
	return 1;
}

void vouch_dpkg_conffiles_cursor(struct vouch_dpkg_cursor *c,
                                 const struct vouch_dpkg_package *pkg)
{
	c->p = pkg->conffiles;
	c->end = pkg->conffiles ? pkg->conffiles + pkg->conffiles_len : NULL;
	c->line = pkg->conffiles_line;
}

/* Split the last space-separated word off [@s, *@end): into @w/@wl, *@end before its space. */
static int last_word(const char *s, const char **end, const char **w, size_t *wl)
{
	const char *q = *end;

	while (q > s && q[-1] != ' ')
		q--;
	if (q == s || q == *end)
		return -1;
	*w = q;
	*wl = (size_t)(*end - q);
	*end = q - 1;
	return 0;
}

int vouch_dpkg_conffiles_next(struct vouch_dpkg_cursor *c, struct vouch_dpkg_conffile *out)
{
	const char *s, *end, *w;
	size_t n, wl;

	memset(out, 0, sizeof(*out));
	if (!next_line(c, &s, &n))
		return 0;
	/* Exactly one space first, as dpkg writes and reads it. */
	if (n < 2 || s[0] != ' ' || memchr(s, '\0', n))
		return BAD;
	s++;
	end = s + n - 1;
	/* From the end: the flags in their one order, then the hash; the path is the rest. */
	if (last_word(s, &end, &w, &wl))
		return BAD;
	if (same(w, wl, "remove-on-upgrade")) {
		out->remove_on_upgrade = true;
		if (last_word(s, &end, &w, &wl))
			return BAD;
	}
	if (same(w, wl, "obsolete")) {
		out->obsolete = true;
		if (last_word(s, &end, &w, &wl))
			return BAD;
	}
	if (same(w, wl, "newconffile")) {
		out->has_md5 = false;
	} else if (wl == 2 * VOUCH_DPKG_MD5_LEN && md5_hex(w, out->md5) == 0) {
		out->has_md5 = true;
	} else {
		return BAD;
	}
	if (end - s < 2 || s[0] != '/')
		return BAD;
	out->path = s;
	out->path_len = (size_t)(end - s);
	return 1;
}
