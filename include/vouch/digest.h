/* SPDX-License-Identifier: Apache-2.0 */
/* Streaming SHA-256 and BLAKE2b over caller buffers (no I/O). */
#ifndef VOUCH_DIGEST_H
#define VOUCH_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define VOUCH_SHA256_LEN     32
#define VOUCH_BLAKE2B512_LEN 64
#define VOUCH_BLAKE2B256_LEN 32

/* Opaque streaming contexts; create/destroy pairs. destroy accepts NULL. */
struct vouch_sha256;
struct vouch_blake2b;

/*
 * vouch_sha256_create() - start a SHA-256 computation (OpenSSL EVP, which uses
 * the CPU's SHA extensions where present).
 * @out: receives the new context, owned by the caller.
 * Return: 0, -ENOMEM or VOUCH_E_CRYPTO. Contexts are not shared between threads.
 */
int vouch_sha256_create(struct vouch_sha256 **out);
/* vouch_sha256_update() - absorb @len bytes. Return: 0 or VOUCH_E_CRYPTO. */
int vouch_sha256_update(struct vouch_sha256 *ctx, const void *data, size_t len);
/*
 * vouch_sha256_final() - write the digest and reset @ctx for reuse.
 * Return: 0 or VOUCH_E_CRYPTO.
 */
int vouch_sha256_final(struct vouch_sha256 *ctx, uint8_t out[static VOUCH_SHA256_LEN]);
void vouch_sha256_destroy(struct vouch_sha256 *ctx);
/* vouch_sha256() - one-shot digest of a buffer. Return: 0, -ENOMEM or VOUCH_E_CRYPTO. */
int vouch_sha256(const void *data, size_t len, uint8_t out[static VOUCH_SHA256_LEN]);

/*
 * vouch_blake2b_create() - start an unkeyed BLAKE2b computation.
 * @out: receives the new context, owned by the caller.
 * @outlen: digest length, 1..64 (minisign uses 64 for prehashing, 32 for key checksums).
 * Return: 0, -ENOMEM or VOUCH_E_RANGE.
 */
int vouch_blake2b_create(struct vouch_blake2b **out, size_t outlen);
/* vouch_blake2b_update() - absorb @len bytes. Return: 0 or VOUCH_E_CRYPTO. */
int vouch_blake2b_update(struct vouch_blake2b *ctx, const void *data, size_t len);
/*
 * vouch_blake2b_final() - write the digest (@outlen bytes as given at create).
 * The context may not be updated afterwards. Return: 0 or VOUCH_E_CRYPTO.
 */
int vouch_blake2b_final(struct vouch_blake2b *ctx, uint8_t *out);
void vouch_blake2b_destroy(struct vouch_blake2b *ctx);
/* vouch_blake2b() - one-shot digest. Return: 0, -ENOMEM, VOUCH_E_RANGE or VOUCH_E_CRYPTO. */
int vouch_blake2b(const void *data, size_t len, uint8_t *out, size_t outlen);

/*
 * vouch_hex() - lower-case hex of @len bytes into @out, which must hold 2*len+1
 * bytes; NUL-terminated.
 */
void vouch_hex(const uint8_t *in, size_t len, char *out);

#endif
