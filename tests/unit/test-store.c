/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the LMDB trust store: install, lookup, atomic replacement, crashes, damage. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <lmdb.h>

#include "test-util.h"
#include "vouch/bundle.h"
#include "vouch/store.h"

static const char *const test_strings[] = {"denied by policy", "vetted", "alice",
                                           "manifests/base.txt"};
#define NSTRINGS 4
static int64_t test_expires; /* the next tb_make()'s policy expiry */

static void make_policy(struct vouch_cpolicy *cp, uint64_t seed)
{
	memset(cp, 0, sizeof(*cp));
	cp->mode = seed & 1 ? VOUCH_MODE_ENFORCE : VOUCH_MODE_MONITOR;
	cp->gates = VOUCH_GATE_DEFAULT;
	cp->expires = test_expires;
	cp->compiled = (int64_t)(1700000000 + seed);
	cp->message = 0;
	memset(cp->source_sha256, (int)seed, VOUCH_SHA256_LEN);
	cp->nstrings = NSTRINGS;
	cp->strings = calloc(NSTRINGS, sizeof(char *));
	assert_non_null(cp->strings);
	for (int i = 0; i < NSTRINGS; i++) {
		cp->strings[i] = strdup(test_strings[i]);
		assert_non_null(cp->strings[i]);
	}
	cp->nsigners = 1;
	cp->signers = calloc(1, sizeof(*cp->signers));
	assert_non_null(cp->signers);
	cp->signers[0].name = 2;
	cp->nmanifests = 1;
	cp->manifests = calloc(1, sizeof(*cp->manifests));
	assert_non_null(cp->manifests);
	cp->manifests[0].path = 3;
	cp->manifests[0].entries = seed;
	cp->source = strdup("mode enforce\n");
	assert_non_null(cp->source);
}

static int cmp_entry(const void *a, const void *b)
{
	return memcmp(((const struct vouch_trust_entry *)a)->sha256,
	              ((const struct vouch_trust_entry *)b)->sha256, VOUCH_SHA256_LEN);
}

/* A signed bundle of @n random entries, parsed: @b points into @t->buf. */
struct tb {
	uint8_t *buf;
	size_t len;
	struct vouch_bundle b;
	struct vouch_sig sig;
	struct vouch_trust_entry *e;
	uint64_t n;
};

static struct vouch_seckey test_sk;
static struct vouch_pubkey test_pk;

static void tb_make(struct tb *t, uint64_t n, uint64_t seed)
{
	struct vouch_cpolicy cp;

	memset(t, 0, sizeof(*t));
	t->n = n;
	t->e = calloc(n ? n : 1, sizeof(*t->e));
	assert_non_null(t->e);
	rng_state = seed;
	for (uint64_t i = 0; i < n; i++)
		for (int j = 0; j < 32; j += 8) {
			uint64_t v = rng();

			memcpy(t->e[i].sha256 + j, &v, 8);
		}
	qsort(t->e, n, sizeof(*t->e), cmp_entry);
	for (uint64_t i = 0; i < n; i++) {
		struct vouch_trust_rec *r = &t->e[i].rec;

		if (i > 0)
			assert_true(memcmp(t->e[i - 1].sha256, t->e[i].sha256, 32) < 0);
		r->flags = (uint32_t)((i + seed) % 7) + 1;
		r->deny_msg = r->flags & VOUCH_TRUST_DENY ? 0 : VOUCH_NONE;
		r->allow_msg = r->flags & VOUCH_TRUST_ALLOW ? (i % 2 ? 1 : VOUCH_NONE) : VOUCH_NONE;
		r->manifest = r->flags & VOUCH_TRUST_MANIFEST ? 0 : VOUCH_NONE;
	}
	make_policy(&cp, seed);
	assert_err(vouch_bundle_serialize(&cp, t->e, n, &t->buf, &t->len), 0);
	assert_err(test_bundle_seal(&t->buf, &t->len, &test_sk, "store test"), 0);
	assert_err(vouch_bundle_parse(&t->b, &t->sig, t->buf, t->len), 0);
	vouch_cpolicy_free(&cp);
}

static void tb_free(struct tb *t)
{
	vouch_bundle_free(&t->b);
	free(t->buf);
	free(t->e);
}

static const char *in_dir(char *buf, const char *dir, const char *name)
{
	assert_true(snprintf(buf, PATH_MAX, "%s/%s", dir, name) < PATH_MAX);
	return buf;
}

/* Names in @dir, space-separated after a count; shows stray lock and temporary files. */
static size_t list_dir(const char *dir, char *out, size_t cap)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0, used = 0;

	assert_non_null(d);
	out[0] = '\0';
	while ((de = readdir(d))) {
		int w;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n++;
		w = snprintf(out + used, cap - used, "%s ", de->d_name);
		if (w > 0 && (size_t)w < cap - used)
			used += (size_t)w;
	}
	closedir(d);
	return n;
}

static void assert_only_store(const char *dir)
{
	char listing[4096];
	size_t n = list_dir(dir, listing, sizeof(listing));

	if (n != 1 || strcmp(listing, "store ") != 0)
		fail_msg("expected only 'store' in %s, found %zu: %s", dir, n, listing);
}

/* @r sees exactly @t's set: every entry with its record, and @other's entries absent. */
static void assert_sees(struct vouch_store_reader *r, const struct tb *t, const struct tb *other)
{
	struct vouch_trust_rec rec;

	for (uint64_t i = 0; i < t->n; i++) {
		memset(&rec, 0xee, sizeof(rec));
		assert_err(vouch_store_lookup(r, t->e[i].sha256, &rec), 0);
		assert_memory_equal(&rec, &t->e[i].rec, sizeof(rec));
	}
	if (!other)
		return;
	for (uint64_t i = 0; i < other->n; i++)
		assert_err(vouch_store_lookup(r, other->e[i].sha256, &rec), VOUCH_E_NOTFOUND);
}

static void assert_policy_bytes(const struct vouch_cpolicy *a, const struct vouch_cpolicy *b)
{
	uint8_t *x = NULL, *y = NULL;
	size_t xl, yl;

	assert_err(vouch_cpolicy_serialize(a, &x, &xl), 0);
	assert_err(vouch_cpolicy_serialize(b, &y, &yl), 0);
	assert_int_equal(xl, yl);
	assert_memory_equal(x, y, xl);
	free(x);
	free(y);
}

/* Open @path and check it holds exactly @t (and none of @other). */
static void assert_store_is(const char *path, const struct tb *t, const struct tb *other)
{
	struct vouch_store *s = NULL;
	struct vouch_store_reader *r = NULL;

	assert_err(vouch_store_open(&s, path), 0);
	assert_int_equal(vouch_store_count(s), t->n);
	assert_policy_bytes(vouch_store_policy(s), &t->b.policy);
	assert_err(vouch_store_reader_create(s, &r), 0);
	assert_sees(r, t, other);
	vouch_store_reader_destroy(r);
	vouch_store_close(s);
}

static void install_open_lookup(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX];
	struct vouch_store *s = NULL;
	struct vouch_store_reader *r = NULL;
	struct vouch_trust_rec rec;
	const struct vouch_cpolicy *cp;
	struct tb t, absent;
	struct stat st;

	tb_make(&t, 5000, 1);
	tb_make(&absent, 1000, 99);
	in_dir(path, dir, "store");
	assert_err(vouch_store_open(&s, path), -ENOENT);
	assert_err(vouch_store_install(path, &t.b), 0);
	assert_only_store(dir); /* no lock file, no temporary */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);

	assert_err(vouch_store_open(&s, path), 0);
	assert_int_equal(vouch_store_count(s), 5000);
	cp = vouch_store_policy(s);
	assert_policy_bytes(cp, &t.b.policy);
	assert_int_equal(cp->mode, VOUCH_MODE_ENFORCE);
	assert_int_equal(cp->compiled, 1700000001);
	assert_string_equal(vouch_cpolicy_string(cp, 2), "alice");
	assert_string_equal(cp->source, "mode enforce\n");
	assert_err(vouch_store_reader_create(s, &r), 0);
	assert_sees(r, &t, &absent);
	{
		uint8_t lo[32] = {0}, hi[32];

		memset(hi, 0xff, sizeof(hi));
		assert_err(vouch_store_lookup(r, lo, &rec), VOUCH_E_NOTFOUND);
		assert_err(vouch_store_lookup(r, hi, &rec), VOUCH_E_NOTFOUND);
	}
	vouch_store_reader_destroy(r);
	vouch_store_reader_destroy(NULL);
	vouch_store_close(s);
	vouch_store_close(NULL);
	assert_only_store(dir); /* readers leave nothing either */
	tb_free(&t);
	tb_free(&absent);
}

static void empty_set(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX];
	struct tb t, other;

	tb_make(&t, 0, 2);
	tb_make(&other, 10, 3);
	in_dir(path, dir, "store");
	assert_err(vouch_store_install(path, &t.b), 0);
	assert_store_is(path, &t, &other);
	assert_only_store(dir);
	tb_free(&t);
	tb_free(&other);
}

/* The big one: a reader open across a reinstall keeps its set; a new open sees the new one. */
static void reinstall_under_reader(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX];
	struct vouch_store *old = NULL, *new = NULL;
	struct vouch_store_reader *r1 = NULL, *r2 = NULL, *r3 = NULL;
	struct tb a, b;
	struct stat st1, st2;

	tb_make(&a, 3000, 4);
	tb_make(&b, 7000, 5);
	in_dir(path, dir, "store");
	assert_err(vouch_store_install(path, &a.b), 0);
	assert_int_equal(stat(path, &st1), 0);
	assert_err(vouch_store_open(&old, path), 0);
	assert_err(vouch_store_reader_create(old, &r1), 0);
	assert_sees(r1, &a, &b);

	assert_err(vouch_store_install(path, &b.b), 0);
	assert_int_equal(stat(path, &st2), 0);
	assert_true(st1.st_ino != st2.st_ino); /* a new file, not rewritten in place */
	assert_only_store(dir);
	/* The open handle still maps the old inode: the old set, whole. */
	assert_sees(r1, &a, &b);
	assert_int_equal(vouch_store_count(old), 3000);
	assert_policy_bytes(vouch_store_policy(old), &a.b.policy);
	/* Even a reader made now on the old handle. */
	assert_err(vouch_store_reader_create(old, &r2), 0);
	assert_sees(r2, &a, &b);
	/* A new open sees the new set. */
	assert_err(vouch_store_open(&new, path), 0);
	assert_int_equal(vouch_store_count(new), 7000);
	assert_policy_bytes(vouch_store_policy(new), &b.b.policy);
	assert_err(vouch_store_reader_create(new, &r3), 0);
	assert_sees(r3, &b, &a);

	vouch_store_reader_destroy(r1);
	vouch_store_reader_destroy(r2);
	vouch_store_close(old);
	assert_sees(r3, &b, &a);
	vouch_store_reader_destroy(r3);
	vouch_store_close(new);
	tb_free(&a);
	tb_free(&b);
}

struct lookup_thread {
	struct vouch_store *s;
	const struct tb *t;
	int errors;
};

static void *lookup_worker(void *arg)
{
	struct lookup_thread *lt = arg;
	struct vouch_store_reader *r = NULL;
	struct vouch_trust_rec rec;

	if (vouch_store_reader_create(lt->s, &r) != 0) {
		lt->errors++;
		return NULL;
	}
	for (int round = 0; round < 20; round++)
		for (uint64_t i = 0; i < lt->t->n; i++)
			if (vouch_store_lookup(r, lt->t->e[i].sha256, &rec) != 0 ||
			    memcmp(&rec, &lt->t->e[i].rec, sizeof(rec)) != 0)
				lt->errors++;
	vouch_store_reader_destroy(r);
	return NULL;
}

/* One handle shared by threads, one reader each, while the file is replaced. */
static void threads(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX];
	struct vouch_store *s = NULL;
	struct lookup_thread lt[4];
	pthread_t th[4];
	struct tb a, b;

	tb_make(&a, 2000, 6);
	tb_make(&b, 100, 7);
	in_dir(path, dir, "store");
	assert_err(vouch_store_install(path, &a.b), 0);
	assert_err(vouch_store_open(&s, path), 0);
	for (int i = 0; i < 4; i++) {
		lt[i] = (struct lookup_thread){s, &a, 0};
		assert_int_equal(pthread_create(&th[i], NULL, lookup_worker, &lt[i]), 0);
	}
	assert_err(vouch_store_install(path, &b.b), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(lt[i].errors, 0);
	}
	vouch_store_close(s);
	assert_store_is(path, &b, &a);
	tb_free(&a);
	tb_free(&b);
}

static void copy_file(const char *from, const char *to, off_t len)
{
	char *buf;
	size_t n;
	int in = open(from, O_RDONLY), out;
	struct stat st;

	assert_true(in >= 0);
	assert_int_equal(fstat(in, &st), 0);
	if (len < 0 || len > st.st_size)
		len = st.st_size;
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(pread(in, buf, (size_t)len, 0), len);
	close(in);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(out >= 0);
	n = (size_t)len;
	assert_int_equal(write(out, buf, n), (ssize_t)n);
	close(out);
	free(buf);
}

static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	char *buf;

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(pread(fd, buf, (size_t)st.st_size, 0), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

/* A pid that is certainly not running: a child that has exited and been reaped. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

/* A crash that left a half-written temporary file: the store is untouched. */
static void half_written_temp(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX], other[PATH_MAX], tmp[PATH_MAX], live[PATH_MAX], listing[4096];
	char *before, *after;
	size_t blen, alen;
	struct stat st;
	struct tb a, b;

	tb_make(&a, 3000, 8);
	tb_make(&b, 3000, 9);
	in_dir(path, dir, "store");
	in_dir(other, dir, "other");
	assert_err(vouch_store_install(path, &a.b), 0);
	assert_err(vouch_store_install(other, &b.b), 0);
	before = slurp(path, &blen);
	assert_int_equal(stat(other, &st), 0);
	/* What an installer killed half-way would leave: its temporary file, half of it. */
	assert_true(snprintf(tmp, sizeof(tmp), "%s.tmp-%ld-deadbeef", path, (long)dead_pid()) <
	            (int)sizeof(tmp));
	copy_file(other, tmp, st.st_size / 2);
	assert_int_equal(unlink(other), 0);
	/* And a temporary of a live installer (this process's parent), never touched. */
	assert_true(snprintf(live, sizeof(live), "%s.tmp-%ld-0badf00d", path, (long)getppid()) <
	            (int)sizeof(live));
	copy_file(tmp, live, 100);

	assert_store_is(path, &a, &b);
	after = slurp(path, &alen);
	assert_int_equal(alen, blen);
	assert_memory_equal(before, after, blen);
	free(after);

	/* The next install clears the dead installer's leftovers, and only those. */
	assert_err(vouch_store_install(path, &b.b), 0);
	assert_store_is(path, &b, &a);
	assert_int_equal(list_dir(dir, listing, sizeof(listing)), 2);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(access(live, F_OK), 0);
	assert_int_equal(unlink(live), 0);
	assert_only_store(dir);
	free(before);
	tb_free(&a);
	tb_free(&b);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Does @dir hold a temporary file of an installer? */
static bool has_temp(const char *dir)
{
	char listing[4096];

	list_dir(dir, listing, sizeof(listing));
	return strstr(listing, ".tmp-") != NULL;
}

/*
 * Installers SIGKILLed at points spread over an install: afterwards the store
 * is the old set or the new one, whole, every time.
 */
static void killed_installer(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX], probe[PATH_MAX];
	struct tb a, b;
	double t0, dur;
	int interrupted = 0, completed = 0;
	const int rounds = 10;

	tb_make(&a, 2000, 10);
	tb_make(&b, 200000, 11);
	in_dir(path, dir, "store");
	in_dir(probe, dir, "probe");
	assert_err(vouch_store_install(path, &a.b), 0);
	/* How long one install of the new set takes here. */
	t0 = now_s();
	assert_err(vouch_store_install(probe, &b.b), 0);
	dur = now_s() - t0;
	assert_int_equal(unlink(probe), 0);

	for (int k = 0; k < rounds; k++) {
		/* From early in an install to well past its end (the child also pays for fork). */
		useconds_t delay = (useconds_t)(dur * 1e6 * 1.5 * (k + 0.5) / rounds);
		struct vouch_store *s = NULL;
		double deadline;
		pid_t pid;
		int status;

		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			_exit(vouch_store_install(path, &b.b) == 0 ? 0 : 1);
		usleep(delay);
		kill(pid, SIGKILL);
		/* Bounded wait: SIGKILL cannot be caught, but never hang the suite. */
		deadline = now_s() + 30;
		while (waitpid(pid, &status, WNOHANG) == 0) {
			assert_true(now_s() < deadline);
			usleep(1000);
		}
		assert_err(vouch_store_open(&s, path), 0);
		if (vouch_store_count(s) == a.n) {
			vouch_store_close(s);
			assert_store_is(path, &a, NULL);
			if (has_temp(dir))
				interrupted++;
		} else {
			vouch_store_close(s);
			assert_store_is(path, &b, NULL);
			completed++;
			assert_err(vouch_store_install(path, &a.b), 0);
		}
	}
	print_message("# killed installers: %d interrupted, %d completed (install %.0f ms)\n",
	              interrupted, completed, dur * 1e3);
	/* The spread of kill times must have caught installs in the middle. */
	assert_true(interrupted >= 1);
	/* The next install cleans up what the killed ones left. */
	assert_err(vouch_store_install(path, &b.b), 0);
	assert_only_store(dir);
	assert_store_is(path, &b, &a);
	tb_free(&a);
	tb_free(&b);
}

static void write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static void not_a_store(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX], good[PATH_MAX];
	struct vouch_store *s = NULL;
	uint8_t junk[65536];
	struct tb a;
	struct stat st;
	char *full;
	size_t flen;

	in_dir(path, dir, "store");
	assert_err(vouch_store_open(&s, path), -ENOENT);
	write_file(path, "", 0);
	assert_err(vouch_store_open(&s, path), VOUCH_E_STORE);
	rng_state = 12;
	for (size_t i = 0; i < sizeof(junk); i += 8) {
		uint64_t v = rng();

		memcpy(junk + i, &v, 8);
	}
	write_file(path, junk, sizeof(junk));
	assert_err(vouch_store_open(&s, path), VOUCH_E_STORE);
	memset(junk, 0, sizeof(junk));
	write_file(path, junk, sizeof(junk));
	assert_err(vouch_store_open(&s, path), VOUCH_E_STORE);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_err(vouch_store_open(&s, path), -EISDIR);
	assert_int_equal(rmdir(path), 0);

	/* Every truncation of a real store. */
	tb_make(&a, 3000, 13);
	in_dir(good, dir, "good");
	assert_err(vouch_store_install(good, &a.b), 0);
	assert_int_equal(stat(good, &st), 0);
	full = slurp(good, &flen);
	for (size_t len = 0; len < flen; len += len < 8192 ? 97 : 1021) {
		int ret;

		write_file(path, full, len);
		ret = vouch_store_open(&s, path);
		if (ret != VOUCH_E_STORE)
			fail_msg("store truncated to %zu of %zu: %d (%s)", len, flen, ret,
			         vouch_strerror(ret));
	}
	write_file(path, full, flen - 1);
	assert_err(vouch_store_open(&s, path), VOUCH_E_STORE);
	write_file(path, full, flen);
	assert_store_is(path, &a, NULL);
	free(full);
	tb_free(&a);
}

/*
 * Every byte of a small store changed in turn, two ways: open refuses the
 * file (the seal covers every byte, LMDB's unused ones included). Never a crash.
 */
static void damaged_every_byte(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX];
	struct tb a;
	size_t len;
	char *orig;
	int fd;

	tb_make(&a, 40, 14);
	in_dir(path, dir, "store");
	assert_err(vouch_store_install(path, &a.b), 0);
	orig = slurp(path, &len);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	for (size_t i = 0; i < len; i++) {
		static const uint8_t masks[] = {0x01, 0xff};

		for (size_t m = 0; m < sizeof(masks); m++) {
			uint8_t byte = (uint8_t)(orig[i] ^ masks[m]);
			struct vouch_store *s = NULL;
			int ret;

			assert_int_equal(pwrite(fd, &byte, 1, (off_t)i), 1);
			ret = vouch_store_open(&s, path);
			if (ret != VOUCH_E_STORE)
				fail_msg("byte %zu of %zu ^ 0x%02x: %d (%s)", i, len, masks[m], ret,
				         vouch_strerror(ret));
			assert_int_equal(pwrite(fd, orig + i, 1, (off_t)i), 1);
		}
	}
	/* Data appended after the seal, and the seal alone. */
	assert_int_equal(pwrite(fd, "x", 1, (off_t)len), 1);
	{
		struct vouch_store *s = NULL;

		assert_err(vouch_store_open(&s, path), VOUCH_E_STORE);
		assert_int_equal(ftruncate(fd, VOUCH_STORE_SEAL_LEN), 0);
		assert_int_equal(
		    pwrite(fd, orig + len - VOUCH_STORE_SEAL_LEN, VOUCH_STORE_SEAL_LEN, 0),
		    VOUCH_STORE_SEAL_LEN);
		assert_err(vouch_store_open(&s, path), VOUCH_E_STORE);
	}
	close(fd);
	write_file(path, orig, len);
	assert_store_is(path, &a, NULL);
	free(orig);
	tb_free(&a);
}

/* Remove the seal from the store at @path, so that LMDB may write to it. */
static void unseal(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(truncate(path, st.st_size - VOUCH_STORE_SEAL_LEN), 0);
}

/* Seal @path again, by the format in store.h (written independently of store.c). */
static void reseal(const char *path)
{
	uint8_t seal[VOUCH_STORE_SEAL_LEN];
	size_t len;
	char *data = slurp(path, &len);
	int fd;

	memcpy(seal, "VOUCHSTO", 8);
	for (int i = 0; i < 8; i++)
		seal[8 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
	assert_err(vouch_sha256(data, len, seal + 16), 0);
	fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, seal, sizeof(seal)), (ssize_t)sizeof(seal));
	close(fd);
	free(data);
}

/* Put @val (@len bytes) for @key in the store's main database (NULL @val: delete), resealed. */
static void poke(const char *path, const char *key, const void *val, size_t len)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = {strlen(key), (void *)key}, v = {len, (void *)val};

	unseal(path);
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_open(env, path, MDB_NOSUBDIR | MDB_NOLOCK, 0644), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
	if (val)
		assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	else
		assert_int_equal(mdb_del(txn, dbi, &k, NULL), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	reseal(path);
}

/* A copy of the value of @key in the store at @path (which stays sealed). */
static uint8_t *peek(const char *path, const char *key, size_t *len)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = {strlen(key), (void *)key}, v;
	uint8_t *copy;

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_open(env, path, MDB_NOSUBDIR | MDB_NOLOCK | MDB_RDONLY, 0), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
	assert_int_equal(mdb_get(txn, dbi, &k, &v), 0);
	copy = malloc(v.mv_size + 1);
	assert_non_null(copy);
	memcpy(copy, v.mv_data, v.mv_size);
	*len = v.mv_size;
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return copy;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Install @t afresh, change value @key by @patch, reseal: open must refuse the file. */
#define REFUSED_WITH(key, patch)                                                                   \
	do {                                                                                       \
		size_t len_;                                                                       \
		uint8_t *v_;                                                                       \
                                                                                                   \
		assert_err(vouch_store_install(path, &t.b), 0);                                    \
		v_ = peek(path, (key), &len_);                                                     \
		patch;                                                                             \
		poke(path, (key), v_, len_);                                                       \
		free(v_);                                                                          \
		assert_err(vouch_store_open(&s, path), VOUCH_E_STORE);                             \
	} while (0)

/* Sealed LMDB files that are not what an install writes: each refused. */
static void wrong_contents(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX], lockfile[PATH_MAX];
	struct vouch_store *s = NULL;
	uint8_t v2[4] = {0, 0, 0, 2}, v1[4] = {0, 0, 0, 1};
	struct tb t;

	tb_make(&t, 500, 15);
	in_dir(path, dir, "store");
	assert_true(snprintf(lockfile, sizeof(lockfile), "%s-lock", path) < (int)sizeof(lockfile));

	/* Another format version; a malformed one; none. */
	assert_err(vouch_store_install(path, &t.b), 0);
	poke(path, "format", v2, 4);
	assert_err(vouch_store_open(&s, path), VOUCH_E_STORE);
	poke(path, "format", v1, 3);
	assert_err(vouch_store_open(&s, path), VOUCH_E_STORE);
	poke(path, "format", NULL, 0);
	assert_err(vouch_store_open(&s, path), VOUCH_E_STORE);
	/* Put back by the same means: accepted, so the refusals were the version's. */
	poke(path, "format", v1, 4);
	assert_store_is(path, &t, NULL);

	/* Count, directory size, policy: each must fit the rest. */
	REFUSED_WITH("count", v_[7]++);
	REFUSED_WITH("count", len_--);
	REFUSED_WITH("bits", v_[3]++);
	REFUSED_WITH("bits", v_[3]--);
	REFUSED_WITH("policy", v_[0] = 7);
	REFUSED_WITH("policy", len_--);
	/* The table: one entry short, two entries swapped, a duplicate, a bad record. */
	REFUSED_WITH("table", len_ -= VOUCH_BUNDLE_ENTRY_LEN);
	REFUSED_WITH("table", {
		uint8_t e_[VOUCH_BUNDLE_ENTRY_LEN];

		memcpy(e_, v_ + 48, 48);
		memcpy(v_ + 48, v_ + 96, 48);
		memcpy(v_ + 96, e_, 48);
	});
	REFUSED_WITH("table", memcpy(v_ + 96, v_ + 48, 48));
	REFUSED_WITH("table", v_[48 + 32 + 3] = 0x40);
	REFUSED_WITH("table", { /* allow only, yet a deny message */
		                put32(v_ + 80, VOUCH_TRUST_ALLOW);
		                put32(v_ + 84, 0);
		                put32(v_ + 88, VOUCH_NONE);
		                put32(v_ + 92, VOUCH_NONE);
	});
	REFUSED_WITH("table", v_[48 * 250] ^= 0x80); /* out of its bucket and order */
	/* The directory: a bucket end moved, a bound past the table, the last slot. */
	REFUSED_WITH("dir", put32(v_ + 4 * 10, 0));
	REFUSED_WITH("dir", put32(v_ + 4 * 10, 501));
	REFUSED_WITH("dir", put32(v_ + len_ - 4, 499));
	REFUSED_WITH("dir", len_ -= 4);
	{
		/* Every slot moved by one, where that keeps it monotonic: wrong bucket. */
		size_t bad = 0, len;
		uint8_t *d = peek(path, "dir", &len);

		free(d);
		for (size_t i = 1; i + 1 < len / 4 && bad < 40; i += 7) {
			assert_err(vouch_store_install(path, &t.b), 0);
			d = peek(path, "dir", &len);
			uint32_t lo = (uint32_t)d[4 * i] << 24 | (uint32_t)d[4 * i + 1] << 16 |
			              (uint32_t)d[4 * i + 2] << 8 | d[4 * i + 3];
			uint32_t hi = (uint32_t)d[4 * i + 4] << 24 | (uint32_t)d[4 * i + 5] << 16 |
			              (uint32_t)d[4 * i + 6] << 8 | d[4 * i + 7];

			if (lo == hi) {
				free(d);
				continue;
			}
			put32(d + 4 * i, lo + 1);
			poke(path, "dir", d, len);
			free(d);
			assert_err(vouch_store_open(&s, path), VOUCH_E_STORE);
			bad++;
		}
		assert_true(bad > 0);
	}
	assert_int_equal(access(lockfile, F_OK), -1);
	tb_free(&t);
}

/* The file holds what store.h and store.c say, checked here independently of store.c. */
static void file_format(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX];
	uint8_t *v, *pol = NULL, seal[VOUCH_STORE_SEAL_LEN], want[32];
	size_t len, plen, flen;
	char *file;
	struct tb t;

	for (uint64_t n = 0; n <= 1100; n += 550) {
		unsigned bits = 0;

		tb_make(&t, n, 19 + n);
		in_dir(path, dir, "store");
		assert_err(vouch_store_install(path, &t.b), 0);
		while (bits < 24 && ((uint64_t)1 << bits) < n)
			bits++;
		v = peek(path, "format", &len);
		assert_int_equal(len, 4);
		assert_memory_equal(v, "\0\0\0\1", 4);
		free(v);
		v = peek(path, "count", &len);
		assert_int_equal(len, 8);
		for (int i = 0; i < 8; i++)
			assert_int_equal(v[i], (uint8_t)(n >> (56 - 8 * i)));
		free(v);
		v = peek(path, "bits", &len);
		assert_int_equal(len, 4);
		assert_int_equal(v[3], bits);
		free(v);
		v = peek(path, "policy", &len);
		assert_err(vouch_cpolicy_serialize(&t.b.policy, &pol, &plen), 0);
		assert_int_equal(len, plen);
		assert_memory_equal(v, pol, len);
		free(pol);
		free(v);
		v = peek(path, "table", &len);
		assert_int_equal(len, n * VOUCH_BUNDLE_ENTRY_LEN);
		if (n)
			assert_memory_equal(v, t.b.entries, len);
		free(v);
		/* dir[p]: the first entry whose top @bits bits are >= p. */
		v = peek(path, "dir", &len);
		assert_int_equal(len, 4 * ((1u << bits) + 1));
		for (uint32_t p = 0, i = 0; p <= (1u << bits); p++) {
			uint32_t got = (uint32_t)v[4 * p] << 24 | (uint32_t)v[4 * p + 1] << 16 |
			               (uint32_t)v[4 * p + 2] << 8 | v[4 * p + 3];

			while (i < n && bits &&
			       ((uint32_t)t.e[i].sha256[0] << 24 |
			        (uint32_t)t.e[i].sha256[1] << 16 | (uint32_t)t.e[i].sha256[2] << 8 |
			        t.e[i].sha256[3]) >>
			           (32 - bits) < p)
				i++;
			if (!bits && p == 1)
				i = (uint32_t)n;
			assert_int_equal(got, i);
		}
		free(v);
		/* The seal: magic, data length, SHA-256 of the data. */
		file = slurp(path, &flen);
		assert_true(flen > VOUCH_STORE_SEAL_LEN);
		memcpy(seal, file + flen - VOUCH_STORE_SEAL_LEN, sizeof(seal));
		assert_memory_equal(seal, "VOUCHSTO", 8);
		for (int i = 0; i < 8; i++)
			assert_int_equal(seal[8 + i],
			                 (uint8_t)((flen - VOUCH_STORE_SEAL_LEN) >> (56 - 8 * i)));
		assert_err(vouch_sha256(file, flen - VOUCH_STORE_SEAL_LEN, want), 0);
		assert_memory_equal(seal + 16, want, 32);
		free(file);
		tb_free(&t);
	}
}

struct installer {
	const char *path;
	const struct tb *a, *b;
	int rounds, errors;
	volatile int done;
};

static void *install_loop(void *arg)
{
	struct installer *in = arg;

	for (int i = 0; i < in->rounds; i++)
		if (vouch_store_install(in->path, i % 2 ? &in->a->b : &in->b->b) != 0)
			in->errors++;
	__atomic_store_n(&in->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Opens racing installs: each sees one whole set, old or new, never no store at all. */
static void open_during_installs(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX];
	struct installer in;
	struct tb a, b;
	pthread_t th;
	int opens = 0, saw_a = 0, saw_b = 0;

	tb_make(&a, 100, 20);
	tb_make(&b, 300, 21);
	in_dir(path, dir, "store");
	assert_err(vouch_store_install(path, &a.b), 0);
	in = (struct installer){path, &a, &b, 40, 0, 0};
	assert_int_equal(pthread_create(&th, NULL, install_loop, &in), 0);
	while (!__atomic_load_n(&in.done, __ATOMIC_ACQUIRE)) {
		struct vouch_store *s = NULL;
		struct vouch_store_reader *r = NULL;
		struct vouch_trust_rec rec;
		const struct tb *t;
		int ret = vouch_store_open(&s, path);

		if (ret != 0)
			fail_msg("open %d during installs: %d (%s)", opens, ret,
			         vouch_strerror(ret));
		t = vouch_store_count(s) == a.n ? &a : &b;
		assert_int_equal(vouch_store_count(s), t->n);
		*(t == &a ? &saw_a : &saw_b) += 1;
		assert_err(vouch_store_reader_create(s, &r), 0);
		assert_err(vouch_store_lookup(r, t->e[0].sha256, &rec), 0);
		assert_err(vouch_store_lookup(r, t->e[t->n - 1].sha256, &rec), 0);
		assert_err(vouch_store_lookup(r, (t == &a ? &b : &a)->e[0].sha256, &rec),
		           VOUCH_E_NOTFOUND);
		vouch_store_reader_destroy(r);
		vouch_store_close(s);
		opens++;
	}
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(in.errors, 0);
	print_message("# %d opens during 40 installs: %d saw the one set, %d the other\n", opens,
	              saw_a, saw_b);
	assert_true(saw_a > 0 && saw_b > 0);
	assert_only_store(dir);
	tb_free(&a);
	tb_free(&b);
}

static void install_refuses(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX];
	struct vouch_bundle bad;
	struct tb a;
	uint8_t *copy;

	tb_make(&a, 10, 17);
	/* A directory that does not exist. */
	in_dir(path, dir, "missing/store");
	assert_err(vouch_store_install(path, &a.b), -ENOENT);
	/* A bundle struct that parse would have refused: unsorted, then a bad record. */
	in_dir(path, dir, "store");
	copy = malloc(10 * VOUCH_BUNDLE_ENTRY_LEN);
	assert_non_null(copy);
	memcpy(copy, a.b.entries, 10 * VOUCH_BUNDLE_ENTRY_LEN);
	bad = a.b;
	bad.entries = copy;
	memcpy(copy, a.b.entries + VOUCH_BUNDLE_ENTRY_LEN, 32);
	assert_err(vouch_store_install(path, &bad), VOUCH_E_BUNDLE);
	memcpy(copy, a.b.entries, 32);
	copy[32 + 3] = 0x40; /* unknown flag */
	assert_err(vouch_store_install(path, &bad), VOUCH_E_BUNDLE);
	{
		char listing[256];

		assert_int_equal(list_dir(dir, listing, sizeof(listing)), 0);
	}
	free(copy);
	tb_free(&a);
}

/* @dir holds exactly @n names (no temporary file left behind). */
static void assert_dir_holds(const char *dir, size_t n)
{
	char listing[512];

	if (list_dir(dir, listing, sizeof(listing)) != n)
		fail_msg("%s holds: %s (expected %zu names)", dir, listing, n);
}

/* vouch_policy_install(): what 'vouch policy install' and 'vouchd --policy' share. */
static void policy_install(void **state)
{
	const char *dir = *state;
	char st[PATH_MAX], path[PATH_MAX];
	struct vouch_install_info info;
	struct vouch_pubkey other_pk;
	struct vouch_seckey other_sk;
	struct vouch_store *s = NULL;
	struct tb old, newer, expired;
	char *copy = NULL;
	size_t len;

	in_dir(st, dir, "state");
	tb_make(&old, 5, 20);
	tb_make(&newer, 6, 22);
	test_expires = 1000; /* long past */
	tb_make(&expired, 3, 24);
	test_expires = 0;
	assert_err(test_keypair_generate(&other_sk, &other_pk), 0);
	/* Refusals change nothing on disk: the state directory is not even created. */
	assert_err(vouch_policy_install(st, &old.b, &old.sig, old.buf, old.len, &other_pk, 0,
	                                1800000000, &info),
	           VOUCH_E_WRONGKEY);
	old.buf[10] ^= 1; /* inside the signed payload */
	assert_err(vouch_policy_install(st, &old.b, &old.sig, old.buf, old.len, &test_pk, 0,
	                                1800000000, &info),
	           VOUCH_E_BADSIG);
	old.buf[10] ^= 1;
	assert_err(vouch_policy_install(st, &expired.b, &expired.sig, expired.buf, expired.len,
	                                &test_pk, 0, 1800000000, &info),
	           VOUCH_E_EXPIRED);
	assert_int_equal(access(st, F_OK), -1);
	/* First install: store and a byte-exact copy of the bundle. */
	assert_err(vouch_policy_install(st, &newer.b, &newer.sig, newer.buf, newer.len, &test_pk, 0,
	                                1800000000, &info),
	           0);
	assert_int_equal(info.previous, 0);
	assert_dir_holds(st, 2);
	in_dir(path, st, VOUCH_STATE_BUNDLE);
	assert_err(vouch_file_read(path, 1 << 20, &copy, &len), 0);
	assert_int_equal(len, newer.len);
	assert_memory_equal(copy, newer.buf, len);
	free(copy);
	in_dir(path, st, VOUCH_STATE_STORE);
	assert_store_is(path, &newer, &old);
	/* An older bundle is a rollback: refused, and the newer store stays. */
	assert_err(vouch_policy_install(st, &old.b, &old.sig, old.buf, old.len, &test_pk, 0,
	                                1800000000, &info),
	           VOUCH_E_ROLLBACK);
	assert_int_equal(info.previous, newer.b.policy.compiled);
	assert_store_is(path, &newer, &old);
	/* ... unless the owner says so. */
	assert_err(vouch_policy_install(st, &old.b, &old.sig, old.buf, old.len, &test_pk,
	                                VOUCH_INSTALL_ROLLBACK, 1800000000, &info),
	           0);
	assert_store_is(path, &old, &newer);
	assert_err(vouch_store_open(&s, path), 0);
	assert_int_equal(vouch_store_policy(s)->compiled, old.b.policy.compiled);
	vouch_store_close(s);
	assert_dir_holds(st, 2);
	vouch_wipe(&other_sk, sizeof(other_sk));
	tb_free(&old);
	tb_free(&newer);
	tb_free(&expired);
}

static long status_kb(const char *field)
{
	char line[256];
	size_t flen = strlen(field);
	long v = -1;
	FILE *fp = fopen("/proc/self/status", "r");

	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (!strncmp(line, field, flen) && line[flen] == ':')
			v = strtol(line + flen + 1, NULL, 10);
	fclose(fp);
	return v;
}

/* The set is mapped, not copied: opening and reading it adds file pages, not anonymous ones. */
static void mapped_not_copied(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX];
	struct vouch_store *s = NULL;
	struct vouch_store_reader *r = NULL;
	struct vouch_trust_rec rec;
	struct stat st;
	struct tb a;
	long anon0, anon1, file0, file1;

	tb_make(&a, 200000, 18);
	in_dir(path, dir, "store");
	assert_err(vouch_store_install(path, &a.b), 0);
	assert_int_equal(stat(path, &st), 0);
	anon0 = status_kb("RssAnon");
	/* Mapped tmpfs pages count as RssShmem, not RssFile: a store may live on either. */
	file0 = status_kb("RssFile") + status_kb("RssShmem");
	if (anon0 < 0 || file0 < 0)
		skip();
	assert_err(vouch_store_open(&s, path), 0);
	assert_err(vouch_store_reader_create(s, &r), 0);
	for (uint64_t i = 0; i < a.n; i++)
		assert_err(vouch_store_lookup(r, a.e[i].sha256, &rec), 0);
	anon1 = status_kb("RssAnon");
	file1 = status_kb("RssFile") + status_kb("RssShmem");
	print_message("# store %lld KiB: RssAnon %+ld KiB, RssFile+RssShmem %+ld KiB\n",
	              (long long)st.st_size / 1024, anon1 - anon0, file1 - file0);
	assert_true(anon1 - anon0 < (long)(st.st_size / 1024 / 8));
	assert_true(file1 - file0 > (long)(st.st_size / 1024 / 2));
	vouch_store_reader_destroy(r);
	vouch_store_close(s);
	tb_free(&a);
}

#define DIR_TEST(f) cmocka_unit_test_setup_teardown(f, dir_setup, dir_teardown)

static int keys_setup(void **state)
{
	(void)state;
	return test_keypair_generate(&test_sk, &test_pk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    DIR_TEST(install_open_lookup),
	    DIR_TEST(empty_set),
	    DIR_TEST(reinstall_under_reader),
	    DIR_TEST(threads),
	    DIR_TEST(half_written_temp),
	    DIR_TEST(killed_installer),
	    DIR_TEST(not_a_store),
	    DIR_TEST(damaged_every_byte),
	    DIR_TEST(wrong_contents),
	    DIR_TEST(install_refuses),
	    DIR_TEST(mapped_not_copied),
	    DIR_TEST(file_format),
	    DIR_TEST(open_during_installs),
	    DIR_TEST(policy_install),
	};

	return cmocka_run_group_tests(tests, keys_setup, NULL);
}
