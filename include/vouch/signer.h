/* SPDX-License-Identifier: Apache-2.0 */
/* One signer interface for every signature vouch makes, and the Ed25519 key-file signer. */
#ifndef VOUCH_SIGNER_H
#define VOUCH_SIGNER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Every signature vouch makes (minisign signatures, policy bundle seals, log
 * checkpoints, and next stamps and TUF metadata) is made through a struct
 * vouch_signer: an algorithm, a public key and a sign function with its context.
 * Formats that carry one algorithm only check @alg and refuse others (minisign's
 * and the bundles' VOUCH_E_ALG); nothing else knows where the key is. The Ed25519
 * signer below holds its secret in guarded memory; a TPM-held ECDSA P-256 key will
 * fill the same struct from src/lib/tpm, its context a TPM handle, its secret
 * never in vouch's memory at all.
 */

/* Algorithms. The numbers are vouch's own (no format stores them). */
enum vouch_signer_alg {
	VOUCH_SIGNER_NONE = 0,    /* an empty struct: signs nothing */
	VOUCH_SIGNER_ED25519 = 1, /* RFC 8032 Ed25519 over the message itself: pk 32, sig 64 */
	/*
	 * ECDSA over NIST P-256 with SHA-256 of the message (FIPS 186-5): pk is the
	 * uncompressed SEC 1 point (65 bytes, 0x04 || x || y), the signature ASN.1 DER
	 * (at most 72 bytes, its length varies), as TUF's ecdsa-sha2-nistp256 has them.
	 */
	VOUCH_SIGNER_ECDSA_P256 = 2,
};

/* The largest public key and signature of any algorithm above. */
#define VOUCH_SIGNER_PK_MAX  65
#define VOUCH_SIGNER_SIG_MAX 72

/*
 * The sign function of a signer: sign @len bytes of @msg with the key behind @ctx
 * into @sig, which holds the signer's sig_max bytes; set *@siglen.
 * Return: 0; VOUCH_E_CRYPTO; -ENOMEM; -errno (a device); or the implementation's
 * own VOUCH_E_* code.
 */
typedef int (*vouch_sign_fn)(void *ctx, const uint8_t *msg, size_t len, uint8_t *sig,
                             size_t *siglen);

/*
 * A signer. The caller allocates the struct (on the stack, inside its own state);
 * a constructor (vouch_signer_ed25519(), a TPM module's) fills it, and
 * vouch_signer_destroy() releases what the constructor allocated and empties it.
 * Copying the struct copies a reference to @ctx, not the key: exactly one copy may
 * be destroyed, after every other has stopped being used. Code that takes a
 * signer borrows it (const pointer) unless its documentation says it takes it over.
 * Callers use vouch_signer_sign(), never @sign directly: it checks the lengths.
 *
 * Threads: the fields are read-only after construction. Whether @sign may run in
 * several threads at once is the implementation's to say; the Ed25519 signer's
 * may (it reads its key and writes only the caller's buffers). A signer is never
 * destroyed while a sign may be under way.
 */
struct vouch_signer {
	enum vouch_signer_alg alg;
	uint8_t pk[VOUCH_SIGNER_PK_MAX]; /* the public key, @pklen bytes (format per @alg) */
	size_t pklen;
	size_t sig_max;             /* longest signature @sign writes, <= VOUCH_SIGNER_SIG_MAX */
	vouch_sign_fn sign;         /* NULL in an empty struct */
	void (*destroy)(void *ctx); /* releases @ctx (wiping any secret in it); may be NULL */
	void *ctx;                  /* the implementation's: its key, handle or connection */
};

/*
 * vouch_signer_ed25519() - an Ed25519 signer for @seed (RFC 8032's 32-byte private
 * key). The key is copied into guarded memory of its own (libsodium's
 * sodium_malloc: its pages locked against swap, left out of core dumps, between
 * guard pages, read-only once written, wiped and unmapped by destroy); the
 * caller wipes its @seed as soon as it likes. Signatures are deterministic, byte
 * for byte what any RFC 8032 signer (OpenSSL's, minisign's, Go's) makes.
 * @s: filled; on failure left empty (destroy is harmless either way).
 * Return: 0; -ENOMEM (no guarded memory); VOUCH_E_CRYPTO.
 */
int vouch_signer_ed25519(struct vouch_signer *s, const uint8_t seed[static 32]);

/*
 * vouch_signer_sign() - sign @len bytes of @msg with @s into @sig (@cap bytes).
 * The message is the algorithm's own input (Ed25519 signs it as is; ECDSA hashes
 * it): callers never prehash for the signer.
 * @siglen: receives the signature's length, at most @s->sig_max.
 * Return: 0; VOUCH_E_ALG (an empty signer); VOUCH_E_RANGE (@cap below @s->sig_max);
 * VOUCH_E_CRYPTO (the implementation failed, or wrote more than sig_max: then
 * @sig is wiped); whatever else @s->sign returns.
 */
int vouch_signer_sign(const struct vouch_signer *s, const uint8_t *msg, size_t len, uint8_t *sig,
                      size_t cap, size_t *siglen);

/*
 * vouch_signer_destroy() - release @s and leave it empty (VOUCH_SIGNER_NONE).
 * Accepts NULL and an empty or already destroyed signer.
 */
void vouch_signer_destroy(struct vouch_signer *s);

/*
 * vouch_wipe() - erase @len bytes at @p so that the compiler cannot leave the
 * store out: the one function for secrets on the stack and in buffers.
 */
void vouch_wipe(void *p, size_t len);

#endif
