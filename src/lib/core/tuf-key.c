/* SPDX-License-Identifier: Apache-2.0 */
/* TUF keys: key objects, key ids, signature verification (ed25519, ECDSA P-256, RSA-PSS) and
 * signing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "internal.h"
#include "tuf-internal.h"
#include "vouch/digest.h"
#include "vouch/error.h"
#include "vouch/hex.h"
#include "vouch/tuf.h"

/* The longest signature read: an RSA key of 8192 bits (ECDSA's DER is at most 72 bytes). */
#define SIG_MAX      1024
#define RSA_MIN_BITS 2048

struct vouch_tuf_key {
	enum vouch_tuf_keytype type;
	char *keyid;
	uint8_t ed25519[32];
	EVP_PKEY *pkey; /* ECDSA and RSA */
};

static const char *str_member(const json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

/* A PEM SubjectPublicKeyInfo of OpenSSL key type @type ("EC", "RSA"). */
static int pem_public(EVP_PKEY **out, const char *pem, size_t len, const char *type)
{
	const unsigned char *p = (const unsigned char *)pem;
	OSSL_DECODER_CTX *d;
	EVP_PKEY *pkey = NULL;
	size_t left = len;
	int ret = VOUCH_E_KEYTYPE;

	d = OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", "SubjectPublicKeyInfo", type,
	                                  EVP_PKEY_PUBLIC_KEY, NULL, NULL);
	if (!d)
		return VOUCH_E_CRYPTO;
	if (OSSL_DECODER_from_data(d, &p, &left) == 1 && pkey && EVP_PKEY_is_a(pkey, type))
		ret = 0;
	OSSL_DECODER_CTX_free(d);
	if (ret) {
		EVP_PKEY_free(pkey);
		return ret;
	}
	*out = pkey;
	return 0;
}

static int ec_is_p256(EVP_PKEY *pkey)
{
	char name[64];
	size_t n = 0;

	if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name),
	                                   &n) != 1)
		return 0;
	return strcmp(name, "prime256v1") == 0 || strcmp(name, "P-256") == 0;
}

int vouch_tuf_key_parse(struct vouch_tuf_key **out, const json_t *keyobj, const char *keyid)
{
	const char *keytype, *scheme, *pub;
	struct vouch_tuf_key *k;
	const json_t *keyval;
	size_t publen;
	int ret;

	*out = NULL;
	keytype = str_member(keyobj, "keytype");
	scheme = str_member(keyobj, "scheme");
	keyval = json_object_get(keyobj, "keyval");
	if (!json_is_object(keyobj) || !keytype || !scheme || !json_is_object(keyval) || !keyid)
		return VOUCH_E_TUF;
	pub = str_member(keyval, "public");
	if (!pub)
		return VOUCH_E_TUF;
	publen = json_string_length(json_object_get(keyval, "public"));
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->keyid = vouch_tuf_strdup(keyid);
	ret = -ENOMEM;
	if (!k->keyid)
		goto out;
	if (!strcmp(keytype, "ed25519") && !strcmp(scheme, "ed25519")) {
		k->type = VOUCH_TUF_ED25519;
		ret = vouch_hex_decode(k->ed25519, 32, pub, publen, 0, NULL) ? VOUCH_E_KEYTYPE : 0;
	} else if ((!strcmp(keytype, "ecdsa") || !strcmp(keytype, "ecdsa-sha2-nistp256")) &&
	           !strcmp(scheme, "ecdsa-sha2-nistp256")) {
		k->type = VOUCH_TUF_ECDSA_P256;
		ret = pem_public(&k->pkey, pub, publen, "EC");
		if (!ret && !ec_is_p256(k->pkey))
			ret = VOUCH_E_KEYTYPE;
	} else if (!strcmp(keytype, "rsa") && !strcmp(scheme, "rsassa-pss-sha256")) {
		k->type = VOUCH_TUF_RSA_PSS_SHA256;
		ret = pem_public(&k->pkey, pub, publen, "RSA");
		if (!ret && EVP_PKEY_get_bits(k->pkey) < RSA_MIN_BITS)
			ret = VOUCH_E_KEYTYPE;
	} else {
		ret = VOUCH_E_ALG;
	}
out:
	if (ret) {
		vouch_tuf_key_destroy(k);
		return ret;
	}
	*out = k;
	return 0;
}

void vouch_tuf_key_destroy(struct vouch_tuf_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k->keyid);
	free(k);
}

enum vouch_tuf_keytype vouch_tuf_key_type(const struct vouch_tuf_key *k)
{
	return k->type;
}

const char *vouch_tuf_key_id(const struct vouch_tuf_key *k)
{
	return k->keyid;
}

/* ECDSA (DER signature) and RSA-PSS over SHA-256 of the message, through EVP. */
static int evp_verify(const struct vouch_tuf_key *k, const uint8_t *msg, size_t len,
                      const uint8_t *sig, size_t siglen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ret = VOUCH_E_CRYPTO, r;

	if (!md)
		return VOUCH_E_CRYPTO;
	if (EVP_DigestVerifyInit_ex(md, &pctx, "SHA256", NULL, NULL, k->pkey, NULL) != 1)
		goto out;
	/*
	 * PSS with MGF1-SHA256 and the salt length read from the signature: python-tuf's
	 * securesystemslib signs with the digest's length (older releases with the
	 * longest possible) and verifies with PSS.AUTO, which accepts either.
	 */
	if (k->type == VOUCH_TUF_RSA_PSS_SHA256 &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, "SHA256", NULL) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1))
		goto out;
	r = EVP_DigestVerify(md, sig, siglen, msg, len);
	ret = r == 1 ? 0 : VOUCH_E_BADSIG;
out:
	EVP_MD_CTX_free(md);
	return ret;
}

int vouch_tuf_key_verify(const struct vouch_tuf_key *k, const uint8_t *msg, size_t len,
                         const char *sighex)
{
	uint8_t sig[SIG_MAX];
	size_t hexlen = sighex ? strnlen(sighex, 2 * SIG_MAX + 1) : 0;

	if (!hexlen || hexlen > 2 * SIG_MAX || hexlen % 2)
		return VOUCH_E_BADSIG;
	if (vouch_hex_decode(sig, hexlen / 2, sighex, hexlen, 0, NULL))
		return VOUCH_E_BADSIG;
	switch (k->type) {
	case VOUCH_TUF_ED25519:
		if (hexlen != 128)
			return VOUCH_E_BADSIG;
		return vouch_ed25519_verify(k->ed25519, msg, len, sig);
	case VOUCH_TUF_ECDSA_P256:
		if (hexlen > 2 * 72)
			return VOUCH_E_BADSIG;
		return evp_verify(k, msg, len, sig, hexlen / 2);
	case VOUCH_TUF_RSA_PSS_SHA256:
		if ((int)(hexlen / 2) != EVP_PKEY_get_size(k->pkey))
			return VOUCH_E_BADSIG;
		return evp_verify(k, msg, len, sig, hexlen / 2);
	}
	return VOUCH_E_ALG;
}

/* The PEM SubjectPublicKeyInfo of an uncompressed P-256 point; malloc'd and NUL-terminated. */
static int p256_pem(const uint8_t *pk, size_t pklen, char **pem)
{
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_ENCODER_CTX *e = NULL;
	EVP_PKEY *pkey = NULL;
	unsigned char *data = NULL;
	size_t len = 0;
	int ret = VOUCH_E_KEYTYPE;

	*pem = NULL;
	if (pklen != 65 || pk[0] != 4)
		return VOUCH_E_KEYTYPE;
	params[0] =
	    OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"prime256v1", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pk, pklen);
	params[2] = OSSL_PARAM_construct_end();
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1) {
		ret = VOUCH_E_CRYPTO;
		goto out;
	}
	/* Decoding the point checks that it is on the curve. */
	if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	e = OSSL_ENCODER_CTX_new_for_pkey(pkey, EVP_PKEY_PUBLIC_KEY, "PEM", "SubjectPublicKeyInfo",
	                                  NULL);
	ret = VOUCH_E_CRYPTO;
	if (!e || OSSL_ENCODER_to_data(e, &data, &len) != 1 || !data)
		goto out;
	*pem = malloc(len + 1);
	if (!*pem) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(*pem, data, len);
	(*pem)[len] = '\0';
	ret = 0;
out:
	OPENSSL_free(data);
	OSSL_ENCODER_CTX_free(e);
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

int vouch_tuf_key_object(const struct vouch_signer *s, json_t **keyobj)
{
	const char *keytype, *scheme;
	char hex[65], *pem = NULL;
	json_t *o, *kv;
	int ret;

	*keyobj = NULL;
	if (s->alg == VOUCH_SIGNER_ED25519 && s->pklen == 32) {
		vouch_hex_encode(s->pk, 32, hex);
		keytype = scheme = "ed25519";
		kv = json_pack("{s:s}", "public", hex);
	} else if (s->alg == VOUCH_SIGNER_ECDSA_P256) {
		if ((ret = p256_pem(s->pk, s->pklen, &pem)))
			return ret;
		keytype = "ecdsa";
		scheme = "ecdsa-sha2-nistp256";
		kv = json_pack("{s:s}", "public", pem);
		free(pem);
	} else {
		return VOUCH_E_ALG;
	}
	if (!kv)
		return -ENOMEM;
	o = json_pack("{s:s,s:s,s:o}", "keytype", keytype, "scheme", scheme, "keyval", kv);
	if (!o)
		return -ENOMEM;
	*keyobj = o;
	return 0;
}

int vouch_tuf_keyid(const json_t *keyobj, char out[static 65])
{
	uint8_t d[VOUCH_SHA256_LEN];
	char *c = NULL;
	size_t len = 0;
	int ret = vouch_tuf_canonical(keyobj, &c, &len);

	if (ret)
		return ret;
	ret = vouch_sha256(c, len, d);
	free(c);
	if (ret)
		return ret;
	vouch_hex_encode(d, sizeof(d), out);
	return 0;
}

int vouch_tuf_sign(const json_t *signed_, const struct vouch_signer *s, const char *keyid,
                   json_t *signatures)
{
	uint8_t sig[VOUCH_SIGNER_SIG_MAX];
	char hex[2 * VOUCH_SIGNER_SIG_MAX + 1];
	size_t len = 0, siglen = 0;
	char *c = NULL;
	json_t *o;
	int ret;

	if (!json_is_array(signatures) || !keyid)
		return VOUCH_E_RANGE;
	if ((ret = vouch_tuf_canonical(signed_, &c, &len)))
		return ret;
	ret = vouch_signer_sign(s, (const uint8_t *)c, len, sig, sizeof(sig), &siglen);
	free(c);
	if (ret)
		return ret;
	vouch_hex_encode(sig, siglen, hex);
	o = json_pack("{s:s,s:s}", "keyid", keyid, "sig", hex);
	if (!o || json_array_append_new(signatures, o))
		return -ENOMEM;
	return 0;
}
