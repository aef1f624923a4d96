/* SPDX-License-Identifier: Apache-2.0 */
/* The reason told to a denied program's terminal: found while it waits, written by a thread of its
 * own. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "vouch/procfs.h"

#define NOTICES_PER_SEC      10 /* lines written to terminals each second, by all users */
#define NOTICES_USER_PER_SEC 3  /* ... for one user */

/*
 * Only the program's own controlling terminal is ever opened, and only through a
 * descriptor that shows it is one:
 * - tty_nr in /proc/PID/stat names the controlling terminal's device (0: none);
 * - /proc/PID/fd/2 is opened O_PATH, which runs no driver's or filesystem's open
 *   (so neither a watchdog device nor a FUSE server sees anything), and its type
 *   and device are read with AT_STATX_DONT_SYNC (no server is asked);
 * - only a character device whose number is tty_nr is opened, through that
 *   descriptor, O_NONBLOCK, and written once.
 * The deciding thread does the first two steps (cheap, and the program is still
 * there); the notice thread does the rest behind a bounded queue, and the
 * deciding thread waits for it at most NOTICE_WAIT_MS, so that the line is
 * usually on the terminal before the program's own error (and before it exits).
 */
#define NOTICE_WAIT_MS 100

struct notice_item {
	int pathfd;
	dev_t tty;
	size_t len;
	char line[1536];
};

static int64_t now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/* Within the rate limits for @uid? With @take, the notice is counted if so. */
static bool budget(struct daemon *d, uid_t uid, bool take)
{
	struct notices *n = &d->notices;
	int64_t now = now_sec();
	bool ok = false;
	unsigned slot = (unsigned)uid % 64;

	pthread_mutex_lock(&n->lock);
	if (n->window != now) {
		n->window = now;
		n->sent = 0;
	}
	if (n->users[slot].uid != uid || n->users[slot].window != now) {
		n->users[slot].uid = uid;
		n->users[slot].window = now;
		n->users[slot].sent = 0;
	}
	/* A user's own flood of denials uses up only that user's share. */
	if (n->sent < NOTICES_PER_SEC && n->users[slot].sent < NOTICES_USER_PER_SEC) {
		if (take) {
			n->sent++;
			n->users[slot].sent++;
		}
		ok = true;
	}
	pthread_mutex_unlock(&n->lock);
	return ok;
}

bool notice_allowed(struct daemon *d, uid_t uid)
{
	return budget(d, uid, false);
}

/* The controlling terminal of @pid from /proc/PID/stat, or 0 if it has none. */
static dev_t controlling_tty(pid_t pid)
{
	char path[64], buf[1024];
	uint32_t v = 0;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf));
	close(fd);
	/* Parsed in the core: the process chose the name in the line (comm). */
	if (len <= 0 || vouch_proc_stat_tty(buf, (size_t)len, &v) != 0 || v == 0)
		return 0;
	/* The kernel's encoding: minor in bits 0-7 and 20-31, major in 8-19. */
	return makedev((unsigned)((v >> 8) & 0xfff),
	               (unsigned)((v & 0xff) | ((v >> 12) & 0xfff00)));
}

void notice_send(struct daemon *d, pid_t pid, uid_t uid, const char *path,
                 const struct vouch_decision *dec)
{
	struct notices *n = &d->notices;
	struct notice_item it;
	struct timespec until;
	char p[64], safe[PATH_MAX];
	uint64_t mine;
	size_t i;
	int len;

	/* Only a notice that has a terminal to go to counts against the limits. */
	it.tty = controlling_tty(pid);
	if (it.tty == 0) {
		atomic_fetch_add(&n->not_tty, 1);
		return;
	}
	if (!budget(d, uid, true))
		return;
	snprintf(p, sizeof(p), "/proc/%d/fd/2", (int)pid);
	it.pathfd = open(p, O_PATH | O_CLOEXEC);
	if (it.pathfd < 0)
		return;
	/* No terminal escapes from a file name: bytes outside printable ASCII become '?'. */
	for (i = 0; path[i] && i < sizeof(safe) - 1; i++)
		safe[i] =
		    (unsigned char)path[i] < 0x20 || (unsigned char)path[i] >= 0x7f ? '?' : path[i];
	safe[i] = '\0';
	len = snprintf(it.line, sizeof(it.line),
	               "vouch: %s was not run: %s.%s%s (ask 'vouch why %s')\r\n", safe, dec->reason,
	               dec->message ? " " : "", dec->message ? dec->message : "", safe);
	it.len = len < 0 ? 0 : (size_t)len < sizeof(it.line) ? (size_t)len : sizeof(it.line) - 1;
	pthread_mutex_lock(&n->lock);
	if (!n->started || !ring_push(&n->q, &it)) {
		pthread_mutex_unlock(&n->lock);
		close(it.pathfd);
		atomic_fetch_add(&n->dropped, 1);
		return;
	}
	mine = ++n->queued_seq;
	pthread_cond_signal(&n->cond);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += NOTICE_WAIT_MS * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	while (n->done_seq < mine && !n->stop)
		if (pthread_cond_timedwait(&n->done, &n->lock, &until) != 0)
			break;
	pthread_mutex_unlock(&n->lock);
}

static void deliver(struct notices *n, const struct notice_item *it)
{
	char p[64];
	struct stat st;
	int fd;

	if (stat_nosync(it->pathfd, "", AT_EMPTY_PATH, &st) != 0 || !S_ISCHR(st.st_mode) ||
	    st.st_rdev != it->tty) {
		atomic_fetch_add(&n->not_tty, 1);
		return;
	}
	snprintf(p, sizeof(p), "/proc/self/fd/%d", it->pathfd);
	fd = open(p, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, it->line, it->len) > 0)
		atomic_fetch_add(&n->written, 1);
	close(fd);
}

static void *notice_main(void *arg)
{
	struct daemon *d = arg;
	struct notices *n = &d->notices;

	self_add(d);
	pthread_setname_np(pthread_self(), "vouchd-notices");
	pthread_mutex_lock(&n->lock);
	for (;;) {
		struct notice_item it;

		while (n->q.len == 0 && !n->stop)
			pthread_cond_wait(&n->cond, &n->lock);
		if (!ring_pop(&n->q, &it))
			break;
		pthread_mutex_unlock(&n->lock);
		deliver(n, &it);
		close(it.pathfd);
		pthread_mutex_lock(&n->lock);
		n->done_seq++;
		pthread_cond_broadcast(&n->done);
	}
	pthread_mutex_unlock(&n->lock);
	return NULL;
}

int notices_start(struct daemon *d)
{
	struct notices *n = &d->notices;
	int e;

	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->cond, NULL);
	pthread_cond_init(&n->done, NULL);
	if (ring_init(&n->q, NOTICES_QUEUE, sizeof(struct notice_item)) != 0)
		return -ENOMEM;
	e = pthread_create(&n->thread, NULL, notice_main, d);
	if (e)
		return -e;
	n->started = true;
	return 0;
}

void notices_stop(struct daemon *d)
{
	struct notices *n = &d->notices;
	struct timespec ts;

	if (!n->started)
		return;
	pthread_mutex_lock(&n->lock);
	n->stop = true;
	pthread_cond_signal(&n->cond);
	pthread_cond_broadcast(&n->done);
	pthread_mutex_unlock(&n->lock);
	/* Bounded: a terminal cannot hold the notice thread, but shutdown does not bet on it. */
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 2;
	if (pthread_timedjoin_np(n->thread, NULL, &ts) != 0) {
		logf_("vouchd: the notice thread did not stop");
		return;
	}
	n->started = false;
	{
		struct notice_item it;

		while (ring_pop(&n->q, &it))
			close(it.pathfd);
	}
	ring_free(&n->q);
}
