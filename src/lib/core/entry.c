/* SPDX-License-Identifier: Apache-2.0 */
/* Log entries: one decision as a flat JSON object, written and read strictly. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "vouch/digest.h"
#include "vouch/decide.h"
#include "vouch/entry.h"
#include "vouch/error.h"
#include "vouch/json.h"
#include "vouch/hex.h"
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

/* ,"KEY":"TEXT" and, for bytes that are not UTF-8, its companion (vouch/json.h). */
static void put_str(struct out *o, const char *key, const char *s, unsigned flags)
{
	size_t n;

	put(o, ",", 1);
	if (o->over)
		return;
	if (vouch_json_field(o->p + o->n, o->cap - o->n, &n, key, s, strlen(s), flags)) {
		o->over = true;
		return;
	}
	o->n += n;
}

static void put_hex(struct out *o, const char *key, const uint8_t h[static 32])
{
	char hex[65];

	vouch_hex_encode(h, 32, hex);
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

static int format(const struct vouch_entry *e, unsigned flags, char *buf, size_t cap)
{
	struct out o = {buf, 0, cap, false};
	char ts[28];

	vouch_time_format_us(e->time_us, ts);
	put(&o, "{\"time\":\"", 9);
	puts_(&o, ts);
	put(&o, "\"", 1);
	put_str(&o, "decision", e->decision, flags);
	put_str(&o, "mode", e->mode, flags);
	put_str(&o, "event", e->event, flags);
	put_str(&o, "rule", e->rule, flags);
	put_str(&o, "reason", e->reason, flags);
	put_str(&o, "path", e->path, flags);
	if (!e->no_sha256)
		put_hex(&o, "sha256", e->sha256);
	put_int(&o, "pid", e->pid);
	put_int(&o, "uid", e->uid);
	if (e->exe)
		put_str(&o, "exe", e->exe, flags);
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

int vouch_entry_format(const struct vouch_entry *e, char *buf, size_t cap)
{
	return format(e, 0, buf, cap < VOUCH_ENTRY_MAX ? cap : VOUCH_ENTRY_MAX);
}

int vouch_entry_format_flags(const struct vouch_entry *e, unsigned flags, char *buf, size_t cap)
{
	return format(e, flags & VOUCH_JSON_C1, buf, cap < INT_MAX ? cap : INT_MAX);
}

/*
 * The reader: a cursor over the text. Strings are found first (their text between the
 * quotes) and decoded after the object is read, when each field's companion is known.
 */
struct in {
	const char *p, *end;
};

struct span {
	const char *s;
	size_t n;
};

/* A JSON string at the cursor: its text between the quotes, unchecked (decoded later). */
static int get_span(struct in *in, struct span *sp)
{
	size_t n;

	if (in->p >= in->end || *in->p != '"')
		return -1;
	in->p++;
	n = vouch_json_string_end(in->p, (size_t)(in->end - in->p));
	if (n == (size_t)(in->end - in->p))
		return -1;
	sp->s = in->p;
	sp->n = n;
	in->p += n + 1;
	return 0;
}

/* A key: vouch writes its keys as plain [a-z0-9_], and reads no other. */
static int get_key(struct in *in, struct span *sp)
{
	if (get_span(in, sp) || sp->n == 0)
		return -1;
	for (size_t i = 0; i < sp->n; i++) {
		char c = sp->s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return -1;
	}
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
	return vouch_hex_decode(out, 32, s, strlen(s), 0, NULL) ? -1 : 0;
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
#define NUMERIC          (1u << K_PID | 1u << K_UID | 1u << K_ALLOWED | 1u << K_DENIED)
#define COMPANION_SUFFIX "_b64"

/*
 * The key @sp names: K_*, K_N for one this version does not know, or, for a string
 * key's companion ("path_b64"), its key's K_* with *@companion set.
 */
static int key_index(const struct span *sp, bool *companion)
{
	size_t n = sp->n, sl = sizeof(COMPANION_SUFFIX) - 1;

	*companion = false;
	if (n > sl && !memcmp(sp->s + n - sl, COMPANION_SUFFIX, sl)) {
		*companion = true;
		n -= sl;
	}
	for (int k = 0; k < K_N; k++)
		if (strlen(keys[k]) == n && !memcmp(sp->s, keys[k], n) &&
		    !(*companion && (NUMERIC & 1u << k)))
			return k;
	*companion = false;
	return K_N;
}

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
	struct in in = {text, text + len};
	struct span str[K_N] = {{0}}, b64[K_N] = {{0}};
	const char *strs[K_N] = {0};
	char *s = scratch, *send = scratch + cap;
	unsigned seen = 0, with_b64 = 0;
	int prev = K_N;
	int64_t num;

	memset(e, 0, sizeof(*e));
	if (len > VOUCH_ENTRY_MAX || cap < len + 8 || len < 2 || text[0] != '{')
		return VOUCH_E_ENTRY;
	in.p++;
	for (;;) {
		struct span key, v;
		bool companion;
		int k;

		if (get_key(&in, &key) || in.p >= in.end || *in.p++ != ':')
			return VOUCH_E_ENTRY;
		k = key_index(&key, &companion);
		if (companion) {
			/* Right after its field, once: one spelling of a field. */
			if (prev != k || (with_b64 & 1u << k) || get_span(&in, &b64[k]))
				return VOUCH_E_ENTRY;
			with_b64 |= 1u << k;
			k = K_N;
		} else if (k < K_N && (seen & 1u << k)) {
			return VOUCH_E_ENTRY;
		} else if (k < K_N && (NUMERIC & 1u << k)) {
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
			seen |= 1u << k;
		} else if (k < K_N) {
			if (get_span(&in, &str[k]))
				return VOUCH_E_ENTRY;
			seen |= 1u << k;
		} else if (in.p < in.end && *in.p != '"') {
			/* An unknown key from a later version: a number is skipped. */
			if (get_int(&in, &num))
				return VOUCH_E_ENTRY;
		} else {
			size_t n;

			/* So is a string, spelled as this version spells strings. */
			if (get_span(&in, &v) || vouch_json_field_decode(s, (size_t)(send - s), &n,
			                                                 v.s, v.n, NULL, 0, 0))
				return VOUCH_E_ENTRY;
		}
		prev = (k < K_N && !(NUMERIC & 1u << k)) ? k : K_N;
		if (in.p >= in.end)
			return VOUCH_E_ENTRY;
		if (*in.p == '}')
			break;
		if (*in.p++ != ',')
			return VOUCH_E_ENTRY;
	}
	if (in.p + 1 != in.end)
		return VOUCH_E_ENTRY;
	/*
	 * Each string's bytes: from its companion when it has one (its text must then be
	 * what vouch writes for them), else from its text, where an entry written before
	 * companions existed says \u00XX (XX >= 80) for a byte that is not UTF-8. A path
	 * holds no NUL, nor does any other field.
	 */
	for (int k = 0; k < K_N; k++) {
		bool c = (with_b64 & 1u << k) != 0;
		size_t n;

		if (!(seen & 1u << k) || (NUMERIC & 1u << k))
			continue;
		if (vouch_json_field_decode(s, (size_t)(send - s), &n, str[k].s, str[k].n,
		                            c ? b64[k].s : NULL, b64[k].n,
		                            c ? 0 : VOUCH_JSON_LEGACY) ||
		    memchr(s, '\0', n))
			return VOUCH_E_ENTRY;
		strs[k] = s;
		s += n + 1;
	}
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
