/* SPDX-License-Identifier: Apache-2.0 */
/* vouchd's decision cache: verdicts keyed on a file's identity and change state. */
#ifndef VOUCHD_CACHE_H
#define VOUCHD_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "vouch/decide.h"

/*
 * What identifies one version of one file: device, inode, change time and size.
 * Never the path or mtime (which a user can set back): any write or metadata
 * change moves ctime, so a file edited in place is decided afresh.
 */
struct cache_key {
	uint64_t dev, ino;
	int64_t ctime_sec, ctime_nsec;
	uint64_t size;
	uint32_t access; /* CACHE_EXEC or CACHE_OPEN: they are gated differently */
};

/* The kind of access, known from the event mask before the file is read. */
enum { CACHE_EXEC = 0, CACHE_OPEN = 1 };

struct cache_val {
	bool code;   /* false: an open of a file that is not code, allowed without a decision */
	bool script; /* a #! script */
	bool allow, would_deny;
	enum vouch_rule rule;
	uint8_t sha256[32];
};

struct cache;

/*
 * A cache of 2^@bits slots (fixed at start: memory never grows). NULL on ENOMEM.
 * Thread-safe: slots are guarded by a fixed set of striped locks.
 */
struct cache *cache_create(unsigned bits);
void cache_destroy(struct cache *c);
void cache_key_from_stat(struct cache_key *k, const struct stat *st, uint32_t access);
/* true and *@v filled if @k is cached by the policy of generation @gen. */
bool cache_get(struct cache *c, const struct cache_key *k, uint32_t gen, struct cache_val *v);
/*
 * Remember @v for @k, decided by the policy of generation @gen, replacing
 * whatever held its slot. A verdict of an older policy that arrives after a
 * reload is never returned: cache_get() asks for the current generation.
 */
void cache_put(struct cache *c, const struct cache_key *k, uint32_t gen, const struct cache_val *v);

#endif
