/* SPDX-License-Identifier: Apache-2.0 */
/* Ed25519 public keys from seeds, and verification (OpenSSL's EVP); signing is signer.c's. */
#include <openssl/evp.h>
#include <sodium.h>

#include "internal.h"
#include "vouch/error.h"
#include "vouch/signer.h"

/*
 * Through libsodium, as the signer (signer.c) makes its keys: a seed never enters
 * OpenSSL, whose EVP_PKEY would hold a copy on the ordinary heap.
 */
int vouch_ed25519_public(const uint8_t seed[static 32], uint8_t pk[static 32])
{
	uint8_t sk[crypto_sign_ed25519_SECRETKEYBYTES];
	int ret = vouch_sodium_init();

	if (!ret && crypto_sign_ed25519_seed_keypair(pk, sk, seed) != 0)
		ret = VOUCH_E_CRYPTO;
	vouch_wipe(sk, sizeof(sk));
	return ret;
}

int vouch_ed25519_verify(const uint8_t pk[static 32], const uint8_t *msg, size_t len,
                         const uint8_t sig[static 64])
{
	EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, 32);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ret = VOUCH_E_CRYPTO;
	int r;

	if (!key || !md)
		goto out;
	if (EVP_DigestVerifyInit(md, NULL, NULL, NULL, key) != 1)
		goto out;
	r = EVP_DigestVerify(md, sig, 64, msg, len);
	/* 0 is a bad signature; <0 also covers encodings OpenSSL rejects outright. */
	ret = r == 1 ? 0 : VOUCH_E_BADSIG;
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	return ret;
}
