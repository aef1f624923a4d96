/* SPDX-License-Identifier: Apache-2.0 */
/* vouchd's decision cache: a fixed-size, direct-mapped table; a collision replaces. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"

#define STRIPES 256 /* locks: threads rarely meet on one */

struct slot {
	bool used;
	uint32_t gen;
	struct cache_key key;
	struct cache_val val;
};

struct cache {
	unsigned bits;
	struct slot *slots;
	pthread_mutex_t lock[STRIPES];
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
	for (unsigned i = 0; i < STRIPES; i++)
		pthread_mutex_init(&c->lock[i], NULL);
	return c;
}

void cache_destroy(struct cache *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&c->lock[i]);
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

bool cache_get(struct cache *c, const struct cache_key *k, uint32_t gen, struct cache_val *v)
{
	size_t i = slot_of(c, k);
	const struct slot *s = &c->slots[i];
	bool hit;

	pthread_mutex_lock(&c->lock[i % STRIPES]);
	hit = s->used && s->gen == gen && memcmp(&s->key, k, sizeof(*k)) == 0;
	if (hit)
		*v = s->val;
	pthread_mutex_unlock(&c->lock[i % STRIPES]);
	return hit;
}

void cache_put(struct cache *c, const struct cache_key *k, uint32_t gen, const struct cache_val *v)
{
	size_t i = slot_of(c, k);
	struct slot *s = &c->slots[i];

	pthread_mutex_lock(&c->lock[i % STRIPES]);
	s->used = true;
	s->gen = gen;
	s->key = *k;
	s->val = *v;
	pthread_mutex_unlock(&c->lock[i % STRIPES]);
}
