/* SPDX-License-Identifier: Apache-2.0 */
/* Streaming SHA-256 and BLAKE2b over caller buffers, in contexts the caller allocates (no I/O). */
#ifndef VOUCH_DIGEST_H
#define VOUCH_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define VOUCH_SHA256_LEN     32
#define VOUCH_BLAKE2B512_LEN 64
#define VOUCH_BLAKE2B256_LEN 32

/*
 * A SHA-256 computation. The caller allocates it (on the stack, inside its own
 * struct) and owns it; nothing else is allocated. Its bytes are the library's:
 * only the functions below touch them. The one SHA-256 of the project: every
 * module, from file hashing to the Merkle tree's nodes, goes through it (OpenSSL's
 * block function, which uses the CPU's SHA extensions where present, without
 * EVP's per-call cost: a log hashes millions of 65-byte nodes).
 * Threads: one context, one thread at a time; different contexts are independent.
 */
struct vouch_sha256 {
	uint32_t opaque[28];
};

/* vouch_sha256_init() - start (or restart) @ctx. Return: 0 or VOUCH_E_CRYPTO. */
int vouch_sha256_init(struct vouch_sha256 *ctx);
/* vouch_sha256_update() - absorb @len bytes. Return: 0 or VOUCH_E_CRYPTO. */
int vouch_sha256_update(struct vouch_sha256 *ctx, const void *data, size_t len);
/*
 * vouch_sha256_final() - write the digest and wipe @ctx, on success and on failure
 * alike; vouch_sha256_init() it again to reuse it.
 * Return: 0 or VOUCH_E_CRYPTO.
 */
int vouch_sha256_final(struct vouch_sha256 *ctx, uint8_t out[static VOUCH_SHA256_LEN]);
/* vouch_sha256_wipe() - abandon a computation (an error path): wipes @ctx. */
void vouch_sha256_wipe(struct vouch_sha256 *ctx);
/* vouch_sha256() - one-shot digest of a buffer. Return: 0 or VOUCH_E_CRYPTO. */
int vouch_sha256(const void *data, size_t len, uint8_t out[static VOUCH_SHA256_LEN]);

/*
 * An unkeyed BLAKE2b computation (libsodium's, the fastest for the CPU), caller
 * allocated as struct vouch_sha256 is. It must be 64-byte aligned, as the compiler
 * places it on the stack or in a struct; a heap copy needs aligned_alloc(64, ...).
 * Threads: as struct vouch_sha256.
 */
struct vouch_blake2b {
	_Alignas(64) uint8_t opaque[384];
	size_t outlen;
};

/*
 * vouch_blake2b_init() - start @ctx for an @outlen-byte digest, 1..64 (minisign
 * uses 64 for prehashing, 32 for key checksums).
 * Return: 0, VOUCH_E_RANGE or VOUCH_E_CRYPTO.
 */
int vouch_blake2b_init(struct vouch_blake2b *ctx, size_t outlen);
/* vouch_blake2b_update() - absorb @len bytes. Return: 0 or VOUCH_E_CRYPTO. */
int vouch_blake2b_update(struct vouch_blake2b *ctx, const void *data, size_t len);
/*
 * vouch_blake2b_final() - write the digest (@outlen bytes as given at init) and
 * wipe @ctx, on success and on failure alike. Return: 0 or VOUCH_E_CRYPTO.
 */
int vouch_blake2b_final(struct vouch_blake2b *ctx, uint8_t *out);
/* vouch_blake2b_wipe() - abandon a computation: wipes @ctx. */
void vouch_blake2b_wipe(struct vouch_blake2b *ctx);
/* vouch_blake2b() - one-shot digest. Return: 0, VOUCH_E_RANGE or VOUCH_E_CRYPTO. */
int vouch_blake2b(const void *data, size_t len, uint8_t *out, size_t outlen);

#endif
