/* SPDX-License-Identifier: Apache-2.0 */
/* The trust store: a bundle's trust set in one sealed, immutable LMDB file, replaced by rename. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lmdb.h>

#include "sys-internal.h"
#include "vouch/bundle.h"
#include "vouch/digest.h"
#include "vouch/error.h"
#include "vouch/file.h"
#include "vouch/store.h"

/*
 * The file is an LMDB environment (MDB_NOSUBDIR, no lock file) whose main
 * database holds, all integers big-endian:
 *   "format" -> u32 VOUCH_STORE_FORMAT
 *   "count"  -> u64 N, the entries in the trust set
 *   "policy" -> vouch_cpolicy_serialize() of the compiled policy
 *   "bits"   -> u32 B, 0..DIR_BITS_MAX: the smallest with 2^B >= N (capped)
 *   "table"  -> N entries of 48 bytes exactly as in a bundle (sha256, flags,
 *               deny_msg, allow_msg, manifest), sorted by sha256, unique
 *   "dir"    -> 2^B + 1 u32: dir[p] is the first entry whose hash begins with
 *               a B-bit prefix >= p, and dir[2^B] = N
 * then, after LMDB's last page (LMDB never reads it), a seal of
 * VOUCH_STORE_SEAL_LEN bytes: "VOUCHSTO" | u64 D | SHA-256 of bytes [0, D),
 * where D is the file size less the seal.
 *
 * Why a table and a directory rather than one LMDB key per hash: LMDB returns
 * large values as pointers into its map, so a lookup is the directory slot
 * and, on average, one entry: two memory reads. A B-tree search visits a leaf
 * and probes it ~7 times, each a cache miss on a big set (bench/RESULTS.md).
 *
 * The file is never modified once renamed into place, so readers need no
 * locks (MDB_NOLOCK) and keep one read transaction for their lifetime. LMDB
 * trusts its file as it trusts memory (a damaged page pointer faults), so a
 * reader checks the seal before LMDB maps a byte, then checks every entry and
 * the directory: a damaged file is refused, never half believed, never a crash.
 */
#define SEAL_MAGIC   "VOUCHSTO"
#define DIR_BITS_MAX 24 /* 16M buckets, as many as VOUCH_BUNDLE_MAX_ENTRIES */
/*
 * Reads while checking the seal: memory stays fixed whatever the store's size.
 * Page-aligned: the kernel's copy into a buffer a few bytes past a page boundary
 * is several times slower on some CPUs (bench/RESULTS.md, issue 2).
 */
#define READ_CHUNK (256 * 1024)
/* Two LMDB meta pages of the smallest page size at least. */
#define DATA_MIN 1024
/* Tries at doubling the map when the estimate was short. */
#define MAP_GROW_MAX 4

struct vouch_store {
	MDB_env *env;
	struct vouch_cpolicy policy;
	uint64_t count;
	unsigned bits;
};

struct vouch_store_reader {
	MDB_txn *txn;
	const uint8_t *table; /* inside LMDB's map, valid for the life of txn */
	const uint8_t *dir;
	unsigned bits;
};

/* An LMDB result while writing: errno values stay errno, LMDB's own codes are ours. */
static int mdb_ret(int rc)
{
	if (rc == 0)
		return 0;
	return rc > 0 ? -rc : VOUCH_E_STORE;
}

/* An LMDB result while reading: whatever LMDB objects to is a bad file, short of memory. */
static int mdb_bad(int rc)
{
	if (rc == 0)
		return 0;
	return rc == ENOMEM ? -ENOMEM : VOUCH_E_STORE;
}

/* The directory's size for @n entries: 2^bits buckets, about one entry each. */
static unsigned dir_bits(uint64_t n)
{
	unsigned b = 0;

	while (b < DIR_BITS_MAX && ((uint64_t)1 << b) < n)
		b++;
	return b;
}

static inline uint32_t prefix(const uint8_t *sha256, unsigned bits)
{
	return bits ? vouch_load32_be(sha256) >> (32 - bits) : 0;
}

/* Write the directory of @n sorted entries at @table into @dir (2^bits + 1 slots). */
static void dir_build(uint8_t *dir, const uint8_t *table, uint64_t n, unsigned bits)
{
	uint64_t i = 0;

	for (uint64_t p = 0; p <= ((uint64_t)1 << bits); p++) {
		while (i < n && prefix(table + i * VOUCH_BUNDLE_ENTRY_LEN, bits) < p)
			i++;
		vouch_store32_be(dir + 4 * p, (uint32_t)i);
	}
}

/*
 * Check @n entries and their directory against @cp: sorted, unique, valid
 * records, every entry in its bucket. Then no lookup can read out of bounds
 * or return what a bundle could not hold. Return: 0 or @bad.
 */
static int table_check(const uint8_t *table, uint64_t n, const uint8_t *dir, unsigned bits,
                       const struct vouch_cpolicy *cp, int bad)
{
	struct vouch_trust_rec rec;
	uint64_t nb = (uint64_t)1 << bits;
	uint32_t prev = 0;

	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *e = table + i * VOUCH_BUNDLE_ENTRY_LEN;

		if (i > 0 && memcmp(e - VOUCH_BUNDLE_ENTRY_LEN, e, VOUCH_SHA256_LEN) >= 0)
			return bad;
		vouch_trust_rec_decode(e + VOUCH_SHA256_LEN, &rec);
		if (vouch_trust_rec_check(cp, &rec))
			return bad;
	}
	if (!dir)
		return 0;
	if (vouch_load32_be(dir) != 0 || vouch_load32_be(dir + 4 * nb) != n)
		return bad;
	for (uint64_t p = 0; p < nb; p++) {
		uint32_t lo = vouch_load32_be(dir + 4 * p), hi = vouch_load32_be(dir + 4 * p + 4);

		if (lo < prev || hi < lo || hi > n)
			return bad;
		for (uint32_t i = lo; i < hi; i++)
			if (prefix(table + (size_t)i * VOUCH_BUNDLE_ENTRY_LEN, bits) != p)
				return bad;
		prev = lo;
	}
	return 0;
}

/*
 * SHA-256 of the first @len bytes of @fd, read in fixed chunks.
 * Return: 0; -errno; -ENOMEM; VOUCH_E_CRYPTO; VOUCH_E_STORE (shorter than @len).
 */
static int hash_prefix(int fd, uint64_t len, uint8_t out[static VOUCH_SHA256_LEN])
{
	struct vouch_sha256 ctx;
	uint8_t *buf = aligned_alloc(4096, READ_CHUNK);
	uint64_t off = 0;
	int ret = -ENOMEM;

	if (!buf)
		goto out;
	ret = vouch_sha256_init(&ctx);
	while (!ret && off < len) {
		size_t want = len - off > READ_CHUNK ? READ_CHUNK : (size_t)(len - off), n = 0;

		ret = vouch_pread_full(fd, buf, want, (off_t)off, &n);
		if (!ret && n < want)
			ret = VOUCH_E_STORE;
		if (!ret)
			ret = vouch_sha256_update(&ctx, buf, n);
		off += n;
	}
	if (!ret)
		ret = vouch_sha256_final(&ctx, out);
out:
	vouch_sha256_wipe(&ctx);
	free(buf);
	return ret;
}

/* Cut the LMDB file open at @fd to its @datalen used bytes and append the seal. */
static int seal(int fd, uint64_t datalen)
{
	uint8_t s[VOUCH_STORE_SEAL_LEN];
	int ret;

	if (ftruncate(fd, (off_t)datalen) != 0)
		return -errno;
	memcpy(s, SEAL_MAGIC, 8);
	vouch_store64_be(s + 8, datalen);
	ret = hash_prefix(fd, datalen, s + 16);
	if (!ret)
		ret = vouch_pwrite_full(fd, s, sizeof(s), (off_t)datalen);
	return ret;
}

struct fill {
	const struct vouch_bundle *b;
	const uint8_t *policy;
	size_t policy_len;
	unsigned bits;
};

static int put(MDB_txn *txn, MDB_dbi dbi, const char *key, const void *val, size_t len,
               unsigned flags, void **out)
{
	MDB_val k = {strlen(key), (void *)key}, v = {len, (void *)val};
	int rc = mdb_put(txn, dbi, &k, &v, flags);

	if (!rc && out)
		*out = v.mv_data;
	return rc;
}

static int fill(MDB_txn *txn, const struct fill *f)
{
	uint64_t n = f->b->nentries;
	size_t tlen = (size_t)n * VOUCH_BUNDLE_ENTRY_LEN, dlen = 4 * (((size_t)1 << f->bits) + 1);
	uint8_t fmt[4], count[8], bits[4];
	void *table = NULL, *dir = NULL;
	MDB_dbi dbi;
	int rc = mdb_dbi_open(txn, NULL, 0, &dbi);

	vouch_store32_be(fmt, VOUCH_STORE_FORMAT);
	vouch_store64_be(count, n);
	vouch_store32_be(bits, f->bits);
	if (!rc)
		rc = put(txn, dbi, "format", fmt, sizeof(fmt), 0, NULL);
	if (!rc)
		rc = put(txn, dbi, "count", count, sizeof(count), 0, NULL);
	if (!rc)
		rc = put(txn, dbi, "policy", f->policy, f->policy_len, 0, NULL);
	if (!rc)
		rc = put(txn, dbi, "bits", bits, sizeof(bits), 0, NULL);
	/* Reserved in place: with MDB_WRITEMAP the big values are written straight to the map. */
	if (!rc)
		rc = put(txn, dbi, "table", NULL, tlen, MDB_RESERVE, &table);
	if (!rc && tlen)
		memcpy(table, f->b->entries, tlen);
	if (!rc)
		rc = put(txn, dbi, "dir", NULL, dlen, MDB_RESERVE, &dir);
	if (!rc)
		dir_build(dir, f->b->entries, n, f->bits);
	return rc;
}

/*
 * Write the whole store into the empty file @tmp. @datalen receives the bytes
 * LMDB used (the file is longer: WRITEMAP extends it to the map size).
 */
static int write_env(const char *tmp, const struct fill *f, uint64_t *datalen)
{
	size_t tlen = (size_t)f->b->nentries * VOUCH_BUNDLE_ENTRY_LEN;
	size_t dlen = 4 * (((size_t)1 << f->bits) + 1), mapsize;
	MDB_env *env = NULL;
	MDB_envinfo info;
	MDB_stat st;
	MDB_txn *txn;
	int ret, rc;

	/* Three values in overflow pages and a few small ones; rounded up to 1 MiB. */
	mapsize = tlen + dlen + f->policy_len + ((size_t)2 << 20);
	mapsize = (mapsize + ((size_t)1 << 20) - 1) & ~(((size_t)1 << 20) - 1);
	ret = mdb_ret(mdb_env_create(&env));
	if (ret)
		return ret;
	ret = mdb_ret(mdb_env_set_mapsize(env, mapsize));
	/*
	 * One writer, and nobody reads the file before it is renamed: no lock file.
	 * WRITEMAP: the installer's memory does not grow with the set. No sync per
	 * transaction: the whole file is synced once, before the rename.
	 */
	if (!ret)
		ret = mdb_ret(mdb_env_open(
		    env, tmp, MDB_NOSUBDIR | MDB_NOLOCK | MDB_WRITEMAP | MDB_NOSYNC, 0644));
	for (int tries = 0; !ret; tries++) {
		ret = mdb_ret(mdb_txn_begin(env, NULL, 0, &txn));
		if (ret)
			break;
		rc = fill(txn, f);
		if (!rc) {
			ret = mdb_ret(mdb_txn_commit(txn));
			break;
		}
		mdb_txn_abort(txn);
		ret = mdb_ret(rc);
		if (rc != MDB_MAP_FULL || tries == MAP_GROW_MAX)
			break;
		mapsize *= 2;
		ret = mdb_ret(mdb_env_set_mapsize(env, mapsize));
	}
	if (!ret)
		ret = mdb_ret(mdb_env_sync(env, 1));
	if (!ret)
		ret = mdb_ret(mdb_env_info(env, &info));
	if (!ret)
		ret = mdb_ret(mdb_env_stat(env, &st));
	if (!ret)
		*datalen = ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
	mdb_env_close(env);
	return ret;
}

int vouch_store_stage(const char *path, const struct vouch_bundle *b, char tmp[static PATH_MAX])
{
	struct fill f = {.b = b};
	uint8_t *policy = NULL;
	uint64_t datalen = 0;
	int fd = -1, ret;

	ret = vouch_cpolicy_serialize(&b->policy, &policy, &f.policy_len);
	if (ret)
		return ret;
	f.policy = policy;
	f.bits = dir_bits(b->nentries);
	/* The struct may not come from vouch_bundle_parse(): check what parse would. */
	ret = VOUCH_E_BUNDLE;
	if (b->nentries > VOUCH_BUNDLE_MAX_ENTRIES || (b->nentries && !b->entries))
		goto out_free;
	ret = table_check(b->entries, b->nentries, NULL, 0, &b->policy, VOUCH_E_BUNDLE);
	if (ret)
		goto out_free;
	vouch_file_remove_stale(path);

	/* Readable by everyone: the active policy is never hidden from the device's users. */
	fd = vouch_file_stage_open_at(AT_FDCWD, path, 0644, tmp);
	if (fd < 0) {
		ret = fd;
		goto out_free;
	}
	ret = write_env(tmp, &f, &datalen);
	if (!ret)
		ret = seal(fd, datalen);
	if (ret) {
		close(fd);
		vouch_file_discard(tmp);
		goto out_free;
	}
	/* Durable before it is visible: data and size, then (by the caller) the name. */
	ret = vouch_file_stage_close(AT_FDCWD, fd, tmp, 0);
out_free:
	free(policy);
	return ret;
}

int vouch_store_install(const char *path, const struct vouch_bundle *b)
{
	char tmp[PATH_MAX];
	int ret = vouch_store_stage(path, b, tmp);

	return ret ? ret : vouch_file_commit(tmp, path, 0);
}

/*
 * Check the seal of the file open at @fd before LMDB reads any of it.
 * @datalen receives the length of the LMDB data (all LMDB needs mapped).
 * Return: 0; -errno; -ENOMEM; VOUCH_E_CRYPTO; VOUCH_E_STORE.
 */
static int check_seal(int fd, const struct stat *st, uint64_t *datalen)
{
	uint8_t s[VOUCH_STORE_SEAL_LEN], got[VOUCH_SHA256_LEN];
	uint64_t len;
	size_t n = 0;
	int ret;

	if (!S_ISREG(st->st_mode) || st->st_size < DATA_MIN + VOUCH_STORE_SEAL_LEN)
		return VOUCH_E_STORE;
	len = (uint64_t)st->st_size - VOUCH_STORE_SEAL_LEN;
	ret = vouch_pread_full(fd, s, sizeof(s), (off_t)len, &n);
	if (ret)
		return ret;
	if (n != sizeof(s) || memcmp(s, SEAL_MAGIC, 8) != 0 || vouch_load64_be(s + 8) != len)
		return VOUCH_E_STORE;
	ret = hash_prefix(fd, len, got);
	if (ret)
		return ret;
	if (memcmp(got, s + 16, sizeof(got)) != 0)
		return VOUCH_E_STORE;
	*datalen = len;
	return 0;
}

/* Map the file at @path with LMDB, having checked the very inode that LMDB opened. */
static int env_open(MDB_env **out, const char *path)
{
	struct stat st, lst;
	MDB_env *env = NULL;
	uint64_t datalen = 0;
	int fd = -1, lfd, ret, rc;

	/* An installer may rename a new file in between: then start again, a few times. */
	for (int tries = 0; tries < 4; tries++) {
		/* A regular file only: a FIFO or a device at @path is refused, never waited on. */
		fd = vouch_file_open(path, 0);
		if (fd < 0)
			return fd;
		if (fstat(fd, &st) != 0) {
			ret = -errno;
			goto out;
		}
		ret = check_seal(fd, &st, &datalen);
		if (ret)
			goto out;
		ret = mdb_ret(mdb_env_create(&env));
		if (ret)
			goto out;
		/* Exactly the sealed data: nothing past it is ever mapped. */
		ret = mdb_ret(mdb_env_set_mapsize(env, (size_t)datalen));
		if (ret)
			goto out;
		rc = mdb_env_open(env, path, MDB_RDONLY | MDB_NOSUBDIR | MDB_NOLOCK | MDB_NOTLS, 0);
		if (rc == ENOMEM || rc == EACCES || rc == EPERM || rc == EMFILE || rc == ENFILE) {
			ret = -rc;
			goto out;
		}
		if (rc == 0 && mdb_env_get_fd(env, &lfd) == 0 && fstat(lfd, &lst) == 0 &&
		    lst.st_dev == st.st_dev && lst.st_ino == st.st_ino) {
			*out = env;
			env = NULL;
			ret = 0;
			goto out;
		}
		mdb_env_close(env);
		env = NULL;
		close(fd);
		fd = -1;
		ret = VOUCH_E_STORE;
		/* Not replaced meanwhile: LMDB refused what we checked. */
		if (stat(path, &lst) == 0 && lst.st_dev == st.st_dev && lst.st_ino == st.st_ino)
			break;
	}
out:
	if (env)
		mdb_env_close(env);
	if (fd >= 0)
		close(fd);
	return ret;
}

static int get(MDB_txn *txn, MDB_dbi dbi, const char *key, MDB_val *v)
{
	MDB_val k = {strlen(key), (void *)key};

	return mdb_bad(mdb_get(txn, dbi, &k, v));
}

/* The table and directory of the store, as @txn sees them; sizes checked. */
static int get_table(MDB_txn *txn, MDB_dbi dbi, uint64_t count, unsigned bits, MDB_val *table,
                     MDB_val *dir)
{
	int ret = get(txn, dbi, "table", table);

	if (!ret)
		ret = get(txn, dbi, "dir", dir);
	if (ret)
		return ret;
	if (table->mv_size != count * VOUCH_BUNDLE_ENTRY_LEN ||
	    dir->mv_size != 4 * (((size_t)1 << bits) + 1))
		return VOUCH_E_STORE;
	return 0;
}

/* Read and check everything a store holds; @txn is a read transaction on it. */
static int load(struct vouch_store *s, MDB_txn *txn)
{
	MDB_val fmt, count, policy, bits, table, dir;
	MDB_dbi dbi;
	int ret;

	ret = mdb_bad(mdb_dbi_open(txn, NULL, 0, &dbi));
	if (!ret)
		ret = get(txn, dbi, "format", &fmt);
	if (ret)
		return ret;
	if (fmt.mv_size != 4 || vouch_load32_be(fmt.mv_data) != VOUCH_STORE_FORMAT)
		return VOUCH_E_STORE;
	ret = get(txn, dbi, "count", &count);
	if (!ret)
		ret = get(txn, dbi, "bits", &bits);
	if (!ret)
		ret = get(txn, dbi, "policy", &policy);
	if (ret)
		return ret;
	if (count.mv_size != 8 || bits.mv_size != 4)
		return VOUCH_E_STORE;
	s->count = vouch_load64_be(count.mv_data);
	if (s->count > VOUCH_BUNDLE_MAX_ENTRIES ||
	    vouch_load32_be(bits.mv_data) != dir_bits(s->count))
		return VOUCH_E_STORE;
	s->bits = dir_bits(s->count);
	ret = get_table(txn, dbi, s->count, s->bits, &table, &dir);
	if (ret)
		return ret;
	ret = vouch_cpolicy_parse(&s->policy, policy.mv_data, policy.mv_size);
	if (ret)
		return ret == -ENOMEM ? ret : VOUCH_E_STORE;
	return table_check(table.mv_data, s->count, dir.mv_data, s->bits, &s->policy,
	                   VOUCH_E_STORE);
}

int vouch_store_open(struct vouch_store **out, const char *path)
{
	struct vouch_store *s = calloc(1, sizeof(*s));
	MDB_txn *txn = NULL;
	int ret;

	if (!s)
		return -ENOMEM;
	ret = env_open(&s->env, path);
	if (ret)
		goto out;
	ret = mdb_bad(mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn));
	if (ret)
		goto out;
	ret = load(s, txn);
	if (ret)
		goto out;
	*out = s;
	s = NULL;
out:
	if (txn)
		mdb_txn_abort(txn);
	vouch_store_close(s);
	return ret;
}

const struct vouch_cpolicy *vouch_store_policy(const struct vouch_store *s)
{
	return &s->policy;
}

uint64_t vouch_store_count(const struct vouch_store *s)
{
	return s->count;
}

void vouch_store_close(struct vouch_store *s)
{
	if (!s)
		return;
	if (s->env)
		mdb_env_close(s->env);
	vouch_cpolicy_free(&s->policy);
	free(s);
}

int vouch_store_reader_create(struct vouch_store *s, struct vouch_store_reader **out)
{
	struct vouch_store_reader *r = calloc(1, sizeof(*r));
	MDB_val table, dir;
	MDB_dbi dbi;
	int ret;

	if (!r)
		return -ENOMEM;
	/* The file never changes under it: this snapshot is valid for the reader's life. */
	ret = mdb_bad(mdb_txn_begin(s->env, NULL, MDB_RDONLY, &r->txn));
	if (!ret)
		ret = mdb_bad(mdb_dbi_open(r->txn, NULL, 0, &dbi));
	/* The same bytes vouch_store_open() checked: the file is immutable and sealed. */
	if (!ret)
		ret = get_table(r->txn, dbi, s->count, s->bits, &table, &dir);
	if (ret) {
		vouch_store_reader_destroy(r);
		return ret;
	}
	r->table = table.mv_data;
	r->dir = dir.mv_data;
	r->bits = s->bits;
	*out = r;
	return 0;
}

int vouch_store_lookup(struct vouch_store_reader *r, const uint8_t sha256[static 32],
                       struct vouch_trust_rec *rec)
{
	const uint8_t *slot = r->dir + 4 * (size_t)prefix(sha256, r->bits);

	/* The bucket holds about one entry; open checked that it is sorted and in bounds. */
	return vouch_entries_find(r->table, vouch_load32_be(slot), vouch_load32_be(slot + 4),
	                          sha256, rec);
}

void vouch_store_reader_destroy(struct vouch_store_reader *r)
{
	if (!r)
		return;
	if (r->txn)
		mdb_txn_abort(r->txn);
	free(r);
}
