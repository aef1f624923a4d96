/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the tile formats: hash tiles, entry bundles, partial-tile names, the pruned record. */
#include "test-util.h"
#include "vouch/tiles.h"

#define W VOUCH_TLOG_TILE_WIDTH

static void hash_tiles(void **state)
{
	static uint8_t tile[W * VOUCH_TLOG_HASH + 1];

	(void)state;
	assert_err(vouch_tile_parse(tile, 32, 1), 0);
	assert_err(vouch_tile_parse(tile, 5 * 32, 5), 0);
	assert_err(vouch_tile_parse(tile, W * 32, W), 0);
	assert_err(vouch_tile_parse(tile, 5 * 32 - 1, 5), VOUCH_E_LOG);
	assert_err(vouch_tile_parse(tile, 5 * 32 + 1, 5), VOUCH_E_LOG);
	assert_err(vouch_tile_parse(tile, 6 * 32, 5), VOUCH_E_LOG);
	assert_err(vouch_tile_parse(tile, 0, 1), VOUCH_E_LOG);
	assert_err(vouch_tile_parse(tile, 0, 0), VOUCH_E_RANGE);
	assert_err(vouch_tile_parse(tile, (W + 1) * 32, W + 1), VOUCH_E_RANGE);
}

static void bundles(void **state)
{
	/* Three entries: "ab", "" and 300 bytes. */
	static uint8_t b[2 + 2 + 2 + 2 + 300 + 1];
	uint32_t off[W], len[W];
	size_t n = 0;

	(void)state;
	b[n++] = 0, b[n++] = 2, b[n++] = 'a', b[n++] = 'b';
	b[n++] = 0, b[n++] = 0;
	b[n++] = 1, b[n++] = 44;
	memset(b + n, 'x', 300);
	n += 300;
	assert_err(vouch_tile_bundle_parse(b, n, 3, off, len), 0);
	assert_int_equal(off[0], 2);
	assert_int_equal(len[0], 2);
	assert_int_equal(off[1], 6);
	assert_int_equal(len[1], 0);
	assert_int_equal(off[2], 8);
	assert_int_equal(len[2], 300);
	/* Exactly the width: not fewer entries, not more, no byte after. */
	assert_err(vouch_tile_bundle_parse(b, n, 2, off, len), VOUCH_E_LOG);
	assert_err(vouch_tile_bundle_parse(b, n, 4, off, len), VOUCH_E_LOG);
	assert_err(vouch_tile_bundle_parse(b, n + 1, 3, off, len), VOUCH_E_LOG);
	/* Cut inside the last entry, and inside a length. */
	assert_err(vouch_tile_bundle_parse(b, n - 1, 3, off, len), VOUCH_E_LOG);
	assert_err(vouch_tile_bundle_parse(b, 7, 3, off, len), VOUCH_E_LOG);
	assert_err(vouch_tile_bundle_parse(b, 0, 1, off, len), VOUCH_E_LOG);
	assert_err(vouch_tile_bundle_parse(b, n, 0, off, len), VOUCH_E_RANGE);
	assert_err(vouch_tile_bundle_parse(b, n, W + 1, off, len), VOUCH_E_RANGE);
}

static void full_bundle(void **state)
{
	/* 256 entries of the longest length. */
	size_t n = (size_t)W * (2 + VOUCH_TLOG_ENTRY_MAX);
	uint8_t *b = calloc(1, n);
	uint32_t off[W], len[W];

	(void)state;
	assert_non_null(b);
	for (size_t i = 0; i < W; i++)
		b[i * (2 + VOUCH_TLOG_ENTRY_MAX)] = 0xff, b[i * (2 + VOUCH_TLOG_ENTRY_MAX) + 1] = 0xff;
	assert_err(vouch_tile_bundle_parse(b, n, W, off, len), 0);
	assert_int_equal(off[W - 1], (W - 1) * (2 + VOUCH_TLOG_ENTRY_MAX) + 2);
	assert_int_equal(len[W - 1], VOUCH_TLOG_ENTRY_MAX);
	free(b);
}

static void widths(void **state)
{
	static const char *const bad[] = {"",   "0",   "00", "01",   "256", "999", "1000",
	                                  "+1", " 1",  "1 ", "1x",   "-1",  "x",   "12345",
	                                  ".",  "..", "1.", "0x10", "2550"};
	unsigned w = 7;

	(void)state;
	assert_err(vouch_tile_width_parse("1", &w), 0);
	assert_int_equal(w, 1);
	assert_err(vouch_tile_width_parse("10", &w), 0);
	assert_int_equal(w, 10);
	assert_err(vouch_tile_width_parse("255", &w), 0);
	assert_int_equal(w, 255);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		w = 7;
		assert_err(vouch_tile_width_parse(bad[i], &w), VOUCH_E_LOG);
		assert_int_equal(w, 0);
	}
}

static void pruned(void **state)
{
	static const char *const bad[] = {
	    "",
	    "entries 1\ntiles 0",
	    "entries 1\ntiles 0\n\n",
	    "entries 01\ntiles 0\n",
	    "entries -1\ntiles 0\n",
	    "entries +1\ntiles 0\n",
	    "entries 1 \ntiles 0\n",
	    "Entries 1\ntiles 0\n",
	    "entries 1\r\ntiles 0\n",
	    "entries\ntiles 0\n",
	    "entries 18446744073709551616\ntiles 0\n",
	    "tiles 0\nentries 1\n",
	};
	uint64_t b = 9, t = 9;

	(void)state;
	assert_err(vouch_log_pruned_parse("entries 3\ntiles 2\n", 18, &b, &t), 0);
	assert_int_equal(b, 3);
	assert_int_equal(t, 2);
	assert_err(vouch_log_pruned_parse("entries 18446744073709551615\ntiles 0\n", 37, &b, &t),
	           0);
	assert_true(b == UINT64_MAX && t == 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = t = 9;
		assert_err(vouch_log_pruned_parse(bad[i], strlen(bad[i]), &b, &t), VOUCH_E_LOG);
		assert_true(b == 0 && t == 0);
	}
	/* Against a checkpoint: a tile only with its bundle, never the last full bundle. */
	assert_err(vouch_log_pruned_check(0, 0, 0), 0);
	assert_err(vouch_log_pruned_check(2, 2, 3 * W), 0);
	assert_err(vouch_log_pruned_check(2, 3, 10 * W), VOUCH_E_LOG);
	assert_err(vouch_log_pruned_check(3, 0, 3 * W), VOUCH_E_LOG);
	assert_err(vouch_log_pruned_check(3, 0, 4 * W - 1), VOUCH_E_LOG);
	assert_err(vouch_log_pruned_check(3, 0, 4 * W), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(hash_tiles), cmocka_unit_test(bundles), cmocka_unit_test(full_bundle),
	    cmocka_unit_test(widths),     cmocka_unit_test(pruned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
