/* SPDX-License-Identifier: Apache-2.0 */
/* The TUF tests' ECDSA P-256 signer: an OpenSSL key behind struct vouch_signer (tests only). */
#ifndef VOUCH_TUF_TEST_H
#define VOUCH_TUF_TEST_H

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "vouch/signer.h"

static int test_p256_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t *sig, size_t *siglen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t n = 72;
	int ok;

	ok = md && EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, ctx, NULL) == 1 &&
	     EVP_DigestSign(md, sig, &n, msg, len) == 1;
	EVP_MD_CTX_free(md);
	if (!ok)
		return VOUCH_E_CRYPTO;
	*siglen = n;
	return 0;
}

static void test_p256_destroy(void *ctx)
{
	EVP_PKEY_free(ctx);
}

/* A fresh P-256 key as a signer: pk the uncompressed point, as signer.h describes it. */
static inline int test_signer_p256(struct vouch_signer *s)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	size_t n = 0;

	memset(s, 0, sizeof(*s));
	if (!k)
		return VOUCH_E_CRYPTO;
	if (EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, s->pk,
	                                    sizeof(s->pk), &n) != 1 ||
	    n != 65) {
		EVP_PKEY_free(k);
		return VOUCH_E_CRYPTO;
	}
	s->alg = VOUCH_SIGNER_ECDSA_P256;
	s->pklen = 65;
	s->sig_max = 72;
	s->sign = test_p256_sign;
	s->destroy = test_p256_destroy;
	s->ctx = k;
	return 0;
}

#endif
