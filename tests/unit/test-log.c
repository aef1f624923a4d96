/* SPDX-License-Identifier: Apache-2.0 */
/* The log directory: group commit, reopening, reading, proofs, verification, tampering, retention. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_append_reopen, dir_setup, dir_teardown),
	    cmocka_unit_test_setup_teardown(test_tamper, dir_setup, dir_teardown),
	    cmocka_unit_test_setup_teardown(test_retention, dir_setup, dir_teardown),
	    cmocka_unit_test_setup_teardown(test_commit_failure, dir_setup, dir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
