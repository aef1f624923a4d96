/* SPDX-License-Identifier: Apache-2.0 */
/* Log entries: one decision as a flat JSON object, written and read strictly. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "vouch/digest.h"
#include "vouch/decide.h"
#include "vouch/entry.h"
#include "vouch/error.h"
#include "vouch/policy.h"

struct out {
	char *p;
	size_t n, cap;
	bool over;
};

static void put(struct out *o, const char *s, size_t len)
{
	if (o->over || len > o->cap - o->n) {
		o->over = true;
		return;
	}
	memcpy(o->p + o->n, s, len);
	o->n += len;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at @s (at most @n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	/* No overlong forms, no surrogates, nothing above U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static void put_str(struct out *o, const char *key, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s);
	char esc[8];

	put(o, ",\"", 2);
	puts_(o, key);
	put(o, "\":\"", 3);
	for (size_t i = 0; i < n;) {
		size_t run = i;

		/* Copy plain runs in one go: paths are mostly plain. */
		while (run < n && u[run] >= 0x20 && u[run] < 0x7f && u[run] != '"' &&
		       u[run] != '\\')
			run++;
		put(o, s + i, run - i);
		i = run;
		if (i >= n)
			break;
		if (u[i] == '"' || u[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)u[i];
			put(o, esc, 2);
			i++;
		} else if (u[i] >= 0x80) {
			size_t l = utf8_len(u + i, n - i);

			if (l) {
				put(o, s + i, l);
				i += l;
			} else {
				snprintf(esc, sizeof(esc), "\\u%04x", u[i]);
				put(o, esc, 6);
				i++;
			}
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", u[i]);
			put(o, esc, 6);
			i++;
		}
	}
	put(o, "\"", 1);
}

static void put_hex(struct out *o, const char *key, const uint8_t h[static 32])
{
	char hex[65];

	vouch_hex(h, 32, hex);
	put(o, ",\"", 2);
	puts_(o, key);
	put(o, "\":\"", 3);
	put(o, hex, 64);
	put(o, "\"", 1);
}

static void put_int(struct out *o, const char *key, int64_t v)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "%" PRId64, v);

	put(o, ",\"", 2);
	puts_(o, key);
	put(o, "\":", 2);
	put(o, num, (size_t)n);
}

void vouch_time_format_us(int64_t us, char out[static 28])
{
	struct tm tm;
	time_t t = (time_t)(us / 1000000);
	int64_t frac = us % 1000000;

	if (frac < 0) {
		frac += 1000000;
		t--;
	}
	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 1970) {
		snprintf(out, 28, "(out of range)");
		return;
	}
	char buf[96];

	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
	memcpy(out, buf, 28);
	out[27] = '\0';
}

int vouch_entry_format(const struct vouch_entry *e, char *buf, size_t cap)
{
	struct out o = {buf, 0, cap < VOUCH_ENTRY_MAX ? cap : VOUCH_ENTRY_MAX, false};
	char ts[28];

	vouch_time_format_us(e->time_us, ts);
	put(&o, "{\"time\":\"", 9);
	puts_(&o, ts);
	put(&o, "\"", 1);
	put_str(&o, "decision", e->decision);
	put_str(&o, "mode", e->mode);
	put_str(&o, "event", e->event);
	put_str(&o, "rule", e->rule);
	put_str(&o, "reason", e->reason);
	put_str(&o, "path", e->path);
	if (!e->no_sha256)
		put_hex(&o, "sha256", e->sha256);
	put_int(&o, "pid", e->pid);
	put_int(&o, "uid", e->uid);
	if (e->exe)
		put_str(&o, "exe", e->exe);
	if (e->has_exe_sha256)
		put_hex(&o, "exe_sha256", e->exe_sha256);
	if (e->summary) {
		put_int(&o, "allowed", e->allowed);
		put_int(&o, "denied", e->denied);
	}
	put(&o, "}", 1);
	if (o.over)
		return VOUCH_E_TOOBIG;
	return (int)o.n;
}

/* The reader: a cursor over the text and a cursor into the scratch buffer. */
struct in {
	const char *p, *end;
	char *s, *send;
};

static int hex4(const char *p, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		int d = vouch_hexval(p[i]);

		if (d < 0)
			return -1;
		*v = *v << 4 | (unsigned)d;
	}
	return 0;
}

/* A JSON string into scratch, NUL-terminated; *out points at it. */
static int get_str(struct in *in, const char **out)
{
	char *start = in->s;

	if (in->p >= in->end || *in->p != '"')
		return -1;
	in->p++;
	while (in->p < in->end && *in->p != '"') {
		unsigned char c = (unsigned char)*in->p;
		unsigned v;

		if (in->send - in->s < 5)
			return -1;
		if (c < 0x20)
			return -1;
		if (c != '\\') {
			*in->s++ = (char)c;
			in->p++;
			continue;
		}
		if (in->end - in->p < 2)
			return -1;
		c = (unsigned char)in->p[1];
		in->p += 2;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			*in->s++ = (char)c;
			break;
		case 'b':
			*in->s++ = '\b';
			break;
		case 'f':
			*in->s++ = '\f';
			break;
		case 'n':
			*in->s++ = '\n';
			break;
		case 'r':
			*in->s++ = '\r';
			break;
		case 't':
			*in->s++ = '\t';
			break;
		case 'u':
			if (in->end - in->p < 4 || hex4(in->p, &v))
				return -1;
			in->p += 4;
			/* vouch writes \u only for control characters and stray bytes. */
			if (v == 0 || v > 0xff)
				return -1;
			*in->s++ = (char)v;
			break;
		default:
			return -1;
		}
	}
	if (in->p >= in->end)
		return -1;
	in->p++;
	*in->s++ = '\0';
	*out = start;
	return 0;
}

static int get_int(struct in *in, int64_t *v)
{
	bool neg = false;
	uint64_t u = 0;
	int digits = 0;

	if (in->p < in->end && *in->p == '-') {
		neg = true;
		in->p++;
	}
	while (in->p < in->end && *in->p >= '0' && *in->p <= '9') {
		if (digits == 0 && *in->p == '0' && in->p + 1 < in->end && in->p[1] >= '0' &&
		    in->p[1] <= '9')
			return -1;
		if (++digits > 18)
			return -1;
		u = u * 10 + (uint64_t)(*in->p - '0');
		in->p++;
	}
	if (!digits)
		return -1;
	*v = neg ? -(int64_t)u : (int64_t)u;
	return 0;
}

static int get_hash(const char *s, uint8_t out[static 32])
{
	if (strlen(s) != 64)
		return -1;
	for (int i = 0; i < 32; i++) {
		int hi = vouch_hexval(s[2 * i]), lo = vouch_hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0 || (s[2 * i] >= 'A' && s[2 * i] <= 'F') ||
		    (s[2 * i + 1] >= 'A' && s[2 * i + 1] <= 'F'))
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* "YYYY-MM-DDThh:mm:ss.uuuuuuZ" to microseconds. */
static int get_time(const char *s, int64_t *us)
{
	char base[21];
	int64_t t, frac = 0;

	if (strlen(s) != 27 || s[19] != '.' || s[26] != 'Z')
		return -1;
	memcpy(base, s, 19);
	base[19] = 'Z';
	base[20] = '\0';
	if (vouch_time_parse(base, 20, &t))
		return -1;
	for (int i = 20; i < 26; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		frac = frac * 10 + (s[i] - '0');
	}
	*us = t * 1000000 + frac;
	return 0;
}

enum {
	K_TIME,
	K_DECISION,
	K_MODE,
	K_EVENT,
	K_RULE,
	K_REASON,
	K_PATH,
	K_SHA,
	K_PID,
	K_UID,
	K_EXE,
	K_EXESHA,
	K_ALLOWED,
	K_DENIED,
	K_N
};
static const char *const keys[K_N] = {"time",   "decision",   "mode",    "event", "rule",
                                      "reason", "path",       "sha256",  "pid",   "uid",
                                      "exe",    "exe_sha256", "allowed", "denied"};

/* Is @w one of the words @name(0), @name(1), ... (up to @n)? */
static bool word_in(const char *w, const char *(*name)(int), int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(w, name(i)))
			return true;
	return false;
}

static const char *rule_word(int i)
{
	return vouch_rule_name((enum vouch_rule)i);
}

static const char *event_word(int i)
{
	return vouch_event_name((enum vouch_event)i);
}

static const char *mode_word(int i)
{
	return vouch_mode_name((enum vouch_mode)i);
}

static const char *verdict_word(int i)
{
	return vouch_verdict_name(i != 1, i == 2);
}

/* The log's words only (entry.h), a summary's only in a summary. */
static bool vocabulary_ok(const char *const *strs, bool summary)
{
	if (!word_in(strs[K_MODE], mode_word, 2))
		return false;
	if (summary)
		return !strcmp(strs[K_DECISION], VOUCH_ENTRY_SUMMARY) &&
		       !strcmp(strs[K_EVENT], VOUCH_ENTRY_SUMMARY) &&
		       !strcmp(strs[K_RULE], VOUCH_ENTRY_RATE_LIMIT);
	return word_in(strs[K_DECISION], verdict_word, 3) &&
	       word_in(strs[K_EVENT], event_word, VOUCH_EV_CHECK + 1) &&
	       word_in(strs[K_RULE], rule_word, VOUCH_RULE_DEFAULT + 1);
}

int vouch_entry_parse(struct vouch_entry *e, const char *text, size_t len, char *scratch,
                      size_t cap)
{
	struct in in = {text, text + len, scratch, scratch + cap};
	const char *strs[K_N] = {0};
	unsigned seen = 0;
	int64_t num;

	memset(e, 0, sizeof(*e));
	if (len > VOUCH_ENTRY_MAX || cap < len + 8 || len < 2 || text[0] != '{')
		return VOUCH_E_ENTRY;
	in.p++;
	for (;;) {
		const char *key;
		int k;

		if (get_str(&in, &key) || in.p >= in.end || *in.p++ != ':')
			return VOUCH_E_ENTRY;
		for (k = 0; k < K_N && strcmp(key, keys[k]); k++)
			;
		if (k < K_N && (seen & 1u << k))
			return VOUCH_E_ENTRY;
		if (k == K_PID || k == K_UID || k == K_ALLOWED || k == K_DENIED) {
			if (get_int(&in, &num))
				return VOUCH_E_ENTRY;
			if (k == K_PID)
				e->pid = num;
			else if (k == K_UID)
				e->uid = num;
			else if (k == K_ALLOWED)
				e->allowed = num;
			else
				e->denied = num;
		} else if (k == K_N && in.p < in.end && *in.p != '"') {
			/* An unknown key from a later version: a number is skipped. */
			if (get_int(&in, &num))
				return VOUCH_E_ENTRY;
		} else {
			const char *v;

			if (get_str(&in, &v))
				return VOUCH_E_ENTRY;
			if (k < K_N)
				strs[k] = v;
		}
		if (k < K_N)
			seen |= 1u << k;
		if (in.p >= in.end)
			return VOUCH_E_ENTRY;
		if (*in.p == '}')
			break;
		if (*in.p++ != ',')
			return VOUCH_E_ENTRY;
	}
	if (in.p + 1 != in.end)
		return VOUCH_E_ENTRY;
	/* Everything but the file's hash and the subject's executable is required; a
	 * summary has both counts, and only a summary has them. */
	if ((seen & ((1u << K_EXE) - 1) & ~(1u << K_SHA)) != (((1u << K_EXE) - 1) & ~(1u << K_SHA)))
		return VOUCH_E_ENTRY;
	e->summary = (seen & (1u << K_ALLOWED)) != 0;
	if (e->summary != ((seen & (1u << K_DENIED)) != 0) || e->allowed < 0 || e->denied < 0 ||
	    !vocabulary_ok(strs, e->summary))
		return VOUCH_E_ENTRY;
	if (get_time(strs[K_TIME], &e->time_us))
		return VOUCH_E_ENTRY;
	if (!strs[K_SHA])
		e->no_sha256 = true;
	else if (get_hash(strs[K_SHA], e->sha256))
		return VOUCH_E_ENTRY;
	if (strs[K_EXESHA]) {
		if (get_hash(strs[K_EXESHA], e->exe_sha256))
			return VOUCH_E_ENTRY;
		e->has_exe_sha256 = true;
	}
	e->decision = strs[K_DECISION];
	e->mode = strs[K_MODE];
	e->event = strs[K_EVENT];
	e->rule = strs[K_RULE];
	e->reason = strs[K_REASON];
	e->path = strs[K_PATH];
	e->exe = strs[K_EXE];
	return 0;
}
