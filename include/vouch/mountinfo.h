/* SPDX-License-Identifier: Apache-2.0 */
/* One line of /proc/PID/mountinfo, and which filesystem types vouchd marks by default (no I/O). */
#ifndef VOUCH_MOUNTINFO_H
#define VOUCH_MOUNTINFO_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The kernel writes mountinfo, but users choose much of what is in it: a mount
 * point (through FUSE or a user namespace, with spaces, tabs, line breaks and
 * backslashes, which the kernel escapes as \ooo) and a FUSE filesystem's type
 * ("fuse.SUBTYPE"). vouchd decides from it which filesystems to mark, and
 * vouch doctor which are not gated. Pure and thread-safe.
 */

/* One mount, as far as vouch needs it. */
struct vouch_mount {
	uint64_t dev;         /* the superblock's device, encoded as makedev(3) does */
	char fstype[64];      /* "ext4", "tmpfs", "fuse.sshfs" (as the kernel escaped it) */
	char point[PATH_MAX]; /* the mount point, unescaped */
	bool noexec;          /* the mount's own options (the sixth field) hold "noexec" */
};

/*
 * vouch_mountinfo_parse() - one line of mountinfo (proc(5)):
 * "ID PARENT MAJOR:MINOR ROOT POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPEROPTS",
 * fields separated by one space. @len bytes at @text, with or without the
 * line's final '\n' (no other); SOURCE may be empty (a mount made with an
 * empty source has two spaces there). ID and PARENT are decimal; MAJOR and
 * MINOR decimal, at most 32 bits each; POINT begins with '/'; octal escapes
 * \000 to \377 in POINT are undone.
 * @m: receives the mount (unchanged on error).
 * Return: 0; -EINVAL for a line that is not such a line; -ENAMETOOLONG if the
 * unescaped point does not fit @m->point or the type @m->fstype.
 */
int vouch_mountinfo_parse(const char *text, size_t len, struct vouch_mount *m);

/* What a filesystem type is to vouchd. */
enum vouch_fs_kind {
	/*
	 * Content the kernel keeps on this machine (a disk, memory, an overlay, or
	 * a FUSE server running here): marked by vouchd's default mode.
	 */
	VOUCH_FS_LOCAL,
	/*
	 * A kernel interface where users cannot place files to run (proc, sysfs,
	 * cgroup, devpts, ...), and devtmpfs (only root makes files there, and every
	 * device open would be an event): not marked, and nothing to gate.
	 */
	VOUCH_FS_KERNEL,
	/*
	 * Another machine serves the content (nfs, cifs, ceph, 9p, virtiofs, sshfs,
	 * ...): not marked by default, so code on it is not gated.
	 */
	VOUCH_FS_NETWORK,
};

/* vouch_fs_kind() - the kind of @fstype (a mountinfo TYPE). Unknown types are local. */
enum vouch_fs_kind vouch_fs_kind(const char *fstype);

/* Is @fstype marked by vouchd's default mode (vouch_fs_kind() is VOUCH_FS_LOCAL)? */
bool vouch_fs_is_local(const char *fstype);

/*
 * Is @fstype's content given by a server process on this machine ("fuse", "fuse.*")?
 * vouchd marks such a filesystem in a fanotify group of its own.
 */
bool vouch_fs_is_served(const char *fstype);

#endif
