/* SPDX-License-Identifier: Apache-2.0 */
/* C2SP signed notes (Ed25519), their keys, and C2SP checkpoints (no I/O). */
#ifndef VOUCH_NOTE_H
#define VOUCH_NOTE_H

#include <stddef.h>
#include <stdint.h>

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

/* A signer key: the verifier half and the 32-byte Ed25519 seed. Wipe after use. */
struct vouch_note_skey {
	struct vouch_note_vkey v;
	uint8_t seed[32];
};

/* vouch_note_name_ok() - 1 if @name may name a key (and a log's origin). */
int vouch_note_name_ok(const char *name);

/*
 * vouch_note_skey_from_seed() - the key named @name for @seed: computes the
 * public key and the key ID (the first 4 bytes of SHA-256(name "\n" 0x01 pk)).
 * Return: 0, VOUCH_E_RANGE (bad name) or VOUCH_E_CRYPTO.
 */
int vouch_note_skey_from_seed(struct vouch_note_skey *k, const char *name,
                              const uint8_t seed[static 32]);

/*
 * vouch_note_vkey_format() - "name+hhhhhhhh+base64(0x01 pk)", NUL-terminated.
 * vouch_note_skey_format() - "PRIVATE+KEY+name+hhhhhhhh+base64(0x01 seed)".
 * Both as Go's golang.org/x/mod/sumdb/note writes them.
 */
void vouch_note_vkey_format(const struct vouch_note_vkey *k, char out[static VOUCH_NOTE_VKEY_MAX]);
void vouch_note_skey_format(const struct vouch_note_skey *k, char out[static VOUCH_NOTE_SKEY_MAX]);

/*
 * vouch_note_vkey_parse() / vouch_note_skey_parse() - the reverse, strictly
 * (surrounding whitespace not allowed). The key ID must match the key.
 * Return: 0; VOUCH_E_KEYTYPE (not a key of this kind); VOUCH_E_ALG (not
 * Ed25519); VOUCH_E_BASE64, VOUCH_E_LENGTH, VOUCH_E_RANGE (bad name);
 * VOUCH_E_KEYPAIR (the ID does not match); VOUCH_E_CRYPTO.
 */
int vouch_note_vkey_parse(struct vouch_note_vkey *k, const char *text, size_t len);
int vouch_note_skey_parse(struct vouch_note_skey *k, const char *text, size_t len);

/*
 * vouch_note_sign() - a signed note: @text (which must end in a newline and
 * hold no blank line... only non-empty lines) followed by a blank line and one
 * signature line by @k.
 * @out: receives at most @cap bytes; *@outlen its length (no NUL added).
 * Return: 0; VOUCH_E_NOTE if @text is not note text; VOUCH_E_TOOBIG; VOUCH_E_CRYPTO.
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
