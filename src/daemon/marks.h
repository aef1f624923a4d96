/* SPDX-License-Identifier: Apache-2.0 */
/* Which filesystems vouchd marks, and by which fanotify group (mountinfo: vouch/mountinfo.h). */
#ifndef VOUCHD_MARKS_H
#define VOUCHD_MARKS_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vouch/mountinfo.h"

#define MARKS_MAX      1024 /* filesystems marked at most; beyond, new ones are refused */
#define MARKS_WATCHMAX 64

struct marked_fs {
	uint64_t dev;
	char fstype[64];
	char point[256]; /* where it was first seen, for status (truncated) */
	int fan;         /* the group holding its mark */
	bool private;
};

struct daemon;
struct marks {
	pthread_mutex_t lock; /* held while marking and while status reads the list */
	struct daemon *d;     /* for private groups; NULL: none (dry run) */
	int fan;              /* the shared group */
	uint32_t mask;
	bool all;         /* no --watch: every local filesystem, in every mount namespace */
	uint64_t rootdev; /* with --watch: the filesystem of / is never marked */
	char *watch[MARKS_WATCHMAX]; /* --watch paths, resolved; new mounts below them are marked */
	unsigned nwatch;
	struct marked_fs fs[MARKS_MAX];
	unsigned nfs;
	uint64_t refused; /* filesystems seen but not marked (full, or the mark failed) */
	bool dry_run;     /* --list-filesystems: print, do not mark */
	bool user_fuse;   /* let root into users' FUSE filesystems, to mark them */
};

int marks_init(struct marks *m, int fan, uint32_t mask, bool all);
void marks_free(struct marks *m);
/* --watch PATH: mark the filesystem holding it now; later mounts below it are marked too. */
int marks_watch(struct marks *m, const char *path);
/* What marks_watch() would refuse @path for, checked and logged without marking: 0 or -errno. */
int marks_watch_check(const struct marks *m, const char *path);
/*
 * marks_scan() - read @mountinfo (a /proc/PID/mountinfo) and mark every
 * filesystem the mode selects that is not marked yet; paths are reached
 * through @root ("" for our own namespace, "/proc/PID/root" for another).
 * Return: filesystems newly marked, or -errno if @mountinfo cannot be read.
 */
int marks_scan(struct marks *m, const char *mountinfo, const char *root);
/* Default mode: marks_scan() every mount namespace found under /proc. Filesystems newly marked. */
int marks_scan_namespaces(struct marks *m);
bool marks_has(struct marks *m, uint64_t dev);
/* Group @fan holds no mark any more (its filesystems are gone): forget them, so
 * that a new filesystem given the same device number is marked when it appears. */
void marks_forget_group(struct marks *m, int fan);
/*
 * Forget every filesystem the shared group no longer marks (gone; the kernel
 * drops a filesystem's mark with it, and reuses anonymous device numbers).
 * Return: how many were forgotten.
 */
int marks_refresh(struct marks *m);

#endif
