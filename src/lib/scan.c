/* SPDX-License-Identifier: Apache-2.0 */
/* Manifests from the filesystem: tree walks and dpkg's installed files, each file opened once. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <openssl/evp.h>

#include "vouch/error.h"
#include "vouch/file.h"
#include "vouch/scan.h"

/* Large enough that syscalls cost little next to hashing; small enough to stay in L2. */
#define CHUNK           (256 * 1024)
#define MD5_LEN         16
#define DB_FILE_MAX     (64u * 1024 * 1024)
#define THREADS_DEFAULT 2
#define THREADS_MAX     64
#define ADMINDIR        "/var/lib/dpkg"
#define OPEN_FILE       (O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

/* ---- one file: classify its head, hash it if it is code --------------------------- */

static EVP_MD *md5_md;
static pthread_once_t md5_once = PTHREAD_ONCE_INIT;

/* Fetched once: EVP_MD_fetch per file would cost a provider lookup each time. */
static void md5_fetch(void)
{
	md5_md = EVP_MD_fetch(NULL, "MD5", NULL);
}

/* One per thread: buffers and digest contexts reused from file to file. */
struct hasher {
	uint8_t *buf; /* CHUNK bytes */
	struct vouch_sha256 *sha;
	EVP_MD_CTX *md5; /* NULL unless dpkg's MD5 is checked */
};

struct look {
	enum vouch_code_kind kind;
	uint64_t size;
	uint8_t sha256[VOUCH_SHA256_LEN];
	uint8_t md5[MD5_LEN];
};

static void hasher_free(struct hasher *h)
{
	free(h->buf);
	vouch_sha256_destroy(h->sha);
	EVP_MD_CTX_free(h->md5);
	memset(h, 0, sizeof(*h));
}

static int hasher_init(struct hasher *h, bool md5)
{
	int ret;

	memset(h, 0, sizeof(*h));
	ret = -ENOMEM;
	h->buf = malloc(CHUNK);
	if (!h->buf)
		goto fail;
	ret = vouch_sha256_create(&h->sha);
	if (ret)
		goto fail;
	if (md5) {
		ret = VOUCH_E_CRYPTO;
		pthread_once(&md5_once, md5_fetch);
		if (!md5_md)
			goto fail;
		h->md5 = EVP_MD_CTX_new();
		if (!h->md5)
			goto fail;
	}
	return 0;
fail:
	hasher_free(h);
	return ret;
}

/* Read until @cap bytes or the end of the file. */
static int read_upto(int fd, uint8_t *buf, size_t cap, size_t *got)
{
	size_t n = 0;

	while (n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*got = n;
	return 0;
}

/*
 * Classify the file open at @fd from its head and, if it is code, hash the rest
 * through the same descriptor. The size is what was read, so it always matches
 * the hash even if the file changed meanwhile.
 */
static int examine(int fd, struct hasher *h, struct look *r)
{
	uint8_t junk[VOUCH_SHA256_LEN];
	size_t n = 0;
	int ret = read_upto(fd, h->buf, VOUCH_CODE_HEAD, &n);

	if (ret)
		return ret;
	r->size = 0;
	r->kind = vouch_code_classify(h->buf, n);
	if (r->kind == VOUCH_CODE_NONE)
		return 0;
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (h->md5 && !EVP_DigestInit_ex2(h->md5, md5_md, NULL))
		return VOUCH_E_CRYPTO;
	for (;;) {
		ssize_t k;

		if (n > 0) {
			ret = vouch_sha256_update(h->sha, h->buf, n);
			if (!ret && h->md5 && !EVP_DigestUpdate(h->md5, h->buf, n))
				ret = VOUCH_E_CRYPTO;
			if (ret)
				goto fail;
			r->size += n;
		}
		k = read(fd, h->buf, CHUNK);
		if (k < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (k < 0) {
			ret = -errno;
			goto fail;
		}
		if (k == 0)
			break;
		n = (size_t)k;
	}
	ret = vouch_sha256_final(h->sha, r->sha256);
	if (!ret && h->md5) {
		unsigned int mlen = 0;

		if (!EVP_DigestFinal_ex(h->md5, r->md5, &mlen) || mlen != MD5_LEN)
			ret = VOUCH_E_CRYPTO;
	}
	return ret;
fail:
	/* final() resets the context: the next file must not start from this one's state. */
	(void)vouch_sha256_final(h->sha, junk);
	return ret;
}

static atomic_int no_openat2;

/*
 * Open @rel below the directory @dirfd, resolving it as if @dirfd were "/" (so an
 * absolute symlink inside a staging tree or --root stays inside). Kernels before
 * 5.6 lack openat2: there the plain openat() resolves symlinks as usual.
 */
static int open_in_root(int dirfd, const char *rel, int flags)
{
	struct open_how how;
	int fd;

	memset(&how, 0, sizeof(how));
	how.flags = (unsigned)flags;
	how.resolve = (uint64_t)(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	for (int tries = 0; !atomic_load_explicit(&no_openat2, memory_order_relaxed); tries++) {
		long r = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));

		if (r >= 0)
			return (int)r;
		/* EAGAIN: a rename raced the lookup; the kernel asks for a retry. */
		if (errno == EINTR || (errno == EAGAIN && tries < 16))
			continue;
		if (errno != ENOSYS)
			return -errno;
		atomic_store_explicit(&no_openat2, 1, memory_order_relaxed);
	}
	fd = openat(dirfd, rel, flags);
	return fd < 0 ? -errno : fd;
}

/* ---- vouch_manifest_scan(): walking trees ----------------------------------------- */

struct walk {
	struct vouch_manifest *m;
	struct vouch_scan_stats *st;
	const struct vouch_scan_opts *o;
	struct hasher h;
	dev_t dev;        /* of the PATH being walked, for VOUCH_SCAN_ONE_FS */
	const char *disp; /* the caller's spelling of that PATH */
	size_t top;       /* rec[0, top) is that PATH's recorded path */
	char rec[VOUCH_MANIFEST_PATH_MAX + 1];
};

static void report(const struct vouch_scan_opts *o, enum vouch_scan_what what, const char *path,
                   const char *pkg, size_t line, int err)
{
	struct vouch_scan_event ev = {what, path, pkg, line, err};

	if (o->report)
		o->report(o->ctx, &ev);
}

/*
 * Report a failure at rec[0, len), named as the caller spelled its PATH followed
 * by the names below it. Returns @err.
 */
static int walk_fail(struct walk *w, size_t len, int err)
{
	size_t dlen = strlen(w->disp), slen = len - w->top;
	char *p;

	/* "tree/" and "tree" name the same directory: no "tree//x". */
	while (dlen > 1 && w->disp[dlen - 1] == '/')
		dlen--;
	if (dlen == 1 && w->disp[0] == '/' && slen > 0)
		dlen = 0;
	p = malloc(dlen + slen + 1);
	if (!p) {
		report(w->o, VOUCH_SCAN_FAILED, w->disp, NULL, 0, err);
		return err;
	}
	memcpy(p, w->disp, dlen);
	memcpy(p + dlen, w->rec + w->top, slen);
	p[dlen + slen] = '\0';
	report(w->o, VOUCH_SCAN_FAILED, p, NULL, 0, err);
	free(p);
	return err;
}

static int walk_fd(struct walk *w, int fd, size_t len);

static int walk_entry(struct walk *w, int dfd, const char *name, unsigned char type, size_t len)
{
	struct stat st;
	int fd;

	if (type == DT_UNKNOWN) {
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			return errno == ENOENT ? 0 : walk_fail(w, len, -errno);
		type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
	}
	/* Never opened: symlinks, devices (opening one can have side effects), FIFOs. */
	if (type != DT_DIR && type != DT_REG) {
		w->st->skipped++;
		return 0;
	}
	fd = openat(dfd, name,
	            type == DT_DIR ? O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC : OPEN_FILE);
	if (fd < 0) {
		/* Gone, or swapped for a symlink or a non-directory since readdir(). */
		if (errno == ENOENT)
			return 0;
		if (errno == ELOOP || errno == ENOTDIR) {
			w->st->skipped++;
			return 0;
		}
		return walk_fail(w, len, -errno);
	}
	return walk_fd(w, fd, len);
}

/* Walk the directory open at @fd (owned) whose recorded path is rec[0, len). */
static int walk_dir(struct walk *w, int fd, size_t len)
{
	struct dirent *de;
	DIR *d = fdopendir(fd);
	int ret = 0;

	if (!d) {
		ret = -errno;
		close(fd);
		return walk_fail(w, len, ret);
	}
	for (;;) {
		size_t nlen;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				ret = walk_fail(w, len, -errno);
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		nlen = strlen(de->d_name);
		if (len + 1 + nlen > VOUCH_MANIFEST_PATH_MAX) {
			ret = walk_fail(w, len, -ENAMETOOLONG);
			break;
		}
		w->rec[len] = '/';
		memcpy(w->rec + len + 1, de->d_name, nlen + 1);
		ret = walk_entry(w, dirfd(d), de->d_name, de->d_type, len + 1 + nlen);
		w->rec[len] = '\0';
		if (ret)
			break;
	}
	closedir(d);
	return ret;
}

/* The entry open at @fd (owned), recorded as rec[0, len): walk it or list it. */
static int walk_fd(struct walk *w, int fd, size_t len)
{
	struct stat st;
	struct look r;
	int ret;

	if (fstat(fd, &st) != 0) {
		ret = -errno;
		close(fd);
		return walk_fail(w, len, ret);
	}
	if ((w->o->flags & VOUCH_SCAN_ONE_FS) && st.st_dev != w->dev) {
		close(fd);
		w->st->skipped++;
		return 0;
	}
	if (S_ISDIR(st.st_mode))
		return walk_dir(w, fd, len);
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		w->st->skipped++;
		return 0;
	}
	ret = examine(fd, &w->h, &r);
	close(fd);
	if (ret)
		return walk_fail(w, len, ret);
	if (r.kind == VOUCH_CODE_NONE) {
		w->st->skipped++;
		return 0;
	}
	ret = vouch_manifest_add(w->m, r.sha256, r.size, w->rec);
	if (ret)
		return walk_fail(w, len, ret);
	if (r.kind == VOUCH_CODE_SCRIPT)
		w->st->scripts++;
	else
		w->st->elf++;
	w->st->bytes += r.size;
	return 0;
}

/*
 * Append the components of @s to the absolute path out[0, *len) by their
 * spelling: "" and "." vanish, ".." drops the last component. "" stands for "/".
 */
static int push_path(char *out, size_t cap, size_t *len, const char *s)
{
	while (*s) {
		const char *e;
		size_t n;

		while (*s == '/')
			s++;
		e = strchrnul(s, '/');
		n = (size_t)(e - s);
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (*len > 0 && out[*len - 1] != '/')
				(*len)--;
			if (*len > 0)
				(*len)--;
		} else if (n > 0 && !(n == 1 && s[0] == '.')) {
			if (*len + 1 + n >= cap)
				return -ENAMETOOLONG;
			out[(*len)++] = '/';
			memcpy(out + *len, s, n);
			*len += n;
		}
		s = e;
	}
	out[*len] = '\0';
	return 0;
}

static int absolute(const char *path, const char *cwd, char *out, size_t cap, size_t *len)
{
	int ret = 0;

	*len = 0;
	out[0] = '\0';
	if (path[0] == '\0')
		return -ENOENT;
	if (path[0] != '/')
		ret = push_path(out, cap, len, cwd);
	return ret ? ret : push_path(out, cap, len, path);
}

/* Open rec's PATH: below the base as its root, or by its absolute path. */
static int open_top(int basefd, const char *abs, const char *rel, int flags)
{
	int fd;

	if (basefd >= 0)
		return open_in_root(basefd, rel[0] ? rel + 1 : ".", flags);
	fd = open(abs[0] ? abs : "/", flags);
	return fd < 0 ? -errno : fd;
}

/*
 * One PATH the caller named, absolute in abs[0, alen) and already known to be
 * under the base (abs[0, blen)) if there is one: skip it if special, else walk it.
 */
static int scan_top(struct walk *w, const char *path, const char *abs, size_t alen, int basefd,
                    size_t blen)
{
	const char *rel = abs + blen;
	struct stat st;
	int fd, ret;

	w->disp = path;
	w->top = basefd >= 0 ? alen - blen : alen;
	memcpy(w->rec, basefd >= 0 ? rel : abs, w->top + 1);
	/* Look before opening: a device or FIFO is never opened. */
	fd = open_top(basefd, abs, rel, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return walk_fail(w, w->top, fd);
	ret = fstat(fd, &st) != 0 ? -errno : 0;
	close(fd);
	if (ret)
		return walk_fail(w, w->top, ret);
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
		w->st->skipped++;
		report(w->o, VOUCH_SCAN_SKIPPED, path, NULL, 0, 0);
		return 0;
	}
	/* O_DIRECTORY: a directory swapped for a FIFO meanwhile must not block the open. */
	fd = open_top(basefd, abs, rel,
	              S_ISDIR(st.st_mode) ? O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
	                                  : OPEN_FILE);
	if (fd < 0)
		return walk_fail(w, w->top, fd);
	w->dev = st.st_dev;
	return walk_fd(w, fd, w->top);
}

int vouch_manifest_scan(struct vouch_manifest *m, const char *const *paths, size_t n,
                        const struct vouch_scan_opts *opts, struct vouch_scan_stats *stats)
{
	static const struct vouch_scan_opts none;
	struct vouch_scan_stats dummy;
	struct walk *w = NULL;
	char *cwd = NULL, *abs = NULL, *base = NULL;
	size_t before = m->count, alen = 0, blen = 0;
	int basefd = -1, ret;
	bool need_cwd = false;

	if (!opts)
		opts = &none;
	if (!stats)
		stats = &dummy;
	memset(stats, 0, sizeof(*stats));
	ret = -ENOMEM;
	w = calloc(1, sizeof(*w));
	abs = malloc(VOUCH_MANIFEST_PATH_MAX + 1);
	base = malloc(VOUCH_MANIFEST_PATH_MAX + 1);
	cwd = malloc(PATH_MAX);
	if (!w || !abs || !base || !cwd) {
		report(opts, VOUCH_SCAN_FAILED, NULL, NULL, 0, ret);
		goto out;
	}
	cwd[0] = '\0';
	w->m = m;
	w->st = stats;
	w->o = opts;
	ret = hasher_init(&w->h, false);
	if (ret) {
		report(opts, VOUCH_SCAN_FAILED, NULL, NULL, 0, ret);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		need_cwd |= paths[i][0] != '/';
	if (opts->base)
		need_cwd |= opts->base[0] != '/';
	if (need_cwd && !getcwd(cwd, PATH_MAX)) {
		ret = -errno;
		report(opts, VOUCH_SCAN_FAILED, ".", NULL, 0, ret);
		goto out;
	}
	if (opts->base) {
		ret = absolute(opts->base, cwd, base, VOUCH_MANIFEST_PATH_MAX + 1, &blen);
		if (!ret) {
			basefd = open(base[0] ? base : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			ret = basefd < 0 ? -errno : 0;
		}
		if (ret) {
			report(opts, VOUCH_SCAN_FAILED, opts->base, NULL, 0, ret);
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		ret = absolute(paths[i], cwd, abs, VOUCH_MANIFEST_PATH_MAX + 1, &alen);
		if (ret) {
			report(opts, VOUCH_SCAN_FAILED, paths[i], NULL, 0, ret);
			goto out;
		}
		/* Under the base: equal to it, or it followed by "/" (so /a is not under /ab). */
		if (basefd >= 0 && blen > 0 &&
		    (alen < blen || memcmp(abs, base, blen) != 0 ||
		     (abs[blen] != '\0' && abs[blen] != '/'))) {
			ret = VOUCH_E_RANGE;
			report(opts, VOUCH_SCAN_FAILED, paths[i], NULL, 0, ret);
			goto out;
		}
		ret = scan_top(w, paths[i], abs, alen, basefd, blen);
		if (ret)
			goto out;
	}
	ret = vouch_manifest_sort(m);
	if (ret) {
		report(opts, VOUCH_SCAN_FAILED, NULL, NULL, 0, ret);
		goto out;
	}
	stats->files = m->count >= before ? m->count - before : 0;
out:
	if (basefd >= 0)
		close(basefd);
	if (w)
		hasher_free(&w->h);
	free(w);
	free(abs);
	free(base);
	free(cwd);
	return ret;
}

/* ---- vouch_manifest_scan_dpkg(): dpkg's installed files ---------------------------- */

enum job_state {
	J_NOTCODE,
	J_CODE,
	J_CHANGED,
	J_REPLACED,
	J_MISSING,
	J_UNREADABLE,
};

/* One listed file. The worker that takes it writes its result fields; no one else does. */
struct job {
	const char *rel; /* below the root, no leading "/"; points into a database buffer */
	const char *pkg;
	uint8_t md5[MD5_LEN];
	uint8_t state; /* enum job_state */
	uint8_t kind;  /* enum vouch_code_kind */
	int err;
	uint64_t size;
	uint8_t sha256[VOUCH_SHA256_LEN];
};

struct diversion {
	const char *from, *to, *pkg; /* from and to absolute */
};

struct db {
	char **bufs; /* file contents, kept: jobs and diversions point into them */
	size_t nbufs;
	char **names; /* md5sums file names, cut to the package name */
	size_t nnames;
	struct job *jobs;
	size_t njobs, capjobs;
	struct diversion *div;
	size_t ndiv;
};

static void db_free(struct db *db)
{
	for (size_t i = 0; i < db->nbufs; i++)
		free(db->bufs[i]);
	for (size_t i = 0; i < db->nnames; i++)
		free(db->names[i]);
	free(db->bufs);
	free(db->names);
	free(db->jobs);
	free(db->div);
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 256, bytes;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		if (__builtin_mul_overflow(ncap, 2, &ncap))
			return -ENOMEM;
	if (__builtin_mul_overflow(ncap, elem, &bytes))
		return -ENOMEM;
	p = realloc(*arr, bytes);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* Keep @buf (owned from now on) until db_free(). */
static int db_keep(struct db *db, char *buf)
{
	char **p = realloc(db->bufs, (db->nbufs + 1) * sizeof(*p));

	if (!p) {
		free(buf);
		return -ENOMEM;
	}
	db->bufs = p;
	db->bufs[db->nbufs++] = buf;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Lines "<32 hex>  <path>" (md5sum's output; " *" marks binary mode); the last may lack LF. */
static int parse_md5sums(struct db *db, char *buf, size_t len, const char *pkg, size_t *errline)
{
	size_t pos = 0, line = 0;

	while (pos < len) {
		char *s = buf + pos, *nl = memchr(s, '\n', len - pos), *path;
		size_t n = nl ? (size_t)(nl - s) : len - pos, plen;
		struct job *j;
		int ret;

		*errline = ++line;
		if (n < 2 * MD5_LEN + 3 || s[2 * MD5_LEN] != ' ' ||
		    (s[2 * MD5_LEN + 1] != ' ' && s[2 * MD5_LEN + 1] != '*'))
			return VOUCH_E_MANIFEST_LINE;
		path = s + 2 * MD5_LEN + 2;
		plen = n - 2 * MD5_LEN - 2;
		if (memchr(path, '\0', plen))
			return VOUCH_E_MANIFEST_LINE;
		while (plen > 0 && *path == '/') {
			path++;
			plen--;
		}
		if (plen == 0)
			return VOUCH_E_MANIFEST_LINE;
		ret = grow((void **)&db->jobs, &db->capjobs, db->njobs + 1, sizeof(*db->jobs));
		if (ret)
			return ret;
		j = &db->jobs[db->njobs];
		memset(j, 0, sizeof(*j));
		for (size_t i = 0; i < MD5_LEN; i++) {
			int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

			if (hi < 0 || lo < 0)
				return VOUCH_E_MANIFEST_LINE;
			j->md5[i] = (uint8_t)(hi << 4 | lo);
		}
		s[n] = '\0'; /* the LF, or the NUL vouch_file_read() put after the data */
		j->rel = path;
		j->pkg = pkg;
		db->njobs++;
		pos += n + 1;
	}
	*errline = 0;
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Report a failure in the database file @dir/@name (line @line, or 0). Returns @err. */
static int db_fail(const struct vouch_scan_opts *o, const char *dir, const char *name, size_t line,
                   int err)
{
	char path[PATH_MAX];

	if (name && snprintf(path, sizeof(path), "%s/%s", dir, name) < (int)sizeof(path))
		dir = path;
	report(o, VOUCH_SCAN_FAILED, dir, NULL, line, err);
	return err;
}

/* Every info/PACKAGE.md5sums, in name order. */
static int read_md5sums(struct db *db, const struct vouch_scan_opts *o, const char *admindir,
                        struct vouch_scan_stats *st)
{
	char info[PATH_MAX], path[PATH_MAX];
	size_t capnames = 0;
	struct dirent *de;
	DIR *d;
	int ret = 0;

	if (snprintf(info, sizeof(info), "%s/info", admindir) >= (int)sizeof(info))
		return db_fail(o, admindir, NULL, 0, -ENAMETOOLONG);
	d = opendir(info);
	if (!d)
		return db_fail(o, info, NULL, 0, -errno);
	for (;;) {
		size_t nlen;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				ret = db_fail(o, info, NULL, 0, -errno);
			break;
		}
		nlen = strlen(de->d_name);
		if (nlen <= 8 || de->d_name[0] == '.' || strcmp(de->d_name + nlen - 8, ".md5sums"))
			continue;
		ret = grow((void **)&db->names, &capnames, db->nnames + 1, sizeof(*db->names));
		if (!ret && !(db->names[db->nnames] = strdup(de->d_name)))
			ret = -ENOMEM;
		if (ret) {
			db_fail(o, info, NULL, 0, ret);
			break;
		}
		db->nnames++;
	}
	closedir(d);
	if (ret)
		return ret;
	qsort(db->names, db->nnames, sizeof(*db->names), name_cmp);
	for (size_t i = 0; i < db->nnames; i++) {
		char *buf = NULL, *name = db->names[i];
		size_t len = 0, line = 0;

		if (snprintf(path, sizeof(path), "%s/%s", info, name) >= (int)sizeof(path))
			return db_fail(o, info, name, 0, -ENAMETOOLONG);
		ret = vouch_file_read(path, DB_FILE_MAX, &buf, &len);
		if (ret)
			return db_fail(o, path, NULL, 0, ret);
		ret = db_keep(db, buf);
		if (ret)
			return db_fail(o, path, NULL, 0, ret);
		name[strlen(name) - 8] = '\0'; /* the package name, as jobs refer to it */
		ret = parse_md5sums(db, buf, len, name, &line);
		if (ret)
			return db_fail(o, path, NULL, line, ret);
	}
	st->packages = db->nnames;
	st->listed = db->njobs;
	return 0;
}

static int div_cmp(const void *a, const void *b)
{
	return strcmp(((const struct diversion *)a)->from, ((const struct diversion *)b)->from);
}

/* The diversions file: triples of lines "from", "to", "package". Missing: none. */
static int read_diversions(struct db *db, const struct vouch_scan_opts *o, const char *admindir)
{
	char path[PATH_MAX], *buf = NULL, *lines[3];
	size_t len = 0, pos = 0, line = 0, cap = 0;
	int ret;

	if (snprintf(path, sizeof(path), "%s/diversions", admindir) >= (int)sizeof(path))
		return db_fail(o, admindir, NULL, 0, -ENAMETOOLONG);
	ret = vouch_file_read(path, DB_FILE_MAX, &buf, &len);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return db_fail(o, path, NULL, 0, ret);
	ret = db_keep(db, buf);
	if (ret)
		return db_fail(o, path, NULL, 0, ret);
	while (pos < len) {
		for (int k = 0; k < 3; k++) {
			char *s = buf + pos, *nl;
			size_t n;

			line++;
			if (pos >= len)
				return db_fail(o, path, NULL, line, VOUCH_E_MANIFEST_LINE);
			nl = memchr(s, '\n', len - pos);
			n = nl ? (size_t)(nl - s) : len - pos;
			s[n] = '\0';
			if (n == 0 || strlen(s) != n || (k < 2 && s[0] != '/'))
				return db_fail(o, path, NULL, line, VOUCH_E_MANIFEST_LINE);
			lines[k] = s;
			pos += n + 1;
		}
		ret = grow((void **)&db->div, &cap, db->ndiv + 1, sizeof(*db->div));
		if (ret)
			return db_fail(o, path, NULL, 0, ret);
		db->div[db->ndiv++] = (struct diversion){lines[0], lines[1], lines[2]};
	}
	qsort(db->div, db->ndiv, sizeof(*db->div), div_cmp);
	return 0;
}

/* "pkg" and "pkg:arch" name the same package for dpkg-divert. */
static bool same_package(const char *divpkg, const char *pkg)
{
	size_t n = strcspn(pkg, ":");

	return strlen(divpkg) == n && memcmp(divpkg, pkg, n) == 0;
}

/* Where dpkg put @j's file: diverted away unless @j's package is the diverting one. */
static bool apply_diversion(const struct db *db, struct job *j)
{
	size_t lo = 0, hi = db->ndiv;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(db->div[mid].from + 1, j->rel);

		if (r == 0) {
			const struct diversion *dv = &db->div[mid];

			if (strcmp(dv->pkg, ":") != 0 && same_package(dv->pkg, j->pkg))
				return false;
			j->rel = dv->to + 1;
			return true;
		}
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

struct pool {
	struct job *jobs;
	size_t n;
	atomic_size_t next;
	atomic_int err; /* first fatal error of any worker */
	int rootfd;
};

static void check_job(struct pool *p, struct job *j, struct hasher *h)
{
	struct look r;
	struct stat st;
	int fd, ret;

	fd = open_in_root(p->rootfd, j->rel, OPEN_FILE);
	if (fd == -ENOENT || fd == -ENOTDIR) {
		j->state = J_MISSING;
		return;
	}
	if (fd == -ELOOP) {
		/* O_NOFOLLOW: most likely the file itself is now a symlink; make sure. */
		int pfd = open_in_root(p->rootfd, j->rel, O_PATH | O_NOFOLLOW | O_CLOEXEC);

		ret = pfd >= 0 && fstat(pfd, &st) == 0 && S_ISLNK(st.st_mode);
		if (pfd >= 0)
			close(pfd);
		j->state = ret ? J_REPLACED : J_UNREADABLE;
		j->err = -ELOOP;
		return;
	}
	if (fd < 0) {
		j->state = J_UNREADABLE;
		j->err = fd;
		return;
	}
	if (fstat(fd, &st) != 0) {
		j->state = J_UNREADABLE;
		j->err = -errno;
	} else if (!S_ISREG(st.st_mode)) {
		j->state = J_REPLACED;
	} else if ((ret = examine(fd, h, &r)) != 0) {
		j->state = J_UNREADABLE;
		j->err = ret;
		if (ret == VOUCH_E_CRYPTO || ret == -ENOMEM) {
			int zero = 0;

			atomic_compare_exchange_strong(&p->err, &zero, ret);
		}
	} else if (r.kind == VOUCH_CODE_NONE) {
		j->state = J_NOTCODE;
	} else {
		j->state = memcmp(r.md5, j->md5, MD5_LEN) == 0 ? J_CODE : J_CHANGED;
		j->kind = (uint8_t)r.kind;
		j->size = r.size;
		memcpy(j->sha256, r.sha256, VOUCH_SHA256_LEN);
	}
	close(fd);
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct hasher h;
	int ret = hasher_init(&h, true);

	if (ret) {
		int zero = 0;

		atomic_compare_exchange_strong(&p->err, &zero, ret);
		return NULL;
	}
	while (!atomic_load(&p->err)) {
		size_t i = atomic_fetch_add(&p->next, 1);

		if (i >= p->n)
			break;
		check_job(p, &p->jobs[i], &h);
	}
	hasher_free(&h);
	return NULL;
}

/* Check every job on @threads workers (or on this thread if none can start). */
static int run_pool(struct pool *p, unsigned threads)
{
	pthread_t tid[THREADS_MAX];
	unsigned started = 0;

	for (unsigned i = 0; i < threads; i++)
		if (pthread_create(&tid[started], NULL, worker, p) == 0)
			started++;
	if (started == 0)
		worker(p);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	return atomic_load(&p->err);
}

/* Turn the workers' results into manifest lines and reports, in job order. */
static int collect(struct vouch_manifest *m, const struct db *db, const struct vouch_scan_opts *o,
                   struct vouch_scan_stats *st)
{
	char *path = malloc(VOUCH_MANIFEST_PATH_MAX + 2);
	int ret = 0;

	if (!path)
		return -ENOMEM;
	for (size_t i = 0; i < db->njobs; i++) {
		const struct job *j = &db->jobs[i];
		size_t rlen = strlen(j->rel);

		if (rlen >= VOUCH_MANIFEST_PATH_MAX) {
			report(o, VOUCH_SCAN_UNREADABLE, j->rel, j->pkg, 0, -ENAMETOOLONG);
			st->unreadable++;
			continue;
		}
		path[0] = '/';
		memcpy(path + 1, j->rel, rlen + 1);
		switch ((enum job_state)j->state) {
		case J_NOTCODE:
			st->skipped++;
			break;
		case J_CODE:
			ret = vouch_manifest_add(m, j->sha256, j->size, path);
			if (ret)
				goto out;
			if (j->kind == VOUCH_CODE_SCRIPT)
				st->scripts++;
			else
				st->elf++;
			st->bytes += j->size;
			break;
		case J_CHANGED:
		case J_REPLACED:
			st->changed++;
			report(o, j->state == J_CHANGED ? VOUCH_SCAN_CHANGED : VOUCH_SCAN_REPLACED,
			       path, j->pkg, 0, 0);
			break;
		case J_MISSING:
			st->missing++;
			report(o, VOUCH_SCAN_MISSING, path, j->pkg, 0, 0);
			break;
		case J_UNREADABLE:
			st->unreadable++;
			report(o, VOUCH_SCAN_UNREADABLE, path, j->pkg, 0, j->err);
			break;
		}
	}
out:
	free(path);
	return ret;
}

int vouch_manifest_scan_dpkg(struct vouch_manifest *m, const struct vouch_scan_opts *opts,
                             struct vouch_scan_stats *stats)
{
	static const struct vouch_scan_opts none;
	struct vouch_scan_stats dummy;
	struct db db;
	struct pool pool;
	const char *admindir, *root;
	size_t before = m->count;
	unsigned threads;
	int ret;

	if (!opts)
		opts = &none;
	if (!stats)
		stats = &dummy;
	memset(stats, 0, sizeof(*stats));
	memset(&db, 0, sizeof(db));
	admindir = opts->admindir ? opts->admindir : ADMINDIR;
	root = opts->root ? opts->root : "/";
	threads = opts->threads ? opts->threads : THREADS_DEFAULT;
	pool.rootfd = -1;
	if (threads > THREADS_MAX) {
		ret = VOUCH_E_RANGE;
		report(opts, VOUCH_SCAN_FAILED, NULL, NULL, 0, ret);
		goto out;
	}
	pool.rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pool.rootfd < 0) {
		ret = -errno;
		report(opts, VOUCH_SCAN_FAILED, root, NULL, 0, ret);
		goto out;
	}
	ret = read_diversions(&db, opts, admindir);
	if (ret)
		goto out;
	ret = read_md5sums(&db, opts, admindir, stats);
	if (ret)
		goto out;
	for (size_t i = 0; i < db.njobs; i++)
		stats->diverted += apply_diversion(&db, &db.jobs[i]);
	pool.jobs = db.jobs;
	pool.n = db.njobs;
	atomic_init(&pool.next, 0);
	atomic_init(&pool.err, 0);
	ret = run_pool(&pool, threads);
	if (!ret)
		ret = collect(m, &db, opts, stats);
	if (!ret)
		ret = vouch_manifest_sort(m);
	if (ret) {
		report(opts, VOUCH_SCAN_FAILED, NULL, NULL, 0, ret);
		goto out;
	}
	stats->files = m->count >= before ? m->count - before : 0;
out:
	if (pool.rootfd >= 0)
		close(pool.rootfd);
	db_free(&db);
	return ret;
}
