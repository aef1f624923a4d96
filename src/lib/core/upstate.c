/* SPDX-License-Identifier: Apache-2.0 */
/* The update state's text: written one way, read back only in that spelling. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "vouch/error.h"
#include "vouch/grow.h"
#include "vouch/hex.h"
#include "vouch/policy.h"
#include "vouch/upstate.h"

#define MAGIC   "vouch-update-state 1\n"
#define PATHMAX 4095

static bool hash_ok(const char *h)
{
	for (size_t i = 0; i < 64; i++)
		if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
			return false;
	return h[64] == 0;
}

static int check(const struct vouch_upstate *u)
{
	if (u->checked < 0 || u->succeeded < 0 || u->changed < 0 ||
	    u->nt > VOUCH_UPSTATE_MAX_TARGETS || (u->nt && !u->t))
		return VOUCH_E_UPSTATE;
	if (u->failure && (!*u->failure || strnlen(u->failure, VOUCH_UPSTATE_ERROR_MAX + 1) >
	                                       VOUCH_UPSTATE_ERROR_MAX))
		return VOUCH_E_UPSTATE;
	for (size_t i = 0; i < u->nt; i++) {
		const struct vouch_upstate_target *t = &u->t[i];

		if (!t->path || !*t->path || strnlen(t->path, PATHMAX + 1) > PATHMAX ||
		    !hash_ok(t->sha256))
			return VOUCH_E_UPSTATE;
		/* Sorted by the bytes of the path, each once: one spelling. */
		if (i && strcmp(u->t[i - 1].path, t->path) >= 0)
			return VOUCH_E_UPSTATE;
	}
	return 0;
}

static size_t put_time(char *w, size_t cap, const char *key, int64_t t)
{
	char s[21];

	if (!t)
		return (size_t)snprintf(w, cap, "%s never\n", key);
	vouch_time_format(t, s);
	return (size_t)snprintf(w, cap, "%s %s\n", key, s);
}

int vouch_upstate_format(const struct vouch_upstate *u, char **out, size_t *len)
{
	size_t cap = 256, n = 0;
	char *buf;
	int ret = check(u);

	*out = NULL;
	*len = 0;
	if (ret)
		return ret;
	if (u->failure)
		cap += 2 * strlen(u->failure);
	for (size_t i = 0; i < u->nt; i++)
		cap += 8 + 2 * strlen(u->t[i].path) + 21 + 65 + 2;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, MAGIC, sizeof(MAGIC) - 1);
	n = sizeof(MAGIC) - 1;
	n += put_time(buf + n, cap - n, "checked", u->checked);
	n += put_time(buf + n, cap - n, "succeeded", u->succeeded);
	n += put_time(buf + n, cap - n, "changed", u->changed);
	n += (size_t)snprintf(buf + n, cap - n, "root %llu\ntargets %llu\nfailure ",
	                      (unsigned long long)u->root, (unsigned long long)u->targets);
	if (u->failure) {
		vouch_hex_encode((const uint8_t *)u->failure, strlen(u->failure), buf + n);
		n += 2 * strlen(u->failure);
	} else {
		buf[n++] = '-';
	}
	buf[n++] = '\n';
	for (size_t i = 0; i < u->nt; i++) {
		const struct vouch_upstate_target *t = &u->t[i];
		size_t pl = strlen(t->path);

		memcpy(buf + n, "target ", 7);
		n += 7;
		vouch_hex_encode((const uint8_t *)t->path, pl, buf + n);
		n += 2 * pl;
		n += (size_t)snprintf(buf + n, cap - n, " %llu %s\n", (unsigned long long)t->length,
		                      t->sha256);
	}
	memcpy(buf + n, "end\n", 4);
	n += 4;
	*out = buf;
	*len = n;
	return 0;
}

/* "KEY VALUE" with VALUE the rest of the line. */
static bool keyed(const char *line, size_t n, const char *key, const char **v, size_t *vn)
{
	size_t k = strlen(key);

	if (n <= k + 1 || memcmp(line, key, k) != 0 || line[k] != ' ')
		return false;
	*v = line + k + 1;
	*vn = n - k - 1;
	return true;
}

static bool time_of(const char *text, size_t len, size_t *at, const char *key, int64_t *t)
{
	const char *line, *v;
	size_t n, vn;

	if (!vouch_next_line(text, len, at, &line, &n) || !keyed(line, n, key, &v, &vn))
		return false;
	if (vn == 5 && !memcmp(v, "never", 5)) {
		*t = 0;
		return true;
	}
	return vn == 20 && vouch_time_parse(v, vn, t) == 0 && *t > 0;
}

static bool num_of(const char *text, size_t len, size_t *at, const char *key, uint64_t *x)
{
	const char *line, *v;
	size_t n, vn;

	return vouch_next_line(text, len, at, &line, &n) && keyed(line, n, key, &v, &vn) &&
	       vouch_dec_parse(v, vn, x);
}

int vouch_upstate_parse(struct vouch_upstate *u, const char *text, size_t len)
{
	const char *line, *v;
	size_t at, n, vn, cap = 0;
	int ret;

	memset(u, 0, sizeof(*u));
	if (len < sizeof(MAGIC) - 1 || memcmp(text, MAGIC, sizeof(MAGIC) - 1) != 0)
		return VOUCH_E_UPSTATE;
	at = sizeof(MAGIC) - 1;
	if (!time_of(text, len, &at, "checked", &u->checked) ||
	    !time_of(text, len, &at, "succeeded", &u->succeeded) ||
	    !time_of(text, len, &at, "changed", &u->changed) ||
	    !num_of(text, len, &at, "root", &u->root) ||
	    !num_of(text, len, &at, "targets", &u->targets))
		return VOUCH_E_UPSTATE;
	if (!vouch_next_line(text, len, &at, &line, &n) || !keyed(line, n, "failure", &v, &vn))
		return VOUCH_E_UPSTATE;
	if (!(vn == 1 && v[0] == '-')) {
		if (vn > 2 * VOUCH_UPSTATE_ERROR_MAX)
			return VOUCH_E_UPSTATE;
		ret = vouch_hex_path(v, vn, false, &u->failure);
		if (ret)
			return ret == -ENOMEM ? ret : VOUCH_E_UPSTATE;
	}
	for (;;) {
		struct vouch_upstate_target *t;
		const char *sp1, *sp2;
		uint64_t length;

		if (!vouch_next_line(text, len, &at, &line, &n))
			return VOUCH_E_UPSTATE;
		if (n == 3 && !memcmp(line, "end", 3))
			break;
		if (!keyed(line, n, "target", &v, &vn) || u->nt == VOUCH_UPSTATE_MAX_TARGETS)
			return VOUCH_E_UPSTATE;
		sp1 = memchr(v, ' ', vn);
		sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(v + vn - sp1 - 1)) : NULL;
		/* HEX LENGTH SHA256: the hash is the last 64 bytes. */
		if (!sp2 || (size_t)(v + vn - sp2 - 1) != 64 ||
		    !vouch_dec_parse(sp1 + 1, (size_t)(sp2 - sp1 - 1), &length))
			return VOUCH_E_UPSTATE;
		ret = vouch_grow((void **)&u->t, &cap, u->nt + 1, sizeof(*u->t));
		if (ret)
			return ret;
		t = &u->t[u->nt++];
		memset(t, 0, sizeof(*t));
		t->length = length;
		memcpy(t->sha256, sp2 + 1, 64);
		ret = vouch_hex_path(v, (size_t)(sp1 - v), false, &t->path);
		if (ret)
			return ret == -ENOMEM ? ret : VOUCH_E_UPSTATE;
	}
	if (at != len)
		return VOUCH_E_UPSTATE;
	return check(u);
}

void vouch_upstate_free(struct vouch_upstate *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->nt; i++)
		free(u->t[i].path);
	free(u->t);
	free(u->failure);
	memset(u, 0, sizeof(*u));
}

bool vouch_upstate_overdue(const struct vouch_upstate *u, int64_t every, int64_t now, int64_t *due)
{
	if (due)
		*due = 0;
	if (every <= 0)
		return false;
	if (!u || !u->succeeded)
		return true;
	if (due)
		*due = u->succeeded + every;
	return now > u->succeeded + every;
}
