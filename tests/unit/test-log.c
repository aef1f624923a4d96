/* SPDX-License-Identifier: Apache-2.0 */
/* The log directory: group commit, reopening, reading, proofs, verification, tampering, retention.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "test-util.h"

static void key(struct vouch_note_skey *k, uint8_t b)
{
	uint8_t seed[32];

	memset(seed, b, sizeof(seed));
	assert_int_equal(vouch_note_skey_from_seed(k, "test.example/log", seed), 0);
}

static int entry(uint64_t i, char *buf, size_t cap)
{
	return snprintf(buf, cap, "{\"n\":%llu,\"pad\":\"%0*d\"}", (unsigned long long)i,
	                (int)(i % 200), 0);
}

static void append_n(struct vouch_log *log, uint64_t from, uint64_t n)
{
	char buf[512];

	for (uint64_t i = from; i < from + n; i++) {
		uint64_t idx;
		int len = entry(i, buf, sizeof(buf));

		assert_int_equal(vouch_log_append(log, buf, (size_t)len, &idx), 0);
		assert_int_equal(idx, i);
	}
}

static void verify_ok(const char *dir, const struct vouch_note_skey *k, uint64_t size,
                      uint64_t pruned)
{
	struct vouch_log_reader *r;
	struct vouch_log_report rep;
	uint8_t proof[VOUCH_TLOG_PROOF_MAX][32], leaf[32], oroot[32];
	unsigned n;

	assert_int_equal(vouch_log_reader_open(&r, dir, &k->v), 0);
	assert_int_equal(vouch_log_reader_checkpoint(r)->size, size);
	if (vouch_log_verify(r, &rep))
		fail_msg("verify: %s", rep.what);
	assert_int_equal(rep.entries + rep.pruned, size);
	assert_int_equal(rep.pruned, pruned);
	/* Inclusion of the last and of a few others, consistency from a few sizes. */
	for (uint64_t i = pruned; i < size; i += size / 7 + 1) {
		const char *data;
		size_t len;
		char want[512];
		int wl = entry(i, want, sizeof(want));

		assert_int_equal(vouch_log_reader_entry(r, i, &data, &len), 0);
		assert_int_equal(len, (size_t)wl);
		assert_memory_equal(data, want, len);
		assert_int_equal(vouch_tlog_leaf_hash(data, len, leaf), 0);
		assert_int_equal(vouch_log_reader_prove(r, i, proof, &n), 0);
		assert_int_equal(vouch_tlog_check_inclusion(leaf, i, size,
		                                            vouch_log_reader_checkpoint(r)->root,
		                                            (const uint8_t(*)[32])proof, n),
		                 0);
		assert_int_equal(vouch_log_reader_consistency(r, i + 1, proof, &n, oroot), 0);
		assert_int_equal(vouch_tlog_check_consistency(i + 1, oroot, size,
		                                              vouch_log_reader_checkpoint(r)->root,
		                                              (const uint8_t(*)[32])proof, n),
		                 0);
	}
	vouch_log_reader_close(r);
}

static void test_append_reopen(void **state)
{
	const char *dir = *state;
	struct vouch_note_skey k;
	struct vouch_log *log;
	char path[PATH_MAX];

	key(&k, 1);
	assert_int_equal(vouch_log_open(&log, dir, &k, 0), 0);
	/* A new log publishes the empty tree at once. */
	verify_ok(dir, &k, 0, 0);
	append_n(log, 0, 1000);
	assert_int_equal(vouch_log_size(log), 1000);
	assert_int_equal(vouch_log_committed(log), 0);
	assert_int_equal(vouch_log_commit(log), 0);
	assert_int_equal(vouch_log_committed(log), 1000);
	verify_ok(dir, &k, 1000, 0);
	/* Small commits: partial tiles are replaced by wider ones. */
	for (int c = 0; c < 5; c++) {
		append_n(log, 1000 + (uint64_t)c * 7, 7);
		assert_int_equal(vouch_log_commit(log), 0);
	}
	verify_ok(dir, &k, 1035, 0);
	snprintf(path, sizeof(path), "%s/tile/0/003.p/232", dir);
	assert_int_not_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/tile/0/004.p/11", dir);
	assert_int_equal(access(path, F_OK), 0);
	/* Appended but not committed: gone after a reopen (as after a crash). */
	append_n(log, 1035, 50);
	vouch_log_close(log);
	assert_int_equal(vouch_log_open(&log, dir, &k, 0), 0);
	assert_int_equal(vouch_log_size(log), 1035);
	append_n(log, 1035, 70000 - 1035);
	assert_int_equal(vouch_log_commit(log), 0);
	vouch_log_close(log);
	verify_ok(dir, &k, 70000, 0);
	snprintf(path, sizeof(path), "%s/tile/2/000.p/1", dir);
	assert_int_equal(access(path, F_OK), 0);
	/* Reopened over a multi-level tree, it carries on. */
	assert_int_equal(vouch_log_open(&log, dir, &k, 0), 0);
	append_n(log, 70000, 3);
	assert_int_equal(vouch_log_commit(log), 0);
	vouch_log_close(log);
	verify_ok(dir, &k, 70003, 0);
}

static void flip(const char *dir, const char *rel, off_t at)
{
	char path[PATH_MAX];
	uint8_t b;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, at), 1);
	b ^= 0x20;
	assert_int_equal(pwrite(fd, &b, 1, at), 1);
	close(fd);
}

static void test_tamper(void **state)
{
	const char *dir = *state;
	struct vouch_note_skey k, other;
	struct vouch_log *log;
	struct vouch_log_reader *r;
	struct vouch_log_report rep;

	key(&k, 2);
	key(&other, 3);
	assert_int_equal(vouch_log_open(&log, dir, &k, 0), 0);
	append_n(log, 0, 600);
	assert_int_equal(vouch_log_commit(log), 0);
	vouch_log_close(log);
	/* Another key's checkpoint is refused, for reading and for appending. */
	assert_err(vouch_log_reader_open(&r, dir, &other.v), VOUCH_E_WRONGKEY);
	assert_err(vouch_log_open(&log, dir, &other, 0), VOUCH_E_WRONGKEY);
	/* An entry changed in a full bundle: verify names it. */
	flip(dir, "tile/entries/000", 30);
	assert_int_equal(vouch_log_reader_open(&r, dir, &k.v), 0);
	assert_err(vouch_log_verify(r, &rep), VOUCH_E_LOG);
	assert_non_null(strstr(rep.what, "tile/entries/000"));
	vouch_log_reader_close(r);
	flip(dir, "tile/entries/000", 30);
	/* A hash changed in a full tile: the level above disagrees. */
	flip(dir, "tile/0/001", 40);
	assert_int_equal(vouch_log_reader_open(&r, dir, &k.v), 0);
	assert_err(vouch_log_verify(r, &rep), VOUCH_E_LOG);
	vouch_log_reader_close(r);
	flip(dir, "tile/0/001", 40);
	/* The partial tile changed: opening for append refuses, verify too. */
	flip(dir, "tile/0/002.p/88", 0);
	assert_err(vouch_log_open(&log, dir, &k, 0), VOUCH_E_LOG);
	assert_int_equal(vouch_log_reader_open(&r, dir, &k.v), 0);
	assert_err(vouch_log_verify(r, &rep), VOUCH_E_LOG);
	vouch_log_reader_close(r);
	flip(dir, "tile/0/002.p/88", 0);
	/* The signed checkpoint changed: refused. */
	flip(dir, "checkpoint", 20);
	assert_int_not_equal(vouch_log_reader_open(&r, dir, &k.v), 0);
	flip(dir, "checkpoint", 20);
	verify_ok(dir, &k, 600, 0);
}

static void test_retention(void **state)
{
	const char *dir = *state;
	struct vouch_note_skey k;
	struct vouch_log *log;
	struct vouch_log_reader *r;
	const char *data;
	size_t len;

	key(&k, 4);
	/* About 150 bytes an entry: 200 KB keeps a few bundles of the 20 KB each. */
	assert_int_equal(vouch_log_open(&log, dir, &k, 200000), 0);
	for (int c = 0; c < 20; c++) {
		append_n(log, (uint64_t)c * 500, 500);
		assert_int_equal(vouch_log_commit(log), 0);
	}
	vouch_log_close(log);
	assert_int_equal(vouch_log_reader_open(&r, dir, &k.v), 0);
	assert_true(vouch_log_reader_pruned(r) > 0);
	assert_err(vouch_log_reader_entry(r, 0, &data, &len), VOUCH_E_NOTFOUND);
	uint64_t pruned = vouch_log_reader_pruned(r);
	vouch_log_reader_close(r);
	/* Proofs and verification of what is kept still work; the tree is whole. */
	verify_ok(dir, &k, 10000, pruned);
	assert_int_equal(vouch_log_open(&log, dir, &k, 200000), 0);
	append_n(log, 10000, 10);
	assert_int_equal(vouch_log_commit(log), 0);
	vouch_log_close(log);
}

static void test_commit_failure(void **state)
{
	const char *dir = *state;
	struct vouch_note_skey k;
	struct vouch_log *log;
	char path[PATH_MAX], aside[PATH_MAX];
	int fd;

	key(&k, 5);
	assert_int_equal(vouch_log_open(&log, dir, &k, 0), 0);
	append_n(log, 0, 10);
	assert_int_equal(vouch_log_commit(log), 0);
	append_n(log, 10, 300);
	/* Storage that fails under the writer (a file where a directory must go; works as root). */
	snprintf(path, sizeof(path), "%s/tile/entries", dir);
	snprintf(aside, sizeof(aside), "%s/entries.aside", dir);
	assert_int_equal(rename(path, aside), 0);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_err(vouch_log_commit(log), -ENOTDIR);
	/* Refused until reopened, and the directory still holds the last checkpoint. */
	assert_err(vouch_log_append(log, "x", 1, NULL), -EIO);
	assert_err(vouch_log_commit(log), -EIO);
	vouch_log_close(log);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rename(aside, path), 0);
	verify_ok(dir, &k, 10, 0);
	assert_int_equal(vouch_log_open(&log, dir, &k, 0), 0);
	assert_int_equal(vouch_log_size(log), 10);
	vouch_log_close(log);
}

static void write_file(const char *dir, const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void remove_file(const char *dir, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(unlink(path), 0);
}

static void test_pruned_parse(void **state)
{
	static const char *const bad[] = {
	    "",
	    "entries 1\ntiles 0",
	    "entries 1\ntiles 0\n\n",
	    "entries 1\ntiles 0\nx",
	    "entries 01\ntiles 0\n",
	    "entries 1\ntiles 00\n",
	    "entries +1\ntiles 0\n",
	    "entries -1\ntiles 0\n",
	    "entries  1\ntiles 0\n",
	    "entries 1 \ntiles 0\n",
	    " entries 1\ntiles 0\n",
	    "entries 1\r\ntiles 0\n",
	    "entries \ntiles 0\n",
	    "entries 18446744073709551616\ntiles 0\n",
	    "entries 99999999999999999999\ntiles 0\n",
	    "tiles 0\nentries 1\n",
	    "Entries 1\ntiles 0\n",
	};
	uint64_t b, t;

	(void)state;
	assert_int_equal(vouch_log_pruned_parse("entries 0\ntiles 0\n", 18, &b, &t), 0);
	assert_true(b == 0 && t == 0);
	assert_int_equal(vouch_log_pruned_parse("entries 12\ntiles 3\n", 19, &b, &t), 0);
	assert_true(b == 12 && t == 3);
	assert_int_equal(
	    vouch_log_pruned_parse("entries 18446744073709551615\ntiles 7\n", 37, &b, &t), 0);
	assert_true(b == UINT64_MAX && t == 7);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (vouch_log_pruned_parse(bad[i], strlen(bad[i]), &b, &t) != VOUCH_E_LOG)
			fail_msg("accepted pruned record %zu", i);
	/* A NUL inside is a wrong byte like any other. */
	assert_err(vouch_log_pruned_parse("entries 1\0tiles 0\n", 18, &b, &t), VOUCH_E_LOG);
	/* Against the checkpoint: tiles only with their bundles, the last full bundle kept. */
	assert_int_equal(vouch_log_pruned_check(0, 0, 0), 0);
	assert_int_equal(vouch_log_pruned_check(1, 0, 512), 0);
	assert_int_equal(vouch_log_pruned_check(1, 1, 600), 0);
	assert_int_equal(vouch_log_pruned_check(3, 2, 1024), 0);
	assert_err(vouch_log_pruned_check(1, 0, 511), VOUCH_E_LOG);
	assert_err(vouch_log_pruned_check(2, 0, 600), VOUCH_E_LOG);
	assert_err(vouch_log_pruned_check(4, 0, 1024), VOUCH_E_LOG);
	assert_err(vouch_log_pruned_check(1, 2, 100000), VOUCH_E_LOG);
	assert_err(vouch_log_pruned_check(0, 1, 100000), VOUCH_E_LOG);
	assert_err(vouch_log_pruned_check(UINT64_MAX, 0, UINT64_MAX), VOUCH_E_LOG);
	assert_err(vouch_log_pruned_check(9, 9, 600), VOUCH_E_LOG);
}

static void test_pruned_record(void **state)
{
	const char *dir = *state;
	struct vouch_note_skey k;
	struct vouch_log *log;
	struct vouch_log_reader *r;
	struct vouch_log_report rep;
	const char *data;
	size_t len;

	key(&k, 6);
	assert_int_equal(vouch_log_open(&log, dir, &k, 0), 0);
	append_n(log, 0, 600);
	assert_int_equal(vouch_log_commit(log), 0);
	vouch_log_close(log);
	/* Records that contradict the tree: refused at open, by every reader. */
	write_file(dir, "pruned", "entries 9\ntiles 9\n");
	assert_err(vouch_log_reader_open(&r, dir, &k.v), VOUCH_E_LOG);
	assert_err(vouch_log_reader_open(&r, dir, NULL), VOUCH_E_LOG);
	write_file(dir, "pruned", "entries 2\ntiles 0\n");
	assert_err(vouch_log_reader_open(&r, dir, &k.v), VOUCH_E_LOG);
	write_file(dir, "pruned", "entries 1\ntiles 2\n");
	assert_err(vouch_log_reader_open(&r, dir, &k.v), VOUCH_E_LOG);
	write_file(dir, "pruned", "entries 1\ntiles 0\ngarbage");
	assert_err(vouch_log_reader_open(&r, dir, &k.v), VOUCH_E_LOG);
	/* A record that fits, over a bundle that is still there: checked all the same. */
	write_file(dir, "pruned", "entries 1\ntiles 1\n");
	flip(dir, "tile/entries/000", 10);
	assert_int_equal(vouch_log_reader_open(&r, dir, &k.v), 0);
	assert_int_equal(vouch_log_reader_pruned(r), 256);
	assert_err(vouch_log_reader_entry(r, 0, &data, &len), VOUCH_E_NOTFOUND);
	assert_err(vouch_log_verify(r, &rep), VOUCH_E_LOG);
	assert_non_null(strstr(rep.what, "tile/entries/000"));
	vouch_log_reader_close(r);
	/* Its tile gone too: the bundle is checked against level 1. */
	remove_file(dir, "tile/0/000");
	assert_int_equal(vouch_log_reader_open(&r, dir, &k.v), 0);
	assert_err(vouch_log_verify(r, &rep), VOUCH_E_LOG);
	assert_non_null(strstr(rep.what, "tile/1"));
	vouch_log_reader_close(r);
	flip(dir, "tile/entries/000", 10);
	assert_int_equal(vouch_log_reader_open(&r, dir, &k.v), 0);
	assert_int_equal(vouch_log_verify(r, &rep), 0);
	assert_true(rep.entries == 600 && rep.pruned == 0);
	vouch_log_reader_close(r);
	/* Gone as the record says: reported, not checked; the tree still is. */
	remove_file(dir, "tile/entries/000");
	verify_ok(dir, &k, 600, 256);
	/* Gone without a record: the log does not verify. */
	remove_file(dir, "pruned");
	assert_int_equal(vouch_log_reader_open(&r, dir, &k.v), 0);
	assert_err(vouch_log_verify(r, &rep), -ENOENT);
	vouch_log_reader_close(r);
}

/* Every entry from @from read checked; the first that fails, or UINT64_MAX. */
static uint64_t first_unchecked(const char *dir, const struct vouch_note_skey *k, uint64_t from,
                                int *err)
{
	struct vouch_log_reader *r;
	uint64_t size, i;

	assert_int_equal(vouch_log_reader_open(&r, dir, &k->v), 0);
	size = vouch_log_reader_checkpoint(r)->size;
	*err = 0;
	for (i = from; i < size; i++) {
		const char *data;
		size_t len;
		char want[512];

		*err = vouch_log_reader_entry_checked(r, i, &data, &len);
		if (*err)
			break;
		assert_int_equal(len, (size_t)entry(i, want, sizeof(want)));
		assert_memory_equal(data, want, len);
	}
	vouch_log_reader_close(r);
	return i < size ? i : UINT64_MAX;
}

/* Overwrite the leaf hash of entry @i in its level-0 tile with the hash of @data. */
static void set_leaf(const char *dir, const char *tile, unsigned i, const void *data, size_t len)
{
	char path[PATH_MAX];
	uint8_t h[32];
	int fd;

	assert_int_equal(vouch_tlog_leaf_hash(data, len, h), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, tile);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, h, 32, (off_t)i * 32), 32);
	close(fd);
}

static void test_entry_checked(void **state)
{
	const char *dir = *state;
	struct vouch_note_skey k;
	struct vouch_log *log;
	struct vouch_log_reader *r;
	const char *data;
	size_t len;
	char e0[64];
	int err, n;

	key(&k, 7);
	assert_int_equal(vouch_log_open(&log, dir, &k, 0), 0);
	append_n(log, 0, 600);
	assert_int_equal(vouch_log_commit(log), 0);
	vouch_log_close(log);
	assert_true(first_unchecked(dir, &k, 0, &err) == UINT64_MAX);
	/* A changed entry: the unchecked read returns it, the checked one refuses. */
	flip(dir, "tile/entries/000", 10);
	assert_int_equal(vouch_log_reader_open(&r, dir, &k.v), 0);
	assert_int_equal(vouch_log_reader_entry(r, 0, &data, &len), 0);
	assert_err(vouch_log_reader_entry_checked(r, 0, &data, &len), VOUCH_E_LOG);
	/* The other bundles are still readable, checked. */
	assert_int_equal(vouch_log_reader_entry_checked(r, 300, &data, &len), 0);
	vouch_log_reader_close(r);
	/* The entry and its leaf hash changed together: the tile no longer folds to level 1. */
	n = entry(0, e0, sizeof(e0));
	e0[8] ^= 0x20;
	set_leaf(dir, "tile/0/000", 0, e0, (size_t)n);
	assert_true(first_unchecked(dir, &k, 0, &err) == 0);
	assert_err(err, VOUCH_E_LOG);
	assert_true(first_unchecked(dir, &k, 256, &err) == UINT64_MAX);
	e0[8] ^= 0x20;
	set_leaf(dir, "tile/0/000", 0, e0, (size_t)n);
	flip(dir, "tile/entries/000", 10);
	/* The partial tile at the right edge, against the signed root: nothing is trusted. */
	flip(dir, "tile/0/002.p/88", 5);
	assert_true(first_unchecked(dir, &k, 0, &err) == 0);
	assert_err(err, VOUCH_E_LOG);
	flip(dir, "tile/0/002.p/88", 5);
	/* A level-1 node: every full tile under it fails. */
	flip(dir, "tile/1/000.p/2", 33);
	assert_true(first_unchecked(dir, &k, 0, &err) == 0);
	assert_err(err, VOUCH_E_LOG);
	flip(dir, "tile/1/000.p/2", 33);
	/* A missing tile is an error, not an unchecked entry. */
	remove_file(dir, "tile/0/001");
	assert_true(first_unchecked(dir, &k, 0, &err) == 256);
	assert_err(err, -ENOENT);
}

static void test_entry_checked_levels(void **state)
{
	const char *dir = *state;
	struct vouch_note_skey k;
	struct vouch_log *log;
	int err;

	key(&k, 8);
	assert_int_equal(vouch_log_open(&log, dir, &k, 0), 0);
	append_n(log, 0, 66000);
	assert_int_equal(vouch_log_commit(log), 0);
	vouch_log_close(log);
	assert_true(first_unchecked(dir, &k, 65000, &err) == UINT64_MAX);
	/* Node 5 of the full level-1 tile: its own subtree and, through level 2, all of it. */
	flip(dir, "tile/1/000", 5 * 32 + 3);
	assert_true(first_unchecked(dir, &k, 0, &err) == 0);
	assert_err(err, VOUCH_E_LOG);
	assert_true(first_unchecked(dir, &k, 65536, &err) == UINT64_MAX);
	flip(dir, "tile/1/000", 5 * 32 + 3);
	assert_true(first_unchecked(dir, &k, 60000, &err) == UINT64_MAX);
}

static void test_proof_parse(void **state)
{
	const char *dir = *state;
	struct vouch_note_skey k;
	struct vouch_log *log;
	struct vouch_log_reader *r;
	struct vouch_proof p;
	uint8_t proof[VOUCH_TLOG_PROOF_MAX][32];
	char *text, *cons, buf[8192];
	size_t len, clen, nlen;
	const char *note;
	unsigned n;

	key(&k, 9);
	assert_int_equal(vouch_log_open(&log, dir, &k, 0), 0);
	append_n(log, 0, 600);
	assert_int_equal(vouch_log_commit(log), 0);
	vouch_log_close(log);
	assert_int_equal(vouch_log_reader_open(&r, dir, &k.v), 0);
	assert_int_equal(vouch_log_reader_proof_text(r, 5, &text, &len), 0);
	assert_int_equal(vouch_log_reader_consistency_text(r, 100, &cons, &clen), 0);
	assert_int_equal(vouch_log_reader_prove(r, 5, proof, &n), 0);
	note = vouch_log_reader_note(r, &nlen);
	assert_int_equal(vouch_proof_parse(&p, text, len), 0);
	assert_true(p.inclusion && p.num == 5 && p.n == n && p.extra);
	assert_memory_equal(p.hash, proof, (size_t)n * 32);
	assert_int_equal(p.note_len, nlen);
	assert_memory_equal(p.note, note, nlen);
	assert_int_equal(vouch_proof_parse(&p, cons, clen), 0);
	assert_true(!p.inclusion && p.num == 100 && !p.extra && p.note_len == nlen);
	vouch_log_reader_close(r);
	/* Every truncation is refused or parses, never read past its end (ASan). */
	for (size_t l = 0; l < len; l++) {
		char *cut = malloc(l ? l : 1);

		assert_non_null(cut);
		memcpy(cut, text, l);
		if (vouch_proof_parse(&p, cut, l) == 0)
			assert_true(p.note_len > 0 && p.note + p.note_len == cut + l);
		else
			assert_non_null(p.why);
		free(cut);
	}
	/* Numbers: decimal, no sign, no leading zero, no overflow; each refusal names its line. */
	{
		static const char *const bad[] = {"index 05", "index -1",
		                                  "index +5", "index 5x",
		                                  "index ",   "index 18446744073709551616"};
		const char *idx = strstr(text, "\nindex 5\n") + 1;
		size_t head = (size_t)(idx - text), tail = len - head - 8;

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			int l = snprintf(buf, sizeof(buf), "%.*s%s\n%.*s", (int)head, text, bad[i],
			                 (int)tail, idx + 8);

			assert_err(vouch_proof_parse(&p, buf, (size_t)l), VOUCH_E_PROOF);
			assert_int_equal(p.line, 3);
		}
	}
	assert_err(vouch_proof_parse(&p, "c2sp.org/tlog-proof@v2\n", 23), VOUCH_E_PROOF);
	assert_int_equal(p.line, 1);
	assert_err(vouch_proof_parse(&p, "\x1b[2Jc2sp\n", 9), VOUCH_E_PROOF);
	assert_err(
	    vouch_proof_parse(&p, "c2sp.org/tlog-proof@v1\nindex 1\nnot base64!\n\nx", 46),
	    VOUCH_E_PROOF);
	assert_int_equal(p.line, 3);
	assert_err(vouch_proof_parse(&p, "c2sp.org/tlog-proof@v1\nindex 1\n\n", 32),
	           VOUCH_E_PROOF);
	assert_err(vouch_proof_parse(&p, "c2sp.org/tlog-proof@v1\n\nx", 25), VOUCH_E_PROOF);
	assert_int_equal(p.line, 2);
	assert_err(vouch_proof_parse(&p, "c2sp.org/tlog-proof@v1\nindex 1\nindex 2\n\nx", 41),
	           VOUCH_E_PROOF);
	/* Too many hashes. */
	{
		int l = snprintf(buf, sizeof(buf), "c2sp.org/tlog-proof@v1\nindex 1\n");

		for (int i = 0; i <= VOUCH_TLOG_PROOF_MAX; i++)
			l += snprintf(buf + l, sizeof(buf) - (size_t)l,
			              "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
		l += snprintf(buf + l, sizeof(buf) - (size_t)l, "\nx");
		assert_err(vouch_proof_parse(&p, buf, (size_t)l), VOUCH_E_PROOF);
		assert_int_equal(p.line, 3 + VOUCH_TLOG_PROOF_MAX);
	}
	free(text);
	free(cons);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_append_reopen, dir_setup, dir_teardown),
	    cmocka_unit_test_setup_teardown(test_tamper, dir_setup, dir_teardown),
	    cmocka_unit_test_setup_teardown(test_retention, dir_setup, dir_teardown),
	    cmocka_unit_test_setup_teardown(test_commit_failure, dir_setup, dir_teardown),
	    cmocka_unit_test(test_pruned_parse),
	    cmocka_unit_test_setup_teardown(test_pruned_record, dir_setup, dir_teardown),
	    cmocka_unit_test_setup_teardown(test_entry_checked, dir_setup, dir_teardown),
	    cmocka_unit_test_setup_teardown(test_entry_checked_levels, dir_setup, dir_teardown),
	    cmocka_unit_test_setup_teardown(test_proof_parse, dir_setup, dir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
