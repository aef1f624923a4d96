/* SPDX-License-Identifier: Apache-2.0 */
/* Hash tiles, entry bundles, partial-tile names and the pruned record checked from bytes (no I/O). */
#include <string.h>

#include "internal.h"
#include "vouch/error.h"
#include "vouch/tiles.h"

#define W VOUCH_TLOG_TILE_WIDTH

int vouch_tile_parse(const void *tile, size_t len, unsigned width)
{
	(void)tile; /* any 32 bytes are a hash: only the length can be wrong */
	if (width == 0 || width > W)
		return VOUCH_E_RANGE;
	return len == (size_t)width * VOUCH_TLOG_HASH ? 0 : VOUCH_E_LOG;
}

int vouch_tile_bundle_parse(const uint8_t *bundle, size_t len, unsigned width,
                            uint32_t off[static VOUCH_TLOG_TILE_WIDTH],
                            uint32_t elen[static VOUCH_TLOG_TILE_WIDTH])
{
	size_t p = 0;

	if (width == 0 || width > W)
		return VOUCH_E_RANGE;
	/* At most 256 * (2 + 65535) bytes are read: offsets fit 32 bits. */
	for (unsigned i = 0; i < width; i++) {
		size_t l;

		if (len - p < 2)
			return VOUCH_E_LOG;
		l = (size_t)bundle[p] << 8 | bundle[p + 1];
		if (len - p - 2 < l)
			return VOUCH_E_LOG;
		off[i] = (uint32_t)(p + 2);
		elen[i] = (uint32_t)l;
		p += 2 + l;
	}
	return p == len ? 0 : VOUCH_E_LOG;
}

int vouch_tile_width_parse(const char *name, unsigned *width)
{
	unsigned v = 0;
	size_t i;

	*width = 0;
	if (name[0] < '1' || name[0] > '9')
		return VOUCH_E_LOG;
	for (i = 0; name[i] >= '0' && name[i] <= '9' && i < 3; i++)
		v = v * 10 + (unsigned)(name[i] - '0');
	if (name[i] != '\0' || v >= W)
		return VOUCH_E_LOG;
	*width = v;
	return 0;
}

/* A decimal number (vouch_dec_parse()) at *@p; *@p moves past it. */
static int parse_u64(const char **p, const char *end, uint64_t *v)
{
	size_t n = vouch_dec_span(*p, (size_t)(end - *p));

	if (!vouch_dec_parse(*p, n, v))
		return -1;
	*p += n;
	return 0;
}

int vouch_log_pruned_parse(const char *text, size_t len, uint64_t *bundles, uint64_t *tiles)
{
	const char *p = text, *end = text + len;

	*bundles = *tiles = 0;
	if (len < 8 || memcmp(p, "entries ", 8))
		return VOUCH_E_LOG;
	p += 8;
	if (parse_u64(&p, end, bundles) || end - p < 7 || memcmp(p, "\ntiles ", 7))
		goto bad;
	p += 7;
	if (parse_u64(&p, end, tiles) || end - p != 1 || *p != '\n')
		goto bad;
	return 0;
bad:
	*bundles = *tiles = 0;
	return VOUCH_E_LOG;
}

int vouch_log_pruned_check(uint64_t bundles, uint64_t tiles, uint64_t size)
{
	/*
	 * Retention removes whole bundles, oldest first, never the last full one
	 * (nor the partial one after it), and a level-0 tile only once its bundle
	 * is gone. A record that says otherwise would let readers skip entries the
	 * checkpoint covers: refused, not trusted.
	 */
	if (tiles > bundles)
		return VOUCH_E_LOG;
	if (bundles > 0 && bundles >= size / W)
		return VOUCH_E_LOG;
	return 0;
}
