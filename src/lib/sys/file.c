/* SPDX-License-Identifier: Apache-2.0 */
/* Capped whole-file reads, the read and write loops, staged atomic writes, hashing an fd. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys-internal.h"
#include "vouch/error.h"
#include "vouch/file.h"
#include "vouch/grow.h"

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
	void *buf = NULL;
	size_t used = 0, size, room = 0;

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
	for (;;) {
		size_t got = 0;

		ret = vouch_grow(&buf, &room, size + 1, 1);
		if (ret)
			goto out;
		ret = vouch_read_full(fd, (char *)buf + used, size - used, &got);
		if (ret)
			goto out;
		used += got;
		if (used < size)
			break; /* the end of the file */
		ret = VOUCH_E_TOOBIG;
		if (size > cap)
			goto out;
		size = size > (cap + 1) / 2 ? cap + 1 : size * 2;
	}
	((char *)buf)[used] = '\0';
	*out = buf;
	*len = used;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	close(fd);
	return ret;
}

/* The one read loop: at the file offset, or (@at) at @off. */
static int read_loop(int fd, void *buf, size_t len, bool at, off_t off, size_t *got)
{
	size_t n = 0;
	int ret = 0;

	while (n < len) {
		ssize_t r = at ? pread(fd, (char *)buf + n, len - n, off + (off_t)n)
		               : read(fd, (char *)buf + n, len - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*got = n;
	return ret;
}

/* The one write loop, likewise. */
static int write_loop(int fd, const void *buf, size_t len, bool at, off_t off)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = at ? pwrite(fd, p, len, off) : write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		/* Nothing written and no error: asking again would spin. */
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

int vouch_read_full(int fd, void *buf, size_t len, size_t *got)
{
	return read_loop(fd, buf, len, false, 0, got);
}

int vouch_pread_full(int fd, void *buf, size_t len, off_t off, size_t *got)
{
	return read_loop(fd, buf, len, true, off, got);
}

int vouch_write_full(int fd, const void *buf, size_t len)
{
	return write_loop(fd, buf, len, false, 0);
}

int vouch_pwrite_full(int fd, const void *buf, size_t len, off_t off)
{
	return write_loop(fd, buf, len, true, off);
}

/* ---- staged atomic writes ---- */

static pthread_once_t tmp_once = PTHREAD_ONCE_INIT;
static uint32_t tmp_seed;
static _Atomic uint32_t tmp_count;

static void tmp_init(void)
{
	if (getentropy(&tmp_seed, sizeof(tmp_seed)) != 0)
		tmp_seed = (uint32_t)getpid() * 2654435761u;
}

/*
 * "@name.tmp-PID-XXXXXXXX" into @tmp: in @name's directory (so the rename stays
 * atomic), a name only this process uses (O_EXCL makes a clash an error, not a
 * clobber). The suffix is a random start, drawn once, plus a count: no system
 * call a file, which a commit of hundreds of tiles would feel.
 */
static int tmp_name(const char *name, char tmp[static PATH_MAX])
{
	uint32_t rnd;
	int n;

	pthread_once(&tmp_once, tmp_init);
	rnd = tmp_seed + atomic_fetch_add_explicit(&tmp_count, 1, memory_order_relaxed);
	n = snprintf(tmp, PATH_MAX, "%s.tmp-%ld-%08" PRIx32, name, (long)getpid(), rnd);
	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

int vouch_file_stage_open_at(int dirfd, const char *name, mode_t mode, char tmp[static PATH_MAX])
{
	struct stat st;
	int fd, ret = tmp_name(name, tmp);

	if (ret)
		return ret;
	fd = openat(dirfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	/*
	 * The umask must not narrow what the caller asked for. Looked at first: a
	 * chmod is a journal transaction on ext4, which hundreds of tiles a commit
	 * would feel, and the usual umask leaves the mode as asked.
	 */
	if (fstat(fd, &st) != 0 ||
	    ((st.st_mode & 07777) != (mode & 07777) && fchmod(fd, mode) != 0)) {
		ret = -errno;
		close(fd);
		unlinkat(dirfd, tmp, 0);
		return ret;
	}
	return fd;
}

int vouch_file_stage_close(int dirfd, int fd, const char *tmp, int flags)
{
	int ret = 0;

	if (!(flags & VOUCH_WRITE_NOSYNC) && fsync(fd) != 0)
		ret = -errno;
	if (close(fd) != 0 && !ret)
		ret = -errno;
	if (ret)
		unlinkat(dirfd, tmp, 0);
	return ret;
}

int vouch_file_stage_at(int dirfd, const char *name, const void *buf, size_t len, mode_t mode,
                        int flags, char tmp[static PATH_MAX])
{
	int fd = vouch_file_stage_open_at(dirfd, name, mode, tmp), ret;

	if (fd < 0)
		return fd;
	ret = vouch_write_full(fd, buf, len);
	if (ret) {
		close(fd);
		unlinkat(dirfd, tmp, 0);
		return ret;
	}
	return vouch_file_stage_close(dirfd, fd, tmp, flags);
}

int vouch_fsync_dir_at(int dirfd, const char *path)
{
	int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	/* EINVAL: a filesystem that cannot sync a directory (its entries are durable or never). */
	if (fsync(fd) != 0 && errno != EINVAL)
		ret = -errno;
	close(fd);
	return ret;
}

/* fsync the directory that holds @name (below @dirfd), after a rename or link in it. */
static int fsync_parent_at(int dirfd, const char *name)
{
	const char *slash = strrchr(name, '/');
	char dir[PATH_MAX];
	size_t n = slash ? (size_t)(slash - name) : 0;

	if (!slash)
		return vouch_fsync_dir_at(dirfd, ".");
	/* "/f": the root. */
	if (n == 0)
		return vouch_fsync_dir_at(dirfd, "/");
	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, name, n);
	dir[n] = '\0';
	return vouch_fsync_dir_at(dirfd, dir);
}

int vouch_file_commit_at(int dirfd, const char *tmp, const char *name, int flags)
{
	int ret = 0;

	if (flags & VOUCH_WRITE_EXCL) {
		/* link() fails if @name exists: no window where another file is replaced. */
		if (linkat(dirfd, tmp, dirfd, name, 0) != 0)
			ret = -errno;
		unlinkat(dirfd, tmp, 0);
	} else if (renameat(dirfd, tmp, dirfd, name) != 0) {
		ret = -errno;
		unlinkat(dirfd, tmp, 0);
	}
	if (ret || (flags & VOUCH_WRITE_NODIRSYNC))
		return ret;
	return fsync_parent_at(dirfd, name);
}

void vouch_file_discard_at(int dirfd, const char *tmp)
{
	unlinkat(dirfd, tmp, 0);
}

int vouch_file_write_atomic_at(int dirfd, const char *name, const void *buf, size_t len,
                               mode_t mode, int flags)
{
	char tmp[PATH_MAX];
	int ret;

	/* Early, to write nothing; the link() in the commit is what makes it certain. */
	if ((flags & VOUCH_WRITE_EXCL) && faccessat(dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return -EEXIST;
	ret = vouch_file_stage_at(dirfd, name, buf, len, mode, flags, tmp);
	if (ret)
		return ret;
	return vouch_file_commit_at(dirfd, tmp, name, flags);
}

int vouch_file_write_atomic(const char *path, const void *buf, size_t len, mode_t mode, int flags)
{
	return vouch_file_write_atomic_at(AT_FDCWD, path, buf, len, mode, flags);
}

int vouch_file_stage(const char *path, const void *buf, size_t len, mode_t mode,
                     char tmp[static PATH_MAX])
{
	return vouch_file_stage_at(AT_FDCWD, path, buf, len, mode, 0, tmp);
}

int vouch_file_commit(const char *tmp, const char *path, int flags)
{
	return vouch_file_commit_at(AT_FDCWD, tmp, path, flags);
}

void vouch_file_discard(const char *tmp)
{
	vouch_file_discard_at(AT_FDCWD, tmp);
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
		size_t n = 0;

		ret = vouch_read_full(fd, buf, HASH_CHUNK, &n);
		if (!ret && n > 0)
			ret = update(ctx, buf, n);
		/* Short only at the end of the file. */
		if (ret || n < HASH_CHUNK)
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

void vouch_file_remove_stale(const char *path)
{
	struct stat st;
	char dcopy[PATH_MAX], bcopy[PATH_MAX], prefix_[NAME_MAX + 8];
	struct dirent *de;
	size_t plen;
	DIR *dir;

	if (snprintf(dcopy, sizeof(dcopy), "%s", path) >= (int)sizeof(dcopy) ||
	    snprintf(bcopy, sizeof(bcopy), "%s", path) >= (int)sizeof(bcopy) ||
	    snprintf(prefix_, sizeof(prefix_), "%s.tmp-", basename(bcopy)) >= (int)sizeof(prefix_))
		return;
	plen = strlen(prefix_);
	dir = opendir(dirname(dcopy));
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		char *end;
		long pid;

		if (strncmp(de->d_name, prefix_, plen) != 0)
			continue;
		errno = 0;
		pid = strtol(de->d_name + plen, &end, 10);
		if (errno || pid <= 0 || pid > INT_MAX || *end != '-' || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		/* Only a file of this user: another's file of that name is not ours to remove. */
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    st.st_uid != geteuid() || !S_ISREG(st.st_mode))
			continue;
		(void)unlinkat(dirfd(dir), de->d_name, 0);
	}
	closedir(dir);
}
