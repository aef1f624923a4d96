/* SPDX-License-Identifier: Apache-2.0 */
/* Capped whole-file reads, atomic durable writes, and hashing through a file descriptor. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys-internal.h"
#include "vouch/error.h"
#include "vouch/file.h"

/* Large enough that syscalls cost little next to hashing; small enough to stay in L2. */
#define HASH_CHUNK (256 * 1024)

/* 0 if a file of @mode may be read, else what it is refused as. */
static int refuse(mode_t mode, unsigned flags)
{
	if (S_ISREG(mode) || ((flags & VOUCH_OPEN_DEVICES) && (S_ISCHR(mode) || S_ISBLK(mode))))
		return 0;
	return S_ISDIR(mode) ? -EISDIR : VOUCH_E_NOTREGULAR;
}

int vouch_file_open(const char *path, unsigned flags)
{
	struct stat st;
	int fd, fl, ret;

	if (stat(path, &st) != 0)
		return -errno;
	ret = refuse(st.st_mode, flags);
	if (ret)
		return ret;
	/* Swapped for a FIFO since the stat(): O_NONBLOCK lets fstat() refuse it unblocked. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	ret = fstat(fd, &st) != 0 ? -errno : refuse(st.st_mode, flags);
	if (ret)
		goto fail;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
		ret = -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return ret;
}

int vouch_file_read(const char *path, size_t cap, char **out, size_t *len)
{
	int fd, ret;
	struct stat st;
	char *buf = NULL;
	size_t used = 0, size;

	/* The buffer holds cap + 1 bytes (to see growth) and a NUL: keep that from wrapping. */
	if (cap > SIZE_MAX - 2)
		cap = SIZE_MAX - 2;
	/* Only standard input may be a pipe: the caller offered it by passing "-". */
	if (strcmp(path, "-") != 0)
		fd = vouch_file_open(path, 0);
	else if ((fd = dup(STDIN_FILENO)) < 0)
		fd = -errno;
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) != 0) {
		ret = -errno;
		goto out;
	}
	ret = -EISDIR;
	if (S_ISDIR(st.st_mode))
		goto out;
	ret = VOUCH_E_TOOBIG;
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > cap)
		goto out;
	/* Pipes report no size: grow up to the cap; files: size + 1 to detect growth. */
	size = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096;
	if (size > cap + 1)
		size = cap + 1;
	ret = -ENOMEM;
	buf = malloc(size + 1);
	if (!buf)
		goto out;
	for (;;) {
		ssize_t n;

		if (used == size) {
			char *nb;

			ret = VOUCH_E_TOOBIG;
			if (size > cap)
				goto out;
			size = size * 2 > cap + 1 ? cap + 1 : size * 2;
			ret = -ENOMEM;
			nb = realloc(buf, size + 1);
			if (!nb)
				goto out;
			buf = nb;
		}
		n = read(fd, buf + used, size - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	ret = VOUCH_E_TOOBIG;
	if (used > cap)
		goto out;
	buf[used] = '\0';
	*out = buf;
	*len = used;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	close(fd);
	return ret;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int vouch_fsync_dir(const char *path)
{
	char copy[PATH_MAX];
	int fd, ret = 0;

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return -ENAMETOOLONG;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0 && errno != EINVAL)
		ret = -errno;
	close(fd);
	return ret;
}

int vouch_file_stage(const char *path, const void *buf, size_t len, mode_t mode,
                     char tmp[static PATH_MAX])
{
	int fd, ret, n;
	unsigned rnd;

	/* A name only this process uses; O_EXCL makes a clash an error, not a clobber. */
	if (getentropy(&rnd, sizeof(rnd)) != 0)
		rnd = (unsigned)getpid();
	n = snprintf(tmp, PATH_MAX, "%s.tmp-%ld-%08x", path, (long)getpid(), rnd);
	if (n < 0 || n >= PATH_MAX)
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	/* The umask must not widen or narrow what the caller asked for. */
	ret = fchmod(fd, mode) != 0 ? -errno : 0;
	if (!ret)
		ret = write_all(fd, buf, len);
	if (!ret && fsync(fd) != 0)
		ret = -errno;
	if (close(fd) != 0 && !ret)
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

int vouch_file_commit(const char *tmp, const char *path, int flags)
{
	if (flags & VOUCH_WRITE_EXCL) {
		/* link() fails if @path exists: no window where another file is replaced. */
		if (link(tmp, path) != 0) {
			int ret = -errno;

			unlink(tmp);
			return ret;
		}
		unlink(tmp);
	} else if (rename(tmp, path) != 0) {
		int ret = -errno;

		unlink(tmp);
		return ret;
	}
	return vouch_fsync_dir(path);
}

void vouch_file_discard(const char *tmp)
{
	unlink(tmp);
}

int vouch_file_write_atomic(const char *path, const void *buf, size_t len, mode_t mode, int flags)
{
	char tmp[PATH_MAX];
	int ret;

	if ((flags & VOUCH_WRITE_EXCL) && access(path, F_OK) == 0)
		return -EEXIST;
	ret = vouch_file_stage(path, buf, len, mode, tmp);
	if (ret)
		return ret;
	return vouch_file_commit(tmp, path, flags);
}

/* Read @fd to its end in fixed chunks, feeding @update. */
static int fd_stream(int fd, int (*update)(void *, const void *, size_t), void *ctx)
{
	/*
	 * Page-aligned: the kernel copies into a buffer that starts a few bytes past a
	 * page boundary (as malloc returns for this size) 3-4x slower, which costs
	 * vouch hash ~20% of its throughput (bench/RESULTS.md, bench/read-align.sh).
	 */
	char *buf = aligned_alloc(4096, HASH_CHUNK);
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	for (;;) {
		ssize_t n = read(fd, buf, HASH_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (n == 0)
			break;
		ret = update(ctx, buf, (size_t)n);
		if (ret)
			break;
	}
	free(buf);
	return ret;
}

static int sha_update(void *ctx, const void *d, size_t n)
{
	return vouch_sha256_update(ctx, d, n);
}

static int b2_update(void *ctx, const void *d, size_t n)
{
	return vouch_blake2b_update(ctx, d, n);
}

int vouch_fd_sha256(int fd, uint8_t out[static VOUCH_SHA256_LEN])
{
	struct vouch_sha256 c;
	int ret = vouch_sha256_init(&c);

	if (!ret)
		ret = fd_stream(fd, sha_update, &c);
	if (!ret)
		return vouch_sha256_final(&c, out);
	vouch_sha256_wipe(&c);
	return ret;
}

int vouch_fd_blake2b512(int fd, uint8_t out[static VOUCH_BLAKE2B512_LEN])
{
	struct vouch_blake2b c;
	int ret = vouch_blake2b_init(&c, VOUCH_BLAKE2B512_LEN);

	if (!ret)
		ret = fd_stream(fd, b2_update, &c);
	if (!ret)
		return vouch_blake2b_final(&c, out);
	vouch_blake2b_wipe(&c);
	return ret;
}
