/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the unit tests: error-code assertions, test data files, hex and base64. */
#ifndef VOUCH_TEST_UTIL_H
#define VOUCH_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <ftw.h>
#include <limits.h>
#include <sys/stat.h>

#include "internal.h"
#include "vouch/vouch.h"

/* Like assert_int_equal, but prints both codes with their vouch_strerror() text. */
#define assert_err(got, want) check_err((got), (want), #got, __FILE__, __LINE__)

static inline void check_err(int got, int want, const char *expr, const char *file, int line)
{
	if (got == want)
		return;
	print_error("%s = %d (%s), expected %d (%s)\n", expr, got, vouch_strerror(got), want,
	            vouch_strerror(want));
	_fail(file, line);
}

/* Read tests/data/@name whole; malloc'd and NUL-terminated, owned by the caller. */
static inline char *read_data(const char *name, size_t *len)
{
	char path[4096];
	FILE *fp;
	char *buf;
	long size;

	assert_true(snprintf(path, sizeof(path), "%s/%s", TEST_DATA, name) < (int)sizeof(path));
	fp = fopen(path, "rb");
	if (!fp)
		fail_msg("cannot open test data %s", path);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	size = ftell(fp);
	assert_true(size >= 0);
	rewind(fp);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, fp), (size_t)size);
	fclose(fp);
	buf[size] = '\0';
	*len = (size_t)size;
	return buf;
}

/* Decode exactly @len bytes of lower- or upper-case hex. */
static inline void unhex(const char *hex, uint8_t *out, size_t len)
{
	assert_int_equal(strlen(hex), 2 * len);
	for (size_t i = 0; i < len; i++) {
		unsigned v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

/* Assert that @len bytes at @got are the hex string @want. */
#define assert_hex_equal(got, len, want) check_hex((got), (len), (want), __FILE__, __LINE__)

static inline void check_hex(const uint8_t *got, size_t len, const char *want, const char *file,
                             int line)
{
	static const char digits[] = "0123456789abcdef";
	char *h = malloc(2 * len + 1);

	assert_non_null(h);
	/* Independent of vouch_hex_encode(), which test-digest checks on its own. */
	for (size_t i = 0; i < len; i++) {
		h[2 * i] = digits[got[i] >> 4];
		h[2 * i + 1] = digits[got[i] & 15];
	}
	h[2 * len] = '\0';
	if (strcmp(h, want) != 0) {
		print_error("got      %s\nexpected %s\n", h, want);
		free(h);
		_fail(file, line);
	}
	free(h);
}

/* Decode a base64 string that must be valid and exactly @len bytes long. */
static inline void b64_exact(const char *b64, uint8_t *out, size_t len)
{
	size_t n = 0;

	assert_err(vouch_b64_decode(out, len, &n, b64, strlen(b64)), 0);
	assert_int_equal(n, len);
}

/*
 * Line @idx (0-based) of @text: its start and length without the newline.
 * The text must have that many lines.
 */
static inline const char *nth_line(const char *text, size_t idx, size_t *len)
{
	const char *p = text, *nl;

	for (size_t i = 0; i < idx; i++) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		p = nl + 1;
	}
	nl = strchr(p, '\n');
	*len = nl ? (size_t)(nl - p) : strlen(p);
	return p;
}

/* A fresh scratch directory per test (cmocka setup), removed with its contents (teardown). */
static inline int scratch_rm_entry(const char *path, const struct stat *st, int flag,
                                   struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline int dir_setup(void **state)
{
	const char *base = getenv("TMPDIR");
	char *dir = malloc(PATH_MAX);

	if (!dir)
		return -1;
	snprintf(dir, PATH_MAX, "%s/vouch-unit-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(dir)) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

static inline int dir_teardown(void **state)
{
	char *dir = *state;
	int ret = nftw(dir, scratch_rm_entry, 16, FTW_DEPTH | FTW_PHYS);

	free(dir);
	return ret;
}

/* splitmix64: reproducible test data from a seed set in rng_state. */
static uint64_t rng_state;

static inline uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * Minisign keys in the tests: the library keeps a decrypted key in guarded memory
 * and signs through a signer; these helpers give the tests a plain copy of the key
 * to compare and tamper with, and make a signer for each signing call (the tool
 * keeps one for its run). test-signer and test-minisign test the guarded forms.
 */
static inline int test_keypair_generate(struct vouch_seckey *copy, struct vouch_pubkey *pk)
{
	struct vouch_seckey *sk = NULL;
	int ret = vouch_keypair_generate(&sk, pk);

	if (!ret)
		memcpy(copy, sk, sizeof(*copy));
	vouch_seckey_free(sk);
	return ret;
}

/* vouch_seckey_decrypt() into @copy, which is left untouched on failure. */
static inline int test_seckey_decrypt(const struct vouch_seckey_file *f, const char *pw,
                                      size_t pwlen, struct vouch_seckey *copy)
{
	struct vouch_seckey *sk = (struct vouch_seckey *)1;
	int ret = vouch_seckey_decrypt(f, pw, pwlen, &sk);

	if (ret && sk)
		fail_msg("vouch_seckey_decrypt failed (%d) but handed out a key", ret);
	if (!ret)
		memcpy(copy, sk, sizeof(*copy));
	vouch_seckey_free(sk);
	return ret;
}

static inline int test_sig_sign(struct vouch_sig *out, const struct vouch_seckey *sk,
                                enum vouch_sig_alg alg, const uint8_t *msg, size_t len,
                                const char *untrusted, const char *trusted)
{
	struct vouch_signer s;
	int ret = vouch_seckey_signer(sk, &s);

	if (!ret)
		ret = vouch_sig_sign(out, &s, sk->keyid, alg, msg, len, untrusted, trusted);
	vouch_signer_destroy(&s);
	return ret;
}

static inline int test_bundle_seal(uint8_t **buf, size_t *len, const struct vouch_seckey *sk,
                                   const char *trusted_comment)
{
	struct vouch_signer s;
	int ret = vouch_seckey_signer(sk, &s);

	if (!ret)
		ret = vouch_bundle_seal(buf, len, &s, sk->keyid, trusted_comment);
	vouch_signer_destroy(&s);
	return ret;
}

#endif
