/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the control protocol's codec: vectors, strict parsing, round trips, truncations. */
#include <errno.h>

#include "test-util.h"

/* A string literal and its length (NUL bytes inside included). */
#define LIT(s) s, sizeof(s) - 1

/* An encoded answer, copied out of its builder. */
struct text {
	char *s;
	size_t len;
};

static struct text out_text(struct vouch_ctl_out *o)
{
	const char *t;
	struct text r;

	assert_err(vouch_ctl_out_text(o, &t, &r.len), 0);
	assert_int_equal(vouch_ctl_out_len(o), r.len);
	r.s = malloc(r.len + 1);
	assert_non_null(r.s);
	memcpy(r.s, t, r.len);
	r.s[r.len] = '\0';
	return r;
}

/* Parse @s (its bytes only: a copy without a NUL after it, so ASan sees an overread). */
static int parse_exact(struct vouch_ctl_answer *a, const char *s, size_t len)
{
	char *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, s, len);
	ret = vouch_ctl_answer_parse(a, copy, len);
	free(copy);
	return ret;
}

static int req_exact(struct vouch_ctl_request *r, const char *s, size_t len)
{
	char *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, s, len);
	ret = vouch_ctl_request_parse(r, copy, len);
	free(copy);
	return ret;
}

static void status_names(void **state)
{
	(void)state;
	for (unsigned i = 0; i <= VOUCH_CTL_STATUS_LAST; i++) {
		const char *n = vouch_ctl_status_name(i);

		assert_non_null(n);
		assert_true(strlen(n) > 0 && strlen(n) <= 32);
		assert_int_equal(strspn(n, "abcdefghijklmnopqrstuvwxyz-"), strlen(n));
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(n, vouch_ctl_status_name(j));
	}
	assert_null(vouch_ctl_status_name(VOUCH_CTL_STATUS_LAST + 1));
	assert_null(vouch_ctl_status_name(999));
	/* The numbers are the protocol's: they never change. */
	assert_string_equal(vouch_ctl_status_name(0), "ok");
	assert_string_equal(vouch_ctl_status_name(1), "usage");
	assert_string_equal(vouch_ctl_status_name(2), "unknown-request");
	assert_string_equal(vouch_ctl_status_name(3), "version");
	assert_string_equal(vouch_ctl_status_name(4), "busy");
	assert_string_equal(vouch_ctl_status_name(5), "needs-root");
	assert_string_equal(vouch_ctl_status_name(6), "unreadable");
	assert_string_equal(vouch_ctl_status_name(7), "not-regular");
	assert_string_equal(vouch_ctl_status_name(8), "user-writable");
	assert_string_equal(vouch_ctl_status_name(9), "not-decided");
	assert_string_equal(vouch_ctl_status_name(10), "no-log");
	assert_string_equal(vouch_ctl_status_name(11), "log-mismatch");
	assert_string_equal(vouch_ctl_status_name(12), "beyond-log");
	assert_string_equal(vouch_ctl_status_name(13), "no-entry");
	assert_string_equal(vouch_ctl_status_name(14), "policy-error");
	assert_string_equal(vouch_ctl_status_name(15), "system-error");
	assert_null(vouch_ctl_verb_name(VOUCH_CTL_NONE));
	assert_string_equal(vouch_ctl_verb_name(VOUCH_CTL_CONSISTENCY), "consistency");
	assert_non_null(strstr(vouch_ctl_verb_usage(VOUCH_CTL_LOG), "FROM MAX"));
	assert_non_null(strstr(vouch_ctl_verb_usage(VOUCH_CTL_NONE), "seen"));
	assert_non_null(strstr(vouch_ctl_verb_usage((enum vouch_ctl_verb)99), "status"));
}

static void request_vectors(void **state)
{
	static const struct {
		struct vouch_ctl_request r;
		const char *text;
	} v[] = {
	    {{VOUCH_CTL_STATUS, {0, 0}, 0}, "vouch-ctl/1 status\n"},
	    {{VOUCH_CTL_WHY, {0, 0}, 0}, "vouch-ctl/1 why\n"},
	    {{VOUCH_CTL_RELOAD, {0, 0}, 0}, "vouch-ctl/1 reload\n"},
	    {{VOUCH_CTL_LOG, {0, 1000}, 0}, "vouch-ctl/1 log 0 1000\n"},
	    {{VOUCH_CTL_LOG, {UINT64_MAX, 1}, 0}, "vouch-ctl/1 log 18446744073709551615 1\n"},
	    {{VOUCH_CTL_PROVE, {7, 0}, 0}, "vouch-ctl/1 prove 7\n"},
	    {{VOUCH_CTL_CONSISTENCY, {UINT64_MAX, 0}, 0},
	     "vouch-ctl/1 consistency 18446744073709551615\n"},
	    {{VOUCH_CTL_SEEN, {120, 0}, 0}, "vouch-ctl/1 seen 120\n"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char out[VOUCH_CTL_REQUEST_MAX];
		struct vouch_ctl_request r;
		size_t len;

		assert_err(vouch_ctl_request_format(&v[i].r, out, &len), 0);
		assert_int_equal(len, strlen(v[i].text));
		assert_string_equal(out, v[i].text);
		assert_err(req_exact(&r, out, len), 0);
		assert_int_equal(r.verb, v[i].r.verb);
		assert_true(r.arg[0] == v[i].r.arg[0] && r.arg[1] == v[i].r.arg[1]);
		assert_int_equal(r.version, 1);
		/* Every truncation is refused: the LF ends a request. */
		for (size_t k = 0; k < len; k++)
			assert_int_not_equal(req_exact(&r, out, k), 0);
	}
}

static void request_format_refuses(void **state)
{
	static const struct vouch_ctl_request bad[] = {
	    {VOUCH_CTL_NONE, {0, 0}, 0},       {(enum vouch_ctl_verb)99, {0, 0}, 0},
	    {VOUCH_CTL_STATUS, {1, 0}, 0},     {VOUCH_CTL_WHY, {0, 1}, 0},
	    {VOUCH_CTL_PROVE, {1, 1}, 0},      {VOUCH_CTL_LOG, {0, 0}, 0},
	    {VOUCH_CTL_LOG, {0, 1001}, 0},
	};
	char out[VOUCH_CTL_REQUEST_MAX];
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_err(vouch_ctl_request_format(&bad[i], out, &len), VOUCH_E_RANGE);
}

static void request_parse_refuses(void **state)
{
	static const struct {
		const char *text;
		int err;
		enum vouch_ctl_verb verb;
		unsigned version;
	} bad[] = {
	    {"status\n", VOUCH_E_CTL_VERSION, VOUCH_CTL_NONE, 0}, /* an older vouch */
	    {"log 0 1000", VOUCH_E_CTL_VERSION, VOUCH_CTL_NONE, 0},
	    {"vouch-ctl/2 status\n", VOUCH_E_CTL_VERSION, VOUCH_CTL_NONE, 2},
	    {"vouch-ctl/12 why\n", VOUCH_E_CTL_VERSION, VOUCH_CTL_NONE, 12},
	    {"vouch-ctl/01 status\n", VOUCH_E_CTL_VERSION, VOUCH_CTL_NONE, 0},
	    {"vouch-ctl/ status\n", VOUCH_E_CTL_VERSION, VOUCH_CTL_NONE, 0},
	    {"VOUCH-CTL/1 status\n", VOUCH_E_CTL_VERSION, VOUCH_CTL_NONE, 0},
	    {"vouch-ctl/1\n", VOUCH_E_CTL, VOUCH_CTL_NONE, 1},
	    {"vouch-", VOUCH_E_LINE, VOUCH_CTL_NONE, 0}, /* cut short, not another version */
	    {"vouch-ctl/1", VOUCH_E_LINE, VOUCH_CTL_NONE, 0},
	    {"vouch-ctl/10", VOUCH_E_CTL_VERSION, VOUCH_CTL_NONE, 0},
	    {"vouch-ctl/1 status", VOUCH_E_LINE, VOUCH_CTL_NONE, 1},
	    {"vouch-ctl/1 status\nstatus\n", VOUCH_E_TRAILING, VOUCH_CTL_NONE, 1},
	    {"vouch-ctl/1 status\n\n", VOUCH_E_TRAILING, VOUCH_CTL_NONE, 1},
	    {"vouch-ctl/1 frob\n", VOUCH_E_CTL, VOUCH_CTL_NONE, 1},
	    {"vouch-ctl/1 STATUS\n", VOUCH_E_CTL, VOUCH_CTL_NONE, 1},
	    {"vouch-ctl/1 stat\n", VOUCH_E_CTL, VOUCH_CTL_NONE, 1},
	    {"vouch-ctl/1 statuss\n", VOUCH_E_CTL, VOUCH_CTL_NONE, 1},
	    {"vouch-ctl/1  status\n", VOUCH_E_CTL, VOUCH_CTL_NONE, 1},
	    {"vouch-ctl/1 status \n", VOUCH_E_CTL, VOUCH_CTL_STATUS, 1},
	    {"vouch-ctl/1 status\r\n", VOUCH_E_CTL, VOUCH_CTL_NONE, 1},
	    {"vouch-ctl/1 why 3\n", VOUCH_E_CTL, VOUCH_CTL_WHY, 1},
	    {"vouch-ctl/1 log 1\n", VOUCH_E_CTL, VOUCH_CTL_LOG, 1},
	    {"vouch-ctl/1 log 1 2 3\n", VOUCH_E_CTL, VOUCH_CTL_LOG, 1},
	    {"vouch-ctl/1 log 01 5\n", VOUCH_E_CTL, VOUCH_CTL_LOG, 1},
	    {"vouch-ctl/1 log 1  5\n", VOUCH_E_CTL, VOUCH_CTL_LOG, 1},
	    {"vouch-ctl/1 log 1 0\n", VOUCH_E_RANGE, VOUCH_CTL_LOG, 1},
	    {"vouch-ctl/1 log 1 1001\n", VOUCH_E_RANGE, VOUCH_CTL_LOG, 1},
	    {"vouch-ctl/1 prove\n", VOUCH_E_CTL, VOUCH_CTL_PROVE, 1},
	    {"vouch-ctl/1 prove \n", VOUCH_E_CTL, VOUCH_CTL_PROVE, 1},
	    {"vouch-ctl/1 prove -1\n", VOUCH_E_CTL, VOUCH_CTL_PROVE, 1},
	    {"vouch-ctl/1 prove +1\n", VOUCH_E_CTL, VOUCH_CTL_PROVE, 1},
	    {"vouch-ctl/1 prove 0x10\n", VOUCH_E_CTL, VOUCH_CTL_PROVE, 1},
	    {"vouch-ctl/1 prove 18446744073709551616\n", VOUCH_E_CTL, VOUCH_CTL_PROVE, 1},
	    {"vouch-ctl/1 prove 99999999999999999999\n", VOUCH_E_CTL, VOUCH_CTL_PROVE, 1},
	    {"vouch-ctl/1 prove 000000000000000000001\n", VOUCH_E_CTL, VOUCH_CTL_PROVE, 1},
	    {"vouch-ctl/1 seen 5\t\n", VOUCH_E_CTL, VOUCH_CTL_SEEN, 1},
	};
	struct vouch_ctl_request r;
	char big[VOUCH_CTL_REQUEST_MAX + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int got = req_exact(&r, bad[i].text, strlen(bad[i].text));

		if (got != bad[i].err)
			fail_msg("\"%s\": %d (%s), expected %d", bad[i].text, got,
			         vouch_strerror(got), bad[i].err);
		assert_int_equal(r.verb, bad[i].verb);
		assert_int_equal(r.version, bad[i].version);
	}
	assert_err(req_exact(&r, "", 0), VOUCH_E_EMPTY);
	assert_err(req_exact(&r, LIT("vouch-ctl/1 st\0tus\n")), VOUCH_E_CTL);
	memset(big, ' ', sizeof(big));
	memcpy(big, "vouch-ctl/1 status", 18);
	big[sizeof(big) - 1] = '\n';
	assert_err(req_exact(&r, big, sizeof(big)), VOUCH_E_TOOBIG);
	assert_err(req_exact(&r, LIT("vouch-ctl/1 prove 18446744073709551615\n")), 0);
	assert_true(r.arg[0] == UINT64_MAX);
}

/* Known answers, byte for byte: the spelling of every escape. */
static void answer_vectors(void **state)
{
	struct vouch_ctl_out *o;
	struct vouch_ctl_answer a;
	struct text t;
	static const char want[] = "vouch-ctl/1 0 ok\n"
	                           "mode\tenforce\n"
	                           "path\ta\\tb\\\\c\\x01\\x7f\\x00\xff\\n\\r \xc2\x9b\n"
	                           "empty\t\n"
	                           "n\t18446744073709551615\n"
	                           "i\t-9223372036854775808\n"
	                           "end\t5\n";

	(void)state;
	assert_err(vouch_ctl_out_create(&o), 0);
	assert_err(vouch_ctl_out_put(o, "mode", "enforce", 7), 0);
	assert_err(vouch_ctl_out_put(o, "path", "a\tb\\c\x01\x7f\0\xff\n\r \xc2\x9b", 14), 0);
	assert_err(vouch_ctl_out_put(o, "empty", "", 0), 0);
	assert_err(vouch_ctl_out_put_u64(o, "n", UINT64_MAX), 0);
	assert_err(vouch_ctl_out_put_i64(o, "i", INT64_MIN), 0);
	t = out_text(o);
	assert_int_equal(t.len, sizeof(want) - 1);
	assert_memory_equal(t.s, want, t.len);
	assert_err(parse_exact(&a, t.s, t.len), 0);
	assert_int_equal(a.status, VOUCH_CTL_OK);
	assert_string_equal(a.reason, "");
	assert_int_equal(a.npairs, 5);
	assert_int_equal(a.pair[1].len, 14);
	assert_memory_equal(a.pair[1].value, "a\tb\\c\x01\x7f\0\xff\n\r \xc2\x9b", 14);
	assert_string_equal(vouch_ctl_answer_get(&a, "mode"), "enforce");
	assert_null(vouch_ctl_answer_get(&a, "end"));
	{
		uint64_t v;

		assert_err(vouch_ctl_answer_u64(&a, "n", &v), 0);
		assert_true(v == UINT64_MAX);
		assert_err(vouch_ctl_answer_u64(&a, "i", &v), VOUCH_E_CTL);
		assert_err(vouch_ctl_answer_u64(&a, "empty", &v), VOUCH_E_CTL);
		assert_err(vouch_ctl_answer_u64(&a, "none", &v), VOUCH_E_NOTFOUND);
	}
	vouch_ctl_answer_release(&a);
	vouch_ctl_answer_release(&a); /* an empty one is fine */
	free(t.s);

	/* An error: the pairs so far dropped, the reason escaped. */
	assert_err(vouch_ctl_out_fail(o, VOUCH_CTL_NEEDS_ROOT, "only root may %s\t(%d)", "reload", 1),
	           0);
	assert_err(vouch_ctl_out_put(o, "at", "3", 1), 0);
	t = out_text(o);
	assert_string_equal(t.s, "vouch-ctl/1 5 needs-root only root may reload\\t(1)\nat\t3\nend\t1\n");
	assert_err(parse_exact(&a, t.s, t.len), 0);
	assert_int_equal(a.status, 5);
	assert_string_equal(a.reason, "only root may reload\t(1)");
	assert_int_equal(a.npairs, 1);
	vouch_ctl_answer_release(&a);
	free(t.s);
	vouch_ctl_out_destroy(o);
	vouch_ctl_out_destroy(NULL);
}

static void answer_format_static(void **state)
{
	char buf[VOUCH_CTL_REASON_MAX + 64];
	struct vouch_ctl_answer a;
	size_t len;

	(void)state;
	assert_err(vouch_ctl_answer_format(buf, sizeof(buf), &len, VOUCH_CTL_BUSY,
	                                   "busy: too many requests\n"),
	           0);
	assert_int_equal(len, strlen("vouch-ctl/1 4 busy busy: too many requests\\n\nend\t0\n"));
	assert_memory_equal(buf, "vouch-ctl/1 4 busy busy: too many requests\\n\nend\t0\n", len);
	assert_err(parse_exact(&a, buf, len), 0);
	assert_int_equal(a.status, VOUCH_CTL_BUSY);
	assert_string_equal(a.reason, "busy: too many requests\n");
	vouch_ctl_answer_release(&a);
	assert_err(vouch_ctl_answer_format(buf, sizeof(buf), &len, VOUCH_CTL_OK, NULL), 0);
	assert_memory_equal(buf, "vouch-ctl/1 0 ok\nend\t0\n", len);
	assert_err(vouch_ctl_answer_format(buf, sizeof(buf), &len, VOUCH_CTL_OK, ""), 0);
	assert_int_equal(len, 23);
	assert_err(vouch_ctl_answer_format(buf, sizeof(buf), &len, VOUCH_CTL_STATUS_LAST + 1, "x"),
	           VOUCH_E_RANGE);
	assert_err(vouch_ctl_answer_format(buf, sizeof(buf), &len, VOUCH_CTL_OK, "fine"),
	           VOUCH_E_RANGE);
	assert_err(vouch_ctl_answer_format(buf, 20, &len, VOUCH_CTL_OK, NULL), VOUCH_E_TOOBIG);
}

/* A long reason is cut before a whole character, never inside an escape or a UTF-8 sequence. */
static void reason_cut(void **state)
{
	char *r = malloc(5000), buf[VOUCH_CTL_REASON_MAX + 64];
	struct vouch_ctl_answer a;
	size_t len;

	(void)state;
	assert_non_null(r);
	for (size_t shift = 0; shift < 4; shift++) {
		size_t n = 0;

		for (size_t i = 0; i < shift; i++)
			r[n++] = 'a';
		while (n < 4990) {
			memcpy(r + n, "\xe2\x82\xac\x01", 4); /* a euro sign, a C0 byte */
			n += 4;
		}
		r[n] = '\0';
		assert_err(vouch_ctl_answer_format(buf, sizeof(buf), &len, VOUCH_CTL_SYSTEM_ERROR, r),
		           0);
		assert_err(parse_exact(&a, buf, len), 0);
		assert_true(a.reason_len > 1000);
		assert_true(a.reason_len < VOUCH_CTL_REASON_MAX);
		assert_memory_equal(a.reason + a.reason_len - 3, "...", 3);
		/* What is kept is a prefix of the reason, ending on a whole character. */
		assert_memory_equal(a.reason, r, a.reason_len - 3);
		assert_true(((unsigned char)r[a.reason_len - 3] & 0xc0) != 0x80);
		vouch_ctl_answer_release(&a);
	}
	/* The same through the builder, with a reason longer than its buffer. */
	{
		struct vouch_ctl_out *o;
		struct text t;

		memset(r, 'x', 4999);
		r[4999] = '\0';
		assert_err(vouch_ctl_out_create(&o), 0);
		assert_err(vouch_ctl_out_fail(o, VOUCH_CTL_USAGE, "%s", r), 0);
		t = out_text(o);
		assert_err(parse_exact(&a, t.s, t.len), 0);
		assert_int_equal(a.reason_len, VOUCH_CTL_REASON_MAX);
		assert_memory_equal(a.reason + VOUCH_CTL_REASON_MAX - 3, "...", 3);
		vouch_ctl_answer_release(&a);
		free(t.s);
		/* Exactly the cap, unescaped: kept whole. */
		r[VOUCH_CTL_REASON_MAX] = '\0';
		assert_err(vouch_ctl_out_fail(o, VOUCH_CTL_USAGE, "%s", r), 0);
		t = out_text(o);
		assert_err(parse_exact(&a, t.s, t.len), 0);
		assert_int_equal(a.reason_len, VOUCH_CTL_REASON_MAX);
		assert_int_equal(a.reason[VOUCH_CTL_REASON_MAX - 1], 'x');
		vouch_ctl_answer_release(&a);
		free(t.s);
		vouch_ctl_out_destroy(o);
	}
	free(r);
}

static void out_refuses(void **state)
{
	static const char *const keys[] = {"", "End", "1a", "a-b", "a b", "a\tb", "end", "_a",
	                                   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" /* 33 */};
	struct vouch_ctl_out *o;

	(void)state;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		assert_err(vouch_ctl_out_create(&o), 0);
		assert_err(vouch_ctl_out_put(o, keys[i], "v", 1), VOUCH_E_RANGE);
		/* Sticky: every later call fails the same way. */
		assert_err(vouch_ctl_out_put(o, "good", "v", 1), VOUCH_E_RANGE);
		assert_err(vouch_ctl_out_fail(o, VOUCH_CTL_USAGE, "x"), VOUCH_E_RANGE);
		{
			const char *t;
			size_t len;

			assert_err(vouch_ctl_out_text(o, &t, &len), VOUCH_E_RANGE);
		}
		assert_int_equal(vouch_ctl_out_len(o), 0);
		vouch_ctl_out_destroy(o);
	}
	assert_err(vouch_ctl_out_create(&o), 0);
	assert_err(vouch_ctl_out_put(o, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "v", 1), 0); /* 32 */
	assert_err(vouch_ctl_out_put(o, "a_0", "v", 1), 0);
	assert_err(vouch_ctl_out_fail(o, VOUCH_CTL_OK, "x"), VOUCH_E_RANGE);
	assert_err(vouch_ctl_out_fail(o, VOUCH_CTL_STATUS_LAST + 1, "x"), VOUCH_E_RANGE);
	vouch_ctl_out_destroy(o);
}

/* The caps: a line, the pairs, the whole answer; the parser refuses past each. */
static void out_caps(void **state)
{
	struct vouch_ctl_out *o;
	struct vouch_ctl_answer a;
	char *v = malloc(VOUCH_CTL_LINE_MAX);
	struct text t;

	(void)state;
	assert_non_null(v);
	memset(v, 'v', VOUCH_CTL_LINE_MAX);
	/* "k" TAB value LF: the longest value is the cap less 3. */
	assert_err(vouch_ctl_out_create(&o), 0);
	assert_err(vouch_ctl_out_put(o, "k", v, VOUCH_CTL_LINE_MAX - 3), 0);
	t = out_text(o);
	assert_err(parse_exact(&a, t.s, t.len), 0);
	assert_int_equal(a.pair[0].len, VOUCH_CTL_LINE_MAX - 3);
	vouch_ctl_answer_release(&a);
	free(t.s);
	assert_err(vouch_ctl_out_put(o, "k", v, VOUCH_CTL_LINE_MAX - 2), VOUCH_E_TOOBIG);
	vouch_ctl_out_destroy(o);
	/* Escapes count: a quarter of the cap of C0 bytes is already too long. */
	memset(v, 1, VOUCH_CTL_LINE_MAX / 4);
	assert_err(vouch_ctl_out_create(&o), 0);
	assert_err(vouch_ctl_out_put(o, "k", v, VOUCH_CTL_LINE_MAX / 4), VOUCH_E_TOOBIG);
	vouch_ctl_out_destroy(o);
	/* A line over the cap, written by hand, is refused by the parser. */
	{
		size_t n = 0, len = VOUCH_CTL_LINE_MAX + 64;
		char *s = malloc(len);

		assert_non_null(s);
		n += (size_t)sprintf(s, "vouch-ctl/1 0 ok\nk\t");
		memset(s + n, 'v', VOUCH_CTL_LINE_MAX - 2);
		n += VOUCH_CTL_LINE_MAX - 2;
		n += (size_t)sprintf(s + n, "\nend\t1\n");
		assert_err(parse_exact(&a, s, n), VOUCH_E_LINE);
		free(s);
	}
	/* The whole answer. */
	memset(v, 'v', VOUCH_CTL_LINE_MAX);
	assert_err(vouch_ctl_out_create(&o), 0);
	{
		int ret = 0;
		size_t n = 0;

		while ((ret = vouch_ctl_out_put(o, "k", v, VOUCH_CTL_LINE_MAX - 3)) == 0)
			n++;
		assert_err(ret, VOUCH_E_TOOBIG);
		assert_true(n >= VOUCH_CTL_ANSWER_MAX / VOUCH_CTL_LINE_MAX - 1);
	}
	vouch_ctl_out_destroy(o);
	/* Most pairs. */
	assert_err(vouch_ctl_out_create(&o), 0);
	for (size_t i = 0; i < VOUCH_CTL_PAIRS_MAX; i++)
		assert_err(vouch_ctl_out_put(o, "k", "", 0), 0);
	t = out_text(o);
	assert_err(parse_exact(&a, t.s, t.len), 0);
	assert_int_equal(a.npairs, VOUCH_CTL_PAIRS_MAX);
	vouch_ctl_answer_release(&a);
	free(t.s);
	assert_err(vouch_ctl_out_put(o, "k", "", 0), VOUCH_E_TOOBIG);
	vouch_ctl_out_destroy(o);
	{
		size_t len = 17 + (VOUCH_CTL_PAIRS_MAX + 1) * 3 + 16, n = 0;
		char *s = malloc(len);

		assert_non_null(s);
		n += (size_t)sprintf(s, "vouch-ctl/1 0 ok\n");
		for (size_t i = 0; i <= VOUCH_CTL_PAIRS_MAX; i++) {
			memcpy(s + n, "k\t\n", 3);
			n += 3;
		}
		n += (size_t)sprintf(s + n, "end\t%d\n", VOUCH_CTL_PAIRS_MAX + 1);
		assert_err(parse_exact(&a, s, n), VOUCH_E_TOOBIG);
		free(s);
	}
	{
		char *s = calloc(1, VOUCH_CTL_ANSWER_MAX + 1);

		assert_non_null(s);
		assert_err(vouch_ctl_answer_parse(&a, s, VOUCH_CTL_ANSWER_MAX + 1), VOUCH_E_TOOBIG);
		free(s);
	}
	free(v);
}

static void answer_parse_refuses(void **state)
{
	static const struct {
		const char *text;
		int err;
		unsigned version;
	} bad[] = {
	    {"ok\nmode\tenforce\n", VOUCH_E_CTL_VERSION, 0}, /* an older vouchd */
	    {"error unknown request (status, why)\n", VOUCH_E_CTL_VERSION, 0},
	    {"vouch-ctl/2 0 ok\nend\t0\n", VOUCH_E_CTL_VERSION, 2},
	    {"vouch-ctl/2\nanything at all", VOUCH_E_CTL_VERSION, 2},
	    {"vouch-ctl/1\nend\t0\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl", VOUCH_E_LINE, 0}, /* cut short, not another version */
	    {"vouch-ctl/1 ", VOUCH_E_LINE, 1},
	    {"vouch-ctl/1 0 ok", VOUCH_E_LINE, 1},
	    {"vouch-ctl/1 0 ok\n", VOUCH_E_LENGTH, 1},
	    {"vouch-ctl/1 0 ok\nmode\tx\n", VOUCH_E_LENGTH, 1},
	    {"vouch-ctl/1 0 ok\nmode\tx\nend\t0\n", VOUCH_E_LENGTH, 1},
	    {"vouch-ctl/1 0 ok\nmode\tx\nend\t2\n", VOUCH_E_LENGTH, 1},
	    {"vouch-ctl/1 0 ok\nmode\tx\nend\t01\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\nmode\tx\nend\t1", VOUCH_E_LINE, 1},
	    {"vouch-ctl/1 0 ok\nmode\tx\nend\t1\n\n", VOUCH_E_TRAILING, 1},
	    {"vouch-ctl/1 0 ok\nend\t0\nmode\tx\nend\t1\n", VOUCH_E_TRAILING, 1},
	    {"vouch-ctl/1 0 ok\nend\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\nend \t0\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 usage\nend\t0\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 00 ok\nend\t0\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 1000 x\nend\t0\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0\nend\t0\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 \nend\t0\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok \nend\t0\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok fine\nend\t0\n", VOUCH_E_CTL, 1}, /* an ok has no reason */
	    {"vouch-ctl/1  0 ok\nend\t0\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 OK\nend\t0\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 500 future_name\nend\t0\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 4 busy a\tb\nend\t0\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 4 busy a\\qb\nend\t0\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\r\nend\t0\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\nmode\ta\tb\nend\t1\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\nmode\ta\rb\nend\t1\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\nmode\ta\x1b[1m\nend\t1\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\nmode\ta\x7f\nend\t1\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\nmode\ta\\\nend\t1\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\nmode\t\\x41\nend\t1\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\nmode\t\\x0a\nend\t1\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\nmode\t\\x09\nend\t1\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\nmode\t\\x5c\nend\t1\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\nmode\t\\x1B\nend\t1\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\nmode\t\\X1b\nend\t1\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\nmode\t\\x1\nend\t1\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\nmode\t\\xff\nend\t1\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\nmode\t\\0\nend\t1\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\nMode\tx\nend\t1\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\n1mode\tx\nend\t1\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\nmo-de\tx\nend\t1\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\n\tx\nend\t1\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\nmode x\nend\t1\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\n\nend\t1\n", VOUCH_E_CTL, 1},
	    {"vouch-ctl/1 0 ok\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\tx\nend\t1\n", VOUCH_E_CTL, 1},
	};
	struct vouch_ctl_answer a;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int got = parse_exact(&a, bad[i].text, strlen(bad[i].text));

		if (got != bad[i].err)
			fail_msg("answer %zu: %d (%s), expected %d (%s)", i, got,
			         vouch_strerror(got), bad[i].err, vouch_strerror(bad[i].err));
		assert_int_equal(a.version, bad[i].version);
		assert_null(a.mem);
		assert_int_equal(a.npairs, 0);
	}
	assert_err(parse_exact(&a, "", 0), VOUCH_E_EMPTY);
	assert_err(parse_exact(&a, LIT("vouch-ctl/1 0 ok\nmo\0e\tx\nend\t1\n")), VOUCH_E_CTL);
	/* A code this version does not know: read, with its name and reason. */
	assert_err(parse_exact(&a, LIT("vouch-ctl/1 500 future-thing it \\x1b happened\nend\t0\n")), 0);
	assert_int_equal(a.status, 500);
	assert_string_equal(a.reason, "it \x1b happened");
	vouch_ctl_answer_release(&a);
	assert_err(parse_exact(&a, LIT("vouch-ctl/1 999 x\nend\t0\n")), 0);
	assert_int_equal(a.status, 999);
	vouch_ctl_answer_release(&a);
}

/* Random answers of hostile bytes: encode, parse, same; re-encode, same bytes; truncations refused. */
static void answer_round_trip(void **state)
{
	static const char kfirst[] = "abcdefghijklmnopqrstuvwxyz";
	static const char krest[] = "abcdefghijklmnopqrstuvwxyz0123456789_";

	(void)state;
	rng_state = 13;
	for (int round = 0; round < 400; round++) {
		size_t npairs = rng() % 12, vlen[12];
		char keys[12][VOUCH_CTL_KEY_MAX + 1], *vals[12], reason[300];
		size_t rlen = 0;
		unsigned status = (unsigned)(rng() % (VOUCH_CTL_STATUS_LAST + 1));
		struct vouch_ctl_out *o;
		struct vouch_ctl_answer a;
		struct text t;

		assert_err(vouch_ctl_out_create(&o), 0);
		if (status != VOUCH_CTL_OK) {
			rlen = 1 + rng() % 200;
			/* No NUL: a printf-formatted reason stops at one. */
			for (size_t i = 0; i < rlen; i++)
				reason[i] = (char)(1 + rng() % 255);
			reason[rlen] = '\0';
			assert_err(vouch_ctl_out_fail(o, status, "%s", reason), 0);
		}
		for (size_t i = 0; i < npairs; i++) {
			size_t kl = 1 + rng() % VOUCH_CTL_KEY_MAX;

			keys[i][0] = kfirst[rng() % 26];
			for (size_t j = 1; j < kl; j++)
				keys[i][j] = krest[rng() % (sizeof(krest) - 1)];
			keys[i][kl] = '\0';
			if (!strcmp(keys[i], "end"))
				strcpy(keys[i], "endx");
			vlen[i] = rng() % 4 ? rng() % 64 : rng() % 3000;
			vals[i] = malloc(vlen[i] + 1);
			assert_non_null(vals[i]);
			for (size_t j = 0; j < vlen[i]; j++) {
				/* Mostly the bytes an escape is about. */
				uint64_t r = rng();

				vals[i][j] = (char)(r % 3 == 0 ? "\\\t\n\r\x01\x7f\x00\x80\xff x"[r / 3 % 11]
				                               : (int)(r / 3 % 256));
			}
			assert_err(vouch_ctl_out_put(o, keys[i], vals[i], vlen[i]), 0);
		}
		t = out_text(o);
		assert_err(parse_exact(&a, t.s, t.len), 0);
		assert_int_equal(a.status, status);
		assert_int_equal(a.reason_len, rlen);
		assert_memory_equal(a.reason, reason, rlen);
		assert_int_equal(a.npairs, npairs);
		for (size_t i = 0; i < npairs; i++) {
			assert_string_equal(a.pair[i].key, keys[i]);
			assert_int_equal(a.pair[i].len, vlen[i]);
			assert_memory_equal(a.pair[i].value, vals[i], vlen[i]);
			assert_int_equal(a.pair[i].value[vlen[i]], '\0');
		}
		/* One spelling: what was parsed encodes back to the same bytes. */
		{
			struct vouch_ctl_out *o2;
			struct text t2;

			assert_err(vouch_ctl_out_create(&o2), 0);
			if (a.status != VOUCH_CTL_OK)
				assert_err(vouch_ctl_out_fail(o2, a.status, "%s", a.reason), 0);
			for (size_t i = 0; i < a.npairs; i++)
				assert_err(vouch_ctl_out_put(o2, a.pair[i].key, a.pair[i].value,
				                             a.pair[i].len),
				           0);
			t2 = out_text(o2);
			assert_int_equal(t2.len, t.len);
			assert_memory_equal(t2.s, t.s, t.len);
			free(t2.s);
			vouch_ctl_out_destroy(o2);
		}
		vouch_ctl_answer_release(&a);
		/* Every truncation refused (and each strictly: no partial answer comes back). */
		for (size_t k = 0; k < t.len; k++) {
			int ret = parse_exact(&a, t.s, k);

			if (ret == 0)
				fail_msg("round %d: the first %zu of %zu bytes parse", round, k, t.len);
			assert_null(a.mem);
		}
		/* And a byte more is trailing garbage. */
		{
			char *more = malloc(t.len + 1);

			assert_non_null(more);
			memcpy(more, t.s, t.len);
			more[t.len] = (char)rng();
			assert_int_not_equal(parse_exact(&a, more, t.len + 1), 0);
			free(more);
		}
		for (size_t i = 0; i < npairs; i++)
			free(vals[i]);
		free(t.s);
		vouch_ctl_out_destroy(o);
	}
}

/*
 * Any change of one byte: refused, or a different answer that is itself the
 * one spelling of what it holds (strictness leaves no second way to say a thing).
 */
static void answer_single_byte_changes(void **state)
{
	struct vouch_ctl_out *o;
	struct text t;

	(void)state;
	assert_err(vouch_ctl_out_create(&o), 0);
	assert_err(vouch_ctl_out_fail(o, VOUCH_CTL_LOG_MISMATCH, "at entry %d: \x1b", 5), 0);
	assert_err(vouch_ctl_out_put(o, "size", "120", 3), 0);
	assert_err(vouch_ctl_out_put(o, "entry", "7 {\"path\":\"/a\\tb\"}\n\x01", 21), 0);
	t = out_text(o);
	for (size_t i = 0; i < t.len; i++)
		for (int b = 0; b < 256; b++) {
			struct vouch_ctl_answer a;
			struct vouch_ctl_out *o2;
			struct text t2;

			if ((unsigned char)t.s[i] == b)
				continue;
			{
				char saved = t.s[i];

				t.s[i] = (char)b;
				if (parse_exact(&a, t.s, t.len) != 0) {
					t.s[i] = saved;
					continue;
				}
				assert_err(vouch_ctl_out_create(&o2), 0);
				if (a.status > VOUCH_CTL_STATUS_LAST) {
					/* A code unknown here: no encoder for it, by design. */
					vouch_ctl_answer_release(&a);
					vouch_ctl_out_destroy(o2);
					t.s[i] = saved;
					continue;
				}
				if (a.status != VOUCH_CTL_OK)
					assert_err(vouch_ctl_out_fail(o2, a.status, "%s", a.reason), 0);
				for (size_t k = 0; k < a.npairs; k++)
					assert_err(vouch_ctl_out_put(o2, a.pair[k].key,
					                             a.pair[k].value, a.pair[k].len),
					           0);
				t2 = out_text(o2);
				/* A reason with a NUL is cut there by "%s": compare only when none. */
				if (strlen(a.reason) == a.reason_len) {
					assert_int_equal(t2.len, t.len);
					assert_memory_equal(t2.s, t.s, t.len);
				}
				free(t2.s);
				vouch_ctl_out_destroy(o2);
				vouch_ctl_answer_release(&a);
				t.s[i] = saved;
			}
		}
	free(t.s);
	vouch_ctl_out_destroy(o);
}

static void u64_parse(void **state)
{
	static const char *const bad[] = {"",   "-1", "+1", " 1", "1 ", "01", "00", "1a", "0x1",
	                                  "18446744073709551616", "99999999999999999999",
	                                  "100000000000000000000"};
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_err(vouch_ctl_u64_parse(bad[i], strlen(bad[i]), &v), VOUCH_E_CTL);
	assert_err(vouch_ctl_u64_parse("0", 1, &v), 0);
	assert_true(v == 0);
	assert_err(vouch_ctl_u64_parse("18446744073709551615", 20, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_err(vouch_ctl_u64_parse("123x", 3, &v), 0);
	assert_true(v == 123);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(status_names),
	    cmocka_unit_test(request_vectors),
	    cmocka_unit_test(request_format_refuses),
	    cmocka_unit_test(request_parse_refuses),
	    cmocka_unit_test(answer_vectors),
	    cmocka_unit_test(answer_format_static),
	    cmocka_unit_test(reason_cut),
	    cmocka_unit_test(out_refuses),
	    cmocka_unit_test(out_caps),
	    cmocka_unit_test(answer_parse_refuses),
	    cmocka_unit_test(answer_round_trip),
	    cmocka_unit_test(answer_single_byte_changes),
	    cmocka_unit_test(u64_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
