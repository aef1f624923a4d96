/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for a log directory's tiles: hash tiles, entry bundles and partial-tile names. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/error.h"
#include "vouch/tiles.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define W VOUCH_TLOG_TILE_WIDTH

static void require(int cond, const char *what)
{
	if (cond)
		return;
	fprintf(stderr, "fuzz-tiles: %s\n", what);
	abort();
}

/* A bundle that parses is exactly its entries, and writing them again gives its bytes. */
static void bundle_round_trip(const uint8_t *b, size_t len, unsigned width, const uint32_t *off,
                              const uint32_t *elen)
{
	uint8_t *again = malloc(len ? len : 1);
	size_t n = 0;

	require(again != NULL, "out of memory");
	for (unsigned i = 0; i < width; i++) {
		require(elen[i] <= 0xffff && off[i] >= 2 && off[i] <= len && elen[i] <= len - off[i],
		        "an entry outside the bundle");
		require(off[i] == n + 2, "entries not one after the other");
		again[n++] = (uint8_t)(elen[i] >> 8);
		again[n++] = (uint8_t)elen[i];
		memcpy(again + n, b + off[i], elen[i]);
		n += elen[i];
	}
	require(n == len && memcmp(again, b, len) == 0, "bundle does not re-encode to its bytes");
	free(again);
}

/*
 * The first byte chooses the width the bundle and the tile are read at (the
 * log asks for the width its checkpoint gives), the rest is the file.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint32_t off[W], elen[W];
	unsigned width, w = 0, fits = 0;
	const uint8_t *b;
	size_t len;
	char name[8];
	int ret;

	if (size == 0)
		return 0;
	width = (unsigned)data[0] + 1;
	b = data + 1;
	len = size - 1;

	ret = vouch_tile_bundle_parse(b, len, width, off, elen);
	require(ret == 0 || ret == VOUCH_E_LOG, "bundle: undocumented return");
	if (ret == 0)
		bundle_round_trip(b, len, width, off, elen);
	/* The bytes as entries, counted here: they parse at that width alone. */
	for (size_t p = 0; p < len && fits <= W; fits++) {
		if (len - p < 2 || len - p - 2 < ((size_t)b[p] << 8 | b[p + 1])) {
			fits = 0; /* cut short: no width fits */
			break;
		}
		p += 2 + ((size_t)b[p] << 8 | b[p + 1]);
	}
	if (fits >= 1 && fits <= W) {
		require(vouch_tile_bundle_parse(b, len, fits, off, elen) == 0,
		        "a bundle of whole entries refused");
		require(fits == W || vouch_tile_bundle_parse(b, len, fits + 1, off, elen) != 0,
		        "a bundle parses at one more entry");
		require(fits == 1 || vouch_tile_bundle_parse(b, len, fits - 1, off, elen) != 0,
		        "a bundle parses at one entry less");
	}
	require(ret != 0 || fits == width, "a bundle parsed at a width it does not have");

	ret = vouch_tile_parse(b, len, width);
	require(ret == 0 || ret == VOUCH_E_LOG, "tile: undocumented return");
	require((ret == 0) == (len == (size_t)width * 32), "tile: wrong length accepted");

	/* The name of a partial tile: the input's first bytes as a C string. */
	len = size < sizeof(name) - 1 ? size : sizeof(name) - 1;
	memcpy(name, data, len);
	name[len] = '\0';
	ret = vouch_tile_width_parse(name, &w);
	require(ret == 0 || ret == VOUCH_E_LOG, "width: undocumented return");
	if (ret == 0) {
		char again[8];

		require(w >= 1 && w < W, "width out of range");
		snprintf(again, sizeof(again), "%u", w);
		require(strcmp(again, name) == 0, "width has another spelling");
	} else {
		require(w == 0, "width set on error");
	}
	return 0;
}
