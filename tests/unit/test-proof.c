/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of proof texts (src/lib/core/proof.c) and the one decimal spelling (decimal.c). */
#include <stdlib.h>

#include "internal.h"
#include "test-util.h"
#include "vouch/proof.h"

static const char NOTE[] = "example.org/log\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n"
                           "\u2014 example.org/log sig\n";

/* The exact text of a small inclusion proof: one spelling, line by line. */
static void golden(void **state)
{
	struct vouch_proof p = {.inclusion = true, .num = 2, .extra = "aGk=", .extra_len = 4,
	                        .n = 2, .note = NOTE, .note_len = sizeof(NOTE) - 1};
	char *text, *want;
	size_t len;

	(void)state;
	memset(p.hash[0], 0, 32);
	memset(p.hash[1], 0xff, 32);
	assert_err(vouch_proof_format(&p, &text, &len), 0);
	assert_true(asprintf(&want,
	                     "c2sp.org/tlog-proof@v1\nextra aGk=\nindex 2\n"
	                     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
	                     "//////////////////////////////////////////8=\n\n%s",
	                     NOTE) > 0);
	assert_string_equal(text, want);
	assert_int_equal(len, strlen(want));
	free(want);
	free(text);
	/* A consistency proof with no hashes (old == size): header, old, blank, note. */
	p = (struct vouch_proof){.num = 0, .note = NOTE, .note_len = sizeof(NOTE) - 1};
	assert_err(vouch_proof_format(&p, &text, &len), 0);
	assert_true(asprintf(&want, "vouch/tlog-consistency@v1\nold 0\n\n%s", NOTE) > 0);
	assert_string_equal(text, want);
	free(want);
	free(text);
}

/* What is written reads back to the same fields, for every count of hashes and big numbers. */
static void round_trip(void **state)
{
	static const uint64_t nums[] = {0, 1, 9, 10, 255, 256, 1000000007, UINT64_MAX};

	(void)state;
	for (unsigned k = 0; k < sizeof(nums) / sizeof(nums[0]); k++) {
		for (unsigned n = 0; n <= VOUCH_TLOG_PROOF_MAX; n += 7) {
			struct vouch_proof p = {.inclusion = k % 2, .num = nums[k], .n = n,
			                        .note = NOTE, .note_len = sizeof(NOTE) - 1};
			struct vouch_proof q;
			char *text;
			size_t len;

			if (p.inclusion && k % 4 == 1)
				p.extra = "eyJ2IjoxfQ==", p.extra_len = 12;
			for (unsigned i = 0; i < n; i++)
				for (unsigned b = 0; b < 32; b++)
					p.hash[i][b] = (uint8_t)(i * 31 + b * 7 + k);
			assert_err(vouch_proof_format(&p, &text, &len), 0);
			assert_int_equal(strlen(text), len);
			assert_err(vouch_proof_parse(&q, text, len), 0);
			assert_int_equal(q.inclusion, p.inclusion);
			assert_true(q.num == p.num);
			assert_int_equal(q.n, n);
			assert_memory_equal(q.hash, p.hash, (size_t)n * 32);
			assert_int_equal(q.extra_len, p.extra ? p.extra_len : 0);
			assert_true(!p.extra == !q.extra);
			if (p.extra)
				assert_memory_equal(q.extra, p.extra, p.extra_len);
			assert_int_equal(q.note_len, p.note_len);
			assert_memory_equal(q.note, NOTE, p.note_len);
			free(text);
		}
	}
}

/* What would not read back as written is not written. */
static void format_refuses(void **state)
{
	struct vouch_proof p = {.inclusion = true, .num = 1, .note = NOTE,
	                        .note_len = sizeof(NOTE) - 1};
	char *text = (char *)1;
	size_t len = 1;

	(void)state;
	p.n = VOUCH_TLOG_PROOF_MAX + 1;
	assert_err(vouch_proof_format(&p, &text, &len), VOUCH_E_RANGE);
	assert_null(text);
	assert_int_equal(len, 0);
	p.n = 0;
	p.note_len = 0;
	assert_err(vouch_proof_format(&p, &text, &len), VOUCH_E_RANGE);
	p.note_len = sizeof(NOTE) - 1;
	p.extra = "aGk=\nindex 9", p.extra_len = 12; /* a line of its own smuggled in */
	assert_err(vouch_proof_format(&p, &text, &len), VOUCH_E_RANGE);
	p.extra = "a\0b", p.extra_len = 3;
	assert_err(vouch_proof_format(&p, &text, &len), VOUCH_E_RANGE);
	p.extra = "aGk=", p.extra_len = 4;
	p.inclusion = false; /* a consistency proof has no entry */
	assert_err(vouch_proof_format(&p, &text, &len), VOUCH_E_RANGE);
}

/* Numbers: one spelling; the proof's index line and everyone else's. */
static void decimal(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_true(vouch_dec_parse("0", 1, &v) && v == 0);
	assert_true(vouch_dec_parse("10", 2, &v) && v == 10);
	assert_true(vouch_dec_parse("18446744073709551615", 20, &v) && v == UINT64_MAX);
	v = 7;
	assert_false(vouch_dec_parse("18446744073709551616", 20, &v));
	assert_false(vouch_dec_parse("99999999999999999999", 20, &v));
	assert_false(vouch_dec_parse("000000000000000000001", 21, &v));
	assert_false(vouch_dec_parse("", 0, &v));
	assert_false(vouch_dec_parse("01", 2, &v));
	assert_false(vouch_dec_parse("00", 2, &v));
	assert_false(vouch_dec_parse("+1", 2, &v));
	assert_false(vouch_dec_parse("-0", 2, &v));
	assert_false(vouch_dec_parse("1 ", 2, &v));
	assert_false(vouch_dec_parse(" 1", 2, &v));
	assert_false(vouch_dec_parse("1\0", 2, &v));
	assert_false(vouch_dec_parse("\xd9\xa1", 2, &v)); /* ARABIC-INDIC DIGIT ONE */
	assert_true(v == 7);
	assert_int_equal(vouch_dec_span("123abc", 6), 3);
	assert_int_equal(vouch_dec_span("abc", 3), 0);
	assert_int_equal(vouch_dec_span("99", 1), 1);
	/* The formats that use it refuse the other spellings. */
	{
		struct vouch_proof p;
		static const char *bad[] = {"index 01\n", "index +1\n", "index 1 \n",
		                            "index 18446744073709551616\n", "index \n"};

		for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char *t;

			assert_true(asprintf(&t, "c2sp.org/tlog-proof@v1\n%s\n%s", bad[i], NOTE) > 0);
			assert_err(vouch_proof_parse(&p, t, strlen(t)), VOUCH_E_PROOF);
			assert_int_equal(p.line, 2);
			free(t);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(golden),
	    cmocka_unit_test(round_trip),
	    cmocka_unit_test(format_refuses),
	    cmocka_unit_test(decimal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
