/* SPDX-License-Identifier: Apache-2.0 */
/* RFC 6962 / RFC 9162 Merkle tree hashing and proofs over caller-supplied stored hashes. */
#include <stdio.h>
#include <string.h>

#include "vouch/digest.h"
#include "vouch/error.h"
#include "vouch/tlog.h"

int vouch_tlog_leaf_hash(const void *data, size_t len, uint8_t out[static VOUCH_TLOG_HASH])
{
	static const uint8_t zero = 0x00;
	struct vouch_sha256 c;
	int ret = vouch_sha256_init(&c);

	if (!ret)
		ret = vouch_sha256_update(&c, &zero, 1);
	if (!ret)
		ret = vouch_sha256_update(&c, data, len);
	if (!ret)
		return vouch_sha256_final(&c, out);
	vouch_sha256_wipe(&c);
	return ret;
}

int vouch_tlog_node_hash(const uint8_t left[static VOUCH_TLOG_HASH],
                         const uint8_t right[static VOUCH_TLOG_HASH],
                         uint8_t out[static VOUCH_TLOG_HASH])
{
	uint8_t buf[1 + 2 * VOUCH_TLOG_HASH];

	/* One update of the whole node: the cost of a node is the cost of the log. */
	buf[0] = 0x01;
	memcpy(buf + 1, left, VOUCH_TLOG_HASH);
	memcpy(buf + 1 + VOUCH_TLOG_HASH, right, VOUCH_TLOG_HASH);
	return vouch_sha256(buf, sizeof(buf), out);
}

static int empty_root(uint8_t out[static VOUCH_TLOG_HASH])
{
	return vouch_sha256(NULL, 0, out);
}

void vouch_tlog_edge_init(struct vouch_tlog_edge *e)
{
	memset(e, 0, sizeof(*e));
}

int vouch_tlog_edge_append(struct vouch_tlog_edge *e, const uint8_t leaf[static VOUCH_TLOG_HASH],
                           vouch_tlog_node_fn fn, void *ctx)
{
	/* Tile-level nodes completed by this leaf: at most one per 8 heights. */
	uint8_t done[9][VOUCH_TLOG_HASH], cur[VOUCH_TLOG_HASH];
	unsigned ndone = 0, height = 0, n = e->n;
	uint64_t s = e->size;
	int ret;

	if (e->size >= (UINT64_C(1) << 63))
		return VOUCH_E_RANGE;
	memcpy(cur, leaf, VOUCH_TLOG_HASH);
	memcpy(done[ndone++], cur, VOUCH_TLOG_HASH);
	/* Each set low bit of the old size is a perfect subtree the new leaf completes. */
	while (s & 1) {
		ret = vouch_tlog_node_hash(e->hash[n - 1], cur, cur);
		if (ret)
			return ret;
		n--;
		s >>= 1;
		height++;
		if (height % VOUCH_TLOG_TILE_HEIGHT == 0)
			memcpy(done[ndone++], cur, VOUCH_TLOG_HASH);
	}
	for (unsigned i = 0; fn && i < ndone; i++) {
		unsigned ht = i * VOUCH_TLOG_TILE_HEIGHT;

		ret = fn(ctx, i, e->size >> ht, done[i]);
		if (ret)
			return ret;
	}
	memcpy(e->hash[n], cur, VOUCH_TLOG_HASH);
	e->n = n + 1;
	e->size++;
	return 0;
}

int vouch_tlog_edge_root(const struct vouch_tlog_edge *e, uint8_t out[static VOUCH_TLOG_HASH])
{
	uint8_t r[VOUCH_TLOG_HASH];
	int ret;

	if (e->n == 0)
		return empty_root(out);
	memcpy(r, e->hash[e->n - 1], VOUCH_TLOG_HASH);
	for (unsigned i = e->n - 1; i-- > 0;) {
		ret = vouch_tlog_node_hash(e->hash[i], r, r);
		if (ret)
			return ret;
	}
	memcpy(out, r, VOUCH_TLOG_HASH);
	return 0;
}

int vouch_tlog_fold(uint8_t (*hashes)[VOUCH_TLOG_HASH], size_t count)
{
	int ret;

	if (count == 0 || (count & (count - 1)))
		return VOUCH_E_RANGE;
	for (; count > 1; count /= 2)
		for (size_t i = 0; i < count / 2; i++) {
			ret = vouch_tlog_node_hash(hashes[2 * i], hashes[2 * i + 1], hashes[i]);
			if (ret)
				return ret;
		}
	return 0;
}

/* The stored-hash reader and hasher that every recursive helper below needs. */
struct reader {
	vouch_tlog_read_fn rd;
	void *ctx;
};

/* The largest power of two strictly below @n (n >= 2). */
static uint64_t split(uint64_t n)
{
	return UINT64_C(1) << (63 - __builtin_clzll(n - 1));
}

/* The node of height @height and index @index: read from its tile level and folded. */
static int node_at(const struct reader *r, unsigned height, uint64_t index,
                   uint8_t out[static VOUCH_TLOG_HASH])
{
	uint8_t buf[1u << (VOUCH_TLOG_TILE_HEIGHT - 1)][VOUCH_TLOG_HASH];
	unsigned level = height / VOUCH_TLOG_TILE_HEIGHT, up = height % VOUCH_TLOG_TILE_HEIGHT;
	uint64_t count = UINT64_C(1) << up;
	int ret;

	ret = r->rd(r->ctx, level, index << up, count, buf);
	if (!ret)
		ret = vouch_tlog_fold(buf, count);
	if (!ret)
		memcpy(out, buf[0], VOUCH_TLOG_HASH);
	return ret;
}

/* MTH(D[a:b]) for a range that starts on a boundary of its largest power of two. */
static int subtree(const struct reader *r, uint64_t a, uint64_t b,
                   uint8_t out[static VOUCH_TLOG_HASH])
{
	uint8_t left[VOUCH_TLOG_HASH], right[VOUCH_TLOG_HASH];
	uint64_t n = b - a, k;
	int ret;

	if ((n & (n - 1)) == 0) {
		unsigned height = (unsigned)__builtin_ctzll(n);

		return node_at(r, height, a >> height, out);
	}
	k = split(n);
	ret = subtree(r, a, a + k, left);
	if (!ret)
		ret = subtree(r, a + k, b, right);
	if (!ret)
		ret = vouch_tlog_node_hash(left, right, out);
	return ret;
}

int vouch_tlog_tree_hash(vouch_tlog_read_fn rd, void *ctx, uint64_t size,
                         uint8_t out[static VOUCH_TLOG_HASH])
{
	struct reader r = {rd, ctx};

	if (size == 0)
		return empty_root(out);
	return subtree(&r, 0, size, out);
}

/* RFC 9162 PATH(m, D[a:b]), deepest hash first. */
static int path(const struct reader *r, uint64_t m, uint64_t a, uint64_t b,
                uint8_t proof[VOUCH_TLOG_PROOF_MAX][VOUCH_TLOG_HASH], unsigned *n)
{
	uint64_t k;
	int ret;

	if (b - a == 1)
		return 0;
	k = split(b - a);
	if (m < a + k)
		ret = path(r, m, a, a + k, proof, n);
	else
		ret = path(r, m, a + k, b, proof, n);
	if (ret)
		return ret;
	if (*n >= VOUCH_TLOG_PROOF_MAX)
		return VOUCH_E_RANGE;
	if (m < a + k)
		return subtree(r, a + k, b, proof[(*n)++]);
	return subtree(r, a, a + k, proof[(*n)++]);
}

int vouch_tlog_prove_inclusion(vouch_tlog_read_fn rd, void *ctx, uint64_t index, uint64_t size,
                               uint8_t proof[VOUCH_TLOG_PROOF_MAX][VOUCH_TLOG_HASH], unsigned *n)
{
	struct reader r = {rd, ctx};

	*n = 0;
	if (index >= size)
		return VOUCH_E_RANGE;
	return path(&r, index, 0, size, proof, n);
}

/* RFC 9162 SUBPROOF(m, D[a:b], whole), deepest hash first. */
static int subproof(const struct reader *r, uint64_t m, uint64_t a, uint64_t b, int whole,
                    uint8_t proof[VOUCH_TLOG_PROOF_MAX][VOUCH_TLOG_HASH], unsigned *n)
{
	uint64_t k;
	int ret;

	if (m == b - a) {
		if (whole)
			return 0;
		if (*n >= VOUCH_TLOG_PROOF_MAX)
			return VOUCH_E_RANGE;
		return subtree(r, a, b, proof[(*n)++]);
	}
	k = split(b - a);
	if (m <= k)
		ret = subproof(r, m, a, a + k, whole, proof, n);
	else
		ret = subproof(r, m - k, a + k, b, 0, proof, n);
	if (ret)
		return ret;
	if (*n >= VOUCH_TLOG_PROOF_MAX)
		return VOUCH_E_RANGE;
	if (m <= k)
		return subtree(r, a + k, b, proof[(*n)++]);
	return subtree(r, a, a + k, proof[(*n)++]);
}

int vouch_tlog_prove_consistency(vouch_tlog_read_fn rd, void *ctx, uint64_t old, uint64_t size,
                                 uint8_t proof[VOUCH_TLOG_PROOF_MAX][VOUCH_TLOG_HASH], unsigned *n)
{
	struct reader r = {rd, ctx};

	*n = 0;
	if (old > size)
		return VOUCH_E_RANGE;
	if (old == 0 || old == size)
		return 0;
	return subproof(&r, old, 0, size, 1, proof, n);
}

static int same(const uint8_t a[static VOUCH_TLOG_HASH], const uint8_t b[static VOUCH_TLOG_HASH])
{
	/* Public values: no need for constant time. */
	return memcmp(a, b, VOUCH_TLOG_HASH) == 0;
}

int vouch_tlog_check_inclusion(const uint8_t leaf[static VOUCH_TLOG_HASH], uint64_t index,
                               uint64_t size, const uint8_t root[static VOUCH_TLOG_HASH],
                               const uint8_t (*proof)[VOUCH_TLOG_HASH], unsigned n)
{
	uint8_t r[VOUCH_TLOG_HASH];
	uint64_t fn = index, sn;
	int ret;

	if (index >= size || n > VOUCH_TLOG_PROOF_MAX)
		return VOUCH_E_PROOF;
	sn = size - 1;
	memcpy(r, leaf, VOUCH_TLOG_HASH);
	for (unsigned i = 0; i < n; i++) {
		if (sn == 0)
			return VOUCH_E_PROOF;
		if ((fn & 1) || fn == sn) {
			ret = vouch_tlog_node_hash(proof[i], r, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			ret = vouch_tlog_node_hash(r, proof[i], r);
		}
		if (ret)
			return ret;
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && same(r, root) ? 0 : VOUCH_E_PROOF;
}

int vouch_tlog_check_consistency(uint64_t old, const uint8_t old_root[static VOUCH_TLOG_HASH],
                                 uint64_t size, const uint8_t root[static VOUCH_TLOG_HASH],
                                 const uint8_t (*proof)[VOUCH_TLOG_HASH], unsigned n)
{
	uint8_t fr[VOUCH_TLOG_HASH], sr[VOUCH_TLOG_HASH];
	uint64_t fn, sn;
	unsigned i = 0;
	int ret;

	if (old > size || n > VOUCH_TLOG_PROOF_MAX)
		return VOUCH_E_PROOF;
	if (old == size)
		return n == 0 && same(old_root, root) ? 0 : VOUCH_E_PROOF;
	if (old == 0)
		return n == 0 ? 0 : VOUCH_E_PROOF;
	if (n == 0)
		return VOUCH_E_PROOF;
	/* An old tree that is a perfect subtree is its own first proof hash. */
	if ((old & (old - 1)) == 0) {
		memcpy(fr, old_root, VOUCH_TLOG_HASH);
	} else {
		memcpy(fr, proof[0], VOUCH_TLOG_HASH);
		i = 1;
	}
	memcpy(sr, fr, VOUCH_TLOG_HASH);
	fn = old - 1;
	sn = size - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < n; i++) {
		if (sn == 0)
			return VOUCH_E_PROOF;
		if ((fn & 1) || fn == sn) {
			ret = vouch_tlog_node_hash(proof[i], fr, fr);
			if (!ret)
				ret = vouch_tlog_node_hash(proof[i], sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			ret = vouch_tlog_node_hash(sr, proof[i], sr);
		}
		if (ret)
			return ret;
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && same(fr, old_root) && same(sr, root) ? 0 : VOUCH_E_PROOF;
}

int vouch_tlog_tile_path(char *out, size_t cap, int level, uint64_t n, unsigned width)
{
	unsigned groups[8], ng = 0;
	size_t len;
	int w;

	if (level < VOUCH_TLOG_ENTRIES || level > 63 || width > VOUCH_TLOG_TILE_WIDTH)
		return VOUCH_E_RANGE;
	do {
		groups[ng++] = (unsigned)(n % 1000);
		n /= 1000;
	} while (n > 0);
	if (level == VOUCH_TLOG_ENTRIES)
		w = snprintf(out, cap, "tile/entries/");
	else
		w = snprintf(out, cap, "tile/%d/", level);
	if (w < 0 || (size_t)w >= cap)
		return VOUCH_E_RANGE;
	len = (size_t)w;
	while (ng-- > 0) {
		w = snprintf(out + len, cap - len, ng ? "x%03u/" : "%03u", groups[ng]);
		if (w < 0 || (size_t)w >= cap - len)
			return VOUCH_E_RANGE;
		len += (size_t)w;
	}
	if (width > 0 && width < VOUCH_TLOG_TILE_WIDTH) {
		w = snprintf(out + len, cap - len, ".p/%u", width);
		if (w < 0 || (size_t)w >= cap - len)
			return VOUCH_E_RANGE;
	}
	return 0;
}
