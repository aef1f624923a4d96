/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the strict base64 codec: RFC 4648 vectors, rejected encodings, round trips. */
#include "test-util.h"

static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* RFC 4648 section 10. */
static const struct {
	const char *bin, *b64;
} rfc4648[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

static void rfc4648_encode(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		size_t n = strlen(rfc4648[i].bin);
		char out[16];

		assert_int_equal(vouch_b64_enclen(n), strlen(rfc4648[i].b64) + 1);
		memset(out, 'X', sizeof(out));
		vouch_b64_encode(out, sizeof(out), (const uint8_t *)rfc4648[i].bin, n);
		assert_string_equal(out, rfc4648[i].b64);
	}
}

static void rfc4648_decode(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		uint8_t out[16];
		size_t n = 99;

		assert_err(
		    vouch_b64_decode(out, sizeof(out), &n, rfc4648[i].b64, strlen(rfc4648[i].b64)),
		    0);
		assert_int_equal(n, strlen(rfc4648[i].bin));
		assert_memory_equal(out, rfc4648[i].bin, n);
	}
}

/* Encodings a strict decoder must refuse; each is one small step away from a valid one. */
static void decode_rejects_malformed(void **state)
{
	static const char *const bad[] = {
	    "Zm9vY",        /* a lone sextet */
	    "Zm9v=",        /* padding where none belongs */
	    "Zm8==",        /* too much padding */
	    "Zh==",         /* non-zero bits after the last byte */
	    "Zm9=",         /* non-zero bits after the last byte */
	    "Zg==Zg==",     /* data after the padding */
	    "Zg==\n",       /* newline */
	    "Zm9v\n",       /* newline */
	    "Zm9v ",        /* trailing space */
	    " Zm9v",        /* leading space */
	    "Zm 9v",        /* inner space */
	    "Zm9v\r",       /* carriage return */
	    "Zm9v\t",       /* tab */
	    "Zm-v",         /* URL-safe alphabet */
	    "Zm_v",         /* URL-safe alphabet */
	    "Zm9v*A==",     /* foreign character */
	    "=",            /* padding only */
	    "====",         /* padding only */
	    "Zm9v\xc3\xa9", /* non-ASCII */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t out[16];
		size_t n;
		int ret = vouch_b64_decode(out, sizeof(out), &n, bad[i], strlen(bad[i]));

		if (ret != VOUCH_E_BASE64)
			fail_msg("\"%s\": got %d (%s), expected VOUCH_E_BASE64", bad[i], ret,
			         vouch_strerror(ret));
	}
}

/* Input cut short inside its padding is truncated: a length error, as for a short line. */
static void decode_truncated_padding(void **state)
{
	static const char *const cut[] = {"Zg", "Zg=", "Zm8", "Zm9vYg", "Zm9vYg=", "Zm9vYmE"};

	(void)state;
	for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		uint8_t out[16];
		size_t n;
		int ret = vouch_b64_decode(out, sizeof(out), &n, cut[i], strlen(cut[i]));

		if (ret != VOUCH_E_LENGTH)
			fail_msg("\"%s\": got %d (%s), expected VOUCH_E_LENGTH", cut[i], ret,
			         vouch_strerror(ret));
	}
}

/* A NUL inside the given length is a character like any other, not an end. */
static void decode_rejects_embedded_nul(void **state)
{
	static const char text[] = "Zm9v\0Zm9v";
	uint8_t out[16];
	size_t n;

	(void)state;
	assert_err(vouch_b64_decode(out, sizeof(out), &n, text, sizeof(text) - 1), VOUCH_E_BASE64);
	assert_err(vouch_b64_decode(out, sizeof(out), &n, text, 5), VOUCH_E_BASE64);
	/* The length, not the NUL, bounds the input: the first 4 characters alone decode. */
	assert_err(vouch_b64_decode(out, sizeof(out), &n, text, 4), 0);
	assert_int_equal(n, 3);
}

/* Every byte value in [@lo, @hi] outside the alphabet, at every position of a valid encoding. */
static void check_foreign_bytes(int lo, int hi)
{
	const char *good = "Zm9vYmFy";
	int accepted = 0;

	for (int v = lo; v <= hi; v++) {
		if (v == '=' || (v != 0 && strchr(ALPHABET, v)))
			continue;
		for (size_t pos = 0; pos < strlen(good); pos++) {
			char in[9];
			uint8_t out[16];
			size_t n;
			int ret;

			memcpy(in, good, sizeof(in));
			in[pos] = (char)v;
			ret = vouch_b64_decode(out, sizeof(out), &n, in, 8);
			if (ret != VOUCH_E_BASE64 && accepted++ < 4)
				print_error("byte 0x%02x at %zu: got %d (%s)\n", v, pos, ret,
				            vouch_strerror(ret));
		}
	}
	if (accepted)
		fail_msg("%d foreign bytes were not rejected as VOUCH_E_BASE64", accepted);
}

static void decode_rejects_foreign_ascii_bytes(void **state)
{
	(void)state;
	check_foreign_bytes(0, 127);
}

/*
 * Regression (fixed): bytes 0x80..0xFF decode as '/'. libsodium 1.0.18's
 * sodium_base642bin() classifies characters with macros defined only for 0..255
 * but hands them a plain (signed) char, so every negative char matches '+' and '/'.
 * vouch_b64_decode() promises strict RFC 4648 and must screen such bytes itself.
 */
static void decode_rejects_non_ascii_bytes(void **state)
{
	(void)state;
	check_foreign_bytes(128, 255);
}

/* Output larger than the caller's buffer is a length error, and nothing is written past it. */
static void decode_respects_capacity(void **state)
{
	uint8_t out[8];
	size_t n = 0;

	(void)state;
	memset(out, 0xAA, sizeof(out));
	assert_err(vouch_b64_decode(out, 5, &n, "Zm9vYmFy", 8), VOUCH_E_LENGTH);
	assert_int_equal(out[5], 0xAA);
	assert_err(vouch_b64_decode(out, 6, &n, "Zm9vYmFy", 8), 0);
	assert_int_equal(n, 6);
	assert_memory_equal(out, "foobar", 6);
	assert_int_equal(out[6], 0xAA);
	assert_err(vouch_b64_decode(out, 0, &n, "", 0), 0);
	assert_int_equal(n, 0);
}

/* encode then decode gives back every length 0..300 of pseudo-random bytes. */
static void roundtrip_all_lengths(void **state)
{
	uint8_t in[300], out[300];
	char b64[401];
	uint32_t x = 12345;

	(void)state;
	for (size_t i = 0; i < sizeof(in); i++) {
		x = x * 1103515245u + 12345u;
		in[i] = (uint8_t)(x >> 16);
	}
	for (size_t len = 0; len <= sizeof(in); len++) {
		size_t n = 0, enc = (len + 2) / 3 * 4;

		assert_int_equal(vouch_b64_enclen(len), enc + 1);
		vouch_b64_encode(b64, sizeof(b64), in, len);
		assert_int_equal(strlen(b64), enc);
		assert_int_equal(strspn(b64, ALPHABET) + strspn(b64 + strspn(b64, ALPHABET), "="),
		                 enc);
		assert_err(vouch_b64_decode(out, sizeof(out), &n, b64, enc), 0);
		assert_int_equal(n, len);
		assert_memory_equal(out, in, len);
		if (len > 0)
			assert_err(vouch_b64_decode(out, len - 1, &n, b64, enc), VOUCH_E_LENGTH);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rfc4648_encode),
	    cmocka_unit_test(rfc4648_decode),
	    cmocka_unit_test(decode_rejects_malformed),
	    cmocka_unit_test(decode_truncated_padding),
	    cmocka_unit_test(decode_rejects_embedded_nul),
	    cmocka_unit_test(decode_rejects_foreign_ascii_bytes),
	    cmocka_unit_test(decode_rejects_non_ascii_bytes),
	    cmocka_unit_test(decode_respects_capacity),
	    cmocka_unit_test(roundtrip_all_lengths),
	};

	return cmocka_run_group_tests_name("base64", tests, NULL, NULL);
}
