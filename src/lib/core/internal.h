/* SPDX-License-Identifier: Apache-2.0 */
/* libvouch-core internals shared between its files, libvouch-sys and the unit tests; not installed.
 */
#ifndef VOUCH_INTERNAL_H
#define VOUCH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vouch/base64.h"

struct vouch_signer;

/*
 * sodium_init() once, before BLAKE2b (it picks the CPU's fastest code) and guarded
 * memory (sodium_malloc needs its page size and canary). Return: 0 or VOUCH_E_CRYPTO.
 */
int vouch_sodium_init(void);

/*
 * vouch_signer_ed25519_seed() - the seed back out of a signer made by
 * vouch_signer_ed25519(), for the key-file formats that write it (note keys):
 * the one read of a seed outside signer.c, into a buffer the caller wipes.
 * Return: 0, or VOUCH_E_ALG for any other signer (a TPM key never leaves the TPM).
 */
int vouch_signer_ed25519_seed(const struct vouch_signer *s, uint8_t seed[static 32]);

/*
 * Ed25519: the public key of a 32-byte seed (libsodium), and verification
 * (OpenSSL EVP). Nothing here signs: only signer.c does (include/vouch/signer.h).
 */
int vouch_ed25519_public(const uint8_t seed[static 32], uint8_t pk[static 32]);
/* Return: 0 valid, VOUCH_E_BADSIG invalid, VOUCH_E_CRYPTO. */
int vouch_ed25519_verify(const uint8_t pk[static 32], const uint8_t *msg, size_t len,
                         const uint8_t sig[static 64]);

/*
 * libsodium's crypto_pwhash_scryptsalsa208sha256 parameter choice, which
 * minisign's key format depends on: opslimit/memlimit to N = 2^log2n, r, p.
 */
void vouch_scrypt_params(uint64_t opslimit, uint64_t memlimit, unsigned *log2n, uint32_t *r,
                         uint32_t *p);
/* scrypt through OpenSSL EVP_KDF. Return: 0, VOUCH_E_KDF or VOUCH_E_CRYPTO. */
int vouch_scrypt(const char *pw, size_t pwlen, const uint8_t *salt, size_t saltlen,
                 uint64_t opslimit, uint64_t memlimit, uint8_t *out, size_t outlen);

/*
 * vouch_dec_parse() - the @len bytes at @s as an unsigned decimal number: digits
 * only, no sign, no leading zero ("0" itself is one), at most UINT64_MAX; every
 * format's numbers have that one spelling. Return: true, with *@v set.
 * vouch_dec_span() - how many of the @len bytes at @s are digits, from the first.
 */
bool vouch_dec_parse(const char *s, size_t len, uint64_t *v);
size_t vouch_dec_span(const char *s, size_t len);

/*
 * vouch_next_line() - the next line of the @len bytes at @text, from *@at: *@line and its
 * length *@n without the LF; *@at moves past the LF. False at the end, or for a last line
 * without an LF. (The update journal and the update state, journal.c.)
 */
bool vouch_next_line(const char *text, size_t len, size_t *at, const char **line, size_t *n);
/*
 * vouch_hex_path() - a path written as lower-case hex of its bytes (2 to 2 * 4095
 * digits, no NUL byte, starting with '/' if @absolute), decoded into a malloc'd string
 * *@out (NULL on failure). Return: 0; VOUCH_E_JOURNAL; -ENOMEM.
 */
int vouch_hex_path(const char *h, size_t n, bool absolute, char **out);

static inline uint32_t vouch_load32_be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t vouch_load64_be(const uint8_t *p)
{
	return (uint64_t)vouch_load32_be(p) << 32 | vouch_load32_be(p + 4);
}

static inline void vouch_store32_be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void vouch_store64_be(uint8_t *p, uint64_t v)
{
	vouch_store32_be(p, (uint32_t)(v >> 32));
	vouch_store32_be(p + 4, (uint32_t)v);
}

struct vouch_trust_rec;
/* Decode the 16-byte record that follows an entry's SHA-256. */
void vouch_trust_rec_decode(const uint8_t *p, struct vouch_trust_rec *rec);
/*
 * Binary search for @sha256 among the sorted 48-byte entries [lo, hi) of @table.
 * Return: 0 with @rec set, or VOUCH_E_NOTFOUND.
 */
int vouch_entries_find(const uint8_t *table, uint64_t lo, uint64_t hi, const uint8_t *sha256,
                       struct vouch_trust_rec *rec);

static inline uint64_t vouch_load64_le(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static inline void vouch_store64_le(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

#endif
