/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256 (OpenSSL's block function, CPU SHA extensions) and BLAKE2b (libsodium), caller-owned. */
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sodium.h>

/*
 * OpenSSL's SHA256_* calls, deprecated in OpenSSL 3 in favour of EVP: the same
 * assembly, but no context allocation, no provider lookup, no per-call dispatch,
 * which the Merkle tree's 65-byte nodes feel (bench/RESULTS.md, issue 5 and 13).
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "internal.h"
#include "vouch/digest.h"
#include "vouch/error.h"
#include "vouch/signer.h" /* vouch_wipe() */

/* The public structs are OpenSSL's and libsodium's states, with room and alignment checked. */
_Static_assert(sizeof(SHA256_CTX) <= sizeof(((struct vouch_sha256 *)0)->opaque),
               "struct vouch_sha256 too small for SHA256_CTX");
_Static_assert(alignof(SHA256_CTX) <= alignof(struct vouch_sha256),
               "struct vouch_sha256 under-aligned for SHA256_CTX");
_Static_assert(sizeof(crypto_generichash_blake2b_state) <=
                   sizeof(((struct vouch_blake2b *)0)->opaque),
               "struct vouch_blake2b too small for libsodium's state");
_Static_assert(alignof(crypto_generichash_blake2b_state) <= 64,
               "struct vouch_blake2b under-aligned for libsodium's state");

static SHA256_CTX *sha(struct vouch_sha256 *ctx)
{
	return (SHA256_CTX *)(void *)ctx->opaque;
}

static crypto_generichash_blake2b_state *b2(struct vouch_blake2b *ctx)
{
	return (crypto_generichash_blake2b_state *)(void *)ctx->opaque;
}

static atomic_bool sodium_ready;

/*
 * sodium_init() once: it selects libsodium's fastest BLAKE2b for this CPU and sets
 * up guarded memory (sodium_malloc). It is thread-safe itself; the flag only
 * spares later callers its lock.
 */
int vouch_sodium_init(void)
{
	if (atomic_load_explicit(&sodium_ready, memory_order_acquire))
		return 0;
	if (sodium_init() < 0)
		return VOUCH_E_CRYPTO;
	atomic_store_explicit(&sodium_ready, true, memory_order_release);
	return 0;
}

int vouch_sha256_init(struct vouch_sha256 *ctx)
{
	return SHA256_Init(sha(ctx)) ? 0 : VOUCH_E_CRYPTO;
}

int vouch_sha256_update(struct vouch_sha256 *ctx, const void *data, size_t len)
{
	return SHA256_Update(sha(ctx), data, len) ? 0 : VOUCH_E_CRYPTO;
}

int vouch_sha256_final(struct vouch_sha256 *ctx, uint8_t out[static VOUCH_SHA256_LEN])
{
	int ret = SHA256_Final(out, sha(ctx)) ? 0 : VOUCH_E_CRYPTO;

	/* SHA256_Final cleanses the block buffer; the chaining state and length remain. */
	vouch_sha256_wipe(ctx);
	return ret;
}

void vouch_sha256_wipe(struct vouch_sha256 *ctx)
{
	vouch_wipe(ctx, sizeof(*ctx));
}

int vouch_sha256(const void *data, size_t len, uint8_t out[static VOUCH_SHA256_LEN])
{
	/* The Merkle tree's one call per node: OpenSSL's three calls, no layer between. */
	struct vouch_sha256 c;
	SHA256_CTX *s = sha(&c);
	int ok = SHA256_Init(s) && SHA256_Update(s, data, len) && SHA256_Final(out, s);

	vouch_sha256_wipe(&c);
	return ok ? 0 : VOUCH_E_CRYPTO;
}

int vouch_blake2b_init(struct vouch_blake2b *ctx, size_t outlen)
{
	int ret = vouch_sodium_init();

	if (ret)
		return ret;
	if (outlen < 1 || outlen > VOUCH_BLAKE2B512_LEN)
		return VOUCH_E_RANGE;
	ctx->outlen = outlen;
	return crypto_generichash_blake2b_init(b2(ctx), NULL, 0, outlen) == 0 ? 0 : VOUCH_E_CRYPTO;
}

int vouch_blake2b_update(struct vouch_blake2b *ctx, const void *data, size_t len)
{
	return crypto_generichash_blake2b_update(b2(ctx), data, len) == 0 ? 0 : VOUCH_E_CRYPTO;
}

int vouch_blake2b_final(struct vouch_blake2b *ctx, uint8_t *out)
{
	int ret = crypto_generichash_blake2b_final(b2(ctx), out, ctx->outlen) == 0 ? 0
	                                                                           : VOUCH_E_CRYPTO;

	vouch_blake2b_wipe(ctx);
	return ret;
}

void vouch_blake2b_wipe(struct vouch_blake2b *ctx)
{
	vouch_wipe(ctx, sizeof(*ctx));
}

int vouch_blake2b(const void *data, size_t len, uint8_t *out, size_t outlen)
{
	struct vouch_blake2b c;
	int ret = vouch_blake2b_init(&c, outlen);

	if (!ret)
		ret = vouch_blake2b_update(&c, data, len);
	if (!ret)
		return vouch_blake2b_final(&c, out);
	vouch_blake2b_wipe(&c);
	return ret;
}
