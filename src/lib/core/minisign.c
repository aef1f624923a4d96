/* SPDX-License-Identifier: Apache-2.0 */
/* minisign (and signify) key and signature files: strict parsing, formatting, signing. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sodium.h>

#include "internal.h"
#include "vouch/digest.h"
#include "vouch/error.h"
#include "vouch/minisign.h"

#define UNTRUSTED_PREFIX "untrusted comment: "
#define TRUSTED_PREFIX   "trusted comment: "
#define PUBKEY_BYTES     42  /* "Ed" keyid pk */
#define SECKEY_BYTES     158 /* "Ed" kdf chk salt ops mem keyid seed pk chk */
#define SIG_BYTES        74  /* "Ed"/"ED" keyid sig */
#define SIGNIFY_SEC      104 /* signify's secret key: "Ed" "BK" rounds salt chk keynum sk */
/* Longest base64 line of any of our binary objects, with slack for garbage detection. */
#define B64_LINE_MAX 512

struct cursor {
	const char *p, *end;
};

/*
 * Take the next line. A line ends at LF (a CR just before it is dropped) or at
 * the end of the input. Lines longer than @max are refused before they are used.
 * Return: 0 with @line/@len set, 1 at end of input, or VOUCH_E_LINE.
 */
static int next_line(struct cursor *c, size_t max, const char **line, size_t *len)
{
	const char *nl;
	size_t n;

	if (c->p >= c->end)
		return 1;
	nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	n = nl ? (size_t)(nl - c->p) : (size_t)(c->end - c->p);
	*line = c->p;
	c->p = nl ? nl + 1 : c->end;
	if (n > 0 && (*line)[n - 1] == '\r')
		n--;
	if (n > max)
		return VOUCH_E_LINE;
	*len = n;
	return 0;
}

/* Nothing but the end may follow the last line. */
static int expect_end(const struct cursor *c)
{
	return c->p == c->end ? 0 : VOUCH_E_TRAILING;
}

int vouch_comment_check(const char *s, size_t len, bool trusted)
{
	if (len > (trusted ? VOUCH_TCOMMENT_MAX : VOUCH_COMMENT_MAX))
		return VOUCH_E_TOOBIG;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return VOUCH_E_CONTROL;
		/* C1 controls encoded in UTF-8 (U+0080..U+009F) also drive terminals. */
		if (ch == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f)
			return VOUCH_E_CONTROL;
	}
	return 0;
}

/* Parse "untrusted comment: ..." into @dst (may be NULL), which holds VOUCH_COMMENT_MAX+1. */
static int parse_untrusted(struct cursor *c, char *dst)
{
	const char *line;
	size_t len, plen = sizeof(UNTRUSTED_PREFIX) - 1;
	int ret = next_line(c, plen + VOUCH_COMMENT_MAX, &line, &len);

	if (ret == 1)
		return VOUCH_E_EMPTY;
	if (ret)
		return ret;
	if (len < plen || memcmp(line, UNTRUSTED_PREFIX, plen) != 0)
		return VOUCH_E_NOCOMMENT;
	ret = vouch_comment_check(line + plen, len - plen, false);
	if (ret)
		return ret;
	if (dst) {
		memcpy(dst, line + plen, len - plen);
		dst[len - plen] = '\0';
	}
	return 0;
}

/*
 * Decode one base64 line into @out (@cap bytes). *@outlen gets the decoded length,
 * which callers check against what they expect.
 */
static int parse_b64_line(struct cursor *c, uint8_t *out, size_t cap, size_t *outlen)
{
	const char *line;
	size_t len;
	int ret = next_line(c, B64_LINE_MAX, &line, &len);

	if (ret == 1)
		return VOUCH_E_LENGTH; /* the file stops before its key or signature */
	if (ret)
		return ret;
	if (len == 0)
		return VOUCH_E_BASE64;
	return vouch_b64_decode(out, cap, outlen, line, len);
}

/* Classify a decoded object by its length, to tell the user what they gave instead. */
static int kind_mismatch(size_t len)
{
	switch (len) {
	case PUBKEY_BYTES:
	case SECKEY_BYTES:
	case SIG_BYTES:
	case SIGNIFY_SEC:
		return VOUCH_E_KEYTYPE;
	default:
		return VOUCH_E_LENGTH;
	}
}

/*
 * The start every minisign file shares: not empty, at most @max bytes in all, the
 * untrusted comment (into @untrusted, may be NULL), then one base64 line of exactly
 * @want bytes into @bin (B64_LINE_MAX bytes, which the caller wipes if it is secret).
 */
static int parse_head(struct cursor *c, size_t len, size_t max, char *untrusted, uint8_t *bin,
                      size_t want)
{
	size_t n;
	int ret;

	if (len == 0)
		return VOUCH_E_EMPTY;
	if (len > max)
		return VOUCH_E_TOOBIG;
	ret = parse_untrusted(c, untrusted);
	if (!ret)
		ret = parse_b64_line(c, bin, B64_LINE_MAX, &n);
	if (!ret && n != want)
		ret = kind_mismatch(n);
	return ret;
}

static void pubkey_from_bytes(struct vouch_pubkey *out, const uint8_t *b)
{
	memcpy(out->keyid, b + 2, VOUCH_KEYID_LEN);
	memcpy(out->pk, b + 2 + VOUCH_KEYID_LEN, VOUCH_PK_LEN);
}

int vouch_pubkey_parse_base64(struct vouch_pubkey *out, const char *b64, size_t len)
{
	uint8_t bin[B64_LINE_MAX];
	size_t n;
	int ret;

	if (len == 0)
		return VOUCH_E_EMPTY;
	if (len > B64_LINE_MAX)
		return VOUCH_E_LINE;
	ret = vouch_b64_decode(bin, sizeof(bin), &n, b64, len);
	if (ret)
		return ret;
	if (n != PUBKEY_BYTES)
		return kind_mismatch(n);
	if (memcmp(bin, "Ed", 2) != 0)
		return VOUCH_E_ALG;
	pubkey_from_bytes(out, bin);
	return 0;
}

int vouch_pubkey_parse(struct vouch_pubkey *out, const char *text, size_t len)
{
	struct cursor c = {text, text + len};
	uint8_t bin[B64_LINE_MAX];
	int ret;

	ret = parse_head(&c, len, VOUCH_KEYFILE_MAX, NULL, bin, PUBKEY_BYTES);
	if (ret)
		return ret;
	if (memcmp(bin, "Ed", 2) != 0)
		return VOUCH_E_ALG;
	ret = expect_end(&c);
	if (ret)
		return ret;
	pubkey_from_bytes(out, bin);
	return 0;
}

void vouch_keyid_hex(const uint8_t keyid[static VOUCH_KEYID_LEN], char out[static 17])
{
	snprintf(out, 17, "%016llX", (unsigned long long)vouch_load64_le(keyid));
}

int vouch_pubkey_format(const struct vouch_pubkey *pk, char *out, size_t cap, size_t *outlen)
{
	uint8_t bin[PUBKEY_BYTES];
	char b64[64], id[17];
	int n;

	memcpy(bin, "Ed", 2);
	memcpy(bin + 2, pk->keyid, VOUCH_KEYID_LEN);
	memcpy(bin + 2 + VOUCH_KEYID_LEN, pk->pk, VOUCH_PK_LEN);
	vouch_b64_encode(b64, sizeof(b64), bin, sizeof(bin));
	vouch_keyid_hex(pk->keyid, id);
	n = snprintf(out, cap, UNTRUSTED_PREFIX "minisign public key %s\n%s\n", id, b64);
	if (n < 0 || (size_t)n >= cap)
		return VOUCH_E_TOOBIG;
	*outlen = (size_t)n;
	return 0;
}

/* A secret key's home: guarded memory (its bytes only: no alignment needed). */
static int seckey_alloc(struct vouch_seckey **out)
{
	int ret = vouch_sodium_init();

	*out = NULL;
	if (ret)
		return ret;
	*out = sodium_malloc(sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void vouch_seckey_free(struct vouch_seckey *sk)
{
	sodium_free(sk); /* wipes; NULL is fine */
}

int vouch_keypair_generate(struct vouch_seckey **out, struct vouch_pubkey *pk)
{
	struct vouch_seckey *sk;
	int ret = seckey_alloc(&sk);

	if (ret)
		return ret;
	ret = VOUCH_E_CRYPTO;
	if (RAND_priv_bytes(sk->seed, VOUCH_SEED_LEN) != 1 ||
	    RAND_bytes(sk->keyid, VOUCH_KEYID_LEN) != 1)
		goto out;
	ret = vouch_ed25519_public(sk->seed, sk->pk);
	if (ret)
		goto out;
	vouch_seckey_public(sk, pk);
	*out = sk;
	sk = NULL;
out:
	vouch_seckey_free(sk);
	return ret;
}

int vouch_seckey_signer(const struct vouch_seckey *sk, struct vouch_signer *s)
{
	return vouch_signer_ed25519(s, sk->seed);
}

void vouch_seckey_public(const struct vouch_seckey *sk, struct vouch_pubkey *pk)
{
	memcpy(pk->keyid, sk->keyid, VOUCH_KEYID_LEN);
	memcpy(pk->pk, sk->pk, VOUCH_PK_LEN);
}

int vouch_seckey_parse(struct vouch_seckey_file *out, const char *text, size_t len)
{
	struct cursor c = {text, text + len};
	uint8_t bin[B64_LINE_MAX];
	int ret;

	ret = parse_head(&c, len, VOUCH_KEYFILE_MAX, NULL, bin, SECKEY_BYTES);
	if (ret)
		goto out;
	ret = VOUCH_E_ALG;
	if (memcmp(bin, "Ed", 2) != 0)
		goto out;
	ret = VOUCH_E_KDF;
	if (memcmp(bin + 2, "Sc", 2) == 0)
		out->encrypted = true;
	else if (bin[2] == 0 && bin[3] == 0)
		out->encrypted = false;
	else
		goto out;
	if (memcmp(bin + 4, "B2", 2) != 0)
		goto out;
	ret = expect_end(&c);
	if (ret)
		goto out;
	memcpy(out->salt, bin + 6, VOUCH_SALT_LEN);
	out->opslimit = vouch_load64_le(bin + 38);
	out->memlimit = vouch_load64_le(bin + 46);
	memcpy(out->keynum_sk, bin + 54, sizeof(out->keynum_sk));
out:
	vouch_wipe(bin, sizeof(bin));
	return ret;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* minisign's checksum: BLAKE2b-256 over sig_alg || keyid || seed || pk. */
static int seckey_checksum(const uint8_t keynum_sk[static 72], uint8_t chk[static 32])
{
	uint8_t buf[2 + 72];
	int ret;

	memcpy(buf, "Ed", 2);
	memcpy(buf + 2, keynum_sk, 72);
	ret = vouch_blake2b(buf, sizeof(buf), chk, 32);
	vouch_wipe(buf, sizeof(buf));
	return ret;
}

int vouch_seckey_decrypt(const struct vouch_seckey_file *f, const char *pw, size_t pwlen,
                         struct vouch_seckey **out)
{
	uint8_t ks[104], chk[32], derived_pk[32];
	struct vouch_seckey *sk = NULL;
	int ret;

	*out = NULL;
	memcpy(ks, f->keynum_sk, sizeof(ks));
	if (f->encrypted) {
		uint8_t stream[104];

		ret = vouch_scrypt(pw, pwlen, f->salt, VOUCH_SALT_LEN, f->opslimit, f->memlimit,
		                   stream, sizeof(stream));
		if (ret) {
			vouch_wipe(stream, sizeof(stream));
			goto out;
		}
		for (size_t i = 0; i < sizeof(ks); i++)
			ks[i] ^= stream[i];
		vouch_wipe(stream, sizeof(stream));
	}
	ret = seckey_checksum(ks, chk);
	if (ret)
		goto out;
	/*
	 * minisign -W (0.11) leaves the checksum of an unencrypted key all zero and
	 * skips it when loading; such a key is still checked below: its seed must
	 * give its public key.
	 */
	ret = VOUCH_E_PASSWORD;
	if (CRYPTO_memcmp(chk, ks + 72, 32) != 0 && (f->encrypted || !all_zero(ks + 72, 32)))
		goto out;
	ret = seckey_alloc(&sk);
	if (ret)
		goto out;
	memcpy(sk->keyid, ks, VOUCH_KEYID_LEN);
	memcpy(sk->seed, ks + 8, VOUCH_SEED_LEN);
	memcpy(sk->pk, ks + 40, VOUCH_PK_LEN);
	ret = vouch_ed25519_public(sk->seed, derived_pk);
	if (!ret && memcmp(derived_pk, sk->pk, VOUCH_PK_LEN) != 0)
		ret = VOUCH_E_KEYPAIR;
	if (ret)
		goto out;
	*out = sk;
	sk = NULL;
out:
	vouch_seckey_free(sk);
	vouch_wipe(ks, sizeof(ks));
	vouch_wipe(chk, sizeof(chk));
	return ret;
}

int vouch_seckey_format(const struct vouch_seckey *sk, const char *pw, size_t pwlen,
                        uint64_t opslimit, uint64_t memlimit, char *out, size_t cap, size_t *outlen)
{
	uint8_t bin[SECKEY_BYTES], stream[104];
	char b64[256];
	uint8_t *ks = bin + 54;
	int n, ret;

	memset(bin, 0, sizeof(bin));
	memcpy(bin, "Ed", 2);
	memcpy(bin + 4, "B2", 2);
	memcpy(ks, sk->keyid, VOUCH_KEYID_LEN);
	memcpy(ks + 8, sk->seed, VOUCH_SEED_LEN);
	memcpy(ks + 40, sk->pk, VOUCH_PK_LEN);
	ret = seckey_checksum(ks, ks + 72);
	if (ret)
		goto out;
	if (pw) {
		memcpy(bin + 2, "Sc", 2);
		ret = VOUCH_E_CRYPTO;
		if (RAND_bytes(bin + 6, VOUCH_SALT_LEN) != 1)
			goto out;
		vouch_store64_le(bin + 38, opslimit);
		vouch_store64_le(bin + 46, memlimit);
		ret = vouch_scrypt(pw, pwlen, bin + 6, VOUCH_SALT_LEN, opslimit, memlimit, stream,
		                   sizeof(stream));
		if (ret)
			goto out;
		for (size_t i = 0; i < sizeof(stream); i++)
			ks[i] ^= stream[i];
	}
	vouch_b64_encode(b64, sizeof(b64), bin, sizeof(bin));
	n = snprintf(out, cap, UNTRUSTED_PREFIX "minisign %s secret key\n%s\n",
	             pw ? "encrypted" : "unencrypted", b64);
	ret = VOUCH_E_TOOBIG;
	if (n < 0 || (size_t)n >= cap)
		goto out;
	*outlen = (size_t)n;
	ret = 0;
out:
	vouch_wipe(bin, sizeof(bin));
	vouch_wipe(stream, sizeof(stream));
	vouch_wipe(b64, sizeof(b64));
	return ret;
}

int vouch_sig_parse(struct vouch_sig *out, const char *text, size_t len)
{
	struct cursor c = {text, text + len};
	uint8_t bin[B64_LINE_MAX];
	const char *line;
	size_t n, tlen, plen = sizeof(TRUSTED_PREFIX) - 1;
	int ret;

	ret = parse_head(&c, len, VOUCH_SIGFILE_MAX, out->untrusted, bin, SIG_BYTES);
	if (ret)
		return ret;
	if (memcmp(bin, "Ed", 2) == 0)
		out->alg = VOUCH_SIG_LEGACY;
	else if (memcmp(bin, "ED", 2) == 0)
		out->alg = VOUCH_SIG_PREHASHED;
	else
		return VOUCH_E_ALG;
	memcpy(out->keyid, bin + 2, VOUCH_KEYID_LEN);
	memcpy(out->sig, bin + 2 + VOUCH_KEYID_LEN, VOUCH_SIG_LEN);
	out->trusted[0] = '\0';
	out->has_trusted = false;

	ret = next_line(&c, plen + VOUCH_TCOMMENT_MAX, &line, &tlen);
	if (ret == 1) {
		/* signify: two lines, legacy algorithm only, no trusted comment. */
		return out->alg == VOUCH_SIG_LEGACY ? 0 : VOUCH_E_NOTRUSTED;
	}
	if (ret)
		return ret;
	if (tlen < plen || memcmp(line, TRUSTED_PREFIX, plen) != 0)
		return VOUCH_E_NOTRUSTED;
	ret = vouch_comment_check(line + plen, tlen - plen, true);
	if (ret)
		return ret;
	memcpy(out->trusted, line + plen, tlen - plen);
	out->trusted[tlen - plen] = '\0';
	ret = parse_b64_line(&c, bin, sizeof(bin), &n);
	if (ret)
		return ret;
	if (n != VOUCH_SIG_LEN)
		return VOUCH_E_LENGTH;
	memcpy(out->global_sig, bin, VOUCH_SIG_LEN);
	out->has_trusted = true;
	return expect_end(&c);
}

int vouch_sig_format(const struct vouch_sig *sig, char *out, size_t cap, size_t *outlen)
{
	uint8_t bin[SIG_BYTES];
	char b64[128], gb64[128];
	int n;

	memcpy(bin, sig->alg == VOUCH_SIG_PREHASHED ? "ED" : "Ed", 2);
	memcpy(bin + 2, sig->keyid, VOUCH_KEYID_LEN);
	memcpy(bin + 2 + VOUCH_KEYID_LEN, sig->sig, VOUCH_SIG_LEN);
	vouch_b64_encode(b64, sizeof(b64), bin, sizeof(bin));
	vouch_b64_encode(gb64, sizeof(gb64), sig->global_sig, VOUCH_SIG_LEN);
	n = snprintf(out, cap, UNTRUSTED_PREFIX "%s\n%s\n" TRUSTED_PREFIX "%s\n%s\n",
	             sig->untrusted, b64, sig->trusted, gb64);
	if (n < 0 || (size_t)n >= cap)
		return VOUCH_E_TOOBIG;
	*outlen = (size_t)n;
	return 0;
}

/* The global signature covers the signature and the trusted comment. */
static int global_message(const struct vouch_sig *sig, uint8_t *buf, size_t *len)
{
	size_t tlen = strlen(sig->trusted);

	memcpy(buf, sig->sig, VOUCH_SIG_LEN);
	memcpy(buf + VOUCH_SIG_LEN, sig->trusted, tlen);
	*len = VOUCH_SIG_LEN + tlen;
	return 0;
}

/* One Ed25519 signature by @s: exactly VOUCH_SIG_LEN bytes, or an error. */
static int sign_ed25519(const struct vouch_signer *s, const uint8_t *msg, size_t len,
                        uint8_t sig[static VOUCH_SIG_LEN])
{
	uint8_t buf[VOUCH_SIGNER_SIG_MAX];
	size_t n = 0;
	int ret = vouch_signer_sign(s, msg, len, buf, sizeof(buf), &n);

	if (!ret && n != VOUCH_SIG_LEN)
		ret = VOUCH_E_CRYPTO;
	if (!ret)
		memcpy(sig, buf, VOUCH_SIG_LEN);
	return ret;
}

int vouch_sig_sign(struct vouch_sig *out, const struct vouch_signer *s,
                   const uint8_t keyid[static VOUCH_KEYID_LEN], enum vouch_sig_alg alg,
                   const uint8_t *msg, size_t len, const char *untrusted, const char *trusted)
{
	uint8_t gm[VOUCH_SIG_LEN + VOUCH_TCOMMENT_MAX];
	size_t ulen = strlen(untrusted), tlen = strlen(trusted), gl;
	int ret;

	if (s->alg != VOUCH_SIGNER_ED25519 || s->pklen != VOUCH_PK_LEN)
		return VOUCH_E_ALG;
	ret = vouch_comment_check(untrusted, ulen, false);
	if (!ret)
		ret = vouch_comment_check(trusted, tlen, true);
	if (ret)
		return ret;
	if (alg == VOUCH_SIG_PREHASHED && len != VOUCH_BLAKE2B512_LEN)
		return VOUCH_E_LENGTH;
	out->alg = alg;
	memcpy(out->keyid, keyid, VOUCH_KEYID_LEN);
	memcpy(out->untrusted, untrusted, ulen + 1);
	memcpy(out->trusted, trusted, tlen + 1);
	out->has_trusted = true;
	ret = sign_ed25519(s, msg, len, out->sig);
	if (ret)
		return ret;
	global_message(out, gm, &gl);
	return sign_ed25519(s, gm, gl, out->global_sig);
}

int vouch_sig_verify(const struct vouch_sig *sig, const struct vouch_pubkey *pk, const uint8_t *msg,
                     size_t len)
{
	uint8_t gm[VOUCH_SIG_LEN + VOUCH_TCOMMENT_MAX];
	size_t gl;
	int ret;

	if (memcmp(sig->keyid, pk->keyid, VOUCH_KEYID_LEN) != 0)
		return VOUCH_E_WRONGKEY;
	if (sig->alg == VOUCH_SIG_PREHASHED && len != VOUCH_BLAKE2B512_LEN)
		return VOUCH_E_LENGTH;
	ret = vouch_ed25519_verify(pk->pk, msg, len, sig->sig);
	if (ret || !sig->has_trusted)
		return ret;
	global_message(sig, gm, &gl);
	ret = vouch_ed25519_verify(pk->pk, gm, gl, sig->global_sig);
	return ret == VOUCH_E_BADSIG ? VOUCH_E_BADCOMMENT : ret;
}
