/* SPDX-License-Identifier: Apache-2.0 */
/* minisign-compatible keys and signatures: parse, format, sign, verify (no I/O). */
#ifndef VOUCH_MINISIGN_H
#define VOUCH_MINISIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "signer.h"

#define VOUCH_KEYID_LEN 8
#define VOUCH_PK_LEN    32
#define VOUCH_SEED_LEN  32
#define VOUCH_SIG_LEN   64
#define VOUCH_SALT_LEN  32
/*
 * Longest comments, in bytes, excluding the "untrusted comment: " and
 * "trusted comment: " prefixes: what minisign 0.11 can read back (its 1024- and
 * 8192-byte line buffers, less prefix, newline and NUL), so that everything vouch
 * signs verifies with minisign too. Measured against Debian's minisign.
 */
#define VOUCH_COMMENT_MAX  1003
#define VOUCH_TCOMMENT_MAX 8173
/* Largest signature file accepted: both comments at their maximum plus the rest. */
#define VOUCH_SIGFILE_MAX 16384
/* Largest key file accepted. */
#define VOUCH_KEYFILE_MAX 4096
/* minisign's defaults (libsodium's scryptsalsa208sha256 "sensitive" limits). */
#define VOUCH_KDF_OPSLIMIT_DEFAULT 33554432ULL
#define VOUCH_KDF_MEMLIMIT_DEFAULT 1073741824ULL
/* Largest scrypt memory a key may ask for before it is refused (4 GiB). */
#define VOUCH_KDF_MEMLIMIT_MAX 4294967296ULL

/* A public key (minisign's, or signify's which has the same layout). */
struct vouch_pubkey {
	uint8_t keyid[VOUCH_KEYID_LEN]; /* as stored: little-endian */
	uint8_t pk[VOUCH_PK_LEN];
};

/*
 * A decrypted secret key. It lives in guarded memory (sodium_malloc: locked
 * against swap, out of core dumps, between guard pages): only
 * vouch_keypair_generate() and vouch_seckey_decrypt() make one, and
 * vouch_seckey_free() wipes and releases it. It signs nothing itself: make a
 * signer of it (vouch_seckey_signer()), then free it.
 * Threads: read-only once made; free it when no thread uses it.
 */
struct vouch_seckey {
	uint8_t keyid[VOUCH_KEYID_LEN];
	uint8_t seed[VOUCH_SEED_LEN];
	uint8_t pk[VOUCH_PK_LEN];
};

/*
 * A secret key file as parsed, before decryption. The key is in the clear in an
 * unencrypted file's keynum_sk: vouch_wipe() the struct as soon as it is decrypted.
 */
struct vouch_seckey_file {
	bool encrypted; /* "Sc" (scrypt) or unencrypted (kdf bytes zero) */
	uint8_t salt[VOUCH_SALT_LEN];
	uint64_t opslimit, memlimit;
	uint8_t keynum_sk[104]; /* keyid || seed || pk || checksum, maybe encrypted */
};

enum vouch_sig_alg {
	VOUCH_SIG_LEGACY = 0,    /* "Ed": Ed25519 over the message itself */
	VOUCH_SIG_PREHASHED = 1, /* "ED": Ed25519 over BLAKE2b-512 of the message */
};

/* A signature file. has_trusted is false for signify signatures (two lines). */
struct vouch_sig {
	enum vouch_sig_alg alg;
	uint8_t keyid[VOUCH_KEYID_LEN];
	uint8_t sig[VOUCH_SIG_LEN];
	bool has_trusted;
	uint8_t global_sig[VOUCH_SIG_LEN];
	char untrusted[VOUCH_COMMENT_MAX + 1]; /* NUL-terminated */
	char trusted[VOUCH_TCOMMENT_MAX + 1];  /* NUL-terminated */
};

/*
 * vouch_keyid_hex() - a key id as minisign prints it: 16 upper-case hex
 * digits of the id read as a little-endian integer. @out holds 17 bytes.
 */
void vouch_keyid_hex(const uint8_t keyid[static VOUCH_KEYID_LEN], char out[static 17]);

/*
 * vouch_pubkey_parse() - parse a public key file (minisign or signify).
 * @text, @len: the whole file; it must be exactly an "untrusted comment:" line
 * and one base64 line (an optional final newline, CR before LF tolerated).
 * Return: 0; VOUCH_E_EMPTY, VOUCH_E_NOCOMMENT, VOUCH_E_LINE, VOUCH_E_BASE64,
 * VOUCH_E_LENGTH, VOUCH_E_KEYTYPE (a secret key or signature given instead),
 * VOUCH_E_ALG, VOUCH_E_TRAILING, VOUCH_E_TOOBIG.
 */
int vouch_pubkey_parse(struct vouch_pubkey *out, const char *text, size_t len);
/* vouch_pubkey_parse_base64() - parse only the base64 line (minisign -P). Same returns. */
int vouch_pubkey_parse_base64(struct vouch_pubkey *out, const char *b64, size_t len);
/*
 * vouch_pubkey_format() - write a minisign public key file into @out (cap bytes).
 * Return: 0 with *@outlen set, or VOUCH_E_TOOBIG if @cap is too small.
 */
int vouch_pubkey_format(const struct vouch_pubkey *pk, char *out, size_t cap, size_t *outlen);

/*
 * vouch_keypair_generate() - a fresh random key pair and key id.
 * @sk: receives the secret key, in guarded memory, owned by the caller (vouch_seckey_free()).
 * @pk: receives its public key.
 * Return: 0, -ENOMEM or VOUCH_E_CRYPTO (then *@sk is NULL).
 */
int vouch_keypair_generate(struct vouch_seckey **sk, struct vouch_pubkey *pk);
/* vouch_seckey_public() - the public key that belongs to @sk. */
void vouch_seckey_public(const struct vouch_seckey *sk, struct vouch_pubkey *pk);
/*
 * vouch_seckey_signer() - an Ed25519 signer for @sk (vouch_signer_ed25519(): a
 * guarded copy of its own), for vouch_sig_sign() and vouch_bundle_seal() with
 * @sk->keyid. @sk may be freed at once; destroy @s with vouch_signer_destroy().
 * Return: 0, -ENOMEM or VOUCH_E_CRYPTO (@s left empty).
 */
int vouch_seckey_signer(const struct vouch_seckey *sk, struct vouch_signer *s);
/* vouch_seckey_free() - wipe and release @sk. Accepts NULL. */
void vouch_seckey_free(struct vouch_seckey *sk);

/*
 * vouch_seckey_parse() - parse a secret key file. Same returns as
 * vouch_pubkey_parse(), plus VOUCH_E_KDF for an unknown KDF or checksum algorithm.
 */
int vouch_seckey_parse(struct vouch_seckey_file *out, const char *text, size_t len);
/*
 * vouch_seckey_decrypt() - decrypt (if encrypted) and check a parsed secret key.
 * @pw, @pwlen: the password; ignored for an unencrypted key.
 * @out: receives the key, in guarded memory, owned by the caller
 * (vouch_seckey_free()); NULL on failure.
 * Derives the keystream with scrypt exactly as minisign (libsodium's
 * opslimit/memlimit to N, r, p mapping). Takes ~1 s and 1 GiB at minisign's defaults.
 * Return: 0; VOUCH_E_PASSWORD (checksum mismatch: wrong password or corrupt key);
 * VOUCH_E_KDF (limits beyond VOUCH_KDF_MEMLIMIT_MAX); VOUCH_E_KEYPAIR; VOUCH_E_CRYPTO;
 * -ENOMEM (no guarded memory).
 */
int vouch_seckey_decrypt(const struct vouch_seckey_file *f, const char *pw, size_t pwlen,
                         struct vouch_seckey **out);
/*
 * vouch_seckey_format() - write a minisign secret key file.
 * @pw: password, or NULL for an unencrypted key.
 * @opslimit, @memlimit: scrypt limits (use the VOUCH_KDF_*_DEFAULT values).
 * Return: 0 with *@outlen set; VOUCH_E_TOOBIG; VOUCH_E_KDF; VOUCH_E_CRYPTO; -ENOMEM.
 */
int vouch_seckey_format(const struct vouch_seckey *sk, const char *pw, size_t pwlen,
                        uint64_t opslimit, uint64_t memlimit, char *out, size_t cap,
                        size_t *outlen);

/*
 * vouch_comment_check() - 0 if @s (@len bytes) may be a comment: no control
 * characters except TAB, valid length for @trusted; else VOUCH_E_CONTROL or VOUCH_E_TOOBIG.
 */
int vouch_comment_check(const char *s, size_t len, bool trusted);

/*
 * vouch_sig_parse() - parse a signature file: minisign's four lines, or
 * signify's two (then has_trusted is false).
 * Return: 0; VOUCH_E_EMPTY, VOUCH_E_TOOBIG, VOUCH_E_NOCOMMENT, VOUCH_E_LINE,
 * VOUCH_E_BASE64, VOUCH_E_LENGTH, VOUCH_E_KEYTYPE, VOUCH_E_ALG,
 * VOUCH_E_NOTRUSTED, VOUCH_E_CONTROL, VOUCH_E_TRAILING.
 */
int vouch_sig_parse(struct vouch_sig *out, const char *text, size_t len);
/* vouch_sig_format() - write a minisign signature file. Return: 0 or VOUCH_E_TOOBIG. */
int vouch_sig_format(const struct vouch_sig *sig, char *out, size_t cap, size_t *outlen);

/*
 * vouch_sig_sign() - sign: the signature and the global signature (over it and
 * the trusted comment), both by @s.
 * @s: an Ed25519 signer (minisign has no other algorithm), borrowed.
 * @keyid: the key id written into the signature (the key's, vouch_seckey's keyid).
 * @msg, @len: for VOUCH_SIG_PREHASHED the 64-byte BLAKE2b-512 of the data,
 *   for VOUCH_SIG_LEGACY the data itself.
 * @untrusted, @trusted: NUL-terminated comments (checked by vouch_comment_check()).
 * Return: 0; VOUCH_E_CONTROL; VOUCH_E_TOOBIG; VOUCH_E_LENGTH; VOUCH_E_ALG (@s is
 * not Ed25519); VOUCH_E_CRYPTO; what vouch_signer_sign() returns.
 */
int vouch_sig_sign(struct vouch_sig *out, const struct vouch_signer *s,
                   const uint8_t keyid[static VOUCH_KEYID_LEN], enum vouch_sig_alg alg,
                   const uint8_t *msg, size_t len, const char *untrusted, const char *trusted);
/*
 * vouch_sig_verify() - verify a parsed signature. @msg as for vouch_sig_sign().
 * Return: 0 verified; VOUCH_E_WRONGKEY (key id differs); VOUCH_E_BADSIG (data
 * modified, or signed by another key with a forged id); VOUCH_E_BADCOMMENT
 * (trusted comment modified); VOUCH_E_LENGTH; VOUCH_E_CRYPTO.
 */
int vouch_sig_verify(const struct vouch_sig *sig, const struct vouch_pubkey *pk, const uint8_t *msg,
                     size_t len);

#endif
