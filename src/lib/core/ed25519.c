/* SPDX-License-Identifier: Apache-2.0 */
/* Ed25519 sign and verify over buffers, through OpenSSL's EVP interface. */
#include <openssl/evp.h>

#include "internal.h"
#include "vouch/error.h"

int vouch_ed25519_public(const uint8_t seed[static 32], uint8_t pk[static 32])
{
	EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	size_t len = 32;
	int ret = VOUCH_E_CRYPTO;

	if (!key)
		return VOUCH_E_CRYPTO;
	if (EVP_PKEY_get_raw_public_key(key, pk, &len) == 1 && len == 32)
		ret = 0;
	EVP_PKEY_free(key);
	return ret;
}

int vouch_ed25519_sign(const uint8_t seed[static 32], const uint8_t *msg, size_t len,
                       uint8_t sig[static 64])
{
	EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t siglen = 64;
	int ret = VOUCH_E_CRYPTO;

	if (!key || !md)
		goto out;
	if (EVP_DigestSignInit(md, NULL, NULL, NULL, key) != 1)
		goto out;
	if (EVP_DigestSign(md, sig, &siglen, msg, len) != 1 || siglen != 64)
		goto out;
	ret = 0;
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
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
