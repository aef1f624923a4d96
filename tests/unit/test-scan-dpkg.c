/* SPDX-License-Identifier: Apache-2.0 */
/* vouch_manifest_scan_dpkg()'s progress callback: on the caller's thread, monotonic, ending at the
 * total. */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "test-util.h"

#define NFILES 64

struct tree {
	char dir[64], admin[128], root[128];
};

static void put(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* MD5 of @path as 32 hex digits, by md5sum(1): as dpkg records it, independently of vouch. */
static void md5_hex(const char *path, char out[33])
{
	char cmd[512];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "md5sum '%s'", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(out, 33, p));
	pclose(p);
}

/*
 * NFILES scripts and one 64 MiB sparse ELF file (slow enough to be watched), all
 * listed by one package's md5sums.
 */
static void make_tree(struct tree *t)
{
	char path[512], md5[33], line[1024];
	FILE *m;

	snprintf(t->dir, sizeof(t->dir), "/tmp/vouch-scan-dpkg.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->admin, sizeof(t->admin), "%s/admin", t->dir);
	snprintf(t->root, sizeof(t->root), "%s/root", t->dir);
	assert_int_equal(mkdir(t->admin, 0755), 0);
	snprintf(path, sizeof(path), "%s/info", t->admin);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(mkdir(t->root, 0755), 0);
	snprintf(path, sizeof(path), "%s/info/pkg.md5sums", t->admin);
	m = fopen(path, "w");
	assert_non_null(m);
	for (int i = 0; i < NFILES; i++) {
		int n = snprintf(line, sizeof(line), "#!/bin/sh\necho %d\n", i);

		snprintf(path, sizeof(path), "%s/s%02d", t->root, i);
		put(path, line, (size_t)n);
		md5_hex(path, md5);
		fprintf(m, "%s  s%02d\n", md5, i);
	}
	{
		static const unsigned char elf[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0,   0,
		                                      0,    0,   0,   0,   0, 0, 3, 0, 0x3e};

		snprintf(path, sizeof(path), "%s/big", t->root);
		put(path, elf, sizeof(elf));
		assert_int_equal(truncate(path, 64 << 20), 0);
		md5_hex(path, md5);
		fprintf(m, "%s  big\n", md5);
	}
	assert_int_equal(fclose(m), 0);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static void free_tree(struct tree *t)
{
	nftw(t->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

struct seen {
	pthread_t caller;
	unsigned calls, other_thread, backwards, over, final;
	uint64_t last, total;
	bool named;
};

static void on_progress(void *ctx, uint64_t done, uint64_t total, const char *package)
{
	struct seen *s = ctx;

	s->calls++;
	if (!pthread_equal(pthread_self(), s->caller))
		s->other_thread++;
	if (done < s->last)
		s->backwards++;
	if (done > total)
		s->over++;
	if (done == total)
		s->final++;
	if (package && !strcmp(package, "pkg"))
		s->named = true;
	s->last = done;
	s->total = total;
}

static void progress_on_caller(void **state)
{
	struct tree t;
	struct seen s = {.caller = pthread_self()};
	struct vouch_scan_opts o = {.threads = 2, .progress = on_progress, .ctx = &s};
	struct vouch_scan_opts plain = {.threads = 2};
	struct vouch_scan_stats st;
	struct vouch_manifest m, m2;
	struct timespec t0, t1;
	double secs;
	char *a = NULL, *b = NULL;
	size_t alen, blen;

	(void)state;
	make_tree(&t);
	o.admindir = plain.admindir = t.admin;
	o.root = plain.root = t.root;
	vouch_manifest_init(&m);
	vouch_manifest_init(&m2);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_err(vouch_manifest_scan_dpkg(&m, &o, &st), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_int_equal(st.files, NFILES + 1);
	assert_int_equal(s.other_thread, 0);
	assert_int_equal(s.backwards, 0);
	assert_int_equal(s.over, 0);
	assert_int_equal(s.final, 1); /* once at the end, and the last call */
	assert_int_equal(s.last, NFILES + 1);
	assert_int_equal(s.total, NFILES + 1);
	assert_true(s.named);
	/* About ten a second, and the final one: never a flood. */
	assert_true(s.calls <= 12 * secs + 2);
	/* The same manifest as a scan without progress. */
	assert_err(vouch_manifest_scan_dpkg(&m2, &plain, NULL), 0);
	assert_err(vouch_manifest_format(&m, &a, &alen), 0);
	assert_err(vouch_manifest_format(&m2, &b, &blen), 0);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	free(a);
	free(b);
	vouch_manifest_free(&m);
	vouch_manifest_free(&m2);
	free_tree(&t);
}

/* A failed scan (the root is missing) never reports progress. */
static void no_progress_on_failure(void **state)
{
	struct seen s = {.caller = pthread_self()};
	struct vouch_scan_opts o = {.admindir = "/nonexistent-vouch/admin",
	                            .root = "/nonexistent-vouch/root",
	                            .progress = on_progress,
	                            .ctx = &s};
	struct vouch_manifest m;

	(void)state;
	vouch_manifest_init(&m);
	assert_err(vouch_manifest_scan_dpkg(&m, &o, NULL), -ENOENT);
	assert_int_equal(s.calls, 0);
	vouch_manifest_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(progress_on_caller),
	    cmocka_unit_test(no_progress_on_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
