/* SPDX-License-Identifier: Apache-2.0 */
/* A bounded ring of fixed-size items, and its figures for 'vouch status'. */
#ifndef VOUCHD_RING_H
#define VOUCHD_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Capacity fixed at init: memory never grows, and a full ring refuses (and
 * counts) rather than waits. Not locked: the caller holds its own lock around
 * every call. Items are copied in and out.
 */
struct ring {
	void *buf;
	size_t elem;
	unsigned cap, head, len, max;
	uint64_t pushed, dropped;
};

struct ring_stats {
	unsigned len, max, cap;
	uint64_t pushed, dropped;
};

/* Return: 0, -EINVAL (zero capacity or size) or -ENOMEM. */
int ring_init(struct ring *r, unsigned cap, size_t elem);
void ring_free(struct ring *r);
/* Copy @item in at the tail; false (and counted as dropped) if full. */
bool ring_push(struct ring *r, const void *item);
/* Copy the head out into @item; false if empty. */
bool ring_pop(struct ring *r, void *item);
void ring_stats(const struct ring *r, struct ring_stats *s);

#endif
