/* SPDX-License-Identifier: Apache-2.0 */
/* Facts about the process behind an event and about a file, read without waiting on a server. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "vouch/procfs.h"

int stat_nosync(int dirfd, const char *path, int flags, struct stat *st)
{
	struct statx x;

	/*
	 * AT_STATX_DONT_SYNC: a FUSE or network filesystem answers from what it has
	 * cached instead of asking its server, which a user may run and stall.
	 */
	if (statx(dirfd, path, flags | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &x) != 0)
		return -errno;
	memset(st, 0, sizeof(*st));
	st->st_dev = makedev(x.stx_dev_major, x.stx_dev_minor);
	st->st_ino = (ino_t)x.stx_ino;
	st->st_mode = x.stx_mode;
	st->st_nlink = x.stx_nlink;
	st->st_uid = x.stx_uid;
	st->st_gid = x.stx_gid;
	st->st_rdev = makedev(x.stx_rdev_major, x.stx_rdev_minor);
	st->st_size = (off_t)x.stx_size;
	st->st_ctim.tv_sec = x.stx_ctime.tv_sec;
	st->st_ctim.tv_nsec = x.stx_ctime.tv_nsec;
	st->st_mtim.tv_sec = x.stx_mtime.tv_sec;
	st->st_mtim.tv_nsec = x.stx_mtime.tv_nsec;
	return 0;
}

/*
 * Linux 6.13 and later tell a thread's credentials through a pidfd (PIDFD_GET_INFO),
 * at a third of the cost of /proc/TID/status. The layout is the kernel's uapi
 * struct pidfd_info, as far as the uids; older kernels refuse the ioctl and the
 * status file is read instead.
 */
struct pidfd_info_v0 {
	uint64_t mask, cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
};
#define PIDFD_INFO_CREDS_ (1UL << 1)
#define PIDFD_GET_INFO_   _IOWR(0xFF, 11, struct pidfd_info_v0)
#define PIDFD_THREAD_     O_EXCL
static atomic_bool no_pidfd_info;

static int64_t pidfd_uid(pid_t tid)
{
	struct pidfd_info_v0 info = {.mask = PIDFD_INFO_CREDS_};
	int fd, ret;

	if (atomic_load(&no_pidfd_info))
		return -2;
	fd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD_);
	if (fd < 0)
		return errno == ESRCH ? -1 : (atomic_store(&no_pidfd_info, true), -2);
	ret = ioctl(fd, PIDFD_GET_INFO_, &info);
	close(fd);
	if (ret != 0 || !(info.mask & PIDFD_INFO_CREDS_)) {
		if (ret != 0 && errno == ESRCH)
			return -1;
		atomic_store(&no_pidfd_info, true);
		return -2;
	}
	return (int64_t)info.ruid;
}

/* The real uid on the "Uid:" line of /proc/TID/status; -1 if the thread is gone. */
static int64_t status_uid(pid_t tid)
{
	char path[64], buf[2048];
	ssize_t n;
	uint32_t uid;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	/* Parsed in the core (a process names itself on the line before). */
	if (n <= 0 || vouch_proc_status_ruid(buf, (size_t)n, &uid) != 0)
		return -1;
	return (int64_t)uid;
}

/*
 * The real uids found the slow way, by thread and /proc inode (a new task of the
 * same number has a new inode), each trusted for a second: a root process that
 * changes its real uid without an exec is seen within that time.
 */
#define UID_CACHE 256
static pthread_mutex_t uid_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	pid_t tid;
	ino_t ino;
	int64_t uid;
	time_t when;
} uid_cache[UID_CACHE];

int64_t subject_uid(pid_t tid)
{
	char path[64];
	struct stat st;
	unsigned slot = (unsigned)tid % UID_CACHE;
	time_t now;
	int64_t uid = -1;

	/*
	 * A dumpable process's /proc entry belongs to its effective uid, which is then
	 * its real uid too (changing either makes a process undumpable). An
	 * undumpable one shows root whoever it is: ask its status then.
	 */
	snprintf(path, sizeof(path), "/proc/%d", (int)tid);
	if (stat_nosync(AT_FDCWD, path, 0, &st) != 0)
		return -1;
	if (st.st_uid != 0)
		return (int64_t)st.st_uid;
	now = time(NULL);
	pthread_mutex_lock(&uid_lock);
	if (uid_cache[slot].tid == tid && uid_cache[slot].ino == st.st_ino &&
	    now - uid_cache[slot].when <= 1)
		uid = uid_cache[slot].uid;
	pthread_mutex_unlock(&uid_lock);
	if (uid >= 0)
		return uid;
	uid = pidfd_uid(tid);
	if (uid == -2)
		uid = status_uid(tid);
	if (uid >= 0) {
		pthread_mutex_lock(&uid_lock);
		uid_cache[slot].tid = tid;
		uid_cache[slot].ino = st.st_ino;
		uid_cache[slot].uid = uid;
		uid_cache[slot].when = now;
		pthread_mutex_unlock(&uid_lock);
	}
	return uid;
}

void fd_path_raw(int fd, char *out, size_t cap)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, out, cap - 1);
	out[n > 0 ? n : 0] = '\0';
}

void fd_path(int fd, char *out, size_t cap)
{
	fd_path_raw(fd, out, cap);
	for (size_t i = 0; out[i]; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = '?'; /* one log line per decision */
}

bool mountinfo_next(FILE *f, char **line, size_t *cap, struct vouch_mount *me)
{
	ssize_t n;

	while ((n = getline(line, cap, f)) > 0)
		if (vouch_mountinfo_parse(*line, (size_t)n, me) == 0)
			return true;
	return false;
}
