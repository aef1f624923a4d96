/* SPDX-License-Identifier: Apache-2.0 */
/* Merkle trees: transparency-dev's known roots and proofs, tile paths, and property tests. */
#include "test-util.h"

/* transparency-dev/merkle testonly/constants.go (see /work/shared/VECTORS.md). */
static const char *const LEAVES[8] = {"",   "00",       "10",
                                      "2021", "3031",   "40414243",
                                      "5051525354555657", "606162636465666768696a6b6c6d6e6f"};
static const char *const ROOTS[9] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct proof_vec {
	uint64_t a, b; /* inclusion: index/size; consistency: old/new */
	unsigned n;
	const char *h[3];
};

static const struct proof_vec INCLUSION[] = {
    {0, 8, 3,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5, 8, 3,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, 1, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1, 5, 3,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

static const struct proof_vec CONSISTENCY[] = {
    {1, 8, 3,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6, 8, 3,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 5, 2,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6, 7, 3,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

static void hexs(const char *s, uint8_t *out, size_t *len)
{
	size_t n = strlen(s) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	*len = n;
}

/* Every stored node of a tree, as tiles would hold them, filled by the edge's callback. */
struct store {
	uint8_t (*lv[8])[VOUCH_TLOG_HASH];
	uint64_t n[8], cap[8];
	uint64_t reads;
};

static int store_node(void *ctx, unsigned level, uint64_t index, const uint8_t hash[32])
{
	struct store *s = ctx;

	assert_true(level < 8);
	assert_int_equal(index, s->n[level]);
	if (s->n[level] == s->cap[level]) {
		s->cap[level] = s->cap[level] ? 2 * s->cap[level] : 256;
		s->lv[level] = realloc(s->lv[level], s->cap[level] * VOUCH_TLOG_HASH);
		assert_non_null(s->lv[level]);
	}
	memcpy(s->lv[level][s->n[level]++], hash, VOUCH_TLOG_HASH);
	return 0;
}

static int store_read(void *ctx, unsigned level, uint64_t index, uint64_t count,
                      uint8_t (*out)[VOUCH_TLOG_HASH])
{
	struct store *s = ctx;

	if (level >= 8 || index + count > s->n[level])
		return VOUCH_E_NOTFOUND;
	memcpy(out, s->lv[level][index], count * VOUCH_TLOG_HASH);
	s->reads++;
	return 0;
}

static void store_free(struct store *s)
{
	for (int i = 0; i < 8; i++)
		free(s->lv[i]);
}

/* The 8 vector leaves appended one by one; roots[i] = root after i leaves. */
static void build_vectors(struct store *s, uint8_t roots[9][32])
{
	struct vouch_tlog_edge e;

	vouch_tlog_edge_init(&e);
	assert_int_equal(vouch_tlog_edge_root(&e, roots[0]), 0);
	for (int i = 0; i < 8; i++) {
		uint8_t data[16], leaf[32];
		size_t len;

		hexs(LEAVES[i], data, &len);
		assert_int_equal(vouch_tlog_leaf_hash(data, len, leaf), 0);
		assert_int_equal(vouch_tlog_edge_append(&e, leaf, store_node, s), 0);
		assert_int_equal(vouch_tlog_edge_root(&e, roots[i + 1]), 0);
	}
}

static void test_roots(void **state)
{
	struct store s = {0};
	uint8_t roots[9][32], want[32], got[32];
	size_t len;

	(void)state;
	build_vectors(&s, roots);
	for (int i = 0; i <= 8; i++) {
		hexs(ROOTS[i], want, &len);
		assert_memory_equal(roots[i], want, 32);
		/* The same root from stored hashes, as a reader of tiles computes it. */
		assert_int_equal(vouch_tlog_tree_hash(store_read, &s, (uint64_t)i, got), 0);
		assert_memory_equal(got, want, 32);
	}
	store_free(&s);
}

static void test_inclusion_vectors(void **state)
{
	struct store s = {0};
	uint8_t roots[9][32], proof[VOUCH_TLOG_PROOF_MAX][32], want[3][32], leaf[32], data[16];
	size_t len;
	unsigned n;

	(void)state;
	build_vectors(&s, roots);
	for (size_t v = 0; v < sizeof(INCLUSION) / sizeof(INCLUSION[0]); v++) {
		const struct proof_vec *pv = &INCLUSION[v];

		assert_int_equal(
		    vouch_tlog_prove_inclusion(store_read, &s, pv->a, pv->b, proof, &n), 0);
		assert_int_equal(n, pv->n);
		for (unsigned i = 0; i < n; i++) {
			hexs(pv->h[i], want[i], &len);
			assert_memory_equal(proof[i], want[i], 32);
		}
		hexs(LEAVES[pv->a], data, &len);
		assert_int_equal(vouch_tlog_leaf_hash(data, len, leaf), 0);
		assert_int_equal(vouch_tlog_check_inclusion(leaf, pv->a, pv->b, roots[pv->b],
		                                            (const uint8_t(*)[32])want, n),
		                 0);
		/* The corruption probes of verify_test.go: wrong index, wrong size, bad proofs. */
		assert_err(vouch_tlog_check_inclusion(leaf, pv->a + 1, pv->b, roots[pv->b],
		                                      (const uint8_t(*)[32])want, n),
		           VOUCH_E_PROOF);
		assert_err(vouch_tlog_check_inclusion(leaf, pv->a, pv->b * 2, roots[pv->b],
		                                      (const uint8_t(*)[32])want, n),
		           VOUCH_E_PROOF);
		if (n > 0)
			assert_err(vouch_tlog_check_inclusion(leaf, pv->a, pv->b, roots[pv->b],
			                                      (const uint8_t(*)[32])want, n - 1),
			           VOUCH_E_PROOF);
		memcpy(proof[n], proof[0], 32);
		assert_err(vouch_tlog_check_inclusion(leaf, pv->a, pv->b, roots[pv->b],
		                                      (const uint8_t(*)[32])proof, n + 1),
		           VOUCH_E_PROOF);
		for (unsigned i = 0; i < n; i++) {
			want[i][7] ^= 0x10;
			assert_err(vouch_tlog_check_inclusion(leaf, pv->a, pv->b, roots[pv->b],
			                                      (const uint8_t(*)[32])want, n),
			           VOUCH_E_PROOF);
			want[i][7] ^= 0x10;
		}
		leaf[0] ^= 1;
		assert_err(vouch_tlog_check_inclusion(leaf, pv->a, pv->b, roots[pv->b],
		                                      (const uint8_t(*)[32])want, n),
		           VOUCH_E_PROOF);
	}
	assert_err(vouch_tlog_prove_inclusion(store_read, &s, 8, 8, proof, &n), VOUCH_E_RANGE);
	store_free(&s);
}

static void test_consistency_vectors(void **state)
{
	struct store s = {0};
	uint8_t roots[9][32], proof[VOUCH_TLOG_PROOF_MAX][32], want[3][32];
	size_t len;
	unsigned n;

	(void)state;
	build_vectors(&s, roots);
	for (size_t v = 0; v < sizeof(CONSISTENCY) / sizeof(CONSISTENCY[0]); v++) {
		const struct proof_vec *pv = &CONSISTENCY[v];

		assert_int_equal(
		    vouch_tlog_prove_consistency(store_read, &s, pv->a, pv->b, proof, &n), 0);
		assert_int_equal(n, pv->n);
		for (unsigned i = 0; i < n; i++) {
			hexs(pv->h[i], want[i], &len);
			assert_memory_equal(proof[i], want[i], 32);
		}
		assert_int_equal(vouch_tlog_check_consistency(pv->a, roots[pv->a], pv->b,
		                                              roots[pv->b],
		                                              (const uint8_t(*)[32])want, n),
		                 0);
		/* A fork: the old root of another size does not match. */
		assert_err(vouch_tlog_check_consistency(pv->a, roots[pv->a - 1], pv->b,
		                                        roots[pv->b], (const uint8_t(*)[32])want, n),
		           VOUCH_E_PROOF);
		assert_err(vouch_tlog_check_consistency(pv->a, roots[pv->a], pv->b,
		                                        roots[pv->b - 1], (const uint8_t(*)[32])want,
		                                        n),
		           VOUCH_E_PROOF);
		assert_err(vouch_tlog_check_consistency(pv->a, roots[pv->a], pv->b, roots[pv->b],
		                                        (const uint8_t(*)[32])want, n - 1),
		           VOUCH_E_PROOF);
		for (unsigned i = 0; i < n; i++) {
			want[i][0] ^= 0x80;
			assert_err(vouch_tlog_check_consistency(pv->a, roots[pv->a], pv->b,
			                                        roots[pv->b],
			                                        (const uint8_t(*)[32])want, n),
			           VOUCH_E_PROOF);
			want[i][0] ^= 0x80;
		}
	}
	/* Trivial cases: same size, and from the empty tree. */
	assert_int_equal(vouch_tlog_prove_consistency(store_read, &s, 8, 8, proof, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(vouch_tlog_check_consistency(8, roots[8], 8, roots[8], NULL, 0), 0);
	assert_err(vouch_tlog_check_consistency(8, roots[7], 8, roots[8], NULL, 0),
	           VOUCH_E_PROOF);
	assert_int_equal(vouch_tlog_check_consistency(0, roots[0], 8, roots[8], NULL, 0), 0);
	assert_err(vouch_tlog_prove_consistency(store_read, &s, 9, 8, proof, &n), VOUCH_E_RANGE);
	store_free(&s);
}

/* Trees across tile boundaries: every proof vouch makes, vouch verifies; tampering fails. */
static void test_property(void **state)
{
	enum { N = 70000 };
	struct vouch_tlog_edge e;
	struct store s = {0};
	uint8_t(*roots)[32] = malloc((N + 1) * 32), proof[VOUCH_TLOG_PROOF_MAX][32], got[32];
	uint64_t sizes[] = {1, 2, 255, 256, 257, 511, 512, 513, 65535, 65536, 65537, 69999, N};
	unsigned n;

	(void)state;
	assert_non_null(roots);
	vouch_tlog_edge_init(&e);
	assert_int_equal(vouch_tlog_edge_root(&e, roots[0]), 0);
	for (uint64_t i = 0; i < N; i++) {
		uint8_t leaf[32];
		char data[32];
		int len = snprintf(data, sizeof(data), "entry %llu", (unsigned long long)i);

		assert_int_equal(vouch_tlog_leaf_hash(data, (size_t)len, leaf), 0);
		assert_int_equal(vouch_tlog_edge_append(&e, leaf, store_node, &s), 0);
		assert_int_equal(vouch_tlog_edge_root(&e, roots[i + 1]), 0);
	}
	/* Level 0 holds every leaf, level 1 a node per 256 leaves, level 2 one per 65536. */
	assert_int_equal(s.n[0], N);
	assert_int_equal(s.n[1], N / 256);
	assert_int_equal(s.n[2], 1);
	srand(1);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		uint64_t size = sizes[k];

		assert_int_equal(vouch_tlog_tree_hash(store_read, &s, size, got), 0);
		assert_memory_equal(got, roots[size], 32);
		for (int t = 0; t < 20; t++) {
			uint64_t idx = t == 0 ? size - 1 : (uint64_t)rand() % size;
			uint64_t old = t == 0 ? size : 1 + (uint64_t)rand() % size;
			uint8_t leaf[32];
			char data[32];
			int len = snprintf(data, sizeof(data), "entry %llu", (unsigned long long)idx);

			assert_int_equal(vouch_tlog_leaf_hash(data, (size_t)len, leaf), 0);
			assert_int_equal(
			    vouch_tlog_prove_inclusion(store_read, &s, idx, size, proof, &n), 0);
			assert_int_equal(vouch_tlog_check_inclusion(leaf, idx, size, roots[size],
			                                            (const uint8_t(*)[32])proof, n),
			                 0);
			if (n) {
				proof[n - 1][31] ^= 1;
				assert_err(vouch_tlog_check_inclusion(leaf, idx, size, roots[size],
				                                      (const uint8_t(*)[32])proof, n),
				           VOUCH_E_PROOF);
			}
			assert_int_equal(
			    vouch_tlog_prove_consistency(store_read, &s, old, size, proof, &n), 0);
			assert_int_equal(vouch_tlog_check_consistency(old, roots[old], size,
			                                              roots[size],
			                                              (const uint8_t(*)[32])proof, n),
			                 0);
			if (old < size && old > 1)
				assert_err(vouch_tlog_check_consistency(old, roots[old - 1], size,
				                                        roots[size],
				                                        (const uint8_t(*)[32])proof, n),
				           VOUCH_E_PROOF);
		}
	}
	store_free(&s);
	free(roots);
}

static void test_tile_path(void **state)
{
	char p[64];

	(void)state;
	assert_int_equal(vouch_tlog_tile_path(p, sizeof(p), 0, 0, 0), 0);
	assert_string_equal(p, "tile/0/000");
	assert_int_equal(vouch_tlog_tile_path(p, sizeof(p), 1, 1234067, 256), 0);
	assert_string_equal(p, "tile/1/x001/x234/067");
	assert_int_equal(vouch_tlog_tile_path(p, sizeof(p), 0, 1000, 7), 0);
	assert_string_equal(p, "tile/0/x001/000.p/7");
	assert_int_equal(vouch_tlog_tile_path(p, sizeof(p), VOUCH_TLOG_ENTRIES, 5, 255), 0);
	assert_string_equal(p, "tile/entries/005.p/255");
	assert_int_equal(vouch_tlog_tile_path(p, sizeof(p), 2, UINT64_MAX, 0), 0);
	assert_string_equal(p, "tile/2/x018/x446/x744/x073/x709/x551/615");
	assert_err(vouch_tlog_tile_path(p, 12, 0, 1234067, 0), VOUCH_E_RANGE);
	assert_err(vouch_tlog_tile_path(p, sizeof(p), -2, 0, 0), VOUCH_E_RANGE);
	assert_err(vouch_tlog_tile_path(p, sizeof(p), 0, 0, 257), VOUCH_E_RANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roots),
	    cmocka_unit_test(test_inclusion_vectors),
	    cmocka_unit_test(test_consistency_vectors),
	    cmocka_unit_test(test_property),
	    cmocka_unit_test(test_tile_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
