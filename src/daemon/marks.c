/* SPDX-License-Identifier: Apache-2.0 */
/* Marking filesystems: the ones named, the local ones, and those mounted later. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "daemon.h"
#include "marks.h"

#define NS_MAX 4096 /* mount namespaces looked at per scan */

int marks_init(struct marks *m, int fan, uint32_t mask, bool all)
{
	struct stat st;

	memset(m, 0, sizeof(*m));
	if (stat("/", &st) != 0)
		return -errno;
	m->fan = fan;
	m->mask = mask;
	m->all = all;
	m->rootdev = (uint64_t)st.st_dev;
	return -pthread_mutex_init(&m->lock, NULL);
}

void marks_free(struct marks *m)
{
	for (unsigned i = 0; i < m->nwatch; i++)
		free(m->watch[i]);
	pthread_mutex_destroy(&m->lock);
}

static bool has_locked(const struct marks *m, uint64_t dev)
{
	for (unsigned i = 0; i < m->nfs; i++)
		if (m->fs[i].dev == dev)
			return true;
	return false;
}

static void forget_locked(struct marks *m, unsigned i)
{
	m->fs[i] = m->fs[--m->nfs];
}

void marks_forget_group(struct marks *m, int fan)
{
	pthread_mutex_lock(&m->lock);
	for (unsigned i = 0; i < m->nfs;)
		if (m->fs[i].private && m->fs[i].fan == fan)
			forget_locked(m, i);
		else
			i++;
	pthread_mutex_unlock(&m->lock);
}

/* The devices the shared group marks now, from its fdinfo ("fanotify sdev:%x ..."). */
static int marked_now(int fan, uint64_t *devs, unsigned cap, unsigned *n)
{
	char path[64], line[256];
	unsigned long long sdev;
	FILE *f;

	*n = 0;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fan);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "fanotify sdev:%llx", &sdev) == 1 && *n < cap)
			/* The kernel's dev_t: major above bit 20, minor below. */
			devs[(*n)++] =
			    (uint64_t)makedev((unsigned)(sdev >> 20), (unsigned)(sdev & 0xfffff));
	fclose(f);
	return 0;
}

int marks_refresh(struct marks *m)
{
	uint64_t *now;
	unsigned n;
	int forgot = 0;

	if (m->dry_run || m->fan < 0)
		return 0;
	now = malloc(MARKS_MAX * sizeof(*now));
	if (!now)
		return -ENOMEM;
	pthread_mutex_lock(&m->lock);
	if (marked_now(m->fan, now, MARKS_MAX, &n) == 0) {
		for (unsigned i = 0; i < m->nfs;) {
			bool found = m->fs[i].private;

			for (unsigned k = 0; !found && k < n; k++)
				found = now[k] == m->fs[i].dev;
			if (found) {
				i++;
				continue;
			}
			logf_("vouchd: %s (%s) is gone: a filesystem given its device number will "
			      "be marked anew",
			      m->fs[i].point, m->fs[i].fstype);
			forget_locked(m, i);
			forgot++;
		}
	}
	pthread_mutex_unlock(&m->lock);
	free(now);
	return forgot;
}

bool marks_has(struct marks *m, uint64_t dev)
{
	bool r;

	pthread_mutex_lock(&m->lock);
	r = has_locked(m, dev);
	pthread_mutex_unlock(&m->lock);
	return r;
}

#define FUSE_ADMIN "/sys/module/fuse/parameters/allow_sys_admin_access"

/*
 * A FUSE filesystem a user mounts without allow_other refuses root, so vouchd
 * could not mark it (fanotify_mark() needs to read its root) and code on it would
 * not be gated. fuse's allow_sys_admin_access (Linux 5.19 and later) lets
 * CAP_SYS_ADMIN in. Return: true if it is on now.
 */
static bool fuse_admin_access(void)
{
	char v[8] = "";
	int fd = open(FUSE_ADMIN, O_RDWR | O_CLOEXEC);
	bool on;

	if (fd < 0)
		return false;
	on = read(fd, v, sizeof(v) - 1) > 0 && v[0] == 'Y';
	if (!on && pwrite(fd, "Y", 1, 0) == 1) {
		on = true;
		logf_("vouchd: set %s to Y, so that FUSE filesystems users mount can be marked "
		      "(see vouchd(8))",
		      FUSE_ADMIN);
	}
	close(fd);
	return on;
}

/* Mark the filesystem reached by @path (whose superblock is @dev); caller holds the lock. */
static int mark_one(struct marks *m, const char *path, uint64_t dev, const char *fstype,
                    const char *shown)
{
	struct marked_fs *f;
	struct fgroup *g = NULL;
	int fan = m->fan;

	if (has_locked(m, dev))
		return 0;
	if (m->nfs == MARKS_MAX) {
		m->refused++;
		logf_("vouchd: %s: not marked: already %d filesystems marked", shown, MARKS_MAX);
		return -ENOSPC;
	}
	/*
	 * A FUSE filesystem's events go to a group of its own: the kernel asks its server
	 * to open each event's descriptor inside the reader's read(), and a server that
	 * never answers must hold up only its own filesystem. With none left, the last
	 * group takes all the others (GROUPS_MAX of them are rare).
	 */
	if (!m->dry_run && m->d && vouch_fs_is_served(fstype)) {
		g = fan_group_private(m->d, dev);
		if (!g) {
			m->refused++;
			logf_(
			    "vouchd: %s: not marked: no fanotify group left for a FUSE filesystem "
			    "(%d at most)",
			    shown, GROUPS_MAX);
			return -ENOSPC;
		}
		fan = g->fan;
	}
	if (m->dry_run) {
		printf("%u:%u %s %s\n", major((dev_t)dev), minor((dev_t)dev), fstype, shown);
	} else if (fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, m->mask, AT_FDCWD,
	                         path) != 0 &&
	           !(errno == EACCES && g && m->user_fuse && fuse_admin_access() &&
	             fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, m->mask, AT_FDCWD,
	                           path) == 0)) {
		int e = errno;

		m->refused++;
		logf_("vouchd: %s: cannot mark its filesystem (%s): %s%s", shown, fstype,
		      strerror(e),
		      e == EACCES && g ? ": code on it is NOT gated (see vouchd(8), FUSE)" : "");
		return -e;
	}
	f = &m->fs[m->nfs++];
	f->fan = fan;
	f->private = g != NULL;
	f->dev = dev;
	snprintf(f->fstype, sizeof(f->fstype), "%s", fstype);
	snprintf(f->point, sizeof(f->point), "%s", shown);
	return 1;
}

/* The type of the filesystem whose device is @dev, from our own mountinfo. */
static void fstype_of(uint64_t dev, char *out, size_t cap)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t lcap = 0;
	struct vouch_mount me;

	snprintf(out, cap, "?");
	if (!f)
		return;
	while (mountinfo_next(f, &line, &lcap, &me))
		if (me.dev == dev) {
			snprintf(out, cap, "%s", me.fstype);
			break;
		}
	free(line);
	fclose(f);
}

/* The checks of a --watch @path, each refusal logged: its real path in @real (freed by the
 * caller) and its filesystem in @st. */
static int watch_resolve(const struct marks *m, const char *path, char **real, struct stat *st)
{
	int ret;

	*real = realpath(path, NULL);
	if (!*real || stat(*real, st) != 0) {
		ret = -errno;
		free(*real);
		*real = NULL;
		logf_("vouchd: %s: %s", path, strerror(-ret));
		return ret;
	}
	if ((uint64_t)st->st_dev == m->rootdev) {
		logf_("vouchd: %s: is on the root filesystem; --watch never marks it (run vouchd "
		      "without --watch to protect the whole machine, see vouchd(8))",
		      path);
		free(*real);
		*real = NULL;
		return -EPERM;
	}
	if (m->nwatch == MARKS_WATCHMAX) {
		free(*real);
		*real = NULL;
		return -E2BIG;
	}
	return 0;
}

int marks_watch_check(const struct marks *m, const char *path)
{
	struct stat st;
	char *real;
	int ret = watch_resolve(m, path, &real, &st);

	free(real);
	return ret;
}

int marks_watch(struct marks *m, const char *path)
{
	char fstype[64];
	char *real;
	struct stat st;
	int ret = watch_resolve(m, path, &real, &st);

	if (ret)
		return ret;
	fstype_of((uint64_t)st.st_dev, fstype, sizeof(fstype));
	pthread_mutex_lock(&m->lock);
	ret = mark_one(m, real, (uint64_t)st.st_dev, fstype, real);
	pthread_mutex_unlock(&m->lock);
	if (ret < 0) {
		free(real);
		return ret;
	}
	m->watch[m->nwatch++] = real;
	return 0;
}

/* With --watch: is @point the watched path or below it? */
static bool under_watch(const struct marks *m, const char *point)
{
	for (unsigned i = 0; i < m->nwatch; i++) {
		size_t n = strlen(m->watch[i]);

		if (!strncmp(point, m->watch[i], n) && (point[n] == '\0' || point[n] == '/'))
			return true;
	}
	return false;
}

int marks_scan(struct marks *m, const char *mountinfo, const char *root)
{
	FILE *f = fopen(mountinfo, "re");
	char *line = NULL, path[PATH_MAX + 64];
	size_t lcap = 0;
	struct vouch_mount me;
	int added = 0;

	if (!f)
		return -errno;
	pthread_mutex_lock(&m->lock);
	/* Only a point that does not fit PATH_MAX is passed over: nobody reaches it. */
	while (mountinfo_next(f, &line, &lcap, &me)) {
		if (!vouch_fs_is_local(me.fstype) || has_locked(m, me.dev))
			continue;
		if (!m->all && (me.dev == m->rootdev || !under_watch(m, me.point)))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s%s", root, me.point) >= sizeof(path))
			continue;
		if (mark_one(m, path, me.dev, me.fstype, me.point) > 0) {
			added++;
			if (!m->dry_run)
				logf_("vouchd: marked %s (%s)", me.point, me.fstype);
		}
	}
	pthread_mutex_unlock(&m->lock);
	free(line);
	fclose(f);
	return added;
}

int marks_scan_namespaces(struct marks *m)
{
	DIR *proc = opendir("/proc");
	uint64_t seen[NS_MAX];
	unsigned nseen = 0;
	struct dirent *de;
	int added = 0;

	if (!proc)
		return -errno;
	while ((de = readdir(proc)) && nseen < NS_MAX) {
		char p[300], mi[300];
		struct stat st;
		unsigned i;
		int r;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(p, sizeof(p), "/proc/%s/ns/mnt", de->d_name);
		if (stat(p, &st) != 0)
			continue; /* gone, or a kernel thread */
		for (i = 0; i < nseen && seen[i] != (uint64_t)st.st_ino; i++)
			;
		if (i < nseen)
			continue;
		seen[nseen++] = (uint64_t)st.st_ino;
		snprintf(mi, sizeof(mi), "/proc/%s/mountinfo", de->d_name);
		snprintf(p, sizeof(p), "/proc/%s/root", de->d_name);
		r = marks_scan(m, mi, p);
		if (r > 0)
			added += r;
	}
	closedir(proc);
	return added;
}
