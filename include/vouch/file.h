/* SPDX-License-Identifier: Apache-2.0 */
/* File access for the layers above the formats: capped reads, atomic writes, hashing an fd. */
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

enum {
	VOUCH_WRITE_EXCL = 1 << 0, /* fail with -EEXIST if @path exists */
};

/*
 * vouch_file_write_atomic() - replace or create @path with @len bytes.
 * Writes a temporary file in the same directory (O_EXCL, @mode), fsyncs it,
 * then renames it into place (or links it, with VOUCH_WRITE_EXCL, so an existing
 * file is never replaced), and fsyncs the directory. On failure nothing is
 * left at @path that was not there before, and no temporary file remains.
 * Return: 0 or -errno (-EEXIST with VOUCH_WRITE_EXCL when @path exists).
 */
int vouch_file_write_atomic(const char *path, const void *buf, size_t len, mode_t mode, int flags);

/*
 * vouch_file_stage() / vouch_file_commit() / vouch_file_discard() - the two
 * halves of vouch_file_write_atomic(), for several files that must change
 * together: stage each (written and synced under a temporary name returned in
 * @tmp), and only when all are staged, commit each (renamed or, with
 * VOUCH_WRITE_EXCL, linked into place, then the directory synced). A failed
 * commit removes its temporary file; discard removes a staged file not committed.
 * Return: 0 or -errno.
 */
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
