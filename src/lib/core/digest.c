/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256 (OpenSSL EVP, CPU SHA extensions) and BLAKE2b (libsodium) over buffers. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "vouch/digest.h"
#include "vouch/error.h"

struct vouch_sha256 {
	EVP_MD_CTX *md;
};

struct vouch_blake2b {
	crypto_generichash_blake2b_state st;
	size_t outlen;
};

static EVP_MD *sha256_md;
static atomic_int init_state; /* 0 not yet, 1 under way, 2 done, 3 failed */

/*
 * Fetch the implementation once: EVP_MD_fetch per use would cost a lookup each
 * time. Without threads of its own (the core makes no system calls), the first
 * caller does it while any other waits the few microseconds it takes.
 */
static int ensure_init(void)
{
	int st = atomic_load(&init_state), none = 0;

	if (st < 2 && atomic_compare_exchange_strong(&init_state, &none, 1)) {
		sha256_md = EVP_MD_fetch(NULL, "SHA2-256", NULL);
		/* sodium_init() selects libsodium's fastest BLAKE2b for this CPU. */
		st = sha256_md != NULL && sodium_init() >= 0 ? 2 : 3;
		atomic_store(&init_state, st);
	}
	while ((st = atomic_load(&init_state)) < 2)
		;
	return st == 2 ? 0 : VOUCH_E_CRYPTO;
}

int vouch_sha256_create(struct vouch_sha256 **out)
{
	struct vouch_sha256 *c;
	int ret = ensure_init();

	if (ret)
		return ret;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->md = EVP_MD_CTX_new();
	if (!c->md || !EVP_DigestInit_ex2(c->md, sha256_md, NULL)) {
		vouch_sha256_destroy(c);
		return VOUCH_E_CRYPTO;
	}
	*out = c;
	return 0;
}

int vouch_sha256_update(struct vouch_sha256 *ctx, const void *data, size_t len)
{
	return EVP_DigestUpdate(ctx->md, data, len) ? 0 : VOUCH_E_CRYPTO;
}

int vouch_sha256_final(struct vouch_sha256 *ctx, uint8_t out[static VOUCH_SHA256_LEN])
{
	unsigned int n = 0;

	if (!EVP_DigestFinal_ex(ctx->md, out, &n) || n != VOUCH_SHA256_LEN)
		return VOUCH_E_CRYPTO;
	return EVP_DigestInit_ex2(ctx->md, sha256_md, NULL) ? 0 : VOUCH_E_CRYPTO;
}

void vouch_sha256_destroy(struct vouch_sha256 *ctx)
{
	if (!ctx)
		return;
	EVP_MD_CTX_free(ctx->md);
	free(ctx);
}

int vouch_sha256(const void *data, size_t len, uint8_t out[static VOUCH_SHA256_LEN])
{
	struct vouch_sha256 *c = NULL;
	int ret = vouch_sha256_create(&c);

	if (ret)
		return ret;
	ret = vouch_sha256_update(c, data, len);
	if (!ret)
		ret = vouch_sha256_final(c, out);
	vouch_sha256_destroy(c);
	return ret;
}

int vouch_blake2b_create(struct vouch_blake2b **out, size_t outlen)
{
	struct vouch_blake2b *c;
	int ret = ensure_init();

	if (ret)
		return ret;
	if (outlen < 1 || outlen > VOUCH_BLAKE2B512_LEN)
		return VOUCH_E_RANGE;
	/* libsodium's state must be 64-byte aligned. */
	c = aligned_alloc(64, (sizeof(*c) + 63) & ~(size_t)63);
	if (!c)
		return -ENOMEM;
	c->outlen = outlen;
	if (crypto_generichash_blake2b_init(&c->st, NULL, 0, outlen) != 0) {
		free(c);
		return VOUCH_E_CRYPTO;
	}
	*out = c;
	return 0;
}

int vouch_blake2b_update(struct vouch_blake2b *ctx, const void *data, size_t len)
{
	return crypto_generichash_blake2b_update(&ctx->st, data, len) == 0 ? 0 : VOUCH_E_CRYPTO;
}

int vouch_blake2b_final(struct vouch_blake2b *ctx, uint8_t *out)
{
	return crypto_generichash_blake2b_final(&ctx->st, out, ctx->outlen) == 0 ? 0
	                                                                         : VOUCH_E_CRYPTO;
}

void vouch_blake2b_destroy(struct vouch_blake2b *ctx)
{
	if (!ctx)
		return;
	sodium_memzero(ctx, sizeof(*ctx));
	free(ctx);
}

int vouch_blake2b(const void *data, size_t len, uint8_t *out, size_t outlen)
{
	struct vouch_blake2b *c = NULL;
	int ret = vouch_blake2b_create(&c, outlen);

	if (ret)
		return ret;
	ret = vouch_blake2b_update(c, data, len);
	if (!ret)
		ret = vouch_blake2b_final(c, out);
	vouch_blake2b_destroy(c);
	return ret;
}

void vouch_hex(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}
