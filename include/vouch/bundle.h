/* SPDX-License-Identifier: Apache-2.0 */
/* Signed policy bundles: a compiled policy and its trust set in one file (no I/O). */
#ifndef VOUCH_BUNDLE_H
#define VOUCH_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "decide.h"
#include "minisign.h"

/*
 * Layout (all integers big-endian; see docs/formats.md):
 *   "VOUCHPOL" | u32 version (1) | u32 header length H | header (H bytes) |
 *   u64 entry count N | N entries of 48 bytes:
 *     sha256[32] | u32 flags | u32 deny_msg | u32 allow_msg | u32 manifest
 *   -- the payload ends here; the signature trailer follows --
 *   minisign signature file text ("ED" over the payload) | u32 its length | "VOUCHSIG"
 * Header: u8 mode | u32 gates | i64 expires | i64 compiled | u32 message |
 *   source_sha256[32] | u32 nstrings, each u32 len + bytes (no NUL) |
 *   u32 nsigners, each u32 name + keyid[8] + pk[32] |
 *   u32 nmanifests, each u32 path + u32 signer + sha256[32] + u64 entries |
 *   u32 source length + source bytes (no NUL) |
 *   [u64 max_size, only when the policy sets 'max-size': at least 1024].
 * Entries are sorted by sha256, strictly increasing; every index is in range.
 *
 * The rules, applied alike by serialize and parse (so whatever parses
 * re-serializes to the same bytes):
 * - mode is 0 or 1; gates holds only VOUCH_GATE_* bits; expires, compiled >= 0;
 *   max_size is 0 (absent: the default) or at least 1024.
 * - H <= VOUCH_BUNDLE_HEADER_MAX and the header fills exactly H bytes; the
 *   three table counts are below VOUCH_NONE; a string is at most
 *   VOUCH_BUNDLE_STRING_MAX bytes, the source at most VOUCH_POLICY_MAX.
 * - message is VOUCH_NONE or a string index; a signer's name and a manifest's
 *   path are string indices; a manifest's signer is a signer index.
 * - N <= VOUCH_BUNDLE_MAX_ENTRIES; the entries end exactly where the trailer
 *   begins; each entry passes vouch_trust_rec_check().
 * - The trailer is exactly the signature text, its length and the magic; the
 *   signature is "ED" (prehashed) with a trusted comment, and its text is
 *   byte for byte what vouch_sig_format() writes (one encoding: no CR, no
 *   variant base64). The signed message is BLAKE2b-512 of the payload (every
 *   byte before the trailer).
 */
#define VOUCH_BUNDLE_MAGIC     "VOUCHPOL"
#define VOUCH_BUNDLE_SIGMAGIC  "VOUCHSIG"
#define VOUCH_BUNDLE_VERSION   1
#define VOUCH_BUNDLE_ENTRY_LEN 48
/* Most entries, largest header and longest table string a bundle may hold. */
#define VOUCH_BUNDLE_MAX_ENTRIES ((uint64_t)16 * 1024 * 1024)
#define VOUCH_BUNDLE_HEADER_MAX  ((size_t)32 * 1024 * 1024)
#define VOUCH_BUNDLE_STRING_MAX  4096
/* Largest bundle accepted: 16M entries and a generous header. */
#define VOUCH_BUNDLE_MAX ((size_t)16 * 1024 * 1024 * VOUCH_BUNDLE_ENTRY_LEN + 64 * 1024 * 1024)

struct vouch_trust_entry {
	uint8_t sha256[VOUCH_SHA256_LEN];
	struct vouch_trust_rec rec;
};

/* A parsed bundle. Entries point into the buffer given to vouch_bundle_parse(). */
struct vouch_bundle {
	struct vouch_cpolicy policy; /* owned; freed by vouch_bundle_free() */
	const uint8_t *entries;      /* N * 48 bytes inside the caller's buffer */
	uint64_t nentries;
	size_t payload_len; /* bytes covered by the signature */
};

/*
 * vouch_bundle_serialize() - the unsigned payload.
 * @entries: sorted by sha256, unique.
 * @out: receives a malloc'd buffer owned by the caller.
 * Return: 0; -ENOMEM; VOUCH_E_BUNDLE (unsorted entries, index out of range).
 */
int vouch_bundle_serialize(const struct vouch_cpolicy *cp, const struct vouch_trust_entry *entries,
                           uint64_t n, uint8_t **out, size_t *len);

/*
 * vouch_bundle_seal() - append the signature trailer to a payload.
 * @buf: the payload from vouch_bundle_serialize(); realloc'd to hold the trailer.
 * @s, @keyid: the owner's key: an Ed25519 signer (borrowed) and its minisign key id.
 * @trusted_comment: signed with the payload; NULL for an empty one.
 * The untrusted comment is "vouch policy bundle".
 * Return: 0; -ENOMEM; VOUCH_E_CRYPTO; VOUCH_E_ALG (@s is not Ed25519);
 * VOUCH_E_CONTROL or VOUCH_E_TOOBIG (the comment); VOUCH_E_TOOBIG (the sealed
 * bundle would exceed VOUCH_BUNDLE_MAX); what the signer returns.
 */
int vouch_bundle_seal(uint8_t **buf, size_t *len, const struct vouch_signer *s,
                      const uint8_t keyid[static VOUCH_KEYID_LEN], const char *trusted_comment);

/*
 * vouch_bundle_parse() - parse a sealed bundle strictly (the signature is
 * parsed, not verified). @data must outlive @b.
 * @sig: receives the parsed signature trailer.
 * On failure @b is left empty (vouch_bundle_free() is harmless either way).
 * Return: 0; VOUCH_E_BUNDLE (malformed payload or trailer); VOUCH_E_UNSIGNED
 * (the payload ends the data: no trailer at all); VOUCH_E_TOOBIG (over
 * VOUCH_BUNDLE_MAX); a vouch_sig_parse() error; VOUCH_E_ALG (not a prehashed
 * signature with a trusted comment); -ENOMEM.
 */
int vouch_bundle_parse(struct vouch_bundle *b, struct vouch_sig *sig, const uint8_t *data,
                       size_t len);

/*
 * vouch_bundle_verify() - verify the trailer signature over the payload.
 * @b, @sig, @data: as given to and filled by a successful vouch_bundle_parse().
 * Return: as vouch_sig_verify(); VOUCH_E_ALG.
 */
int vouch_bundle_verify(const struct vouch_bundle *b, const struct vouch_sig *sig,
                        const uint8_t *data, const struct vouch_pubkey *pk);

/* vouch_bundle_entry() - decode entry @i (< nentries; not checked). */
void vouch_bundle_entry(const struct vouch_bundle *b, uint64_t i, struct vouch_trust_entry *e);

/*
 * vouch_bundle_lookup() - binary search for @sha256. No allocation; thread-safe.
 * Return: 0 with @rec set, or VOUCH_E_NOTFOUND.
 */
int vouch_bundle_lookup(const struct vouch_bundle *b, const uint8_t sha256[static 32],
                        struct vouch_trust_rec *rec);

void vouch_bundle_free(struct vouch_bundle *b);

/*
 * vouch_trust_rec_check() - whether @rec is consistent with @cp: flags are
 * non-zero and only VOUCH_TRUST_* bits; deny_msg is VOUCH_NONE without
 * VOUCH_TRUST_DENY, else VOUCH_NONE or a string index; allow_msg likewise with
 * VOUCH_TRUST_ALLOW; manifest is a manifest index with VOUCH_TRUST_MANIFEST,
 * else VOUCH_NONE. (vouch_decide() may then use every index without checking.)
 * Return: 0 or VOUCH_E_BUNDLE.
 */
int vouch_trust_rec_check(const struct vouch_cpolicy *cp, const struct vouch_trust_rec *rec);

/*
 * vouch_cpolicy_serialize() / vouch_cpolicy_parse() - just the header, as the
 * trust store keeps it. parse fills a fresh @cp (free with vouch_cpolicy_free();
 * on failure it is left empty). serialize checks @cp by the rules above.
 * Ownership of a struct vouch_cpolicy, as vouch_cpolicy_free() releases it:
 * strings (the array, and each string), signers, manifests and source are each
 * one malloc'd block; source may be NULL (serialized as empty; parse gives "").
 * @out: receives a malloc'd buffer owned by the caller.
 * Return: 0; -ENOMEM; VOUCH_E_BUNDLE.
 */
int vouch_cpolicy_serialize(const struct vouch_cpolicy *cp, uint8_t **out, size_t *len);
int vouch_cpolicy_parse(struct vouch_cpolicy *cp, const uint8_t *data, size_t len);

#endif
