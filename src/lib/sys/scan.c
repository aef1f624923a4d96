/* SPDX-License-Identifier: Apache-2.0 */
/* Manifests from the filesystem: tree walks, each file opened once, classified and hashed. */
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

#include "sys-internal.h"
#include "vouch/error.h"
#include "vouch/file.h"
#include "scan-int.h"
#include "vouch/scan.h"

/* ---- one file: classify its head, hash it if it is code --------------------------- */

static EVP_MD *md5_md;
static pthread_once_t md5_once = PTHREAD_ONCE_INIT;

/* Fetched once: EVP_MD_fetch per file would cost a provider lookup each time. */
static void md5_fetch(void)
{
	md5_md = EVP_MD_fetch(NULL, "MD5", NULL);
}

void vouch_scan_hasher_free(struct hasher *h)
{
	free(h->buf);
	EVP_MD_CTX_free(h->md5);
	memset(h, 0, sizeof(*h));
}

int vouch_scan_hasher_init(struct hasher *h, bool md5)
{
	int ret;

	memset(h, 0, sizeof(*h));
	ret = -ENOMEM;
	/* Page-aligned: the kernel's copy into a misaligned buffer is 3-4x slower (file.c). */
	h->buf = aligned_alloc(4096, CHUNK);
	if (!h->buf)
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
	vouch_scan_hasher_free(h);
	return ret;
}

/*
 * Classify the file open at @fd from its head and, if it is code, hash the rest
 * through the same descriptor. The size is what was read, so it always matches
 * the hash even if the file changed meanwhile.
 */
int vouch_scan_examine(int fd, struct hasher *h, struct look *r)
{
	size_t n = 0;
	int ret = vouch_read_full(fd, h->buf, VOUCH_CODE_HEAD, &n);

	if (ret)
		return ret;
	r->size = 0;
	r->kind = vouch_code_classify(h->buf, n);
	if (r->kind == VOUCH_CODE_NONE)
		return 0;
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	ret = vouch_sha256_init(&h->sha);
	if (ret)
		return ret;
	if (h->md5 && !EVP_DigestInit_ex2(h->md5, md5_md, NULL)) {
		ret = VOUCH_E_CRYPTO;
		goto fail;
	}
	/* The head first, then chunks; a short one is the end of the file. */
	for (size_t want = VOUCH_CODE_HEAD;; want = CHUNK) {
		if (n > 0) {
			ret = vouch_sha256_update(&h->sha, h->buf, n);
			if (!ret && h->md5 && !EVP_DigestUpdate(h->md5, h->buf, n))
				ret = VOUCH_E_CRYPTO;
			if (ret)
				goto fail;
			r->size += n;
		}
		if (n < want)
			break;
		ret = vouch_read_full(fd, h->buf, CHUNK, &n);
		if (ret)
			goto fail;
	}
	ret = vouch_sha256_final(&h->sha, r->sha256);
	if (!ret && h->md5) {
		unsigned int mlen = 0;

		if (!EVP_DigestFinal_ex(h->md5, r->md5, &mlen) || mlen != MD5_LEN)
			ret = VOUCH_E_CRYPTO;
	}
	return ret;
fail:
	vouch_sha256_wipe(&h->sha);
	return ret;
}

static atomic_int no_openat2;

/*
 * Open @rel below the directory @dirfd, resolving it as if @dirfd were "/" (so an
 * absolute symlink inside a staging tree or --root stays inside). Kernels before
 * 5.6 lack openat2: there the plain openat() resolves symlinks as usual.
 */
int vouch_scan_open_in_root(int dirfd, const char *rel, int flags)
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

void vouch_scan_report(const struct vouch_scan_opts *o, enum vouch_scan_what what, const char *path,
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
		vouch_scan_report(w->o, VOUCH_SCAN_FAILED, w->disp, NULL, 0, err);
		return err;
	}
	memcpy(p, w->disp, dlen);
	memcpy(p + dlen, w->rec + w->top, slen);
	p[dlen + slen] = '\0';
	vouch_scan_report(w->o, VOUCH_SCAN_FAILED, p, NULL, 0, err);
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
	ret = vouch_scan_examine(fd, &w->h, &r);
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

int vouch_scan_absolute(const char *path, const char *cwd, char *out, size_t cap, size_t *len)
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
		return vouch_scan_open_in_root(basefd, rel[0] ? rel + 1 : ".", flags);
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
		vouch_scan_report(w->o, VOUCH_SCAN_SKIPPED, path, NULL, 0, 0);
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
		vouch_scan_report(opts, VOUCH_SCAN_FAILED, NULL, NULL, 0, ret);
		goto out;
	}
	cwd[0] = '\0';
	w->m = m;
	w->st = stats;
	w->o = opts;
	ret = vouch_scan_hasher_init(&w->h, false);
	if (ret) {
		vouch_scan_report(opts, VOUCH_SCAN_FAILED, NULL, NULL, 0, ret);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		need_cwd |= paths[i][0] != '/';
	if (opts->base)
		need_cwd |= opts->base[0] != '/';
	if (need_cwd && !getcwd(cwd, PATH_MAX)) {
		ret = -errno;
		vouch_scan_report(opts, VOUCH_SCAN_FAILED, ".", NULL, 0, ret);
		goto out;
	}
	if (opts->base) {
		ret =
		    vouch_scan_absolute(opts->base, cwd, base, VOUCH_MANIFEST_PATH_MAX + 1, &blen);
		if (!ret) {
			basefd = open(base[0] ? base : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			ret = basefd < 0 ? -errno : 0;
		}
		if (ret) {
			vouch_scan_report(opts, VOUCH_SCAN_FAILED, opts->base, NULL, 0, ret);
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		ret = vouch_scan_absolute(paths[i], cwd, abs, VOUCH_MANIFEST_PATH_MAX + 1, &alen);
		if (ret) {
			vouch_scan_report(opts, VOUCH_SCAN_FAILED, paths[i], NULL, 0, ret);
			goto out;
		}
		/* Under the base: equal to it, or it followed by "/" (so /a is not under /ab). */
		if (basefd >= 0 && blen > 0 &&
		    (alen < blen || memcmp(abs, base, blen) != 0 ||
		     (abs[blen] != '\0' && abs[blen] != '/'))) {
			ret = VOUCH_E_RANGE;
			vouch_scan_report(opts, VOUCH_SCAN_FAILED, paths[i], NULL, 0, ret);
			goto out;
		}
		ret = scan_top(w, paths[i], abs, alen, basefd, blen);
		if (ret)
			goto out;
	}
	ret = vouch_manifest_sort(m);
	if (ret) {
		vouch_scan_report(opts, VOUCH_SCAN_FAILED, NULL, NULL, 0, ret);
		goto out;
	}
	stats->files = m->count >= before ? m->count - before : 0;
out:
	if (basefd >= 0)
		close(basefd);
	if (w)
		vouch_scan_hasher_free(&w->h);
	free(w);
	free(abs);
	free(base);
	free(cwd);
	return ret;
}
