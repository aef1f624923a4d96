/* SPDX-License-Identifier: Apache-2.0 */
/* TUF 1.0: canonical JSON, keys and signatures, metadata, and the client workflow (no I/O). */
#ifndef VOUCH_TUF_H
#define VOUCH_TUF_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "signer.h"

/*
 * The Update Framework, 1.0.x (https://theupdateframework.github.io/specification/latest/),
 * as docs/formats.md ("TUF metadata") describes the profile vouch reads. Everything here is
 * pure: JSON text is parsed with jansson from caller buffers, files are fetched and stored by
 * the caller through struct vouch_tuf_io.
 *
 * Changes to the shapes of /tmp/lt/tuf-api.md (additions only; every call there keeps its
 * prototype):
 * - struct vouch_tuf_io gained a last field @remove (may be NULL): the core calls it for a
 *   trusted role file it stops trusting (spec 5.3.11, fast-forward recovery).
 * - struct vouch_tuf_target gained @hashes (borrowed: every hash listed, in file order).
 * - vouch_tuf_client_limits(): the byte limits and counts of the fetches, settable.
 * - vouch_tuf_client_load() only records the bytes; they are verified by the next refresh
 *   (or target lookup, for delegated roles) in the spec's order, and ignored if they fail.
 * - vouch_tuf_parse(): jansson's parse of a buffer as TUF reads JSON (duplicates refused).
 * - vouch_tuf_key_type(), vouch_tuf_key_id().
 * - A refresh is all or nothing (see vouch_tuf_client_refresh()).
 * - vouch_tuf_client_version(): the version of a trusted role, 0 if none (for tests and
 *   status lines).
 * - Error codes VOUCH_E_TUF .. VOUCH_E_TUF_HASH (include/vouch/error.h).
 *
 * Threads: every function here is reentrant; one struct vouch_tuf_client or struct
 * vouch_tuf_key is used by one thread at a time.
 */

/*
 * vouch_tuf_canonical() - the OLPC canonical JSON of @v, as securesystemslib's
 * encode_canonical writes it (TUF signs these bytes): object members sorted by the UTF-8 bytes
 * of their names, no whitespace, strings with only '"' and '\\' escaped (as \" and \\, every
 * other character as its raw UTF-8, control characters included), integers in decimal,
 * true, false and null. Real numbers are refused (TUF has none, and their spelling is not
 * canonical).
 * @out: receives a malloc'd, NUL-terminated text (the caller frees it); @len its length.
 * Return: 0; VOUCH_E_TUF (a real number, or a string or name that is not UTF-8 or holds
 * NUL); -ENOMEM.
 */
int vouch_tuf_canonical(const json_t *v, char **out, size_t *len);

/*
 * vouch_tuf_parse() - parse @len bytes of JSON text as TUF reads it: jansson with duplicate
 * object names refused (JSON_REJECT_DUPLICATES), no NUL in strings, nothing after the value.
 * @v: receives a new reference (json_decref() it).
 * Return: 0; VOUCH_E_TUF (not such JSON); -ENOMEM.
 */
int vouch_tuf_parse(json_t **v, const uint8_t *bytes, size_t len);

/* Key types. */
enum vouch_tuf_keytype {
	VOUCH_TUF_ED25519 = 1,        /* keytype "ed25519", scheme "ed25519": keyval 64 hex */
	VOUCH_TUF_ECDSA_P256 = 2,     /* keytype "ecdsa" (or "ecdsa-sha2-nistp256"), scheme
	                                 "ecdsa-sha2-nistp256": PEM SPKI; signatures DER in hex */
	VOUCH_TUF_RSA_PSS_SHA256 = 3, /* keytype "rsa", scheme "rsassa-pss-sha256": PEM SPKI;
	                                 verification only, any salt length, MGF1-SHA256 */
};

/* A TUF public key. Opaque; vouch_tuf_key_parse() makes one, vouch_tuf_key_destroy() frees. */
struct vouch_tuf_key;

/*
 * vouch_tuf_key_parse() - a key from its key object {"keytype":..,"scheme":..,"keyval":
 * {"public":..}} (other members are allowed and ignored).
 * @keyid: as the metadata lists it (TUF key ids need not be the hash); copied.
 * Return: 0; VOUCH_E_TUF (not a key object); VOUCH_E_ALG (a key type or scheme vouch does not
 * verify); VOUCH_E_KEYTYPE (the public key does not parse as its type, or is an RSA key under
 * 2048 bits or an EC key on another curve); -ENOMEM.
 */
int vouch_tuf_key_parse(struct vouch_tuf_key **k, const json_t *keyobj, const char *keyid);
void vouch_tuf_key_destroy(struct vouch_tuf_key *k); /* accepts NULL */
/* The key type of @k, and its key id as given to vouch_tuf_key_parse(). */
enum vouch_tuf_keytype vouch_tuf_key_type(const struct vouch_tuf_key *k);
const char *vouch_tuf_key_id(const struct vouch_tuf_key *k);

/*
 * vouch_tuf_key_verify() - whether @sighex (a signature in lower-case hex) is @k's signature
 * of the @len bytes at @msg.
 * Return: 0 valid; VOUCH_E_BADSIG (invalid, or not hex); VOUCH_E_CRYPTO.
 */
int vouch_tuf_key_verify(const struct vouch_tuf_key *k, const uint8_t *msg, size_t len,
                         const char *sighex);

/*
 * vouch_tuf_key_object() - the key object of @s's public key: ed25519 (keyval.public 64 hex)
 * or ecdsa / ecdsa-sha2-nistp256 (keyval.public the PEM SubjectPublicKeyInfo, as OpenSSL and
 * Python's cryptography write it: 64-column base64 lines, each line and the last ending in
 * "\n"). @keyobj: a new reference.
 * Return: 0; VOUCH_E_ALG (another algorithm); VOUCH_E_KEYTYPE (@s's point is not on P-256);
 * -ENOMEM; VOUCH_E_CRYPTO.
 */
int vouch_tuf_key_object(const struct vouch_signer *s, json_t **keyobj);

/*
 * vouch_tuf_keyid() - the key id TUF computes for @keyobj: the hex SHA-256 of its canonical
 * JSON. Return: 0; whatever vouch_tuf_canonical() returns; VOUCH_E_CRYPTO.
 */
int vouch_tuf_keyid(const json_t *keyobj, char out[static 65]);

/*
 * vouch_tuf_sign() - sign the canonical form of @signed_ with @s and append
 * {"keyid":@keyid,"sig":HEX} to the array @signatures.
 * Return: 0; whatever vouch_tuf_canonical() and vouch_signer_sign() return; VOUCH_E_RANGE
 * (@signatures is not an array); -ENOMEM.
 */
int vouch_tuf_sign(const json_t *signed_, const struct vouch_signer *s, const char *keyid,
                   json_t *signatures);

/* ---- The client (spec section 5). ---- */

struct vouch_tuf_io {
	void *ctx;
	/*
	 * Fetch @name, a path relative to the metadata base URL ("3.root.json",
	 * "timestamp.json", "7.snapshot.json", "12.targets.json", "4.a%2Fb.json": the core
	 * builds the names, URL-quoting role names), refusing more than @max bytes with
	 * VOUCH_E_TOOBIG. Return 0 with *@out (malloc'd, the core frees it) and *@len;
	 * VOUCH_E_NOTFOUND for a 404 or a missing file; another code for a transport failure.
	 */
	int (*fetch_meta)(void *ctx, const char *name, size_t max, uint8_t **out, size_t *len);
	/*
	 * Persist the verified bytes of a role as @file at the top of the metadata directory
	 * ("root.json", "timestamp.json", "snapshot.json", "targets.json", "a%2Fb.json"),
	 * exactly as fetched, atomically. Return 0 or an error code (the core then keeps its
	 * previous trusted state of that role and fails).
	 */
	int (*persist)(void *ctx, const char *file, const uint8_t *bytes, size_t len);
	/*
	 * May be NULL. Remove @file from the metadata directory: the core no longer trusts it
	 * (a timestamp or snapshot whose keys the new root rotated: fast-forward recovery).
	 * Errors are ignored (the file would not verify next time either).
	 */
	int (*remove)(void *ctx, const char *file);
};

/* The bounds of one client; python-tuf's defaults. Set them between create and refresh. */
struct vouch_tuf_limits {
	size_t root_max;             /* bytes of one root (512000) */
	size_t timestamp_max;        /* 16384 */
	size_t snapshot_max;         /* 2000000, unless the timestamp lists the length */
	size_t targets_max;          /* 5000000 for each targets role, unless listed */
	unsigned max_root_rotations; /* roots fetched in one refresh (256) */
	unsigned max_delegations;    /* roles visited in one target lookup (32) */
};

/* The trusted state of a TUF client. Opaque; one thread at a time. */
struct vouch_tuf_client;

/*
 * vouch_tuf_client_create() - a client trusting @root (the metadata directory's root.json),
 * which must be a root signed by a threshold of its own root keys (expiry is checked after
 * the next refresh's root updates, as the spec says). @now: the fixed start time of the
 * update (5.1), seconds since the epoch; every expiry is checked against it.
 * Return: 0; VOUCH_E_TUF, VOUCH_E_THRESHOLD (see vouch_tuf_client_error() ... of a NULL
 * client: use the code); -ENOMEM.
 */
int vouch_tuf_client_create(struct vouch_tuf_client **c, const uint8_t *root, size_t len,
                            int64_t now);
/* vouch_tuf_client_limits() - @c's limits, to read and to change. */
struct vouch_tuf_limits *vouch_tuf_client_limits(struct vouch_tuf_client *c);

/*
 * vouch_tuf_client_load() - hand over locally trusted metadata, @file as persisted
 * ("timestamp.json", "snapshot.json", "targets.json", "a%2Fb.json"; "root.json" is
 * create's). The bytes are copied and verified when the spec's workflow comes to them (the
 * next refresh; a delegated role at its lookup): one that does not verify, or is older than
 * what the workflow needs, is ignored (5.x), never fatal.
 * Return: 0; VOUCH_E_RANGE (a name that is not a role file, or "root.json"); -ENOMEM.
 */
int vouch_tuf_client_load(struct vouch_tuf_client *c, const char *file, const uint8_t *bytes,
                          size_t len);

/*
 * vouch_tuf_client_refresh() - spec 5.3 to 5.6: the root chain (each N+1 signed by the
 * thresholds of N and of N+1, version exactly N+1, at most max_root_rotations, the final
 * root unexpired, timestamp and snapshot dropped when the new root no longer verifies them),
 * then timestamp, snapshot and top-level targets with their versions, lengths, hashes and
 * expiry. All or nothing: the new roles are held in memory until every check has passed,
 * then persisted in the order root, timestamp, snapshot, targets (and io->remove called for
 * the files forgotten); a refusal anywhere leaves the trusted state, in memory and in the
 * metadata directory, as it was. (A persist that fails keeps the roles persisted before it:
 * each verifies on its own.)
 * Return: 0; VOUCH_E_TUF (malformed or refused metadata), VOUCH_E_THRESHOLD,
 * VOUCH_E_TUF_VERSION, VOUCH_E_TUF_EXPIRED, VOUCH_E_TUF_HASH, VOUCH_E_TOOBIG, VOUCH_E_NOTFOUND
 * (a role the workflow needs is missing), or what @io's callbacks returned; then
 * vouch_tuf_client_error() says which role and what.
 */
int vouch_tuf_client_refresh(struct vouch_tuf_client *c, const struct vouch_tuf_io *io);

/*
 * A target's verified description. Everything it points to belongs to the client and lives
 * until the next refresh or destroy.
 */
struct vouch_tuf_target {
	char *path;
	uint64_t length;
	char sha256[65];  /* "" when absent */
	char sha512[129]; /* "" when absent */
	json_t *custom;   /* borrowed; NULL when absent */
	json_t *hashes;   /* borrowed: every hash the role lists, in file order */
};

/*
 * vouch_tuf_client_target() - look up @path (5.6.7): the top-level targets, then delegations
 * pre-order depth-first, terminating roles ending the search, each role visited once, at most
 * max_delegations roles; delegated roles are loaded (from vouch_tuf_client_load()'s copy
 * when it verifies, otherwise fetched through @io, checked against the snapshot and persisted).
 * Call after a successful refresh.
 * Return: 0 with *@t; VOUCH_E_NOTFOUND (no role lists it); the refresh's codes for a
 * delegated role that fails.
 */
int vouch_tuf_client_target(struct vouch_tuf_client *c, const struct vouch_tuf_io *io,
                            const char *path, const struct vouch_tuf_target **t);

/*
 * vouch_tuf_target_name() - the file name to fetch @t under, relative to the targets base
 * URL: with consistent snapshots "DIR/HASH.NAME" (HASH the first hash listed, as python-tuf
 * picks it), otherwise the path. @name: malloc'd. Return: 0; -ENOMEM.
 */
int vouch_tuf_target_name(const struct vouch_tuf_client *c, const struct vouch_tuf_target *t,
                          char **name);

/*
 * vouch_tuf_target_check() - whether @bytes are @t: its length and every hash listed.
 * Return: 0; VOUCH_E_TUF_HASH (length or a hash differs, or a hash algorithm vouch does not
 * have); VOUCH_E_CRYPTO.
 */
int vouch_tuf_target_check(const struct vouch_tuf_target *t, const uint8_t *bytes, size_t len);

/*
 * vouch_tuf_client_error() - one line naming the role and what was wrong with the last
 * refusal ("timestamp: version 3 is older than the trusted version 5"); "" when none.
 * Valid until the next call on @c.
 */
const char *vouch_tuf_client_error(const struct vouch_tuf_client *c);

/*
 * vouch_tuf_client_version() - the version of trusted role @role ("root", "timestamp",
 * "snapshot", "targets" or a delegated role's name), 0 when none is trusted.
 */
uint64_t vouch_tuf_client_version(const struct vouch_tuf_client *c, const char *role);

void vouch_tuf_client_destroy(struct vouch_tuf_client *c); /* accepts NULL */

#endif
