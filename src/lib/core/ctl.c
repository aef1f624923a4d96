/* SPDX-License-Identifier: Apache-2.0 */
/* The control protocol's one codec: requests and answers, encoded and parsed strictly. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "vouch/ctl.h"
#include "vouch/error.h"
#include "vouch/json.h"
#include "vouch/grow.h"
#include "vouch/hex.h"

#define PREFIX     "vouch-ctl/"
#define PREFIX_LEN (sizeof(PREFIX) - 1)
#define NAME_MAX_  32 /* a status name on the wire */
/* The longest header: "vouch-ctl/1 999 " name " " reason LF. */
#define HEADER_MAX (sizeof(VOUCH_CTL_PROTOCOL) + 4 + NAME_MAX_ + 1 + VOUCH_CTL_REASON_MAX + 1)
/* The longest end line: "end" TAB count LF. */
#define END_MAX (4 + 20 + 1)

static const char *const status_names[VOUCH_CTL_STATUS_LAST + 1] = {
    [VOUCH_CTL_OK] = "ok",
    [VOUCH_CTL_USAGE] = "usage",
    [VOUCH_CTL_UNKNOWN] = "unknown-request",
    [VOUCH_CTL_WRONG_VERSION] = "version",
    [VOUCH_CTL_BUSY] = "busy",
    [VOUCH_CTL_NEEDS_ROOT] = "needs-root",
    [VOUCH_CTL_UNREADABLE] = "unreadable",
    [VOUCH_CTL_NOT_REGULAR] = "not-regular",
    [VOUCH_CTL_USER_WRITABLE] = "user-writable",
    [VOUCH_CTL_NOT_DECIDED] = "not-decided",
    [VOUCH_CTL_NO_LOG] = "no-log",
    [VOUCH_CTL_LOG_MISMATCH] = "log-mismatch",
    [VOUCH_CTL_BEYOND_LOG] = "beyond-log",
    [VOUCH_CTL_NO_ENTRY] = "no-entry",
    [VOUCH_CTL_POLICY_ERROR] = "policy-error",
    [VOUCH_CTL_SYSTEM_ERROR] = "system-error",
};

static const struct {
	const char *name, *usage;
	unsigned nargs;
} verbs[] = {
    [VOUCH_CTL_NONE] = {NULL, "status, why, reload, log, prove, consistency or seen", 0},
    [VOUCH_CTL_STATUS] = {"status", "status", 0},
    [VOUCH_CTL_WHY] = {"why", "why, with one descriptor of the file", 0},
    [VOUCH_CTL_RELOAD] = {"reload", "reload", 0},
    [VOUCH_CTL_LOG] = {"log", "log FROM MAX (MAX from 1 to 1000)", 2},
    [VOUCH_CTL_PROVE] = {"prove", "prove INDEX", 1},
    [VOUCH_CTL_CONSISTENCY] = {"consistency", "consistency SIZE", 1},
    [VOUCH_CTL_SEEN] = {"seen", "seen SIZE", 1},
};
#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

const char *vouch_ctl_status_name(unsigned status)
{
	return status <= VOUCH_CTL_STATUS_LAST ? status_names[status] : NULL;
}

const char *vouch_ctl_verb_name(enum vouch_ctl_verb verb)
{
	return (unsigned)verb < NVERBS ? verbs[verb].name : NULL;
}

const char *vouch_ctl_verb_usage(enum vouch_ctl_verb verb)
{
	return verbs[(unsigned)verb < NVERBS ? verb : VOUCH_CTL_NONE].usage;
}

int vouch_ctl_u64_parse(const char *s, size_t len, uint64_t *v)
{
	return vouch_dec_parse(s, len, v) ? 0 : VOUCH_E_CTL;
}

/* ---- Escaping: one spelling of each byte string. ----------------------------------------- */

static bool needs_escape(unsigned char c)
{
	return c < 0x20 || c == 0x7f || c == '\\';
}

/* The escape of @c into @out (4 bytes at most); its length. */
static size_t escape1(unsigned char c, char *out)
{
	char h[3];

	if (!needs_escape(c)) {
		out[0] = (char)c;
		return 1;
	}
	out[0] = '\\';
	switch (c) {
	case '\\':
		out[1] = '\\';
		return 2;
	case '\t':
		out[1] = 't';
		return 2;
	case '\n':
		out[1] = 'n';
		return 2;
	case '\r':
		out[1] = 'r';
		return 2;
	default:
		vouch_hex_encode(&c, 1, h);
		out[1] = 'x';
		out[2] = h[0];
		out[3] = h[1];
		return 4;
	}
}

static size_t escaped_len(const char *s, size_t len)
{
	size_t n = 0;
	char tmp[4];

	for (size_t i = 0; i < len; i++)
		n += escape1((unsigned char)s[i], tmp);
	return n;
}

/*
 * Decode the escaped text [@s, @end) into @out (which has room for as many
 * bytes); *@outlen its length. Only the encoder's spelling is accepted.
 */
static int unescape(const char *s, const char *end, char *out, size_t *outlen)
{
	size_t n = 0;

	while (s < end) {
		unsigned char c = (unsigned char)*s++;

		if (c != '\\') {
			if (needs_escape(c))
				return VOUCH_E_CTL;
			out[n++] = (char)c;
			continue;
		}
		if (s == end)
			return VOUCH_E_CTL;
		switch (*s++) {
		case '\\':
			c = '\\';
			break;
		case 't':
			c = '\t';
			break;
		case 'n':
			c = '\n';
			break;
		case 'r':
			c = '\r';
			break;
		case 'x': {
			uint8_t v;

			if (end - s < 2 || vouch_hex_decode(&v, 1, s, 2, 0, NULL))
				return VOUCH_E_CTL;
			s += 2;
			c = v;
			/* Only what has no shorter spelling is written as \xHH. */
			if (!needs_escape(c) || c == '\\' || c == '\t' || c == '\n' || c == '\r')
				return VOUCH_E_CTL;
			break;
		}
		default:
			return VOUCH_E_CTL;
		}
		out[n++] = (char)c;
	}
	*outlen = n;
	return 0;
}

/*
 * The reason @s (@len bytes) escaped into @out (VOUCH_CTL_REASON_MAX bytes);
 * its length. A reason too long is cut before a whole character (never
 * inside an escape or a UTF-8 sequence) and ends in "...".
 */
static size_t encode_reason(const char *s, size_t len, char out[static VOUCH_CTL_REASON_MAX])
{
	size_t n = 0, i;

	if (escaped_len(s, len) <= VOUCH_CTL_REASON_MAX) {
		for (i = 0; i < len; i++)
			n += escape1((unsigned char)s[i], out + n);
		return n;
	}
	/* Whole characters: a valid UTF-8 sequence, or one byte that is not part of one. */
	for (i = 0; i < len;) {
		size_t l = vouch_utf8_len(s + i, len - i), k = 0;
		char tmp[4 * 4];

		l = l ? l : 1;
		for (size_t j = 0; j < l; j++)
			k += escape1((unsigned char)s[i + j], tmp + k);
		if (n + k > VOUCH_CTL_REASON_MAX - 3)
			break;
		memcpy(out + n, tmp, k);
		n += k;
		i += l;
	}
	memcpy(out + n, "...", 3);
	return n + 3;
}

/* The header line for @status and an encoded reason into @out; its length. */
static size_t header(char *out, unsigned status, const char *reason, size_t rlen)
{
	const char *name = status_names[status];
	int k = snprintf(out, HEADER_MAX, "%s %u %s", VOUCH_CTL_PROTOCOL, status, name);
	size_t n = (size_t)k;

	if (rlen) {
		out[n++] = ' ';
		memcpy(out + n, reason, rlen);
		n += rlen;
	}
	out[n++] = '\n';
	return n;
}

/* ---- Requests. ----------------------------------------------------------------------------- */

int vouch_ctl_request_format(const struct vouch_ctl_request *r,
                             char out[static VOUCH_CTL_REQUEST_MAX], size_t *len)
{
	unsigned v = (unsigned)r->verb;
	int n;

	if (v == VOUCH_CTL_NONE || v >= NVERBS)
		return VOUCH_E_RANGE;
	for (unsigned i = verbs[v].nargs; i < 2; i++)
		if (r->arg[i])
			return VOUCH_E_RANGE;
	if (v == VOUCH_CTL_LOG && (r->arg[1] == 0 || r->arg[1] > VOUCH_CTL_LOG_MAX))
		return VOUCH_E_RANGE;
	switch (verbs[v].nargs) {
	case 0:
		n = snprintf(out, VOUCH_CTL_REQUEST_MAX, "%s %s\n", VOUCH_CTL_PROTOCOL,
		             verbs[v].name);
		break;
	case 1:
		n = snprintf(out, VOUCH_CTL_REQUEST_MAX, "%s %s %llu\n", VOUCH_CTL_PROTOCOL,
		             verbs[v].name, (unsigned long long)r->arg[0]);
		break;
	default:
		n = snprintf(out, VOUCH_CTL_REQUEST_MAX, "%s %s %llu %llu\n", VOUCH_CTL_PROTOCOL,
		             verbs[v].name, (unsigned long long)r->arg[0],
		             (unsigned long long)r->arg[1]);
		break;
	}
	/* The longest, "consistency" with 20 digits, is far below the cap. */
	if (n < 0 || (size_t)n >= VOUCH_CTL_REQUEST_MAX)
		return VOUCH_E_TOOBIG;
	*len = (size_t)n;
	return 0;
}

/* Is @text, all of it, the start of this version's first word (a message cut short)? */
static bool cut_in_name(const char *text, size_t len)
{
	static const char first[] = VOUCH_CTL_PROTOCOL " ";

	return len < sizeof(first) - 1 && !memcmp(text, first, len);
}

/*
 * The version a message names: @text begins "vouch-ctl/N" and then a space
 * or LF. Return: N (1..999999999), or 0 if it names none.
 */
static unsigned named_version(const char *text, size_t len, size_t *after)
{
	size_t i = PREFIX_LEN, start;
	uint64_t v;

	if (len < PREFIX_LEN || memcmp(text, PREFIX, PREFIX_LEN) != 0)
		return 0;
	start = i;
	while (i < len && i - start < 9 && text[i] >= '0' && text[i] <= '9')
		i++;
	if (i == len || (text[i] != ' ' && text[i] != '\n') ||
	    vouch_ctl_u64_parse(text + start, i - start, &v) != 0 || v == 0)
		return 0;
	*after = i;
	return (unsigned)v;
}

int vouch_ctl_request_parse(struct vouch_ctl_request *r, const char *text, size_t len)
{
	const char *p, *end, *tok;
	size_t at = 0;
	unsigned v;

	memset(r, 0, sizeof(*r));
	if (len == 0)
		return VOUCH_E_EMPTY;
	if (len > VOUCH_CTL_REQUEST_MAX)
		return VOUCH_E_TOOBIG;
	if (cut_in_name(text, len))
		return VOUCH_E_LINE;
	r->version = named_version(text, len, &at);
	if (r->version != VOUCH_CTL_VERSION || text[at] != ' ')
		return r->version == VOUCH_CTL_VERSION ? VOUCH_E_CTL : VOUCH_E_CTL_VERSION;
	end = memchr(text, '\n', len);
	if (!end)
		return VOUCH_E_LINE;
	if (end != text + len - 1)
		return VOUCH_E_TRAILING;
	p = text + at + 1;
	for (tok = p; p < end && *p >= 'a' && *p <= 'z'; p++)
		;
	for (v = 1; v < NVERBS; v++)
		if ((size_t)(p - tok) == strlen(verbs[v].name) &&
		    !memcmp(tok, verbs[v].name, (size_t)(p - tok)))
			break;
	if (v == NVERBS || (p < end && *p != ' '))
		return VOUCH_E_CTL;
	r->verb = (enum vouch_ctl_verb)v;
	for (unsigned i = 0; i < verbs[v].nargs; i++) {
		if (p == end || *p != ' ')
			return VOUCH_E_CTL;
		for (tok = ++p; p < end && *p != ' '; p++)
			;
		if (vouch_ctl_u64_parse(tok, (size_t)(p - tok), &r->arg[i]) != 0)
			return VOUCH_E_CTL;
	}
	if (p != end)
		return VOUCH_E_CTL;
	if (v == VOUCH_CTL_LOG && (r->arg[1] == 0 || r->arg[1] > VOUCH_CTL_LOG_MAX))
		return VOUCH_E_RANGE;
	return 0;
}

/* ---- Answers, built. ----------------------------------------------------------------------- */

/*
 * buf holds HEADER_MAX bytes of room, then the pairs (body: [HEADER_MAX, len)),
 * and vouch_ctl_out_text() writes the header just before the body and the end
 * line just after it, so that nothing is copied.
 */
struct vouch_ctl_out {
	char *buf;
	size_t len, cap, npairs;
	unsigned status;
	size_t rlen;
	int err;
	char reason[VOUCH_CTL_REASON_MAX];
};

static int reserve(struct vouch_ctl_out *o, size_t more)
{
	size_t need;
	void *v = o->buf;
	int ret;

	if (__builtin_add_overflow(o->len, more, &need))
		return -ENOMEM;
	ret = vouch_grow(&v, &o->cap, need, 1);
	o->buf = v;
	return ret;
}

int vouch_ctl_out_create(struct vouch_ctl_out **o)
{
	struct vouch_ctl_out *n = calloc(1, sizeof(*n));

	*o = NULL;
	if (!n)
		return -ENOMEM;
	n->cap = HEADER_MAX + 4096;
	n->buf = malloc(n->cap);
	if (!n->buf) {
		free(n);
		return -ENOMEM;
	}
	n->len = HEADER_MAX;
	*o = n;
	return 0;
}

void vouch_ctl_out_destroy(struct vouch_ctl_out *o)
{
	if (!o)
		return;
	free(o->buf);
	free(o);
}

static bool key_ok(const char *key, size_t *klen)
{
	size_t n = strnlen(key, VOUCH_CTL_KEY_MAX + 1);

	if (n == 0 || n > VOUCH_CTL_KEY_MAX || key[0] < 'a' || key[0] > 'z' || !strcmp(key, "end"))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((key[i] >= 'a' && key[i] <= 'z') || (key[i] >= '0' && key[i] <= '9') ||
		      key[i] == '_'))
			return false;
	*klen = n;
	return true;
}

int vouch_ctl_out_put(struct vouch_ctl_out *o, const char *key, const char *value, size_t len)
{
	size_t klen, line, vlen, total;
	int ret;

	if (o->err)
		return o->err;
	ret = VOUCH_E_RANGE;
	if (!key_ok(key, &klen))
		goto fail;
	ret = VOUCH_E_TOOBIG;
	/* Escaping at most quadruples: a value over the line cap is refused before it is scanned. */
	if (len >= VOUCH_CTL_LINE_MAX || o->npairs >= VOUCH_CTL_PAIRS_MAX)
		goto fail;
	vlen = escaped_len(value, len);
	line = klen + 1 + vlen + 1;
	if (line > VOUCH_CTL_LINE_MAX || __builtin_add_overflow(o->len, line, &total) ||
	    total + END_MAX > VOUCH_CTL_ANSWER_MAX)
		goto fail;
	ret = reserve(o, line);
	if (ret)
		goto fail;
	memcpy(o->buf + o->len, key, klen);
	o->len += klen;
	o->buf[o->len++] = '\t';
	for (size_t i = 0; i < len; i++)
		o->len += escape1((unsigned char)value[i], o->buf + o->len);
	o->buf[o->len++] = '\n';
	o->npairs++;
	return 0;
fail:
	o->err = ret;
	return ret;
}

static int out_vputf(struct vouch_ctl_out *o, const char *key, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static int out_vputf(struct vouch_ctl_out *o, const char *key, const char *fmt, va_list ap)
{
	char small[256], *big;
	va_list aq;
	int n, ret;

	if (o->err)
		return o->err;
	va_copy(aq, ap);
	n = vsnprintf(small, sizeof(small), fmt, aq);
	va_end(aq);
	if (n < 0) {
		o->err = VOUCH_E_RANGE;
		return o->err;
	}
	if ((size_t)n < sizeof(small))
		return vouch_ctl_out_put(o, key, small, (size_t)n);
	if ((size_t)n >= VOUCH_CTL_LINE_MAX) {
		o->err = VOUCH_E_TOOBIG;
		return o->err;
	}
	big = malloc((size_t)n + 1);
	if (!big) {
		o->err = -ENOMEM;
		return o->err;
	}
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	ret = vouch_ctl_out_put(o, key, big, (size_t)n);
	free(big);
	return ret;
}

int vouch_ctl_out_putf(struct vouch_ctl_out *o, const char *key, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = out_vputf(o, key, fmt, ap);
	va_end(ap);
	return ret;
}

int vouch_ctl_out_put_u64(struct vouch_ctl_out *o, const char *key, uint64_t v)
{
	return vouch_ctl_out_putf(o, key, "%llu", (unsigned long long)v);
}

int vouch_ctl_out_put_i64(struct vouch_ctl_out *o, const char *key, int64_t v)
{
	return vouch_ctl_out_putf(o, key, "%lld", (long long)v);
}

int vouch_ctl_out_fail(struct vouch_ctl_out *o, unsigned status, const char *fmt, ...)
{
	/* One byte more than a reason may have: one vsnprintf cut is still seen as too long. */
	char small[VOUCH_CTL_REASON_MAX + 2];
	va_list ap;
	int n;

	if (o->err)
		return o->err;
	if (status == VOUCH_CTL_OK || status > VOUCH_CTL_STATUS_LAST)
		return VOUCH_E_RANGE;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	/* Longer than the cap even unescaped: the first part is enough to be cut from. */
	if ((size_t)n >= sizeof(small))
		n = (int)sizeof(small) - 1;
	o->rlen = encode_reason(small, (size_t)n, o->reason);
	o->status = status;
	o->len = HEADER_MAX;
	o->npairs = 0;
	return 0;
}

size_t vouch_ctl_out_len(const struct vouch_ctl_out *o)
{
	char head[HEADER_MAX], end[END_MAX + 1];
	int k;

	if (o->err)
		return 0;
	k = snprintf(end, sizeof(end), "end\t%zu\n", o->npairs);
	return header(head, o->status, o->reason, o->rlen) + (o->len - HEADER_MAX) + (size_t)k;
}

int vouch_ctl_out_text(struct vouch_ctl_out *o, const char **text, size_t *len)
{
	char head[HEADER_MAX];
	size_t hl;
	int k, ret;

	if (o->err)
		return o->err;
	ret = reserve(o, END_MAX + 1);
	if (ret) {
		o->err = ret;
		return ret;
	}
	/* The end line goes after the body, outside o->len: more pairs may still follow. */
	k = snprintf(o->buf + o->len, END_MAX + 1, "end\t%zu\n", o->npairs);
	hl = header(head, o->status, o->reason, o->rlen);
	memcpy(o->buf + HEADER_MAX - hl, head, hl);
	*text = o->buf + HEADER_MAX - hl;
	*len = hl + (o->len - HEADER_MAX) + (size_t)k;
	return 0;
}

int vouch_ctl_answer_format(char *out, size_t cap, size_t *len, unsigned status,
                            const char *reason)
{
	char enc[VOUCH_CTL_REASON_MAX], head[HEADER_MAX];
	size_t rlen = reason ? encode_reason(reason, strlen(reason), enc) : 0, hl;

	if (status > VOUCH_CTL_STATUS_LAST || (status == VOUCH_CTL_OK && rlen))
		return VOUCH_E_RANGE;
	hl = header(head, status, enc, rlen);
	if (hl + 6 > cap)
		return VOUCH_E_TOOBIG;
	memcpy(out, head, hl);
	memcpy(out + hl, "end\t0\n", 6);
	*len = hl + 6;
	return 0;
}

/* ---- Answers, parsed. ---------------------------------------------------------------------- */

void vouch_ctl_answer_release(struct vouch_ctl_answer *a)
{
	free(a->mem);
	memset(a, 0, sizeof(*a));
}

/* The status line after "vouch-ctl/1 ": code SP name [SP reason], into @a and @dst. */
static int parse_status(struct vouch_ctl_answer *a, const char *p, const char *end, char *dst)
{
	const char *tok;
	uint64_t code;
	size_t n;
	int ret;

	for (tok = p; p < end && *p != ' '; p++)
		;
	if (p - tok > 3 || vouch_ctl_u64_parse(tok, (size_t)(p - tok), &code) != 0 || p == end)
		return VOUCH_E_CTL;
	for (tok = ++p; p < end && ((*p >= 'a' && *p <= 'z') || *p == '-'); p++)
		;
	n = (size_t)(p - tok);
	if (n == 0 || n > NAME_MAX_ || (p < end && *p != ' '))
		return VOUCH_E_CTL;
	/* A number this version knows carries its own name; a newer one any well-formed name. */
	if (code <= VOUCH_CTL_STATUS_LAST &&
	    (strlen(status_names[code]) != n || memcmp(status_names[code], tok, n)))
		return VOUCH_E_CTL;
	a->status = (unsigned)code;
	a->reason = dst;
	a->reason_len = 0;
	if (p < end) {
		/* An "ok" has no reason: the encoder gives none, so there is one spelling. */
		if (code == VOUCH_CTL_OK)
			return VOUCH_E_CTL;
		p++;
		if (p == end || end - p > VOUCH_CTL_REASON_MAX)
			return VOUCH_E_CTL;
		ret = unescape(p, end, dst, &a->reason_len);
		if (ret)
			return ret;
	}
	dst[a->reason_len] = '\0';
	return 0;
}

int vouch_ctl_answer_parse(struct vouch_ctl_answer *a, const char *text, size_t len)
{
	const char *p, *nl, *end = text + len;
	size_t at = 0, nlines = 0, size, off;
	char *dst;
	int ret;

	memset(a, 0, sizeof(*a));
	if (len == 0)
		return VOUCH_E_EMPTY;
	if (len > VOUCH_CTL_ANSWER_MAX)
		return VOUCH_E_TOOBIG;
	if (cut_in_name(text, len))
		return VOUCH_E_LINE;
	a->version = named_version(text, len, &at);
	if (a->version != VOUCH_CTL_VERSION)
		return VOUCH_E_CTL_VERSION;
	if (text[at] != ' ')
		return VOUCH_E_CTL;
	nl = memchr(text, '\n', len < HEADER_MAX ? len : HEADER_MAX);
	if (!nl)
		return VOUCH_E_LINE;
	/* Count the lines first: one allocation for the pairs and their bytes. */
	for (p = nl + 1; p < end; p = nl + 1, nlines++) {
		size_t room = (size_t)(end - p);

		nl = memchr(p, '\n', room < VOUCH_CTL_LINE_MAX ? room : VOUCH_CTL_LINE_MAX);
		if (!nl)
			return VOUCH_E_LINE;
	}
	if (nlines == 0)
		return VOUCH_E_LENGTH;
	if (nlines - 1 > VOUCH_CTL_PAIRS_MAX)
		return VOUCH_E_TOOBIG;
	/* Decoding never lengthens: every line's bytes fit in its own length plus a NUL. */
	size = (nlines - 1) * sizeof(struct vouch_ctl_pair) + len + 1;
	a->mem = malloc(size);
	if (!a->mem)
		return -ENOMEM;
	a->pair = a->mem;
	dst = (char *)a->mem + (nlines - 1) * sizeof(struct vouch_ctl_pair);
	nl = memchr(text, '\n', len);
	ret = parse_status(a, text + at + 1, nl, dst);
	if (ret)
		goto fail;
	off = a->reason_len + 1;
	for (p = nl + 1; p < end; p = nl + 1) {
		struct vouch_ctl_pair *pr;
		const char *tab;
		size_t klen, vlen;

		nl = memchr(p, '\n', (size_t)(end - p));
		tab = memchr(p, '\t', (size_t)(nl - p));
		ret = VOUCH_E_CTL;
		if (!tab)
			goto fail;
		klen = (size_t)(tab - p);
		if (klen == 3 && !memcmp(p, "end", 3)) {
			uint64_t count;

			if (vouch_ctl_u64_parse(tab + 1, (size_t)(nl - tab - 1), &count) != 0)
				goto fail;
			ret = VOUCH_E_TRAILING;
			if (nl + 1 != end)
				goto fail;
			ret = VOUCH_E_LENGTH;
			if (count != a->npairs)
				goto fail;
			return 0;
		}
		memcpy(dst + off, p, klen);
		dst[off + klen] = '\0';
		{
			size_t k;

			if (!key_ok(dst + off, &k) || k != klen)
				goto fail;
		}
		/* Every slot is taken and this last line is not "end": the answer was cut short. */
		ret = VOUCH_E_LENGTH;
		if (a->npairs == nlines - 1)
			goto fail;
		pr = &a->pair[a->npairs];
		pr->key = dst + off;
		off += klen + 1;
		ret = unescape(tab + 1, nl, dst + off, &vlen);
		if (ret)
			goto fail;
		dst[off + vlen] = '\0';
		pr->value = dst + off;
		pr->len = vlen;
		off += vlen + 1;
		a->npairs++;
	}
	ret = VOUCH_E_LENGTH;
fail:
	{
		unsigned v = a->version;

		vouch_ctl_answer_release(a);
		a->version = v;
	}
	return ret;
}

const char *vouch_ctl_answer_get(const struct vouch_ctl_answer *a, const char *key)
{
	for (size_t i = 0; i < a->npairs; i++)
		if (!strcmp(a->pair[i].key, key))
			return a->pair[i].value;
	return NULL;
}

int vouch_ctl_answer_u64(const struct vouch_ctl_answer *a, const char *key, uint64_t *v)
{
	for (size_t i = 0; i < a->npairs; i++)
		if (!strcmp(a->pair[i].key, key))
			return vouch_ctl_u64_parse(a->pair[i].value, a->pair[i].len, v);
	return VOUCH_E_NOTFOUND;
}
