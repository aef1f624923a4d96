/* SPDX-License-Identifier: Apache-2.0 */
/* vouchd's decision cache: a fixed-size, direct-mapped table; a collision replaces. */
#include <stdlib.h>
#include <string.h>

#include "cache.h"

struct slot {
	bool used;
	struct cache_key key;
	struct cache_val val;
};

struct cache {
	unsigned bits;
	struct slot *slots;
};

struct cache *cache_create(unsigned bits)
{
	struct cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->bits = bits;
	c->slots = calloc((size_t)1 << bits, sizeof(*c->slots));
	if (!c->slots) {
		free(c);
		return NULL;
	}
	return c;
}

void cache_destroy(struct cache *c)
{
	if (!c)
		return;
	free(c->slots);
	free(c);
}

void cache_key_from_stat(struct cache_key *k, const struct stat *st, uint32_t access)
{
	memset(k, 0, sizeof(*k)); /* keys are compared bytewise: no stray padding */
	k->dev = (uint64_t)st->st_dev;
	k->ino = (uint64_t)st->st_ino;
	k->ctime_sec = (int64_t)st->st_ctim.tv_sec;
	k->ctime_nsec = (int64_t)st->st_ctim.tv_nsec;
	k->size = (uint64_t)st->st_size;
	k->access = access;
}

static size_t slot_of(const struct cache *c, const struct cache_key *k)
{
	uint64_t h = k->ino * 0x9e3779b97f4a7c15ULL ^ k->dev * 0xc2b2ae3d27d4eb4fULL ^ k->access;

	h ^= h >> 29;
	return (size_t)(h & (((uint64_t)1 << c->bits) - 1));
}

bool cache_get(struct cache *c, const struct cache_key *k, struct cache_val *v)
{
	const struct slot *s = &c->slots[slot_of(c, k)];

	if (!s->used || memcmp(&s->key, k, sizeof(*k)) != 0)
		return false;
	*v = s->val;
	return true;
}

void cache_put(struct cache *c, const struct cache_key *k, const struct cache_val *v)
{
	struct slot *s = &c->slots[slot_of(c, k)];

	s->used = true;
	s->key = *k;
	s->val = *v;
}

void cache_clear(struct cache *c)
{
	memset(c->slots, 0, ((size_t)1 << c->bits) * sizeof(*c->slots));
}
