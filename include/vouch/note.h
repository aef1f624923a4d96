/* SPDX-License-Identifier: Apache-2.0 */
/* C2SP signed notes, their keys, and C2SP checkpoints (no I/O). */
#ifndef VOUCH_NOTE_H
#define VOUCH_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "signer.h"
#include "tlog.h"

/* A key name: 1..255 printable ASCII bytes, no space and no '+'. */
#define VOUCH_NOTE_NAME_MAX 255
/* Longest verifier key text: name '+' 8 hex '+' base64(33 bytes), NUL. */
#define VOUCH_NOTE_VKEY_MAX (VOUCH_NOTE_NAME_MAX + 1 + 8 + 1 + 44 + 1)
/* Longest signer key text ("PRIVATE+KEY+" then as above). */
#define VOUCH_NOTE_SKEY_MAX (12 + VOUCH_NOTE_VKEY_MAX)
/* Longest note accepted, and most signature lines (as Go's sumdb/note). */
#define VOUCH_NOTE_MAX     (64 * 1024)
#define VOUCH_NOTE_SIG_MAX 100

/* A verifier key: name, key hash (its ID) and the Ed25519 public key. */
struct vouch_note_vkey {
	char name[VOUCH_NOTE_NAME_MAX + 1];
	uint32_t id;
	uint8_t pk[32];
};

/*
 * A signer key: the verifier half and the signer that holds the secret. v.name
 * and v.id are always set; v.pk is the Ed25519 public key (notes are verified
 * with Ed25519 keys only, so far), all zero for a signer of another algorithm.
 * Made by vouch_note_skey_init(), _from_seed() or _parse(), which leave it empty
 * on failure; released by vouch_note_skey_destroy(). It owns its signer: copy the
 * struct only as struct vouch_signer allows (better: pass a pointer).
 * Threads: as its signer (the Ed25519 key file's signs from any thread).
 */
struct vouch_note_skey {
	struct vouch_note_vkey v;
	struct vouch_signer signer;
};

/* vouch_note_name_ok() - 1 if @name may name a key (and a log's origin). */
int vouch_note_name_ok(const char *name);

/*
 * vouch_note_skey_init() - the key named @name for the signer @s, which it takes
 * over: on success *@s is left empty and @k destroys the signer; on failure *@s
 * is untouched (still the caller's). The key ID is the first 4 bytes of
 * SHA-256(name "\n" type pk), type 0x01 for Ed25519 and 0x02 for ECDSA P-256.
 * Return: 0, VOUCH_E_RANGE (bad name), VOUCH_E_ALG (no note type for @s->alg),
 * VOUCH_E_CRYPTO.
 */
int vouch_note_skey_init(struct vouch_note_skey *k, const char *name, struct vouch_signer *s);
/*
 * vouch_note_skey_from_seed() - the key named @name for the Ed25519 @seed (a
 * guarded copy: wipe @seed when you like).
 * Return: 0, VOUCH_E_RANGE (bad name), -ENOMEM or VOUCH_E_CRYPTO.
 */
int vouch_note_skey_from_seed(struct vouch_note_skey *k, const char *name,
                              const uint8_t seed[static 32]);
/* vouch_note_skey_destroy() - destroy @k's signer and empty @k. Accepts NULL. */
void vouch_note_skey_destroy(struct vouch_note_skey *k);

/*
 * vouch_note_vkey_format() - "name+hhhhhhhh+base64(0x01 pk)", NUL-terminated.
 * vouch_note_skey_format() - "PRIVATE+KEY+name+hhhhhhhh+base64(0x01 seed)", the
 * key file: only an Ed25519 key file's signer can be written out (else
 * VOUCH_E_ALG, and @out is the empty string). Wipe @out after use.
 * Both as Go's golang.org/x/mod/sumdb/note writes them.
 */
void vouch_note_vkey_format(const struct vouch_note_vkey *k, char out[static VOUCH_NOTE_VKEY_MAX]);
int vouch_note_skey_format(const struct vouch_note_skey *k, char out[static VOUCH_NOTE_SKEY_MAX]);

/*
 * vouch_note_vkey_parse() / vouch_note_skey_parse() - the reverse, strictly
 * (surrounding whitespace not allowed). The key ID must match the key. A
 * parsed signer key holds its seed in its signer's guarded memory only
 * (destroy it with vouch_note_skey_destroy()).
 * Return: 0; VOUCH_E_KEYTYPE (not a key of this kind); VOUCH_E_ALG (not
 * Ed25519); VOUCH_E_BASE64, VOUCH_E_LENGTH, VOUCH_E_RANGE (bad name);
 * VOUCH_E_KEYPAIR (the ID does not match); -ENOMEM; VOUCH_E_CRYPTO.
 */
int vouch_note_vkey_parse(struct vouch_note_vkey *k, const char *text, size_t len);
int vouch_note_skey_parse(struct vouch_note_skey *k, const char *text, size_t len);

/*
 * vouch_note_sign() - a signed note: @text (which must end in a newline and
 * hold no blank line... only non-empty lines) followed by a blank line and one
 * signature line by @k: its key ID and its signer's signature, of whatever
 * length the algorithm gives.
 * @out: receives at most @cap bytes; *@outlen its length (no NUL added).
 * Return: 0; VOUCH_E_NOTE if @text is not note text; VOUCH_E_TOOBIG; VOUCH_E_CRYPTO;
 * what the signer returns (vouch_signer_sign()).
 */
int vouch_note_sign(const struct vouch_note_skey *k, const char *text, size_t len, char *out,
                    size_t cap, size_t *outlen);

/*
 * vouch_note_open() - check that @note carries a valid signature by @k.
 * Signatures by other keys are ignored, as the C2SP spec says.
 * @textlen: receives the length of the signed text (a prefix of @note).
 * Return: 0; VOUCH_E_NOTE (malformed); VOUCH_E_WRONGKEY (no signature by @k);
 * VOUCH_E_BADSIG (a signature by @k that does not verify); VOUCH_E_CRYPTO.
 */
int vouch_note_open(const struct vouch_note_vkey *k, const char *note, size_t len, size_t *textlen);

/* A C2SP checkpoint's body. */
struct vouch_checkpoint {
	char origin[VOUCH_NOTE_NAME_MAX + 1];
	uint64_t size;
	uint8_t root[VOUCH_TLOG_HASH];
};

/* Longest checkpoint body vouch writes. */
#define VOUCH_CHECKPOINT_MAX (VOUCH_NOTE_NAME_MAX + 64)

/*
 * vouch_checkpoint_format() - "origin\nsize\nbase64(root)\n" into @out.
 * Return: the length written, or VOUCH_E_RANGE if @cap is too small.
 */
int vouch_checkpoint_format(const struct vouch_checkpoint *c, char *out, size_t cap);
/*
 * vouch_checkpoint_parse() - parse a checkpoint body (the text of a note);
 * extension lines after the root are allowed and ignored.
 * Return: 0 or VOUCH_E_CHECKPOINT.
 */
int vouch_checkpoint_parse(struct vouch_checkpoint *c, const char *text, size_t len);

#endif
