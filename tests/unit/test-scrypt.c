/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for scrypt: libsodium's opslimit/memlimit mapping, RFC 7914 vectors, references. */
#include <openssl/evp.h>
#include <sodium.h>

#include "test-util.h"

/*
 * opslimit/memlimit and the N = 2^log2n, r, p that libsodium's pickparams() gives,
 * each worked out by hand from its rule:
 *   opslimit = max(opslimit, 32768); r = 8;
 *   if opslimit < memlimit/32: p = 1, maxN = opslimit/32
 *   else: maxN = memlimit/1024, then p = (opslimit/4 / N) / 8
 *   log2n = the smallest n >= 1 with 2^n > maxN/2.
 */
static const struct {
	uint64_t ops, mem;
	unsigned log2n;
	uint32_t r, p;
	bool cheap; /* small enough to compute here */
} params[] = {
    /* minisign's defaults: 2^25 is not < 2^30/32 = 2^25, so the memlimit branch:
     * maxN = 2^20, n = 20, p = (2^23 / 2^20) / 8 = 1. */
    {33554432, 1073741824, 20, 8, 1, false},
    /* One less opslimit flips to the opslimit branch: maxN = 1048575, n = 19. */
    {33554431, 1073741824, 19, 8, 1, false},
    /* opslimit below 32768 is raised to it: maxN = 1024, half 512, n = 10. */
    {0, 1 << 24, 10, 8, 1, true},
    {32767, 1 << 24, 10, 8, 1, true},
    {32768, 1 << 24, 10, 8, 1, true},
    /* maxN = 2048, n = 11. */
    {65536, 1 << 24, 11, 8, 1, true},
    /* maxN = 31250, half 15625 < 16384: n = 14. */
    {1000000, 1 << 30, 14, 8, 1, true},
    /* memlimit branch, maxN = 1024: n = 10, p = (131072 / 1024) / 8 = 16. (RFC 7914 #2) */
    {524288, 1 << 20, 10, 8, 16, true},
    /* opslimit branch (2^19 < 2^20), maxN = 16384: n = 14, p = 1. (RFC 7914 #3) */
    {524288, 1 << 25, 14, 8, 1, true},
    /* memlimit branch, maxN = 16384: n = 14, p = (2^22 / 2^14) / 8 = 32. */
    {1 << 24, 1 << 24, 14, 8, 32, false},
    /* memlimit branch, maxN = 3000000/1024 = 2929, half 1464: n = 11;
     * p = (25000 / 2048) / 8 = 12 / 8 = 1. */
    {100000, 3000000, 11, 8, 1, true},
    /* memlimit 0: maxN = 0, n = 1; p = (8192 / 2) / 8 = 512. */
    {32768, 0, 1, 8, 512, false},
};

static void params_by_hand(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		unsigned log2n = 99;
		uint32_t r = 99, p = 99;

		vouch_scrypt_params(params[i].ops, params[i].mem, &log2n, &r, &p);
		if (log2n != params[i].log2n || r != params[i].r || p != params[i].p)
			fail_msg(
			    "ops %llu mem %llu: got N=2^%u r=%u p=%u, expected N=2^%u r=%u p=%u",
			    (unsigned long long)params[i].ops, (unsigned long long)params[i].mem,
			    log2n, r, p, params[i].log2n, params[i].r, params[i].p);
	}
}

static const uint8_t SALT[32] = "0123456789abcdef0123456789abcde";

/* vouch_scrypt() equals OpenSSL's scrypt called with the hand-derived N, r, p. */
static void scrypt_matches_openssl(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		uint8_t a[104], b[104];

		if (!params[i].cheap)
			continue;
		memset(a, 0, sizeof(a));
		assert_err(vouch_scrypt("password", 8, SALT, sizeof(SALT), params[i].ops,
		                        params[i].mem, a, sizeof(a)),
		           0);
		assert_int_equal(EVP_PBE_scrypt("password", 8, SALT, sizeof(SALT),
		                                (uint64_t)1 << params[i].log2n, params[i].r,
		                                params[i].p, 0, b, sizeof(b)),
		                 1);
		assert_memory_equal(a, b, sizeof(a));
	}
}

/*
 * vouch_scrypt() equals what minisign itself runs: libsodium's
 * crypto_pwhash_scryptsalsa208sha256() given the same opslimit and memlimit.
 */
static void scrypt_matches_libsodium(void **state)
{
	static const struct {
		uint64_t ops, mem;
	} limits[] = {
	    {0, 1 << 24},       {32768, 1 << 24},  {40000, 1 << 21},  {65536, 1 << 20},
	    {100000, 3000000},  {524288, 1 << 20}, {524288, 1 << 25}, {1000000, 1 << 30},
	    {1 << 20, 1 << 20}, {200000, 1 << 19},
	};

	(void)state;
	assert_true(sodium_init() >= 0);
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		uint8_t a[104], b[104];

		memset(a, 0, sizeof(a));
		assert_err(vouch_scrypt("pw", 2, SALT, sizeof(SALT), limits[i].ops, limits[i].mem,
		                        a, sizeof(a)),
		           0);
		assert_int_equal(crypto_pwhash_scryptsalsa208sha256(b, sizeof(b), "pw", 2, SALT,
		                                                    limits[i].ops,
		                                                    (size_t)limits[i].mem),
		                 0);
		if (memcmp(a, b, sizeof(a)) != 0)
			fail_msg("ops %llu mem %llu: vouch_scrypt differs from libsodium",
			         (unsigned long long)limits[i].ops,
			         (unsigned long long)limits[i].mem);
	}
}

/*
 * RFC 7914 section 12. Vector 2 (N=1024, r=8, p=16) and vector 3 (N=16384, r=8,
 * p=1) are reachable through limits that map to them (see params[]). Vector 1
 * needs r=1, which the mapping never gives; vector 4 (N=2^20, r=8, p=1) is
 * minisign's default mapping, 1 GiB of work, left to test-golden's key decryption.
 */
static void rfc7914_vectors(void **state)
{
	uint8_t out[64];

	(void)state;
	assert_err(vouch_scrypt("password", 8, (const uint8_t *)"NaCl", 4, 524288, 1 << 20, out,
	                        sizeof(out)),
	           0);
	assert_hex_equal(out, sizeof(out),
	                 "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
	                 "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640");
	assert_err(vouch_scrypt("pleaseletmein", 13, (const uint8_t *)"SodiumChloride", 14, 524288,
	                        1 << 25, out, sizeof(out)),
	           0);
	assert_hex_equal(out, sizeof(out),
	                 "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
	                 "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887");
}

/* Limits that would need more than 4 GiB, or absurd N or p, are refused. */
static void scrypt_refuses_excessive(void **state)
{
	static const struct {
		uint64_t ops, mem;
	} bad[] = {
	    {32768, 0},               /* p = 512 */
	    {1ULL << 40, 1ULL << 30}, /* p = 2^15 */
	    {1ULL << 28, 1ULL << 33}, /* N = 2^23: 8 GiB */
	    {1ULL << 40, 1ULL << 40}, /* N = 2^30 */
	    {1ULL << 50, 1ULL << 60}, /* N = 2^45 */
	    {UINT64_MAX, UINT64_MAX},
	};
	uint8_t out[16];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = vouch_scrypt("pw", 2, SALT, sizeof(SALT), bad[i].ops, bad[i].mem, out,
		                       sizeof(out));

		if (ret != VOUCH_E_KDF)
			fail_msg("ops %llu mem %llu: got %d (%s)", (unsigned long long)bad[i].ops,
			         (unsigned long long)bad[i].mem, ret, vouch_strerror(ret));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(params_by_hand),           cmocka_unit_test(scrypt_matches_openssl),
	    cmocka_unit_test(scrypt_matches_libsodium), cmocka_unit_test(rfc7914_vectors),
	    cmocka_unit_test(scrypt_refuses_excessive),
	};

	return cmocka_run_group_tests_name("scrypt", tests, NULL, NULL);
}
