/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by the tree walk (scan.c) and the dpkg reader (dpkg.c); not installed. */
#ifndef VOUCH_SCAN_INT_H
#define VOUCH_SCAN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

#include "vouch/digest.h"
#include "vouch/manifest.h"
#include "vouch/scan.h"

/* Large enough that syscalls cost little next to hashing; small enough to stay in L2. */
#define CHUNK     (256 * 1024)
#define MD5_LEN   16
#define OPEN_FILE (O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

/* One per thread: buffers and digest contexts reused from file to file. */
struct hasher {
	uint8_t *buf; /* CHUNK bytes */
	struct vouch_sha256 sha;
	EVP_MD_CTX *md5; /* NULL unless dpkg's MD5 is checked */
};

struct look {
	enum vouch_code_kind kind;
	uint64_t size;
	uint8_t sha256[VOUCH_SHA256_LEN];
	uint8_t md5[MD5_LEN];
};

/* A hasher for one thread; @md5 also computes MD5 (for dpkg's checksums). */
int vouch_scan_hasher_init(struct hasher *h, bool md5);
void vouch_scan_hasher_free(struct hasher *h);
/*
 * Classify the file open at @fd from its head and, if it is code, hash the rest
 * through the same descriptor into @r.
 */
int vouch_scan_examine(int fd, struct hasher *h, struct look *r);
/* Open @rel below @dirfd as if @dirfd were "/" (openat2 RESOLVE_IN_ROOT where available). */
int vouch_scan_open_in_root(int dirfd, const char *rel, int flags);
/* Pass one event to the caller's report callback, if any. */
void vouch_scan_report(const struct vouch_scan_opts *o, enum vouch_scan_what what, const char *path,
                       const char *pkg, size_t line, int err);
/* @path made absolute against @cwd into @out (@cap bytes), *@len its length. */
int vouch_scan_absolute(const char *path, const char *cwd, char *out, size_t cap, size_t *len);

#endif
