/* SPDX-License-Identifier: Apache-2.0 */
/* RFC 6962 / RFC 9162 Merkle trees for the decision log: hashes, proofs, tile names (no I/O). */
#ifndef VOUCH_TLOG_H
#define VOUCH_TLOG_H

#include <stddef.h>
#include <stdint.h>

#define VOUCH_TLOG_HASH 32
/* Tiles as C2SP tlog-tiles has them: 2^8 hashes, each level 8 tree levels up. */
#define VOUCH_TLOG_TILE_HEIGHT 8
#define VOUCH_TLOG_TILE_WIDTH  256
/* The longest proof of a tree of at most 2^63 leaves. */
#define VOUCH_TLOG_PROOF_MAX 64
/* Entries are at most this long (an entry bundle stores a 16-bit length). */
#define VOUCH_TLOG_ENTRY_MAX 65535

/*
 * vouch_tlog_leaf_hash() - SHA-256(0x00 || data), the hash of one entry.
 * Return: 0 or VOUCH_E_CRYPTO.
 */
int vouch_tlog_leaf_hash(const void *data, size_t len, uint8_t out[static VOUCH_TLOG_HASH]);
/* vouch_tlog_node_hash() - SHA-256(0x01 || left || right). Return: 0 or VOUCH_E_CRYPTO. */
int vouch_tlog_node_hash(const uint8_t left[static VOUCH_TLOG_HASH],
                         const uint8_t right[static VOUCH_TLOG_HASH],
                         uint8_t out[static VOUCH_TLOG_HASH]);

/*
 * The right edge of a tree of @size leaves: one hash for each perfect subtree
 * its leaves split into (the set bits of @size, largest first). Enough to
 * append and to compute the root; nothing else is kept.
 */
struct vouch_tlog_edge {
	uint64_t size;
	unsigned n;
	uint8_t hash[64][VOUCH_TLOG_HASH];
};

/*
 * vouch_tlog_fold() - the root of the perfect subtree whose @count leaves (or
 * nodes of one height) are @hashes, into hashes[0]; the array is overwritten.
 * Return: 0, VOUCH_E_RANGE (@count not a power of two) or VOUCH_E_CRYPTO.
 */
int vouch_tlog_fold(uint8_t (*hashes)[VOUCH_TLOG_HASH], size_t count);

/*
 * Called by vouch_tlog_edge_append() for every complete node whose height is a
 * multiple of the tile height: level = height / 8 (0 for the leaf itself),
 * index = its position among the nodes of that height. These are exactly the
 * hashes the tiles hold. Return 0, or an error that stops the append.
 */
typedef int (*vouch_tlog_node_fn)(void *ctx, unsigned level, uint64_t index,
                                  const uint8_t hash[VOUCH_TLOG_HASH]);

void vouch_tlog_edge_init(struct vouch_tlog_edge *e);
/*
 * vouch_tlog_edge_append() - add one leaf, given its leaf hash.
 * @fn: may be NULL.
 * Return: 0, VOUCH_E_CRYPTO, VOUCH_E_RANGE (tree full), or what @fn returned
 * (the edge is then unchanged).
 */
int vouch_tlog_edge_append(struct vouch_tlog_edge *e, const uint8_t leaf[static VOUCH_TLOG_HASH],
                           vouch_tlog_node_fn fn, void *ctx);
/* vouch_tlog_edge_root() - the tree hash (SHA-256 of "" for an empty tree). */
int vouch_tlog_edge_root(const struct vouch_tlog_edge *e, uint8_t out[static VOUCH_TLOG_HASH]);

/*
 * Reads @count stored hashes of tile level @level (nodes of height 8*level)
 * starting at node @index into @out. Return 0 or an error, passed on.
 */
typedef int (*vouch_tlog_read_fn)(void *ctx, unsigned level, uint64_t index, uint64_t count,
                                  uint8_t (*out)[VOUCH_TLOG_HASH]);

/*
 * vouch_tlog_tree_hash() - the root of the first @size leaves, from stored hashes.
 * Return: 0, VOUCH_E_CRYPTO or the reader's error.
 */
int vouch_tlog_tree_hash(vouch_tlog_read_fn rd, void *ctx, uint64_t size,
                         uint8_t out[static VOUCH_TLOG_HASH]);

/*
 * vouch_tlog_prove_inclusion() - RFC 9162 inclusion proof of leaf @index in
 * the tree of @size leaves, into @proof (at most VOUCH_TLOG_PROOF_MAX hashes).
 * Return: 0 with *@n set; VOUCH_E_RANGE if @index >= @size; VOUCH_E_CRYPTO; reader errors.
 */
int vouch_tlog_prove_inclusion(vouch_tlog_read_fn rd, void *ctx, uint64_t index, uint64_t size,
                               uint8_t proof[VOUCH_TLOG_PROOF_MAX][VOUCH_TLOG_HASH], unsigned *n);
/*
 * vouch_tlog_prove_consistency() - RFC 9162 consistency proof from the tree of
 * @old leaves to the tree of @size leaves (empty if @old is 0 or equals @size).
 * Return: 0 with *@n set; VOUCH_E_RANGE if @old > @size; VOUCH_E_CRYPTO; reader errors.
 */
int vouch_tlog_prove_consistency(vouch_tlog_read_fn rd, void *ctx, uint64_t old, uint64_t size,
                                 uint8_t proof[VOUCH_TLOG_PROOF_MAX][VOUCH_TLOG_HASH], unsigned *n);

/*
 * vouch_tlog_check_inclusion() - RFC 9162 section 2.1.3.2.
 * Return: 0 if @proof shows @leaf at @index in the tree of @size leaves with
 * root @root; VOUCH_E_PROOF if not; VOUCH_E_CRYPTO.
 */
int vouch_tlog_check_inclusion(const uint8_t leaf[static VOUCH_TLOG_HASH], uint64_t index,
                               uint64_t size, const uint8_t root[static VOUCH_TLOG_HASH],
                               const uint8_t (*proof)[VOUCH_TLOG_HASH], unsigned n);
/*
 * vouch_tlog_check_consistency() - RFC 9162 section 2.1.4.2: the tree of @size
 * leaves with root @root extends the tree of @old leaves with root @old_root.
 * Return: 0, VOUCH_E_PROOF or VOUCH_E_CRYPTO.
 */
int vouch_tlog_check_consistency(uint64_t old, const uint8_t old_root[static VOUCH_TLOG_HASH],
                                 uint64_t size, const uint8_t root[static VOUCH_TLOG_HASH],
                                 const uint8_t (*proof)[VOUCH_TLOG_HASH], unsigned n);

/* The entry bundles' level in vouch_tlog_tile_path(). */
#define VOUCH_TLOG_ENTRIES (-1)
/*
 * vouch_tlog_tile_path() - a tile's path relative to the log directory, as C2SP
 * tlog-tiles names it: "tile/L/N" or "tile/entries/N", with ".p/W" for a
 * partial tile (0 < @width < 256; @width 0 or 256: full). N is written in groups
 * of three digits, all but the last prefixed with 'x' ("x001/x234/067").
 * Return: 0, or VOUCH_E_RANGE if it does not fit @cap.
 */
int vouch_tlog_tile_path(char *out, size_t cap, int level, uint64_t n, unsigned width);

#endif
