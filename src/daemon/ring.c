/* SPDX-License-Identifier: Apache-2.0 */
/* A bounded ring of fixed-size items: the queues between vouchd's threads (the caller locks). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"

int ring_init(struct ring *r, unsigned cap, size_t elem)
{
	memset(r, 0, sizeof(*r));
	if (cap == 0 || elem == 0)
		return -EINVAL;
	r->buf = calloc(cap, elem);
	if (!r->buf)
		return -ENOMEM;
	r->cap = cap;
	r->elem = elem;
	return 0;
}

void ring_free(struct ring *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = r->len = 0;
}

static void *slot(const struct ring *r, unsigned i)
{
	return (char *)r->buf + (size_t)((r->head + i) % r->cap) * r->elem;
}

bool ring_push(struct ring *r, const void *item)
{
	if (r->len == r->cap) {
		r->dropped++;
		return false;
	}
	memcpy(slot(r, r->len), item, r->elem);
	r->len++;
	r->pushed++;
	if (r->len > r->max)
		r->max = r->len;
	return true;
}

bool ring_pop(struct ring *r, void *item)
{
	if (r->len == 0)
		return false;
	memcpy(item, slot(r, 0), r->elem);
	r->head = (r->head + 1) % r->cap;
	r->len--;
	return true;
}

void ring_stats(const struct ring *r, struct ring_stats *s)
{
	s->len = r->len;
	s->max = r->max;
	s->cap = r->cap;
	s->pushed = r->pushed;
	s->dropped = r->dropped;
}
