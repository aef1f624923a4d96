/* SPDX-License-Identifier: Apache-2.0 */
/* Checked array growth: the one way every growing array of vouch gets more room. */
#ifndef VOUCH_GROW_H
#define VOUCH_GROW_H

#include <stddef.h>

/*
 * vouch_grow() - make the array *@p room for at least @need elements of @elem
 * bytes. @cap: in, the elements *@p has room for (0 with *@p NULL: none yet);
 * out, the new room. The room doubles (from 16 elements) until it holds @need,
 * and stops at the largest array an object may be (PTRDIFF_MAX bytes): every
 * multiplication and doubling is checked, so a size that would wrap is refused
 * before the allocator is called. Does nothing when *@cap >= @need already.
 * On failure *@p and *@cap are as they were: the old array is still the
 * caller's, unchanged. The caller owns *@p (free()). Thread rules: the array's.
 * Return: 0; -ENOMEM: the allocation failed, or no array could be that large
 * (@need elements of @elem bytes past PTRDIFF_MAX, or @elem 0), refused
 * without calling the allocator.
 */
int vouch_grow(void **p, size_t *cap, size_t need, size_t elem);

#endif
