/* SPDX-License-Identifier: Apache-2.0 */
/* The files of a C2SP tlog-tiles directory as bytes: hash tiles, entry bundles, names (no I/O). */
#ifndef VOUCH_TILES_H
#define VOUCH_TILES_H

#include <stddef.h>
#include <stdint.h>

#include "tlog.h"

/*
 * A log directory holds what another program wrote (the log writer, a copy
 * from a server, or someone with write access to it): everything read from it
 * is checked here before it is used, and nothing here opens a file
 * (libvouch-sys's log.c reads them). Pure, thread-safe, no allocation.
 */

/*
 * vouch_tile_parse() - a hash tile of @width hashes: exactly @width * 32
 * bytes, the SHA-256 hashes of one tile level side by side (C2SP tlog-tiles).
 * @width: 1..VOUCH_TLOG_TILE_WIDTH (a full tile is 256 wide, a partial one less).
 * Return: 0; VOUCH_E_LOG if @len is not exactly that; VOUCH_E_RANGE for a bad @width.
 */
int vouch_tile_parse(const void *tile, size_t len, unsigned width);

/*
 * vouch_tile_bundle_parse() - split an entry bundle of @width entries: each a
 * big-endian 16-bit length and that many bytes, one after the other, with
 * nothing after the last. Entries may be empty.
 * @off, @elen: receive the offset in @bundle and the length of each entry
 * (the first @width places are set).
 * Return: 0; VOUCH_E_LOG if the bytes are not exactly @width entries;
 * VOUCH_E_RANGE for a @width outside 1..VOUCH_TLOG_TILE_WIDTH.
 */
int vouch_tile_bundle_parse(const uint8_t *bundle, size_t len, unsigned width,
                            uint32_t off[static VOUCH_TLOG_TILE_WIDTH],
                            uint32_t elen[static VOUCH_TLOG_TILE_WIDTH]);

/*
 * vouch_tile_width_parse() - the name of a partial tile in its ".p"
 * directory (tlog-tiles' "N.p/W"): W, decimal 1..255 without sign or
 * leading zero, and nothing else.
 * @name: NUL-terminated. @width: receives W.
 * Return: 0 or VOUCH_E_LOG.
 */
int vouch_tile_width_parse(const char *name, unsigned *width);

/*
 * vouch_log_pruned_parse() - the pruned record, vouch's own file beside the
 * tiles, "entries N\ntiles M\n" exactly (decimal, no sign or leading zero,
 * nothing after): @bundles = N, @tiles = M (both 0 on error).
 * vouch_log_pruned_check() - whether such a record fits a checkpoint of @size
 * entries: retention removes a level-0 tile only with its bundle (M <= N) and
 * never the last full bundle (N = 0 or N < size / 256).
 * Return: 0 or VOUCH_E_LOG.
 */
int vouch_log_pruned_parse(const char *text, size_t len, uint64_t *bundles, uint64_t *tiles);
int vouch_log_pruned_check(uint64_t bundles, uint64_t tiles, uint64_t size);

#endif
