/* SPDX-License-Identifier: Apache-2.0 */
/* The input apt gives a DPkg::Pre-Install-Pkgs hook, versions 2 and 3, parsed strictly (no I/O). */
#include <stdbool.h>
#include <string.h>

#include "vouch/apt.h"
#include "vouch/error.h"

#define BAD VOUCH_E_MANIFEST_LINE

/* The next line without its LF; false at the end, or (*@cut) for a last line without LF. */
static bool next_line(struct vouch_apt_cursor *c, const char **s, size_t *n, bool *cut)
{
	const char *nl;

	*cut = false;
	if (c->p == c->end)
		return false;
	c->line++;
	nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	if (!nl) {
		*cut = true;
		return false;
	}
	*s = c->p;
	*n = (size_t)(nl - c->p);
	c->p = nl + 1;
	return true;
}

int vouch_apt_begin(struct vouch_apt_cursor *c, const char *text, size_t len)
{
	const char *s;
	size_t n;
	bool cut;

	c->p = text;
	c->end = text + len;
	c->line = 0;
	c->version = 0;
	if (len > VOUCH_APT_INPUT_MAX)
		return VOUCH_E_TOOBIG;
	if (!next_line(c, &s, &n, &cut))
		return VOUCH_E_CTL_VERSION;
	if (n == 9 && !memcmp(s, "VERSION 3", 9))
		c->version = 3;
	else if (n == 9 && !memcmp(s, "VERSION 2", 9))
		c->version = 2;
	else
		return VOUCH_E_CTL_VERSION;
	for (;;) {
		if (!next_line(c, &s, &n, &cut))
			return BAD;
		if (n == 0)
			return 0;
		/* apt %-escapes '=' in keys: the first '=' ends the key, which is not empty. */
		if (memchr(s, '\0', n) || !memchr(s, '=', n) || s[0] == '=')
			return BAD;
	}
}

static bool name_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '+' ||
		      s[i] == '-' || s[i] == '.'))
			return false;
	return n > 0;
}

static bool is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && !memcmp(s, word, n);
}

int vouch_apt_next(struct vouch_apt_cursor *c, struct vouch_apt_action *a)
{
	const unsigned nf = c->version == 3 ? 8 : 4; /* fields before ACTION */
	const char *s, *f[8], *p, *end;
	size_t n, fl[8];
	bool cut;

	memset(a, 0, sizeof(*a));
	if (!next_line(c, &s, &n, &cut))
		return cut ? BAD : 0;
	if (memchr(s, '\0', n))
		return BAD;
	p = s;
	end = s + n;
	for (unsigned i = 0; i < nf; i++) {
		const char *sp = memchr(p, ' ', (size_t)(end - p));

		if (!sp || sp == p)
			return BAD;
		f[i] = p;
		fl[i] = (size_t)(sp - p);
		p = sp + 1;
	}
	/* ACTION is the rest of the line: a path may hold spaces. */
	if (p == end || !name_ok(f[0], fl[0]))
		return BAD;
	{
		const char *cmp = f[nf == 8 ? 4 : 2];
		size_t cl = fl[nf == 8 ? 4 : 2];

		if (!is(cmp, cl, "<") && !is(cmp, cl, ">") && !is(cmp, cl, "="))
			return BAD;
	}
	a->name = f[0];
	a->name_len = fl[0];
	a->oldver = f[1];
	a->oldver_len = fl[1];
	a->newver = f[nf == 8 ? 5 : 3];
	a->newver_len = fl[nf == 8 ? 5 : 3];
	a->newarch = nf == 8 ? f[6] : NULL;
	a->newarch_len = nf == 8 ? fl[6] : 0;
	a->deb = p;
	a->deb_len = (size_t)(end - p);
	if (is(p, a->deb_len, "**CONFIGURE**"))
		a->op = VOUCH_APT_CONFIGURE;
	else if (is(p, a->deb_len, "**REMOVE**"))
		a->op = VOUCH_APT_REMOVE;
	else if (is(p, a->deb_len, "**ERROR**"))
		a->op = VOUCH_APT_ERROR;
	else if (p[0] == '/')
		a->op = VOUCH_APT_UNPACK;
	else
		return BAD;
	if (a->op != VOUCH_APT_UNPACK) {
		a->deb = NULL;
		a->deb_len = 0;
	}
	return 1;
}
