/* SPDX-License-Identifier: Apache-2.0 */
/* scrypt for minisign secret keys: libsodium's parameter mapping, OpenSSL's KDF. */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "internal.h"
#include "vouch/error.h"
#include "vouch/minisign.h"

/*
 * minisign stores libsodium's opslimit/memlimit, not N, r, p. libsodium turns
 * them into scrypt parameters with this rule (crypto_pwhash_scryptsalsa208sha256,
 * "pickparams"), so a key made by minisign decrypts only if we follow it exactly.
 */
void vouch_scrypt_params(uint64_t opslimit, uint64_t memlimit, unsigned *log2n, uint32_t *r,
                         uint32_t *p)
{
	uint64_t max_n, max_rp;

	if (opslimit < 32768)
		opslimit = 32768;
	*r = 8;
	if (opslimit < memlimit / 32) {
		*p = 1;
		max_n = opslimit / (*r * 4);
	} else {
		max_n = memlimit / ((uint64_t)*r * 128);
	}
	for (*log2n = 1; *log2n < 63; *log2n += 1)
		if ((uint64_t)1 << *log2n > max_n / 2)
			break;
	if (!(opslimit < memlimit / 32)) {
		max_rp = (opslimit / 4) / ((uint64_t)1 << *log2n);
		if (max_rp > 0x3fffffff)
			max_rp = 0x3fffffff;
		*p = (uint32_t)max_rp / *r;
	}
}

int vouch_scrypt(const char *pw, size_t pwlen, const uint8_t *salt, size_t saltlen,
                 uint64_t opslimit, uint64_t memlimit, uint8_t *out, size_t outlen)
{
	unsigned log2n;
	uint32_t r, p;
	uint64_t n, mem;
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *kctx = NULL;
	int ret = VOUCH_E_KDF;

	/* A stored limit beyond what we accept is refused outright, as minisign.h promises. */
	if (memlimit > VOUCH_KDF_MEMLIMIT_MAX)
		return VOUCH_E_KDF;
	vouch_scrypt_params(opslimit, memlimit, &log2n, &r, &p);
	/* Refuse keys that would make us allocate or compute without bound. */
	if (log2n > 32 || p == 0 || p > 64)
		return VOUCH_E_KDF;
	n = (uint64_t)1 << log2n;
	mem = 128ULL * r * n + 128ULL * r * p + 256ULL * r;
	if (mem > VOUCH_KDF_MEMLIMIT_MAX)
		return VOUCH_E_KDF;

	kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
	kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	if (!kctx) {
		ret = VOUCH_E_CRYPTO;
		goto out;
	}
	uint64_t maxmem = mem + (1u << 20);
	OSSL_PARAM params[] = {
	    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)pw, pwlen),
	    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, saltlen),
	    OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
	    OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
	    OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
	    OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
	    OSSL_PARAM_construct_end(),
	};
	ret = EVP_KDF_derive(kctx, out, outlen, params) == 1 ? 0 : VOUCH_E_CRYPTO;
out:
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	return ret;
}
