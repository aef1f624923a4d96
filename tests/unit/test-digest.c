/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for SHA-256 and BLAKE2b: FIPS 180-2 and RFC 7693 answers, streaming, ranges. */
#include "test-util.h"

#define ABC56 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"

static const char SHA256_EMPTY[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char SHA256_ABC[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char SHA256_ABC56[] =
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
static const char SHA256_MILLION_A[] =
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
static const char B2B512_EMPTY[] =
    "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419"
    "d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce";
/* RFC 7693 Appendix A. */
static const char B2B512_ABC[] = "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                                 "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923";
static const char B2B256_ABC[] = "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319";

/* Deterministic filler, so a failure reproduces. */
static void fill(uint8_t *buf, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1664525u + 1013904223u;
		buf[i] = (uint8_t)(seed >> 24);
	}
}

static void sha256_fips180_2(void **state)
{
	uint8_t d[VOUCH_SHA256_LEN];

	(void)state;
	assert_err(vouch_sha256("", 0, d), 0);
	assert_hex_equal(d, sizeof(d), SHA256_EMPTY);
	assert_err(vouch_sha256("abc", 3, d), 0);
	assert_hex_equal(d, sizeof(d), SHA256_ABC);
	assert_err(vouch_sha256(ABC56, strlen(ABC56), d), 0);
	assert_hex_equal(d, sizeof(d), SHA256_ABC56);
}

/* One million 'a': one shot, and streamed 1000 at a time (FIPS 180-2 B.3). */
static void sha256_million_a(void **state)
{
	const size_t n = 1000000;
	char *a = malloc(n);
	struct vouch_sha256 c;
	uint8_t d[VOUCH_SHA256_LEN];

	(void)state;
	assert_non_null(a);
	memset(a, 'a', n);
	assert_err(vouch_sha256(a, n, d), 0);
	assert_hex_equal(d, sizeof(d), SHA256_MILLION_A);
	assert_err(vouch_sha256_init(&c), 0);
	for (size_t i = 0; i < n; i += 1000)
		assert_err(vouch_sha256_update(&c, a + i, 1000), 0);
	memset(d, 0, sizeof(d));
	assert_err(vouch_sha256_final(&c, d), 0);
	assert_hex_equal(d, sizeof(d), SHA256_MILLION_A);
	free(a);
}

/* Chunk sizes around the 64-byte block and odd ones all give the one-shot digest. */
static void sha256_streaming_equals_oneshot(void **state)
{
	static const size_t chunks[] = {1, 3, 7, 55, 56, 63, 64, 65, 127, 129, 1000, 4093};
	const size_t n = 100003;
	uint8_t *buf = malloc(n), want[VOUCH_SHA256_LEN], got[VOUCH_SHA256_LEN];
	struct vouch_sha256 c;

	(void)state;
	assert_non_null(buf);
	fill(buf, n, 1);
	assert_err(vouch_sha256(buf, n, want), 0);
	for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
		/* One context serves every chunk size: init() after each final(). */
		assert_err(vouch_sha256_init(&c), 0);
		for (size_t off = 0; off < n; off += chunks[k]) {
			size_t len = n - off < chunks[k] ? n - off : chunks[k];

			assert_err(vouch_sha256_update(&c, buf + off, len), 0);
		}
		assert_err(vouch_sha256_final(&c, got), 0);
		assert_memory_equal(got, want, sizeof(want));
	}
	/* An update of zero bytes changes nothing. */
	assert_err(vouch_sha256_init(&c), 0);
	assert_err(vouch_sha256_update(&c, "abc", 3), 0);
	assert_err(vouch_sha256_update(&c, buf, 0), 0);
	assert_err(vouch_sha256_final(&c, got), 0);
	assert_hex_equal(got, sizeof(got), SHA256_ABC);
	free(buf);
}

/* final() and wipe() leave nothing of the computation in the caller's context. */
static void contexts_wiped(void **state)
{
	static const uint8_t zero[sizeof(struct vouch_blake2b)];
	struct vouch_sha256 s;
	struct vouch_blake2b b;
	uint8_t d[VOUCH_BLAKE2B512_LEN];

	(void)state;
	assert_err(vouch_sha256_init(&s), 0);
	assert_err(vouch_sha256_update(&s, "secret", 6), 0);
	assert_memory_not_equal(&s, zero, sizeof(s));
	assert_err(vouch_sha256_final(&s, d), 0);
	assert_memory_equal(&s, zero, sizeof(s));
	assert_err(vouch_sha256_init(&s), 0);
	assert_err(vouch_sha256_update(&s, "secret", 6), 0);
	vouch_sha256_wipe(&s);
	assert_memory_equal(&s, zero, sizeof(s));
	assert_err(vouch_blake2b_init(&b, VOUCH_BLAKE2B512_LEN), 0);
	assert_err(vouch_blake2b_update(&b, "secret", 6), 0);
	assert_memory_not_equal(&b, zero, sizeof(b));
	assert_err(vouch_blake2b_final(&b, d), 0);
	assert_memory_equal(&b, zero, sizeof(b));
	assert_err(vouch_blake2b_init(&b, 32), 0);
	assert_err(vouch_blake2b_update(&b, "secret", 6), 0);
	vouch_blake2b_wipe(&b);
	assert_memory_equal(&b, zero, sizeof(b));
	/* The caller's stack is aligned as libsodium's state needs. */
	assert_int_equal((uintptr_t)&b % 64, 0);
}

static void blake2b512_known_answers(void **state)
{
	uint8_t d[VOUCH_BLAKE2B512_LEN];

	(void)state;
	assert_err(vouch_blake2b("", 0, d, sizeof(d)), 0);
	assert_hex_equal(d, sizeof(d), B2B512_EMPTY);
	assert_err(vouch_blake2b("abc", 3, d, sizeof(d)), 0);
	assert_hex_equal(d, sizeof(d), B2B512_ABC);
}

/* BLAKE2b's output length is a parameter of the hash: 32 bytes is not a truncated 64. */
static void blake2b256_is_not_truncated_512(void **state)
{
	uint8_t d32[VOUCH_BLAKE2B256_LEN + 1], d64[VOUCH_BLAKE2B512_LEN];

	(void)state;
	d32[VOUCH_BLAKE2B256_LEN] = 0x5A;
	assert_err(vouch_blake2b("abc", 3, d32, VOUCH_BLAKE2B256_LEN), 0);
	assert_hex_equal(d32, VOUCH_BLAKE2B256_LEN, B2B256_ABC);
	assert_int_equal(d32[VOUCH_BLAKE2B256_LEN], 0x5A); /* nothing written past outlen */
	assert_err(vouch_blake2b("abc", 3, d64, sizeof(d64)), 0);
	assert_memory_not_equal(d32, d64, VOUCH_BLAKE2B256_LEN);
}

static void blake2b_streaming_equals_oneshot(void **state)
{
	static const size_t chunks[] = {1, 5, 127, 128, 129, 255, 1000, 4099};
	const size_t n = 70001;
	uint8_t *buf = malloc(n), want[VOUCH_BLAKE2B512_LEN], got[VOUCH_BLAKE2B512_LEN];

	(void)state;
	assert_non_null(buf);
	fill(buf, n, 2);
	assert_err(vouch_blake2b(buf, n, want, sizeof(want)), 0);
	for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
		struct vouch_blake2b c;

		assert_err(vouch_blake2b_init(&c, VOUCH_BLAKE2B512_LEN), 0);
		for (size_t off = 0; off < n; off += chunks[k]) {
			size_t len = n - off < chunks[k] ? n - off : chunks[k];

			assert_err(vouch_blake2b_update(&c, buf + off, len), 0);
		}
		memset(got, 0, sizeof(got));
		assert_err(vouch_blake2b_final(&c, got), 0);
		assert_memory_equal(got, want, sizeof(want));
	}
	free(buf);
}

static void blake2b_outlen_range(void **state)
{
	struct vouch_blake2b c;
	uint8_t d[VOUCH_BLAKE2B512_LEN + 1];

	(void)state;
	assert_err(vouch_blake2b_init(&c, 0), VOUCH_E_RANGE);
	assert_err(vouch_blake2b_init(&c, VOUCH_BLAKE2B512_LEN + 1), VOUCH_E_RANGE);
	assert_err(vouch_blake2b("abc", 3, d, 0), VOUCH_E_RANGE);
	assert_err(vouch_blake2b("abc", 3, d, 65), VOUCH_E_RANGE);
	assert_err(vouch_blake2b("abc", 3, d, (size_t)-1), VOUCH_E_RANGE);
	/* The extremes of the range work, and each length gives a different digest. */
	assert_err(vouch_blake2b_init(&c, 1), 0);
	assert_err(vouch_blake2b_update(&c, "abc", 3), 0);
	assert_err(vouch_blake2b_final(&c, d), 0);
	assert_err(vouch_blake2b_init(&c, VOUCH_BLAKE2B512_LEN), 0);
	vouch_blake2b_wipe(&c);
	for (size_t len = 1; len <= VOUCH_BLAKE2B512_LEN; len++) {
		uint8_t prev[VOUCH_BLAKE2B512_LEN];

		memcpy(prev, d, sizeof(prev));
		memset(d, 0, sizeof(d));
		assert_err(vouch_blake2b("abc", 3, d, len), 0);
		if (len > 1)
			assert_memory_not_equal(d, prev, len - 1);
	}
	assert_hex_equal(d, VOUCH_BLAKE2B512_LEN, B2B512_ABC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sha256_fips180_2),
	    cmocka_unit_test(sha256_million_a),
	    cmocka_unit_test(sha256_streaming_equals_oneshot),
	    cmocka_unit_test(blake2b512_known_answers),
	    cmocka_unit_test(blake2b256_is_not_truncated_512),
	    cmocka_unit_test(blake2b_streaming_equals_oneshot),
	    cmocka_unit_test(blake2b_outlen_range),
	    cmocka_unit_test(contexts_wiped),
	};

	return cmocka_run_group_tests_name("digest", tests, NULL, NULL);
}
