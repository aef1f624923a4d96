/* SPDX-License-Identifier: Apache-2.0 */
/* File access for the layers above the formats: capped reads, the read and write loops,
 * staged atomic writes, hashing an fd. */
#ifndef VOUCH_FILE_H
#define VOUCH_FILE_H

#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "digest.h"

enum {
	VOUCH_OPEN_DEVICES = 1 << 0, /* vouch_file_open(): also a character or block device */
};

/*
 * vouch_file_open() - open @path for reading, only if it is a regular file (or,
 * with VOUCH_OPEN_DEVICES, a device: 'vouch hash' reads them as sha256sum does).
 * Anything else is refused without blocking and, in the usual case, without
 * being opened at all: stat() first (opening a device can have side effects),
 * then open(O_RDONLY|O_CLOEXEC|O_NOCTTY|O_NONBLOCK) and fstat() the very file
 * opened (a FIFO swapped in meanwhile is refused, not waited on), and only then
 * O_NONBLOCK is cleared. Symbolic links are followed. "-" is an ordinary name.
 * Return: the descriptor (owned by the caller); -errno; -EISDIR for a directory;
 * VOUCH_E_NOTREGULAR for a FIFO, a socket or a device not accepted.
 */
int vouch_file_open(const char *path, unsigned flags);

/*
 * vouch_file_read() - read a whole regular file (or "-": standard input, which
 * may be a pipe; a caller that does not offer that must not pass "-").
 * @path: file to read, opened with vouch_file_open(@path, 0): a FIFO, socket,
 *   device or directory is refused without blocking.
 * @cap: the largest size accepted; a larger file fails before it is read whole.
 * @out: receives a malloc'd buffer, owned by the caller, with a NUL after the data.
 * @len: receives the data length.
 * Return: 0; -errno; -EISDIR; VOUCH_E_NOTREGULAR; VOUCH_E_TOOBIG when larger than @cap.
 */
int vouch_file_read(const char *path, size_t cap, char **out, size_t *len);

/*
 * vouch_read_full() - read @len bytes from @fd into @buf, or as many as there
 * are before the end of the file: loops over short reads and EINTR.
 * @got: receives the bytes read, also on failure; fewer than @len only at the
 *   end of the file (or on failure).
 * Thread rules: those of @fd and @buf. A nonblocking @fd with nothing to read
 * fails with -EAGAIN: this is for files and pipes that block.
 * Return: 0 or -errno.
 */
int vouch_read_full(int fd, void *buf, size_t len, size_t *got);
/* vouch_pread_full() - the same at offset @off (the file offset does not move). */
int vouch_pread_full(int fd, void *buf, size_t len, off_t off, size_t *got);

/*
 * vouch_write_full() - write all @len bytes of @buf to @fd: loops over short
 * writes and EINTR. On failure some of the bytes may have been written.
 * Return: 0; -errno; -EIO if the kernel wrote nothing and gave no reason.
 */
int vouch_write_full(int fd, const void *buf, size_t len);
/* vouch_pwrite_full() - the same at offset @off (the file offset does not move). */
int vouch_pwrite_full(int fd, const void *buf, size_t len, off_t off);

enum {
	/* Fail with -EEXIST if the name exists (a link counts, dangling or not). */
	VOUCH_WRITE_EXCL = 1 << 0,
	/*
	 * No fsync() of the file: for a caller that writes many and then makes them
	 * durable at once (syncfs()) before anything points to them. Alone, a crash
	 * can leave the new name with an empty or short file.
	 */
	VOUCH_WRITE_NOSYNC = 1 << 1,
	/* No fsync() of the directory after the rename: the caller syncs it, once for
	 * many names (or with syncfs()). */
	VOUCH_WRITE_NODIRSYNC = 1 << 2,
};

/*
 * vouch_file_write_atomic_at() - replace or create @name (below @dirfd, or
 * AT_FDCWD) with @len bytes. Writes a temporary file in the same directory
 * ("@name.tmp-PID-XXXXXXXX", O_EXCL, O_NOFOLLOW, exactly @mode whatever the
 * umask), fsyncs it, then renames it into place (or links it, with
 * VOUCH_WRITE_EXCL, so an existing file is never replaced), and fsyncs the
 * directory; VOUCH_WRITE_NOSYNC and VOUCH_WRITE_NODIRSYNC leave out the two
 * fsyncs for a caller that syncs in bulk. A reader of @name sees the old
 * content or the new, never a mix. A link at @name is replaced, not followed.
 * On failure nothing is left at @name that was not there before, and no
 * temporary file remains. The directory of @name must exist.
 * Thread-safe: concurrent writers of one name each leave a whole file, the last
 * rename winning.
 * Return: 0 or -errno (-EEXIST with VOUCH_WRITE_EXCL when @name exists;
 * -ENAMETOOLONG when the temporary name would exceed PATH_MAX).
 */
int vouch_file_write_atomic_at(int dirfd, const char *name, const void *buf, size_t len,
                               mode_t mode, int flags);
/* vouch_file_write_atomic() - the same for @path, relative to the working directory. */
int vouch_file_write_atomic(const char *path, const void *buf, size_t len, mode_t mode, int flags);

/*
 * vouch_file_stage_at() / vouch_file_commit_at() / vouch_file_discard_at() -
 * the two halves of vouch_file_write_atomic_at(), for several files that must
 * change together: stage each (written and, unless @flags has
 * VOUCH_WRITE_NOSYNC, synced under a temporary name returned in @tmp, relative
 * to @dirfd as @name is), and only when all are staged, commit each (renamed or,
 * with VOUCH_WRITE_EXCL, linked into place, then the directory synced unless
 * VOUCH_WRITE_NODIRSYNC). A failed stage or commit removes its temporary file;
 * discard removes a staged file not committed.
 * Return: 0 or -errno.
 */
int vouch_file_stage_at(int dirfd, const char *name, const void *buf, size_t len, mode_t mode,
                        int flags, char tmp[static PATH_MAX]);
int vouch_file_commit_at(int dirfd, const char *tmp, const char *name, int flags);
void vouch_file_discard_at(int dirfd, const char *tmp);

/*
 * vouch_file_stage_open_at() / vouch_file_stage_close() - a stage whose bytes
 * someone else writes (LMDB writes the trust store by its name): create the
 * temporary file for @name as vouch_file_stage_at() does and return its
 * descriptor (read-write, owned by the caller until stage_close); stage_close
 * fsyncs it (unless @flags has VOUCH_WRITE_NOSYNC) and closes it. Then commit
 * or discard @tmp as above. A failed stage_close removes @tmp; a caller giving
 * up before stage_close closes the descriptor and discards @tmp.
 * Return: open: the descriptor or -errno; close: 0 or -errno.
 */
int vouch_file_stage_open_at(int dirfd, const char *name, mode_t mode, char tmp[static PATH_MAX]);
int vouch_file_stage_close(int dirfd, int fd, const char *tmp, int flags);

/*
 * vouch_file_remove_stale() - remove the "@path.tmp-PID-..." files that a stage of
 * @path left in its directory when its process died (a crash between stage and
 * commit leaves the temporary file behind). Files of live processes, and every other
 * name, are left alone. Best effort: errors are ignored.
 */
void vouch_file_remove_stale(const char *path);

/*
 * vouch_fsync_dir_at() - fsync the directory @path (below @dirfd, or AT_FDCWD),
 * making the renames and links in it durable. A filesystem that cannot sync a
 * directory (EINVAL) counts as done. Return: 0 or -errno.
 */
int vouch_fsync_dir_at(int dirfd, const char *path);

/* vouch_file_stage() / vouch_file_commit() / vouch_file_discard(): the _at
 * functions with AT_FDCWD, and stage's flags 0. */
int vouch_file_stage(const char *path, const void *buf, size_t len, mode_t mode,
                     char tmp[static PATH_MAX]);
int vouch_file_commit(const char *tmp, const char *path, int flags);
void vouch_file_discard(const char *tmp);

/*
 * vouch_fd_sha256() - SHA-256 of everything readable from @fd, in bounded memory.
 * Return: 0, -errno, -ENOMEM or VOUCH_E_CRYPTO.
 */
int vouch_fd_sha256(int fd, uint8_t out[static VOUCH_SHA256_LEN]);
/* vouch_fd_blake2b512() - BLAKE2b-512 of @fd, the minisign prehash. Same returns. */
int vouch_fd_blake2b512(int fd, uint8_t out[static VOUCH_BLAKE2B512_LEN]);

#endif
