/* SPDX-License-Identifier: Apache-2.0 */
/* vouch_grow(): array growth with every size checked. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "vouch/grow.h"

#define GROW_FIRST 16

int vouch_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t max, nc;
	void *np;

	if (need <= *cap)
		return 0;
	if (elem == 0)
		return -ENOMEM;
	/* The most elements an object may hold: realloc() refuses more, pointer
	 * subtraction across it would be undefined. */
	max = (size_t)PTRDIFF_MAX / elem;
	if (need > max)
		return -ENOMEM;
	nc = *cap ? *cap : GROW_FIRST;
	if (nc > max)
		nc = max;
	while (nc < need)
		nc = nc > max / 2 ? max : nc * 2;
	np = realloc(*p, nc * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = nc;
	return 0;
}
