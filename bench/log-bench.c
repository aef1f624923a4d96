/* SPDX-License-Identifier: Apache-2.0 */
/* Benchmark for issue 5: log appends per second (with hashing), commits, and verify vs SHA-256. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vouch/vouch.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* A realistic decision: an allow of a library by a shell, paths of typical length. */
static int make_entry(uint64_t i, char *buf, size_t cap)
{
	char path[128];
	struct vouch_entry e = {
	    .time_us = INT64_C(1763719200000000) + (int64_t)i,
	    .decision = "allow",
	    .mode = "enforce",
	    .event = "exec",
	    .rule = "manifest",
	    .reason = "listed by manifest 'base' (signer ops)",
	    .path = path,
	    .pid = 1000 + (int64_t)(i % 30000),
	    .uid = 1000,
	    .exe = "/usr/bin/bash",
	    .has_exe_sha256 = true,
	};

	snprintf(path, sizeof(path), "/usr/lib/x86_64-linux-gnu/libexample-%" PRIu64 ".so.1", i);
	memset(e.sha256, (int)(i & 0xff), 32);
	memset(e.exe_sha256, 0x5a, 32);
	return vouch_entry_format(&e, buf, cap);
}

int main(int argc, char **argv)
{
	const char *dir;
	uint64_t n, batch;
	int reps;
	struct vouch_note_skey key;
	uint8_t seed[32] = {7};
	double *t_app, *t_fmt, *t_ver, *t_sha, *t_mem;
	char *entries;
	size_t *off, total = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: log-bench DIR ENTRIES BATCH REPS\n");
		return 2;
	}
	dir = argv[1];
	n = strtoull(argv[2], NULL, 10);
	batch = strtoull(argv[3], NULL, 10);
	reps = atoi(argv[4]);
	if (!n || !batch || reps < 1 || vouch_note_skey_from_seed(&key, "bench/log", seed))
		return 2;
	t_app = calloc((size_t)reps, sizeof(double));
	t_fmt = calloc((size_t)reps, sizeof(double));
	t_ver = calloc((size_t)reps, sizeof(double));
	t_sha = calloc((size_t)reps, sizeof(double));
	t_mem = calloc((size_t)reps, sizeof(double));
	entries = malloc(n * 512);
	off = malloc((n + 1) * sizeof(size_t));
	if (!t_app || !t_fmt || !t_ver || !t_sha || !t_mem || !entries || !off)
		return 2;
	/* Formatting measured on its own: the daemon's writer thread does it too. */
	for (int r = 0; r < reps; r++) {
		double t0 = now();

		total = 0;
		for (uint64_t i = 0; i < n; i++) {
			int len = make_entry(i, entries + total, 512);

			if (len < 0)
				return 1;
			off[i] = total;
			total += (size_t)len;
		}
		off[n] = total;
		t_fmt[r] = now() - t0;
	}
	for (int r = 0; r < reps; r++) {
		char sub[4096];
		struct vouch_log *log;
		struct vouch_log_reader *rd;
		struct vouch_log_report rep;
		struct vouch_sha256 h;
		uint8_t d[32];
		double t0;
		int ret;

		snprintf(sub, sizeof(sub), "%s/r%d", dir, r);
		ret = vouch_log_open(&log, sub, &key, 0);
		if (ret) {
			fprintf(stderr, "open: %s\n", vouch_strerror(ret));
			return 1;
		}
		/* In memory only first (no commit): hashing and tree building alone. */
		t0 = now();
		for (uint64_t i = 0; i < n && i < batch; i++) {
			ret = vouch_log_append(log, entries + off[i], off[i + 1] - off[i], NULL);
			if (ret)
				return 1;
		}
		t_mem[r] = (now() - t0) / (double)(n < batch ? n : batch) * (double)n;
		vouch_log_close(log);
		ret = vouch_log_open(&log, sub, &key, 0);
		if (ret)
			return 1;
		t0 = now();
		for (uint64_t i = 0; i < n; i++) {
			ret = vouch_log_append(log, entries + off[i], off[i + 1] - off[i], NULL);
			if (!ret && (i + 1) % batch == 0)
				ret = vouch_log_commit(log);
			if (ret) {
				fprintf(stderr, "append: %s\n", vouch_strerror(ret));
				return 1;
			}
		}
		ret = vouch_log_commit(log);
		t_app[r] = now() - t0;
		vouch_log_close(log);
		if (ret)
			return 1;
		ret = vouch_log_reader_open(&rd, sub, &key.v);
		if (ret)
			return 1;
		t0 = now();
		ret = vouch_log_verify(rd, &rep);
		t_ver[r] = now() - t0;
		vouch_log_reader_close(rd);
		if (ret || rep.entries != n) {
			fprintf(stderr, "verify: %s\n", rep.what);
			return 1;
		}
		/* The reference: SHA-256 of the same bytes in one pass, same library. */
		t0 = now();
		if (vouch_sha256_init(&h) || vouch_sha256_update(&h, entries, total) ||
		    vouch_sha256_final(&h, d))
			return 1;
		t_sha[r] = now() - t0;
		/* Each run in a fresh directory, the last one's freed: a tmpfs that kept every
		 * run's 0.4 GB was measured slower run by run (the VM backing new pages). */
		if (nftw(sub, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0) {
			perror(sub);
			return 1;
		}
	}
	qsort(t_app, (size_t)reps, sizeof(double), cmp);
	qsort(t_fmt, (size_t)reps, sizeof(double), cmp);
	qsort(t_ver, (size_t)reps, sizeof(double), cmp);
	qsort(t_sha, (size_t)reps, sizeof(double), cmp);
	qsort(t_mem, (size_t)reps, sizeof(double), cmp);
	double ma = t_app[reps / 2], mf = t_fmt[reps / 2], mv = t_ver[reps / 2],
	       ms = t_sha[reps / 2], mm = t_mem[reps / 2];

	printf("| measure | median of %d | per second |\n|---|---|---|\n", reps);
	printf("| format %" PRIu64 " entries (avg %zu bytes) | %.3f s | %.2f M entries/s |\n", n,
	       total / n, mf, (double)n / mf / 1e6);
	printf("| append + hash, in memory (first %" PRIu64 ") | %.3f s per %" PRIu64
	       " | %.2f M entries/s |\n",
	       batch, mm, n, (double)n / mm / 1e6);
	printf("| append + hash + commit every %" PRIu64 " | %.3f s | **%.2f M entries/s** |\n",
	       batch, ma, (double)n / ma / 1e6);
	printf("| format + append (writer thread's work) | %.3f s | %.2f M entries/s |\n", mf + ma,
	       (double)n / (mf + ma) / 1e6);
	printf("| vouch log verify (reads, rehashes, checks tiles) | %.3f s | %.1f MB/s of entries "
	       "|\n",
	       mv, (double)total / mv / 1e6);
	printf("| SHA-256 of the same bytes, one pass | %.3f s | %.1f MB/s |\n", ms,
	       (double)total / ms / 1e6);
	printf(
	    "\nverify / SHA-256 time: %.2f (1 would be hashing the entries once, with no tree)\n",
	    mv / ms);
	explicit_bzero(&key, sizeof(key));
	return 0;
}
