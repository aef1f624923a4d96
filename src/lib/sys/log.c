/* SPDX-License-Identifier: Apache-2.0 */
/* The decision log's directory: appending with group commit, reading, proving and verifying. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys-internal.h"
#include "vouch/error.h"
#include "vouch/file.h"
#include "vouch/grow.h"
#include "vouch/log.h"
#include "vouch/tiles.h"

#define W         VOUCH_TLOG_TILE_WIDTH
#define HASH      VOUCH_TLOG_HASH
#define LEVELS    8 /* 8 tile levels of 8 tree levels: 2^64 leaves */
#define PATH_MAXL 128
#define NOTE_CAP  (VOUCH_CHECKPOINT_MAX + 512)

/* ---- files ---- */

/* Read all of @path (below @dirfd) into @buf; ENOENT and friends as -errno; -EFBIG if over @cap. */
static int read_at(int dirfd, const char *path, void *buf, size_t cap, size_t *len)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), ret;
	size_t extra = 0;
	char probe;

	*len = 0;
	if (fd < 0)
		return -errno;
	ret = vouch_read_full(fd, buf, cap, len);
	/* Full: one byte more says whether there was more. */
	if (!ret && *len == cap)
		ret = vouch_read_full(fd, &probe, 1, &extra);
	if (!ret && extra)
		ret = -EFBIG;
	close(fd);
	return ret;
}

/* Directories whose entries changed in this commit, to fsync once each. */
struct dirty {
	char path[16][PATH_MAXL];
	unsigned n;
	bool overflow;
	/* Many files: written without an fsync each, then one syncfs() covers them all. */
	bool defer;
};

static void dirty_add(struct dirty *d, const char *path, size_t len)
{
	char p[PATH_MAXL];

	/* A deferred commit ends in one syncfs(), which covers every directory. */
	if (d->defer)
		return;
	if (len >= sizeof(p))
		return;
	memcpy(p, path, len);
	p[len] = '\0';
	for (unsigned i = 0; i < d->n; i++)
		if (!strcmp(d->path[i], p))
			return;
	if (d->n == 16) {
		d->overflow = true;
		return;
	}
	memcpy(d->path[d->n++], p, len + 1);
}

static int dirty_sync(int dirfd, struct dirty *d)
{
	int ret;

	/* Too many to track: syncing the whole filesystem covers them all. */
	if (d->overflow || d->defer) {
		d->n = 0;
		d->overflow = d->defer = false;
		return syncfs(dirfd) < 0 ? -errno : 0;
	}
	/* Deepest first, so a new directory's entry is synced after its contents. */
	for (unsigned i = d->n; i-- > 0;) {
		ret = vouch_fsync_dir_at(dirfd, d->path[i]);
		if (ret)
			return ret;
	}
	d->n = 0;
	return 0;
}

/*
 * Create the parent directories of @path below @dirfd. @made (may be NULL)
 * holds the last parent this made or found: a tile's directory changes every
 * 1,000 tiles, and a commit writes hundreds, so most calls need no mkdirat().
 */
static int make_parents(int dirfd, const char *path, struct dirty *d, char made[PATH_MAXL])
{
	char p[PATH_MAXL];
	const char *last = strrchr(path, '/');
	size_t len = strlen(path), plen = last ? (size_t)(last - path) : 0;

	if (len >= sizeof(p))
		return -ENAMETOOLONG;
	if (!last || (made && !strncmp(made, path, plen) && made[plen] == '\0'))
		return 0;
	memcpy(p, path, len + 1);
	for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdirat(dirfd, p, 0755) == 0) {
			char *slash = strrchr(p, '/');

			dirty_add(d, slash ? p : ".", slash ? (size_t)(slash - p) : 1);
		} else if (errno != EEXIST) {
			return -errno;
		}
		*s = '/';
	}
	if (made) {
		memcpy(made, path, plen);
		made[plen] = '\0';
	}
	return 0;
}

/*
 * Write @path atomically (vouch_file_write_atomic_at()); its directory is
 * marked dirty, for dirty_sync() to fsync once however many files it holds. A
 * deferred commit syncs neither file nor directory here: its syncfs() covers
 * them all. @made: as for make_parents().
 */
static int write_at(int dirfd, const char *path, const void *data, size_t len, struct dirty *d,
                    char made[PATH_MAXL])
{
	const char *slash = strrchr(path, '/');
	int ret;

	ret = make_parents(dirfd, path, d, made);
	if (!ret)
		ret = vouch_file_write_atomic_at(dirfd, path, data, len, 0644,
		                                 VOUCH_WRITE_NODIRSYNC |
		                                     (d->defer ? VOUCH_WRITE_NOSYNC : 0));
	if (ret)
		return ret;
	dirty_add(d, slash ? path : ".", slash ? (size_t)(slash - path) : 1);
	return 0;
}

/*
 * Read tile (@level, @n) holding at least @width hashes (or entries): the
 * exact partial, else the full tile, else any wider partial (narrower ones
 * are removed once a wider one is published). *@got is the width found.
 */
static int read_tile(int dirfd, int level, uint64_t n, unsigned width, void *buf, size_t cap,
                     size_t *len, unsigned *got)
{
	char path[PATH_MAXL], dir[PATH_MAXL + 4];
	unsigned best = 0;
	DIR *dp;
	struct dirent *de;
	int ret;

	if (vouch_tlog_tile_path(path, sizeof(path), level, n, width))
		return -ENAMETOOLONG;
	ret = read_at(dirfd, path, buf, cap, len);
	if (ret != -ENOENT) {
		*got = width;
		return ret;
	}
	if (width < W) {
		vouch_tlog_tile_path(path, sizeof(path), level, n, W);
		ret = read_at(dirfd, path, buf, cap, len);
		if (ret != -ENOENT) {
			*got = W;
			return ret;
		}
		snprintf(dir, sizeof(dir), "%s.p", path);
		int fd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd >= 0 && (dp = fdopendir(fd)) != NULL) {
			while ((de = readdir(dp)) != NULL) {
				unsigned v;

				if (vouch_tile_width_parse(de->d_name, &v))
					continue;
				if (v > width && (best == 0 || v < best))
					best = v;
			}
			closedir(dp);
		} else if (fd >= 0) {
			close(fd);
		}
		if (best) {
			vouch_tlog_tile_path(path, sizeof(path), level, n, best);
			*got = best;
			return read_at(dirfd, path, buf, cap, len);
		}
	}
	return -ENOENT;
}

static int read_pruned(int dirfd, uint64_t *entries, uint64_t *tiles)
{
	char buf[128];
	size_t len = 0;
	int ret = read_at(dirfd, "pruned", buf, sizeof(buf), &len);

	*entries = *tiles = 0;
	if (ret == -ENOENT)
		return 0;
	if (ret == -EFBIG)
		return VOUCH_E_LOG;
	if (ret)
		return ret;
	return vouch_log_pruned_parse(buf, len, entries, tiles);
}

/* ---- the writer ---- */

struct level {
	uint64_t first; /* node index of h[0]: the start of the tile the last checkpoint ends in */
	uint8_t (*h)[HASH];
	size_t n, cap;
};

struct vouch_log {
	int dirfd;
	const struct vouch_note_skey *key; /* the caller's, borrowed: the one copy of the key */
	struct vouch_tlog_edge edge;
	uint64_t committed;
	struct level lv[LEVELS];
	/* Bundled entries from index efirst on (a multiple of 256): u16 length + bytes each. */
	uint64_t efirst;
	uint8_t *ebuf;
	size_t elen, ecap;
	size_t *eoff;
	size_t eoffcap;
	/* Per tile level (entry bundles first): the last tile directory made or found. */
	char made[LEVELS + 1][PATH_MAXL];
	bool failed;
	uint64_t max_bytes, disk_bytes, pruned_entries, pruned_tiles;
	uint64_t retain_from; /* retention removes no entry at or above this index */
};

static int level_push(struct level *l, const uint8_t h[HASH])
{
	void *p = l->h;
	int ret = vouch_grow(&p, &l->cap, l->n + 1, HASH);

	l->h = p;
	if (ret)
		return ret;
	memcpy(l->h[l->n++], h, HASH);
	return 0;
}

static int on_node(void *ctx, unsigned level, uint64_t index, const uint8_t hash[VOUCH_TLOG_HASH])
{
	struct vouch_log *log = ctx;
	struct level *l = &log->lv[level];

	if (level >= LEVELS || index != l->first + l->n)
		return VOUCH_E_LOG;
	return level_push(l, hash);
}

static int entry_push(struct vouch_log *log, const void *data, size_t len)
{
	void *p = log->ebuf, *q = log->eoff;
	size_t n = log->elen;
	int ret;

	ret = vouch_grow(&p, &log->ecap, n + 2 + len, 1);
	log->ebuf = p;
	if (ret)
		return ret;
	/* One offset per entry since efirst. */
	size_t count = (size_t)(log->edge.size - log->efirst);

	ret = vouch_grow(&q, &log->eoffcap, count + 2, sizeof(size_t));
	log->eoff = q;
	if (ret)
		return ret;
	log->eoff[count] = n;
	log->eoff[count + 1] = n + 2 + len;
	log->ebuf[n] = (uint8_t)(len >> 8);
	log->ebuf[n + 1] = (uint8_t)len;
	memcpy(log->ebuf + n + 2, data, len);
	log->elen = n + 2 + len;
	return 0;
}

static int write_checkpoint(struct vouch_log *log, const uint8_t root[HASH], uint64_t size,
                            struct dirty *d)
{
	struct vouch_checkpoint cp = {.size = size};
	char body[VOUCH_CHECKPOINT_MAX], note[NOTE_CAP];
	size_t nlen = 0;
	int n, ret;

	memcpy(cp.origin, log->key->v.name, sizeof(cp.origin));
	memcpy(cp.root, root, HASH);
	n = vouch_checkpoint_format(&cp, body, sizeof(body));
	if (n < 0)
		return n;
	ret = vouch_note_sign(log->key, body, (size_t)n, note, sizeof(note), &nlen);
	if (!ret)
		ret = write_at(log->dirfd, "checkpoint", note, nlen, d, NULL);
	if (!ret)
		ret = dirty_sync(log->dirfd, d);
	return ret;
}

/* Total apparent size of the files below @dirfd (for retention). */
static uint64_t du_at(int at, const char *path, int depth)
{
	int fd = openat(at, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	uint64_t sum = 0;
	struct dirent *de;
	DIR *dp;

	if (fd < 0)
		return 0;
	if (depth > 16) {
		close(fd);
		return 0;
	}
	dp = fdopendir(fd);
	if (!dp) {
		close(fd);
		return 0;
	}
	while ((de = readdir(dp)) != NULL) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(dp), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (S_ISDIR(st.st_mode))
			sum += du_at(dirfd(dp), de->d_name, depth + 1);
		else if (S_ISREG(st.st_mode))
			sum += (uint64_t)st.st_size;
	}
	closedir(dp);
	return sum;
}

/* Rebuild the in-memory state for the checkpoint's @size from the tiles it covers. */
static int rebuild(struct vouch_log *log, uint64_t size, const uint8_t root[HASH])
{
	uint8_t(*buf)[HASH] = malloc((size_t)W * HASH), got_root[HASH];
	uint8_t *bb = NULL;
	struct vouch_tlog_edge *e = &log->edge;
	size_t len = 0;
	unsigned got = 0;
	int ret = -ENOMEM;

	if (!buf)
		return -ENOMEM;
	vouch_tlog_edge_init(e);
	for (int l = LEVELS - 1; l >= 0; l--) {
		uint64_t count = l * 8 >= 64 ? 0 : size >> (8 * l);
		unsigned w = (unsigned)(count % W), off = 0;

		log->lv[l].first = count - w;
		log->lv[l].n = 0;
		if (w == 0)
			continue;
		ret = read_tile(log->dirfd, l, count / W, w, buf, (size_t)W * HASH, &len, &got);
		if (ret)
			goto out;
		ret = vouch_tile_parse(buf, len, got);
		if (ret)
			goto out;
		for (unsigned i = 0; i < w; i++) {
			ret = level_push(&log->lv[l], buf[i]);
			if (ret)
				goto out;
		}
		/* The right edge: one perfect subtree per set bit of w, largest first. */
		for (int b = 7; b >= 0; b--) {
			unsigned span = 1u << b;

			if (!(w & span))
				continue;
			/* buf is free again: the tile's hashes are in lv[l] now. */
			memcpy(buf, log->lv[l].h[off], (size_t)span * HASH);
			ret = vouch_tlog_fold(buf, span);
			if (ret)
				goto out;
			memcpy(e->hash[e->n++], buf[0], HASH);
			off += span;
		}
	}
	e->size = size;
	ret = vouch_tlog_edge_root(e, got_root);
	if (ret)
		goto out;
	ret = VOUCH_E_LOG;
	if (memcmp(got_root, root, HASH))
		goto out;
	/* The entries of the last, partial bundle, checked against their leaf hashes. */
	log->efirst = size - size % W;
	log->elen = 0;
	if (size % W) {
		unsigned w = (unsigned)(size % W);
		uint32_t off[W], el[W];

		bb = malloc((size_t)W * (2 + VOUCH_TLOG_ENTRY_MAX));
		if (!bb) {
			ret = -ENOMEM;
			goto out;
		}
		ret = read_tile(log->dirfd, VOUCH_TLOG_ENTRIES, size / W, w, bb,
		                (size_t)W * (2 + VOUCH_TLOG_ENTRY_MAX), &len, &got);
		if (ret)
			goto out;
		ret = vouch_tile_bundle_parse(bb, len, got, off, el);
		if (ret)
			goto out;
		for (unsigned i = 0; i < w; i++) {
			uint8_t lh[HASH];

			ret = vouch_tlog_leaf_hash(bb + off[i], el[i], lh);
			if (ret)
				goto out;
			ret = VOUCH_E_LOG;
			if (memcmp(lh, log->lv[0].h[i], HASH))
				goto out;
			/* entry_push() numbers entries from edge.size: pretend to be there. */
			log->edge.size = log->efirst + i;
			ret = entry_push(log, bb + off[i], el[i]);
			log->edge.size = size;
			if (ret)
				goto out;
		}
	}
	log->committed = size;
	ret = 0;
out:
	free(bb);
	free(buf);
	return ret;
}

int vouch_log_open(struct vouch_log **out, const char *dir, const struct vouch_note_skey *key,
                   uint64_t max_bytes)
{
	struct vouch_log *log = calloc(1, sizeof(*log));
	char note[NOTE_CAP];
	struct vouch_checkpoint cp;
	struct dirty d = {0};
	size_t len = 0, tlen = 0;
	int ret = -ENOMEM;

	*out = NULL;
	if (!log)
		return -ENOMEM;
	log->dirfd = -1;
	log->key = key;
	log->max_bytes = max_bytes;
	log->retain_from = VOUCH_LOG_RETAIN_ALL_SEEN;
	/* Root's alone by default: users read their own entries through vouchd. */
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		ret = -errno;
		goto fail;
	}
	log->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (log->dirfd < 0) {
		ret = -errno;
		goto fail;
	}
	ret = read_pruned(log->dirfd, &log->pruned_entries, &log->pruned_tiles);
	if (ret)
		goto fail;
	ret = read_at(log->dirfd, "checkpoint", note, sizeof(note), &len);
	if (ret == -ENOENT) {
		uint8_t root[HASH];

		/* A new log: publish the empty tree at once, so a log always has a checkpoint. */
		vouch_tlog_edge_init(&log->edge);
		ret = vouch_tlog_edge_root(&log->edge, root);
		if (!ret)
			ret = write_checkpoint(log, root, 0, &d);
		if (ret)
			goto fail;
		ret = vouch_fsync_dir_at(AT_FDCWD, dir);
		if (ret)
			goto fail;
	} else if (ret) {
		goto fail;
	} else {
		ret = vouch_note_open(&key->v, note, len, &tlen);
		if (!ret)
			ret = vouch_checkpoint_parse(&cp, note, tlen);
		if (!ret && strcmp(cp.origin, key->v.name))
			ret = VOUCH_E_WRONGKEY;
		if (!ret)
			ret = rebuild(log, cp.size, cp.root);
		if (ret)
			goto fail;
	}
	if (max_bytes)
		log->disk_bytes = du_at(log->dirfd, "tile", 0);
	*out = log;
	return 0;
fail:
	vouch_log_close(log);
	return ret;
}

void vouch_log_close(struct vouch_log *log)
{
	if (!log)
		return;
	if (log->dirfd >= 0)
		close(log->dirfd);
	for (int l = 0; l < LEVELS; l++)
		free(log->lv[l].h);
	free(log->ebuf);
	free(log->eoff);
	free(log);
}

uint64_t vouch_log_size(const struct vouch_log *log)
{
	return log->edge.size;
}

uint64_t vouch_log_committed(const struct vouch_log *log)
{
	return log->committed;
}

int vouch_log_append(struct vouch_log *log, const void *entry, size_t len, uint64_t *index)
{
	uint8_t leaf[HASH];
	int ret;

	if (log->failed)
		return -EIO;
	if (len > VOUCH_TLOG_ENTRY_MAX)
		return VOUCH_E_TOOBIG;
	ret = vouch_tlog_leaf_hash(entry, len, leaf);
	if (ret)
		return ret;
	/* Bytes first: a failed allocation leaves the tree as it was. */
	ret = entry_push(log, entry, len);
	if (ret)
		return ret;
	ret = vouch_tlog_edge_append(&log->edge, leaf, on_node, log);
	if (ret) {
		log->failed = true;
		return ret;
	}
	if (index)
		*index = log->edge.size - 1;
	return 0;
}

/* Remove the oldest full bundles (then level-0 tiles) while over the retention size. */
static void prune(struct vouch_log *log, struct dirty *d)
{
	uint64_t full = log->committed / W, e = log->pruned_entries, t = log->pruned_tiles;
	char path[PATH_MAXL], rec[96];
	struct stat st;
	int n;

	/* Keep the last full bundle and tile: proofs of recent entries stay local; and
	 * nothing a witness has not seen yet. */
	while (log->disk_bytes > log->max_bytes && e + 1 < full &&
	       (e + 1) * (uint64_t)W <= log->retain_from) {
		vouch_tlog_tile_path(path, sizeof(path), VOUCH_TLOG_ENTRIES, e, W);
		if (fstatat(log->dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0)
			log->disk_bytes -= (uint64_t)st.st_size < log->disk_bytes
			                       ? (uint64_t)st.st_size
			                       : log->disk_bytes;
		e++;
	}
	while (log->disk_bytes > log->max_bytes && t + 1 < full && t < e) {
		log->disk_bytes -=
		    log->disk_bytes < (uint64_t)W * HASH ? log->disk_bytes : (uint64_t)W * HASH;
		t++;
	}
	if (e == log->pruned_entries && t == log->pruned_tiles)
		return;
	/* The record first: a crash leaves files the record calls pruned, never the reverse. */
	n = snprintf(rec, sizeof(rec), "entries %" PRIu64 "\ntiles %" PRIu64 "\n", e, t);
	if (write_at(log->dirfd, "pruned", rec, (size_t)n, d, NULL) || dirty_sync(log->dirfd, d))
		return;
	for (uint64_t i = log->pruned_entries; i < e; i++) {
		vouch_tlog_tile_path(path, sizeof(path), VOUCH_TLOG_ENTRIES, i, W);
		unlinkat(log->dirfd, path, 0);
	}
	for (uint64_t i = log->pruned_tiles; i < t; i++) {
		vouch_tlog_tile_path(path, sizeof(path), 0, i, W);
		unlinkat(log->dirfd, path, 0);
	}
	log->pruned_entries = e;
	log->pruned_tiles = t;
}

void vouch_log_retain_from(struct vouch_log *log, uint64_t index)
{
	log->retain_from = index;
}

int vouch_log_commit(struct vouch_log *log)
{
	uint64_t size = log->edge.size, old = log->committed;
	uint8_t root[HASH];
	char path[PATH_MAXL];
	struct dirty d = {0};
	int ret;

	if (log->failed)
		return -EIO;
	if (size == old)
		return 0;
	log->failed = true; /* until everything below has succeeded */
	/*
	 * A large batch writes hundreds of tiles: one syncfs() is far cheaper than an
	 * fsync each. A small one (the daemon's, every second) does not flush the
	 * whole filesystem for a few files.
	 */
	d.defer = size - old >= 4 * (uint64_t)W;
	/* Entry bundles from the one the last checkpoint ended in. */
	for (uint64_t t = log->efirst / W; t * W < size; t++) {
		uint64_t lo = t * W, hi = lo + W < size ? lo + W : size;
		size_t a = log->eoff[lo - log->efirst], b = log->eoff[hi - log->efirst];
		unsigned width = (unsigned)(hi - lo);

		ret = vouch_tlog_tile_path(path, sizeof(path), VOUCH_TLOG_ENTRIES, t, width);
		if (!ret)
			ret = write_at(log->dirfd, path, log->ebuf + a, b - a, &d, log->made[0]);
		if (ret)
			return ret;
		log->disk_bytes += b - a;
	}
	for (int l = 0; l < LEVELS; l++) {
		struct level *lv = &log->lv[l];
		uint64_t count = l * 8 >= 64 ? 0 : size >> (8 * l);

		if (count == (old >> (8 * l)))
			continue; /* nothing new at this level, nor above */
		for (uint64_t t = lv->first / W; t * W < count; t++) {
			uint64_t lo = t * W, hi = lo + W < count ? lo + W : count;

			ret = vouch_tlog_tile_path(path, sizeof(path), l, t, (unsigned)(hi - lo));
			if (!ret)
				ret = write_at(log->dirfd, path, lv->h[lo - lv->first],
				               (size_t)(hi - lo) * HASH, &d, log->made[l + 1]);
			if (ret)
				return ret;
			log->disk_bytes += (hi - lo) * HASH;
		}
	}
	/* Tiles and bundles are durable before the checkpoint that covers them. */
	ret = dirty_sync(log->dirfd, &d);
	if (!ret)
		ret = vouch_tlog_edge_root(&log->edge, root);
	if (!ret)
		ret = write_checkpoint(log, root, size, &d);
	if (ret)
		return ret;
	log->failed = false;
	log->committed = size;
	/* The partials the new checkpoint supersedes: a wider one or the full tile replaces. */
	for (int l = -1; l < LEVELS; l++) {
		uint64_t oc = l < 0 ? old : (l * 8 >= 64 ? 0 : old >> (8 * l));
		uint64_t nc = l < 0 ? size : (l * 8 >= 64 ? 0 : size >> (8 * l));
		unsigned ow = (unsigned)(oc % W);

		if (ow == 0 || oc == nc)
			continue;
		vouch_tlog_tile_path(path, sizeof(path), l, oc / W, ow);
		if (unlinkat(log->dirfd, path, 0) == 0)
			log->disk_bytes -= (uint64_t)ow * (l < 0 ? 0 : HASH);
	}
	/* Memory keeps only the tiles the next commit rewrites. */
	for (int l = 0; l < LEVELS; l++) {
		struct level *lv = &log->lv[l];
		uint64_t count = l * 8 >= 64 ? 0 : size >> (8 * l), first = count - count % W;

		if (first > lv->first) {
			size_t drop = (size_t)(first - lv->first);

			memmove(lv->h, lv->h[drop], (lv->n - drop) * HASH);
			lv->n -= drop;
			lv->first = first;
		}
	}
	if (size - size % W > log->efirst) {
		uint64_t first = size - size % W;
		size_t drop = (size_t)(first - log->efirst), from = log->eoff[drop];
		size_t keep = (size_t)(size - first);

		memmove(log->ebuf, log->ebuf + from, log->elen - from);
		log->elen -= from;
		for (size_t i = 0; i <= keep; i++)
			log->eoff[i] = log->eoff[drop + i] - from;
		log->efirst = first;
	}
	if (log->max_bytes)
		prune(log, &d);
	return 0;
}

/* ---- the reader ---- */

struct tile_cache {
	bool valid;
	/* Its hashes were shown to lead to the checkpoint's root (tile_checked()). */
	bool checked;
	uint64_t n;
	unsigned width;
	uint8_t h[W][HASH];
};

struct vouch_log_reader {
	int dirfd;
	struct vouch_checkpoint cp;
	char note[NOTE_CAP];
	size_t notelen;
	uint64_t pruned_entries, pruned_tiles;
	struct tile_cache tc[LEVELS];
	/* The last entry bundle read; bchecked: its entries match a checked tile. */
	bool bvalid, bchecked;
	uint64_t bn;
	unsigned bw;
	uint8_t *bdata;
	size_t blen;
	uint32_t boff[W], belen[W];
	/*
	 * The right edge of the tree: each level's partial tile, as far as the
	 * checkpoint covers it, read once and checked against the root; every
	 * full tile is checked by folding it up to one of these (tile_checked()).
	 */
	bool edge_ok;
	unsigned edge_w[LEVELS];
	uint8_t (*edge)[W][HASH];
	uint8_t fold[W][HASH];
};

int vouch_log_reader_open(struct vouch_log_reader **out, const char *dir,
                          const struct vouch_note_vkey *key)
{
	struct vouch_log_reader *r = calloc(1, sizeof(*r));
	size_t tlen = 0;
	int ret = -ENOMEM;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	r->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->dirfd < 0) {
		ret = -errno;
		goto fail;
	}
	r->bdata = malloc((size_t)W * (2 + VOUCH_TLOG_ENTRY_MAX));
	if (!r->bdata)
		goto fail;
	/*
	 * The record before the checkpoint: retention writes it after the checkpoint
	 * it went by, so the checkpoint read next is at least that one.
	 */
	ret = read_pruned(r->dirfd, &r->pruned_entries, &r->pruned_tiles);
	if (!ret)
		ret = read_at(r->dirfd, "checkpoint", r->note, sizeof(r->note), &r->notelen);
	if (ret == -EFBIG)
		ret = VOUCH_E_NOTE;
	if (ret)
		goto fail;
	if (key) {
		ret = vouch_note_open(key, r->note, r->notelen, &tlen);
	} else {
		/* Unchecked: the text is everything before the last blank line. */
		ret = VOUCH_E_NOTE;
		for (size_t i = r->notelen; i-- > 1;)
			if (r->note[i] == '\n' && r->note[i - 1] == '\n') {
				tlen = i;
				ret = 0;
				break;
			}
	}
	if (!ret)
		ret = vouch_checkpoint_parse(&r->cp, r->note, tlen);
	if (!ret && key && strcmp(r->cp.origin, key->name))
		ret = VOUCH_E_WRONGKEY;
	if (!ret)
		ret = vouch_log_pruned_check(r->pruned_entries, r->pruned_tiles, r->cp.size);
	if (ret)
		goto fail;
	*out = r;
	return 0;
fail:
	vouch_log_reader_close(r);
	return ret;
}

void vouch_log_reader_close(struct vouch_log_reader *r)
{
	if (!r)
		return;
	if (r->dirfd >= 0)
		close(r->dirfd);
	free(r->bdata);
	free(r->edge);
	free(r);
}

const struct vouch_checkpoint *vouch_log_reader_checkpoint(const struct vouch_log_reader *r)
{
	return &r->cp;
}

const char *vouch_log_reader_note(const struct vouch_log_reader *r, size_t *len)
{
	*len = r->notelen;
	return r->note;
}

uint64_t vouch_log_reader_pruned(const struct vouch_log_reader *r)
{
	/* Below the checkpoint's size: vouch_log_pruned_check() at open. */
	return r->pruned_entries * W;
}

/* The number of nodes of tile level @level (-1: entries) in the checkpoint's tree. */
static uint64_t level_count(const struct vouch_log_reader *r, int level)
{
	return level < 0 ? r->cp.size : r->cp.size >> (8 * level);
}

/* The width tile @n of @level has in the checkpoint's tree. */
static unsigned tile_width(const struct vouch_log_reader *r, int level, uint64_t n)
{
	uint64_t left = level_count(r, level) - n * W;

	return left >= W ? W : (unsigned)left;
}

static int get_tile(struct vouch_log_reader *r, int level, uint64_t n, struct tile_cache **out)
{
	struct tile_cache *tc = &r->tc[level];
	unsigned w = tile_width(r, level, n), got = 0;
	size_t len = 0;
	int ret;

	if (tc->valid && tc->n == n && tc->width >= w) {
		*out = tc;
		return 0;
	}
	tc->valid = tc->checked = false;
	ret = read_tile(r->dirfd, level, n, w, tc->h, sizeof(tc->h), &len, &got);
	if (ret)
		return ret == -EFBIG ? VOUCH_E_LOG : ret; /* longer than a tile can be */
	ret = vouch_tile_parse(tc->h, len, got);
	if (ret)
		return ret;
	tc->valid = true;
	tc->n = n;
	tc->width = got;
	*out = tc;
	return 0;
}

static int reader_hashes(void *ctx, unsigned level, uint64_t index, uint64_t count,
                         uint8_t (*out)[VOUCH_TLOG_HASH])
{
	struct vouch_log_reader *r = ctx;

	if (level >= LEVELS)
		return VOUCH_E_RANGE;
	while (count > 0) {
		struct tile_cache *tc;
		uint64_t n = index / W, off = index % W, take = W - off < count ? W - off : count;
		int ret = get_tile(r, (int)level, n, &tc);

		if (ret)
			return ret;
		if (off + take > tc->width)
			return VOUCH_E_LOG;
		memcpy(out, tc->h[off], (size_t)take * HASH);
		out += take;
		index += take;
		count -= take;
	}
	return 0;
}

/* The tree hash's reads, served from the edge copy: it reads nothing else. */
static int edge_hashes(void *ctx, unsigned level, uint64_t index, uint64_t count,
                       uint8_t (*out)[VOUCH_TLOG_HASH])
{
	struct vouch_log_reader *r = ctx;
	uint64_t first;

	if (level >= LEVELS)
		return VOUCH_E_RANGE;
	first = level_count(r, (int)level) - r->edge_w[level];
	if (index < first || count > r->edge_w[level] || index - first > r->edge_w[level] - count)
		return VOUCH_E_LOG;
	memcpy(out, r->edge[level][index - first], (size_t)count * HASH);
	return 0;
}

/*
 * Read the partial tile of every level and check them against the checkpoint's
 * root. The tree hash of size N reads exactly these nodes: its perfect subtrees
 * of heights 8l to 8l+7 are the nodes of level l past its last full tile.
 */
static int edge_check(struct vouch_log_reader *r)
{
	uint8_t root[HASH];
	int ret;

	if (r->edge_ok)
		return 0;
	if (!r->edge) {
		r->edge = malloc(LEVELS * sizeof(*r->edge));
		if (!r->edge)
			return -ENOMEM;
	}
	for (int l = 0; l < LEVELS; l++) {
		uint64_t count = level_count(r, l);
		struct tile_cache *tc;

		r->edge_w[l] = (unsigned)(count % W);
		if (!r->edge_w[l])
			continue;
		ret = get_tile(r, l, count / W, &tc);
		if (ret)
			return ret;
		memcpy(r->edge[l], tc->h, (size_t)r->edge_w[l] * HASH);
	}
	ret = vouch_tlog_tree_hash(edge_hashes, r, r->cp.size, root);
	if (ret)
		return ret;
	if (memcmp(root, r->cp.root, HASH))
		return VOUCH_E_LOG;
	r->edge_ok = true;
	return 0;
}

/*
 * Tile @n of @level, in the cache, with its hashes shown to lead to the
 * checkpoint's root: a partial tile equals the edge checked against the root;
 * a full one folds to its node in the level above, itself checked so.
 */
static int tile_checked(struct vouch_log_reader *r, int level, uint64_t n, struct tile_cache **out)
{
	uint64_t count = level_count(r, level);
	uint8_t node[HASH];
	const uint8_t *want;
	struct tile_cache *tc, *up;
	int ret;

	if (level >= LEVELS || n * W >= count)
		return VOUCH_E_RANGE;
	ret = edge_check(r);
	if (!ret)
		ret = get_tile(r, level, n, &tc);
	if (ret)
		return ret;
	if (tc->checked) {
		*out = tc;
		return 0;
	}
	if (n == count / W) {
		if (memcmp(tc->h, r->edge[level], (size_t)r->edge_w[level] * HASH))
			return VOUCH_E_LOG;
	} else {
		uint64_t above = level_count(r, level + 1);

		memcpy(r->fold, tc->h, sizeof(r->fold));
		ret = vouch_tlog_fold(r->fold, W);
		if (ret)
			return ret;
		memcpy(node, r->fold[0], HASH);
		/* A full tile at level 7 would need 2^64 leaves. */
		if (level + 1 >= LEVELS)
			return VOUCH_E_LOG;
		if (n / W == above / W) {
			want = r->edge[level + 1][n % W];
		} else {
			ret = tile_checked(r, level + 1, n / W, &up);
			if (ret)
				return ret;
			want = up->h[n % W];
		}
		if (memcmp(node, want, HASH))
			return VOUCH_E_LOG;
	}
	tc->checked = true;
	*out = tc;
	return 0;
}

/* Entry bundle @n, as wide as the checkpoint needs, into the reader's buffer. */
static int load_bundle(struct vouch_log_reader *r, uint64_t n)
{
	unsigned w = tile_width(r, VOUCH_TLOG_ENTRIES, n), got = 0;
	int ret;

	if (r->bvalid && r->bn == n && r->bw >= w)
		return 0;
	r->bvalid = r->bchecked = false;
	ret = read_tile(r->dirfd, VOUCH_TLOG_ENTRIES, n, w, r->bdata,
	                (size_t)W * (2 + VOUCH_TLOG_ENTRY_MAX), &r->blen, &got);
	if (ret)
		return ret == -EFBIG ? VOUCH_E_LOG : ret;
	ret = vouch_tile_bundle_parse(r->bdata, r->blen, got, r->boff, r->belen);
	if (ret)
		return ret;
	r->bvalid = true;
	r->bn = n;
	r->bw = got;
	return 0;
}

int vouch_log_reader_entry(struct vouch_log_reader *r, uint64_t index, const char **data,
                           size_t *len)
{
	uint64_t n = index / W;
	int ret;

	if (index >= r->cp.size)
		return VOUCH_E_RANGE;
	if (n < r->pruned_entries)
		return VOUCH_E_NOTFOUND;
	ret = load_bundle(r, n);
	if (ret)
		return ret;
	*data = (const char *)r->bdata + r->boff[index % W];
	*len = r->belen[index % W];
	return 0;
}

int vouch_log_reader_entry_checked(struct vouch_log_reader *r, uint64_t index, const char **data,
                                   size_t *len)
{
	uint64_t n = index / W;
	struct tile_cache *tc;
	int ret = vouch_log_reader_entry(r, index, data, len);

	if (ret || r->bchecked)
		return ret;
	/* The whole bundle at once: the next entries of it cost nothing more. */
	ret = tile_checked(r, 0, n, &tc);
	if (ret)
		return ret;
	for (unsigned i = 0, w = tile_width(r, 0, n); i < w; i++) {
		uint8_t lh[HASH];

		ret = vouch_tlog_leaf_hash(r->bdata + r->boff[i], r->belen[i], lh);
		if (ret)
			return ret;
		if (memcmp(lh, tc->h[i], HASH))
			return VOUCH_E_LOG;
	}
	r->bchecked = true;
	return 0;
}

int vouch_log_reader_prove(struct vouch_log_reader *r, uint64_t index,
                           uint8_t proof[VOUCH_TLOG_PROOF_MAX][VOUCH_TLOG_HASH], unsigned *n)
{
	return vouch_tlog_prove_inclusion(reader_hashes, r, index, r->cp.size, proof, n);
}

int vouch_log_reader_consistency(struct vouch_log_reader *r, uint64_t old,
                                 uint8_t proof[VOUCH_TLOG_PROOF_MAX][VOUCH_TLOG_HASH], unsigned *n,
                                 uint8_t old_root[static VOUCH_TLOG_HASH])
{
	int ret = vouch_tlog_prove_consistency(reader_hashes, r, old, r->cp.size, proof, n);

	if (!ret && old <= r->cp.size)
		ret = vouch_tlog_tree_hash(reader_hashes, r, old, old_root);
	return ret;
}

/*
 * Bundle @t (@w entries) against its level-0 tile @tc, or, if that tile was
 * removed by retention (@tc NULL), folded against its node in level 1.
 */
static int verify_bundle(struct vouch_log_reader *r, uint64_t t, unsigned w,
                         const struct tile_cache *tc, uint8_t (*lh)[HASH],
                         struct vouch_log_report *rep)
{
	char path[PATH_MAXL];
	struct tile_cache *up;
	int ret;

	for (unsigned i = 0; i < w; i++) {
		ret = vouch_tlog_leaf_hash(r->bdata + r->boff[i], r->belen[i], lh[i]);
		if (ret)
			return ret;
		if (tc && memcmp(lh[i], tc->h[i], HASH)) {
			vouch_tlog_tile_path(path, sizeof(path), VOUCH_TLOG_ENTRIES, t, w);
			rep->bad_index = t * W + i;
			snprintf(rep->what, sizeof(rep->what),
			         "%s: entry %" PRIu64 " does not match its hash in tile/0", path,
			         t * W + i);
			return VOUCH_E_LOG;
		}
	}
	if (!tc) {
		/* Only full tiles are ever removed: vouch_log_pruned_check(). */
		ret = w == W ? vouch_tlog_fold(lh, W) : VOUCH_E_LOG;
		if (!ret)
			ret = get_tile(r, 1, t / W, &up);
		vouch_tlog_tile_path(path, sizeof(path), VOUCH_TLOG_ENTRIES, t, w);
		if (ret) {
			snprintf(rep->what, sizeof(rep->what), "%s (its tile/0 removed): %s", path,
			         vouch_strerror(ret));
			return ret;
		}
		if (memcmp(lh[0], up->h[t % W], HASH)) {
			rep->bad_index = t * W;
			snprintf(rep->what, sizeof(rep->what),
			         "%s: its entries do not hash to their node in tile/1", path);
			return VOUCH_E_LOG;
		}
	}
	rep->entries += w;
	return 0;
}

int vouch_log_verify(struct vouch_log_reader *r, struct vouch_log_report *rep)
{
	uint64_t size = r->cp.size, ntiles = (size + W - 1) / W;
	uint8_t root[HASH], (*fbuf)[HASH] = NULL;
	char path[PATH_MAXL];
	int ret;

	memset(rep, 0, sizeof(*rep));
	rep->size = size;
	fbuf = malloc((size_t)W * HASH);
	if (!fbuf)
		return -ENOMEM;
	/*
	 * Every entry against its leaf hash. What retention removed is skipped only
	 * where it is gone: a bundle or tile still there is checked all the same.
	 */
	for (uint64_t t = 0; t < ntiles; t++) {
		struct tile_cache *tc = NULL;
		unsigned w = tile_width(r, 0, t);

		ret = get_tile(r, 0, t, &tc);
		if (ret == -ENOENT && t < r->pruned_tiles) {
			tc = NULL;
		} else if (ret) {
			vouch_tlog_tile_path(path, sizeof(path), 0, t, w);
			snprintf(rep->what, sizeof(rep->what), "%s: %s", path, vouch_strerror(ret));
			goto out;
		} else {
			rep->tiles++;
		}
		ret = load_bundle(r, t);
		if (ret == -ENOENT && t < r->pruned_entries) {
			rep->pruned += w;
			continue;
		}
		if (ret) {
			vouch_tlog_tile_path(path, sizeof(path), VOUCH_TLOG_ENTRIES, t, w);
			snprintf(rep->what, sizeof(rep->what), "%s: %s", path, vouch_strerror(ret));
			goto out;
		}
		ret = verify_bundle(r, t, w, tc, fbuf, rep);
		if (ret)
			goto out;
	}
	/* Every full tile against its hash one level up. */
	for (int l = 0; l + 1 < LEVELS && (size >> (8 * (l + 1))) > 0; l++) {
		uint64_t full = (size >> (8 * l)) / W;

		for (uint64_t t = 0; t < full; t++) {
			struct tile_cache *tc, *up;

			ret = get_tile(r, l, t, &tc);
			if (ret == -ENOENT && l == 0 && t < r->pruned_tiles)
				continue;
			if (!ret) {
				memcpy(fbuf, tc->h, (size_t)W * HASH);
				ret = vouch_tlog_fold(fbuf, W);
			}
			if (!ret)
				ret = get_tile(r, l + 1, t / W, &up);
			if (ret) {
				vouch_tlog_tile_path(path, sizeof(path), l, t, 0);
				snprintf(rep->what, sizeof(rep->what),
				         "tile %s or the one above: %s", path, vouch_strerror(ret));
				goto out;
			}
			if (l > 0)
				rep->tiles++;
			if (memcmp(fbuf[0], up->h[t % W], HASH)) {
				vouch_tlog_tile_path(path, sizeof(path), l, t, 0);
				rep->bad_index = t;
				snprintf(rep->what, sizeof(rep->what),
				         "%s: does not hash to its node in the level above", path);
				ret = VOUCH_E_LOG;
				goto out;
			}
		}
	}
	/* And the tree from the tiles against the signed root. */
	ret = vouch_tlog_tree_hash(reader_hashes, r, size, root);
	if (ret) {
		snprintf(rep->what, sizeof(rep->what), "reading the tiles: %s",
		         vouch_strerror(ret));
		goto out;
	}
	if (memcmp(root, r->cp.root, HASH)) {
		snprintf(rep->what, sizeof(rep->what),
		         "checkpoint: the tiles give a different root for size %" PRIu64, size);
		ret = VOUCH_E_LOG;
		goto out;
	}
	ret = 0;
out:
	free(fbuf);
	return ret;
}

/* The lines of a proof text: header, lines of hashes, a blank line, the checkpoint note. */
static int proof_text(struct vouch_log_reader *r, struct vouch_proof *p,
                      const uint8_t (*proof)[VOUCH_TLOG_HASH], unsigned n, char **out, size_t *len)
{
	memcpy(p->hash, proof, (size_t)n * VOUCH_TLOG_HASH);
	p->n = n;
	p->note = r->note;
	p->note_len = r->notelen;
	return vouch_proof_format(p, out, len);
}

int vouch_log_reader_proof_text(struct vouch_log_reader *r, uint64_t index, char **out, size_t *len)
{
	uint8_t proof[VOUCH_TLOG_PROOF_MAX][VOUCH_TLOG_HASH];
	struct vouch_proof p = {.inclusion = true, .num = index};
	const char *data;
	size_t dlen;
	unsigned n;
	char *extra;
	int ret;

	*out = NULL;
	ret = vouch_log_reader_entry(r, index, &data, &dlen);
	if (!ret)
		ret = vouch_log_reader_prove(r, index, proof, &n);
	if (ret)
		return ret;
	/* The entry itself rides in "extra": the proof stands alone. */
	extra = malloc(vouch_b64_enclen(dlen));
	if (!extra)
		return -ENOMEM;
	vouch_b64_encode(extra, vouch_b64_enclen(dlen), (const uint8_t *)data, dlen);
	p.extra = extra;
	p.extra_len = strlen(extra);
	ret = proof_text(r, &p, (const uint8_t(*)[VOUCH_TLOG_HASH])proof, n, out, len);
	free(extra);
	return ret;
}

int vouch_log_reader_consistency_text(struct vouch_log_reader *r, uint64_t old, char **out,
                                      size_t *len)
{
	uint8_t proof[VOUCH_TLOG_PROOF_MAX][VOUCH_TLOG_HASH], oroot[VOUCH_TLOG_HASH];
	struct vouch_proof p = {.inclusion = false, .num = old};
	unsigned n;
	int ret;

	*out = NULL;
	if (old > r->cp.size)
		return VOUCH_E_RANGE;
	ret = vouch_log_reader_consistency(r, old, proof, &n, oroot);
	if (ret)
		return ret;
	return proof_text(r, &p, (const uint8_t(*)[VOUCH_TLOG_HASH])proof, n, out, len);
}
