/* SPDX-License-Identifier: Apache-2.0 */
/* The signer interface, and the Ed25519 signer whose key lives in guarded memory. */
#include <errno.h>
#include <string.h>
#include <sodium.h>

#include "internal.h"
#include "vouch/error.h"
#include "vouch/signer.h"

/*
 * libsodium's secret key layout, seed || public key: its signing reads both, so it
 * derives nothing per signature and needs no copy of the seed outside this block.
 * (OpenSSL's EVP would copy the seed into an EVP_PKEY on the ordinary heap for
 * every signature.) The bytes are identical: RFC 8032 Ed25519 is deterministic.
 */
#define ED25519_SK_LEN 64

_Static_assert(crypto_sign_ed25519_SECRETKEYBYTES == ED25519_SK_LEN, "libsodium's Ed25519 key");
_Static_assert(crypto_sign_ed25519_BYTES == 64, "libsodium's Ed25519 signature");

void vouch_wipe(void *p, size_t len)
{
	sodium_memzero(p, len);
}

static int ed25519_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t *sig, size_t *siglen)
{
	unsigned long long n = 0;

	if (crypto_sign_ed25519_detached(sig, &n, msg, len, ctx) != 0 || n != 64)
		return VOUCH_E_CRYPTO;
	*siglen = 64;
	return 0;
}

static void ed25519_destroy(void *ctx)
{
	/* Wipes, unlocks and unmaps, after checking the canary in front of the block. */
	sodium_free(ctx);
}

int vouch_signer_ed25519(struct vouch_signer *s, const uint8_t seed[static 32])
{
	uint8_t *sk;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = vouch_sodium_init();
	if (ret)
		return ret;
	sk = sodium_malloc(ED25519_SK_LEN);
	if (!sk)
		return -ENOMEM;
	if (crypto_sign_ed25519_seed_keypair(s->pk, sk, seed) != 0) {
		sodium_free(sk);
		memset(s, 0, sizeof(*s));
		return VOUCH_E_CRYPTO;
	}
	/* Nothing writes the key again: a stray write faults instead of changing it. */
	(void)sodium_mprotect_readonly(sk);
	s->alg = VOUCH_SIGNER_ED25519;
	s->pklen = 32;
	s->sig_max = 64;
	s->sign = ed25519_sign;
	s->destroy = ed25519_destroy;
	s->ctx = sk;
	return 0;
}

int vouch_signer_ed25519_seed(const struct vouch_signer *s, uint8_t seed[static 32])
{
	if (s->sign != ed25519_sign || !s->ctx)
		return VOUCH_E_ALG;
	memcpy(seed, s->ctx, 32);
	return 0;
}

int vouch_signer_sign(const struct vouch_signer *s, const uint8_t *msg, size_t len, uint8_t *sig,
                      size_t cap, size_t *siglen)
{
	size_t n = 0;
	int ret;

	if (s->alg == VOUCH_SIGNER_NONE || !s->sign)
		return VOUCH_E_ALG;
	if (s->sig_max == 0 || s->sig_max > VOUCH_SIGNER_SIG_MAX || cap < s->sig_max)
		return VOUCH_E_RANGE;
	ret = s->sign(s->ctx, msg, len, sig, &n);
	if (ret)
		return ret;
	/* An implementation that overran its own bound is broken: use nothing it wrote. */
	if (n == 0 || n > s->sig_max) {
		vouch_wipe(sig, cap);
		return VOUCH_E_CRYPTO;
	}
	*siglen = n;
	return 0;
}

void vouch_signer_destroy(struct vouch_signer *s)
{
	if (!s)
		return;
	if (s->destroy)
		s->destroy(s->ctx);
	memset(s, 0, sizeof(*s));
}
