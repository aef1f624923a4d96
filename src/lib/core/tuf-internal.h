/* SPDX-License-Identifier: Apache-2.0 */
/* TUF internals shared between the core's tuf-*.c files and the unit tests; not installed. */
#ifndef VOUCH_TUF_INTERNAL_H
#define VOUCH_TUF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* A malloc'd copy of the string @s (strdup(), which the core's allow-list leaves out). */
char *vouch_tuf_strdup(const char *s);

struct vouch_tuf_key;

/* The metadata types, and the top-level roles in a root's "roles" (in this order). */
enum tuf_type { TUF_ROOT, TUF_TIMESTAMP, TUF_SNAPSHOT, TUF_TARGETS };
#define TUF_NROLES 4
extern const char *const vouch_tuf_role_names[TUF_NROLES];

/* Keys by key id. @key is NULL for a key vouch cannot verify with (another type or scheme):
 * its signatures count for nothing, as python-tuf treats them. Strings borrow the document's. */
struct tuf_keyent {
	const char *keyid;
	struct vouch_tuf_key *key;
};
struct tuf_keyring {
	struct tuf_keyent *v;
	size_t n;
};

/* A role: a root's top-level role or a delegation (then @name, @terminating, one of @paths
 * and @prefixes: arrays of strings of the document). */
struct tuf_role {
	const char *name;
	const char **keyids;
	size_t nkeyids;
	uint64_t threshold;
	bool terminating;
	json_t *paths, *prefixes;
};

/* A "meta" entry of timestamp or snapshot. */
struct tuf_metafile {
	const char *name;
	uint64_t version;
	bool has_length;
	uint64_t length;
	json_t *hashes; /* NULL when none listed */
};

/* One parsed, checked metadata file (signatures not yet verified: vouch_tuf_meta_verify()). */
struct tuf_meta {
	enum tuf_type type;
	json_t *doc, *signed_, *sigs;
	char *canon; /* the canonical form of "signed": the bytes signatures cover */
	size_t canon_len;
	uint8_t *raw; /* the file's bytes as received */
	size_t raw_len;
	uint64_t version;
	int64_t expires;
	struct tuf_keyring keys;           /* root: its keys; targets: its delegations' */
	struct tuf_role roles[TUF_NROLES]; /* root */
	bool consistent_snapshot;          /* root */
	struct tuf_metafile *meta;         /* timestamp (one), snapshot */
	size_t nmeta;
	struct tuf_role *dele; /* targets: its delegated roles, in order */
	size_t ndele;
	json_t *targets; /* targets: the "targets" object */
};

/*
 * vouch_tuf_meta_parse() - parse and check @len bytes as metadata of type @want (docs/formats.md,
 * "TUF metadata"). On a refusal @why (@cap bytes) says what is wrong.
 * Return: 0; VOUCH_E_TUF; -ENOMEM.
 */
int vouch_tuf_meta_parse(struct tuf_meta **m, const uint8_t *bytes, size_t len, enum tuf_type want,
                         char *why, size_t cap);
void vouch_tuf_meta_free(struct tuf_meta *m);
/*
 * vouch_tuf_meta_verify() - whether @m carries valid signatures of at least @role's threshold of
 * distinct keys of @role's, with the keys in @keys. Return: 0; VOUCH_E_THRESHOLD; VOUCH_E_CRYPTO.
 */
int vouch_tuf_meta_verify(const struct tuf_meta *m, const struct tuf_keyring *keys,
                          const struct tuf_role *role, char *why, size_t cap);
const struct tuf_metafile *vouch_tuf_meta_file(const struct tuf_meta *m, const char *name);
/* Whether delegated role @r covers target @path (its paths or path_hash_prefixes). */
bool vouch_tuf_role_covers(const struct tuf_role *r, const char *path);
/* Whether @bytes have every hash in @hashes. Return: 0; VOUCH_E_TUF_HASH; VOUCH_E_CRYPTO. */
int vouch_tuf_hashes_check(const json_t *hashes, const uint8_t *bytes, size_t len);
/* "YYYY-MM-DDTHH:MM:SSZ" to seconds since the epoch. Return: true if it is that, exactly. */
bool vouch_tuf_time_parse(const char *s, int64_t *t);

#endif
