/* SPDX-License-Identifier: Apache-2.0 */
/* Benchmark of the trust store: install, open, lookups and memory, against bundle bsearch. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vouch/bundle.h"
#include "vouch/store.h"
#include "vouch/vouch.h"
#include <lmdb.h>

/* Distinct query keys; the timed loop cycles through them. */
#define QUERIES (1u << 20)

/* Lookups one at a time: each completes before the next starts (x86: lfence). */
#if defined(__x86_64__) || defined(__i386__)
#define SERIALIZE() __builtin_ia32_lfence()
#define HAVE_SERIAL 1
#else
#define SERIALIZE() ((void)0)
#define HAVE_SERIAL 0
#endif

enum { M_STORE, M_KEYED, M_BSEARCH, NMETHODS };
static const char *const method_name[NMETHODS] = {
    "vouch store: LMDB-mapped table + directory (vouch_store_lookup)",
    "reference: LMDB B-tree, one key per hash (mdb_get)",
    "reference: bsearch over the mapped bundle (vouch_bundle_lookup)",
};

/* Seconds per repetition, sorted after the runs: wall and this thread's CPU. */
struct timing {
	double *wall, *cpu;
};

struct mem {
	long anon, file, hwm;
};

static void die(const char *what, int err)
{
	fprintf(stderr, "store-bench: %s: %s\n", what, vouch_strerror(err));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this thread: lookups are judged on it, so other load on the machine
 * (time slices lost to other processes) does not count against them. */
static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_state = 0x5eed;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void random_key(uint8_t k[32])
{
	for (int i = 0; i < 32; i += 8) {
		uint64_t v = rng();

		memcpy(k + i, &v, 8);
	}
}

static int cmp_entry(const void *a, const void *b)
{
	return memcmp(a, b, VOUCH_SHA256_LEN);
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

static struct mem mem_now(void)
{
	return (struct mem){status_kb("RssAnon"), status_kb("RssFile"), status_kb("VmHWM")};
}

/* Forget the peak so far: VmHWM then counts from here (Linux >= 4.0). */
static void reset_hwm(void)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, "5", 1) != 1)
			fprintf(stderr, "store-bench: cannot reset VmHWM\n");
		close(fd);
	}
}

/* Map @path read-only and parse it as a bundle, entries in place. */
static const uint8_t *map_bundle(const char *path, size_t *len, struct vouch_bundle *b)
{
	struct vouch_sig *sig = malloc(sizeof(*sig));
	struct stat st;
	void *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0 || fstat(fd, &st) != 0 || !sig)
		die("open bundle", -errno);
	*len = (size_t)st.st_size;
	p = mmap(NULL, *len, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		die("mmap bundle", -errno);
	ret = vouch_bundle_parse(b, sig, p, *len);
	if (ret)
		die("parse bundle", ret);
	free(sig);
	return p;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void sort_times(double *t, int reps)
{
	qsort(t, (size_t)reps, sizeof(double), cmp_double);
}

/* One table row: CPU and wall time per lookup, from sorted per-repetition seconds. */
static void report(const char *what, const struct timing *t, int reps, uint64_t lookups)
{
	double per = 1e9 / (double)lookups;

	printf("| %s | %.0f (%.0f-%.0f) | %.2f M | %.0f |\n", what, t->cpu[reps / 2] * per,
	       t->cpu[0] * per, t->cpu[reps - 1] * per, (double)lookups / t->cpu[reps / 2] / 1e6,
	       t->wall[reps / 2] * per);
}

/*
 * The keyed design for comparison: the same set in LMDB with one key per hash
 * (MDB_APPEND in order), opened read-only like the store. Returns the read txn.
 */
static MDB_txn *keyed_build(const char *path, const struct vouch_bundle *b, MDB_env **envp,
                            MDB_dbi *dbi, double *secs)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_cursor *cur;
	double t = now();
	int rc;

	if ((rc = mdb_env_create(&env)) ||
	    (rc = mdb_env_set_mapsize(env, (size_t)b->nentries * 160 + (64u << 20))) ||
	    (rc = mdb_env_open(env, path, MDB_NOSUBDIR | MDB_NOLOCK | MDB_NOSYNC, 0644)) ||
	    (rc = mdb_txn_begin(env, NULL, 0, &txn)) || (rc = mdb_dbi_open(txn, NULL, 0, dbi)) ||
	    (rc = mdb_cursor_open(txn, *dbi, &cur)))
		die(mdb_strerror(rc), VOUCH_E_STORE);
	for (uint64_t i = 0; i < b->nentries; i++) {
		uint8_t *e = (uint8_t *)b->entries + (size_t)i * VOUCH_BUNDLE_ENTRY_LEN;
		MDB_val k = {32, e}, v = {16, e + 32};

		if ((rc = mdb_cursor_put(cur, &k, &v, MDB_APPEND)))
			die(mdb_strerror(rc), VOUCH_E_STORE);
	}
	mdb_cursor_close(cur);
	if ((rc = mdb_txn_commit(txn)) || (rc = mdb_env_sync(env, 1)))
		die(mdb_strerror(rc), VOUCH_E_STORE);
	mdb_env_close(env);
	*secs = now() - t;
	if ((rc = mdb_env_create(&env)) ||
	    (rc = mdb_env_open(env, path, MDB_RDONLY | MDB_NOSUBDIR | MDB_NOLOCK | MDB_NOTLS, 0)) ||
	    (rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) ||
	    (rc = mdb_dbi_open(txn, NULL, 0, dbi)))
		die(mdb_strerror(rc), VOUCH_E_STORE);
	*envp = env;
	return txn;
}

static int keyed_lookup(MDB_txn *txn, MDB_dbi dbi, const uint8_t *sha256,
                        struct vouch_trust_rec *rec)
{
	MDB_val k = {32, (void *)sha256}, v;
	const uint8_t *p;

	if (mdb_get(txn, dbi, &k, &v) != 0 || v.mv_size != 16)
		return VOUCH_E_NOTFOUND;
	p = v.mv_data;
	rec->flags = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
	uint64_t lookups = argc > 3 ? strtoull(argv[3], NULL, 10) : 10000000;
	int reps = argc > 4 ? atoi(argv[4]) : 5;
	uint64_t serial = lookups / 5;
	char bpath[4096], spath[4096], kpath[4096];
	struct vouch_trust_entry *e;
	struct vouch_cpolicy cp = {
	    .mode = VOUCH_MODE_ENFORCE, .gates = VOUCH_GATE_DEFAULT, .message = VOUCH_NONE};
	struct timing thr[NMETHODS], ser[NMETHODS];
	struct vouch_seckey *sk = NULL;
	struct vouch_signer signer;
	struct vouch_pubkey pk;
	struct vouch_bundle b;
	struct vouch_store *s = NULL;
	struct vouch_store_reader *r = NULL;
	struct vouch_trust_rec rec;
	struct mem m_base, m_open, m_look;
	struct stat st, kst;
	const uint8_t *map;
	uint8_t *buf = NULL, (*q)[32];
	size_t len, mlen;
	uint64_t expect = 0;
	double t, t_gen, t_install, t_keyed, t_open, t_parse, t_verify;
	MDB_env *kenv;
	MDB_txn *ktxn;
	MDB_dbi kdbi;
	int ret;

	if (n == 0 || n > VOUCH_BUNDLE_MAX_ENTRIES || lookups < 5 || reps < 1 ||
	    snprintf(bpath, sizeof(bpath), "%s/bundle", dir) >= (int)sizeof(bpath) ||
	    snprintf(spath, sizeof(spath), "%s/store", dir) >= (int)sizeof(spath) ||
	    snprintf(kpath, sizeof(kpath), "%s/keyed.mdb", dir) >= (int)sizeof(kpath)) {
		fprintf(stderr, "usage: store-bench DIR [ENTRIES [LOOKUPS [REPS]]]\n");
		return 2;
	}
	for (int m = 0; m < NMETHODS; m++) {
		thr[m].wall = calloc((size_t)reps, sizeof(double));
		thr[m].cpu = calloc((size_t)reps, sizeof(double));
		ser[m].wall = calloc((size_t)reps, sizeof(double));
		ser[m].cpu = calloc((size_t)reps, sizeof(double));
		if (!thr[m].wall || !thr[m].cpu || !ser[m].wall || !ser[m].cpu)
			die("malloc", -ENOMEM);
	}

	/* A bundle of @n random hashes, as 'vouch policy compile' would write it. */
	t = now();
	e = malloc((size_t)n * sizeof(*e));
	if (!e)
		die("malloc", -ENOMEM);
	for (uint64_t i = 0; i < n; i++) {
		random_key(e[i].sha256);
		e[i].rec =
		    (struct vouch_trust_rec){VOUCH_TRUST_ALLOW, VOUCH_NONE, VOUCH_NONE, VOUCH_NONE};
	}
	qsort(e, n, sizeof(*e), cmp_entry);
	for (uint64_t i = 1; i < n; i++)
		if (memcmp(e[i - 1].sha256, e[i].sha256, 32) == 0)
			die("duplicate random hash", VOUCH_E_BUNDLE);
	if ((ret = vouch_keypair_generate(&sk, &pk)) || (ret = vouch_seckey_signer(sk, &signer)) ||
	    (ret = vouch_bundle_serialize(&cp, e, n, &buf, &len)) ||
	    (ret = vouch_bundle_seal(&buf, &len, &signer, sk->keyid, "store benchmark")) ||
	    (ret = vouch_file_write_atomic(bpath, buf, len, 0644, 0)))
		die("make bundle", ret);
	free(buf);
	free(e);
	t_gen = now() - t;

	/* Parse and verify the mapped bundle, then install the store from it (timed). */
	{
		struct vouch_sig sig;
		struct stat bst;
		int fd = open(bpath, O_RDONLY | O_CLOEXEC);

		if (fd < 0 || fstat(fd, &bst) != 0)
			die("open bundle", -errno);
		mlen = (size_t)bst.st_size;
		map = mmap(NULL, mlen, PROT_READ, MAP_SHARED, fd, 0);
		close(fd);
		if (map == MAP_FAILED)
			die("mmap", -errno);
		t = now();
		ret = vouch_bundle_parse(&b, &sig, map, mlen);
		t_parse = now() - t;
		if (ret)
			die("parse", ret);
		t = now();
		ret = vouch_bundle_verify(&b, &sig, map, &pk);
		t_verify = now() - t;
		if (ret)
			die("verify", ret);
	}
	t = now();
	ret = vouch_store_install(spath, &b);
	t_install = now() - t;
	if (ret)
		die("install", ret);
	if (stat(spath, &st) != 0)
		die("stat store", -errno);

	/* Queries: even ones present (a random entry), odd ones absent (random). */
	q = malloc((size_t)QUERIES * 32);
	if (!q)
		die("malloc", -ENOMEM);
	for (uint32_t i = 0; i < QUERIES; i++) {
		if (i % 2 == 0)
			memcpy(q[i], b.entries + (size_t)(rng() % n) * VOUCH_BUNDLE_ENTRY_LEN, 32);
		else
			random_key(q[i]);
	}
	for (uint64_t i = 0; i < lookups; i++)
		expect += vouch_bundle_lookup(&b, q[i % QUERIES], &rec) == 0;

	/* The keyed reference is built now, then nothing of it is touched until its turn. */
	ktxn = keyed_build(kpath, &b, &kenv, &kdbi, &t_keyed);
	if (stat(kpath, &kst) != 0)
		die("stat keyed", -errno);
	vouch_bundle_free(&b);
	munmap((void *)map, mlen);

	/* The daemon's view: open, one reader, lookups. Freed heap is returned first. */
	malloc_trim(0);
	reset_hwm();
	m_base = mem_now();
	t = now();
	ret = vouch_store_open(&s, spath);
	t_open = now() - t;
	if (ret)
		die("open store", ret);
	if ((ret = vouch_store_reader_create(s, &r)))
		die("reader", ret);
	m_open = mem_now();
	map = map_bundle(bpath, &mlen, &b);

/* Time @lookup_expr over the queries: @n lookups, @serial: one at a time. */
#define TIME(tm, k, count, one_at_a_time, lookup_expr)                                             \
	do {                                                                                       \
		uint64_t found_ = 0;                                                               \
		double w_ = now(), c_ = cpu_now();                                                 \
                                                                                                   \
		for (uint64_t i = 0; i < (count); i++) {                                           \
			const uint8_t *key = q[i % QUERIES];                                       \
                                                                                                   \
			found_ += (lookup_expr) == 0;                                              \
			if (one_at_a_time)                                                         \
				SERIALIZE();                                                       \
		}                                                                                  \
		(tm).cpu[k] = cpu_now() - c_;                                                      \
		(tm).wall[k] = now() - w_;                                                         \
		if ((count) == lookups && found_ != expect)                                        \
			die(#lookup_expr " disagrees with the bundle", VOUCH_E_STORE);             \
	} while (0)

	/* Interleaved repetitions: drift in the machine's speed spreads over all alike. */
	for (int k = 0; k < reps; k++) {
		TIME(thr[M_STORE], k, lookups, 0, vouch_store_lookup(r, key, &rec));
		TIME(thr[M_KEYED], k, lookups, 0, keyed_lookup(ktxn, kdbi, key, &rec));
		TIME(thr[M_BSEARCH], k, lookups, 0, vouch_bundle_lookup(&b, key, &rec));
		if (!HAVE_SERIAL)
			continue;
		TIME(ser[M_STORE], k, serial, 1, vouch_store_lookup(r, key, &rec));
		TIME(ser[M_KEYED], k, serial, 1, keyed_lookup(ktxn, kdbi, key, &rec));
		TIME(ser[M_BSEARCH], k, serial, 1, vouch_bundle_lookup(&b, key, &rec));
		fprintf(stderr, "  repetition %d/%d done\n", k + 1, reps);
	}
	vouch_bundle_free(&b);
	munmap((void *)map, mlen);
	mdb_txn_abort(ktxn);
	mdb_env_close(kenv);
	/* Memory after all lookups, with only the store still mapped. */
	m_look = mem_now();
	for (int m = 0; m < NMETHODS; m++) {
		sort_times(thr[m].wall, reps);
		sort_times(thr[m].cpu, reps);
		sort_times(ser[m].wall, reps);
		sort_times(ser[m].cpu, reps);
	}

	printf("entries %" PRIu64 ": bundle %.1f MiB, store %.1f MiB, keyed reference %.1f MiB\n",
	       n, (double)mlen / 1048576.0, (double)st.st_size / 1048576.0,
	       (double)kst.st_size / 1048576.0);
	printf("queries: %u distinct keys, half present; %" PRIu64 " lookups per repetition "
	       "(%" PRIu64 " one at a time), %d repetitions, interleaved\n",
	       QUERIES, lookups, serial, reps);
	printf("(generating and writing the bundle: %.2f s, not part of the figures)\n\n", t_gen);
	printf("| step | time |\n|---|---:|\n");
	printf("| parse bundle (mapped, every entry checked) | %.1f ms |\n", t_parse * 1e3);
	printf("| verify bundle signature (BLAKE2b-512 + Ed25519) | %.1f ms |\n", t_verify * 1e3);
	printf("| install store (write, fsync, rename, fsync dir) | %.1f ms |\n", t_install * 1e3);
	printf("| reference: write the keyed B-tree (MDB_APPEND, one sync) | %.1f ms |\n",
	       t_keyed * 1e3);
	printf("| open store (seal: SHA-256 of the file; every entry checked) | %.1f ms |\n\n",
	       t_open * 1e3);
	printf("| lookups back to back, one thread | CPU ns/lookup, median (min-max) | "
	       "lookups/s (CPU) | wall ns/lookup, median |\n");
	printf("|---|---:|---:|---:|\n");
	for (int m = 0; m < NMETHODS; m++)
		report(method_name[m], &thr[m], reps, lookups);
	if (HAVE_SERIAL) {
		printf("\n| lookups one at a time (lfence between) | CPU ns/lookup, median "
		       "(min-max) | lookups/s (CPU) | wall ns/lookup, median |\n");
		printf("|---|---:|---:|---:|\n");
		for (int m = 0; m < NMETHODS; m++)
			report(method_name[m], &ser[m], reps, serial);
	}
	printf("\n| ratio of CPU time per lookup | back to back | one at a time |\n");
	printf("|---|---:|---:|\n");
	printf("| vouch store / bsearch | %.2f | %.2f |\n",
	       thr[M_STORE].cpu[reps / 2] / thr[M_BSEARCH].cpu[reps / 2],
	       ser[M_STORE].cpu[reps / 2] / ser[M_BSEARCH].cpu[reps / 2]);
	printf("| keyed LMDB B-tree / bsearch | %.2f | %.2f |\n",
	       thr[M_KEYED].cpu[reps / 2] / thr[M_BSEARCH].cpu[reps / 2],
	       ser[M_KEYED].cpu[reps / 2] / ser[M_BSEARCH].cpu[reps / 2]);
	printf("| vouch store / keyed LMDB B-tree | %.2f | %.2f |\n\n",
	       thr[M_STORE].cpu[reps / 2] / thr[M_KEYED].cpu[reps / 2],
	       ser[M_STORE].cpu[reps / 2] / ser[M_KEYED].cpu[reps / 2]);
	printf("| process memory (KiB) | RssAnon | RssFile | VmHWM |\n|---|---:|---:|---:|\n");
	printf("| before opening the store | %ld | %ld | %ld |\n", m_base.anon, m_base.file,
	       m_base.hwm);
	printf("| after opening it (seal and entries checked) | %ld | %ld | %ld |\n", m_open.anon,
	       m_open.file, m_open.hwm);
	printf("| after all lookups (references unmapped) | %ld | %ld | %ld |\n", m_look.anon,
	       m_look.file, m_look.hwm);
	printf("| growth, before opening to after lookups | %+ld | %+ld | |\n",
	       m_look.anon - m_base.anon, m_look.file - m_base.file);
	printf("\nRssAnon before opening holds the %u query keys (%u KiB) and the libraries;\n"
	       "VmHWM was reset just before (/proc/self/clear_refs), so it includes the\n"
	       "references' mapped pages while they were in use.\n",
	       QUERIES, QUERIES * 32 / 1024);
	vouch_store_reader_destroy(r);
	vouch_store_close(s);
	vouch_signer_destroy(&signer);
	vouch_seckey_free(sk);
	free(q);
	for (int m = 0; m < NMETHODS; m++) {
		free(thr[m].wall);
		free(thr[m].cpu);
		free(ser[m].wall);
		free(ser[m].cpu);
	}
	return 0;
}
