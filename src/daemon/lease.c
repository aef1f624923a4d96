/* SPDX-License-Identifier: Apache-2.0 */
/* Read leases: a file that users can change stays unchanged from the start of its check to its
 * exec. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"

/*
 * Why this holds (see vouchd(8), "Files users can change"):
 * - The kernel grants a read lease only while nobody has the file open for
 *   writing, and a shared writable mapping keeps the file open for writing:
 *   so a file with writers gets no lease, and is refused (rule open-for-write).
 * - Once leased, an open for writing (or a truncate) breaks the lease before it
 *   can write, and the opener counts as a writer from that moment. A broken
 *   lease found after hashing means the bytes may differ: refused the same way.
 * - An allowed exec keeps the lease until the kernel's own write check for the
 *   exec is behind it (the exec has marked the file unwritable: ETXTBSY), which
 *   shows as the thread's next event, the thread gone, or its /proc/TID/exe
 *   being this file. A writer that asks before then breaks the lease; it already
 *   counts as a writer, so the exec fails with ETXTBSY, or, if the exec got there
 *   first, its own open does. A lease is never dropped on a timer: a process
 *   starved of CPU between vouchd's answer and the kernel's check stays covered.
 * - A writer waits for the lease only as long as vouchd takes to see the break
 *   (signalled to the keeper thread, which then lets the file go).
 */

struct held {
	int fd;
	pid_t tid;
	uid_t uid;
	uint64_t dev, ino;
	bool seen;
	int64_t next_ms, step_ms; /* when to look at the thread next, and the step after */
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int lease_take(struct daemon *d, int fd)
{
	struct f_owner_ex own = {.type = F_OWNER_TID, .pid = atomic_load(&d->leases.tid)};

	/* Breaks are signalled to the keeper thread, with the descriptor in si_fd. */
	if (fcntl(fd, F_SETSIG, d->leases.sig) != 0 || fcntl(fd, F_SETOWN_EX, &own) != 0)
		return -errno;
	if (fcntl(fd, F_SETLEASE, F_RDLCK) != 0)
		return -errno;
	atomic_fetch_add(&d->leases.taken, 1);
	return 0;
}

bool lease_intact(int fd)
{
	/* While a writer waits for it, a read lease reads back as F_UNLCK. */
	return fcntl(fd, F_GETLEASE) == F_RDLCK;
}

void lease_drop(int fd)
{
	fcntl(fd, F_SETLEASE, F_UNLCK);
}

static unsigned held_by(const struct leases *ls, uid_t uid)
{
	unsigned n = 0;

	for (unsigned i = 0; i < ls->n; i++)
		n += ls->h[i].uid == uid;
	return n;
}

/*
 * Room for one more of @uid's (lock held)? A user other than root holds at most
 * LEASES_USER_MAX, and all such users together leave a sixteenth for root.
 */
static bool may_hold(const struct leases *ls, uid_t uid)
{
	unsigned users = 0;

	if (uid == 0)
		return ls->n < ls->cap;
	for (unsigned i = 0; i < ls->n; i++)
		users += ls->h[i].uid != 0;
	return users < ls->cap - ls->cap / 16 && held_by(ls, uid) < LEASES_USER_MAX;
}

bool leases_room(struct daemon *d, uid_t uid)
{
	struct leases *ls = &d->leases;
	bool ok;

	pthread_mutex_lock(&ls->lock);
	ok = may_hold(ls, uid);
	pthread_mutex_unlock(&ls->lock);
	if (!ok)
		atomic_fetch_add(&ls->user_full, 1);
	return ok;
}

/* Caller holds the lock: end entry @i's lease and close its descriptor. */
static void release(struct daemon *d, unsigned i)
{
	struct leases *ls = &d->leases;
	struct held *h = &ls->h[i];

	lease_drop(h->fd);
	close(h->fd);
	atomic_fetch_sub(&d->events_held, 1);
	*h = ls->h[--ls->n];
	atomic_store(&ls->count, ls->n);
}

int leases_hold(struct daemon *d, int fd, pid_t tid, uid_t uid, const struct cache_key *key)
{
	struct leases *ls = &d->leases;
	struct held *h;
	uint64_t one = 1;
	bool first;

	pthread_mutex_lock(&ls->lock);
	if (!may_hold(ls, uid)) {
		pthread_mutex_unlock(&ls->lock);
		atomic_fetch_add(&ls->user_full, 1);
		lease_drop(fd);
		close(fd);
		atomic_fetch_sub(&d->events_held, 1);
		return -ENOSPC;
	}
	first = ls->n == 0;
	h = &ls->h[ls->n++];
	h->fd = fd;
	h->tid = tid;
	h->uid = uid;
	h->dev = key->dev;
	h->ino = key->ino;
	h->seen = false;
	h->step_ms = 1;
	h->next_ms = mono_ms() + 1;
	atomic_store(&ls->count, ls->n);
	atomic_store(&ls->tidmark[(uint32_t)tid % 256], tid);
	pthread_mutex_unlock(&ls->lock);
	/* The keeper, asleep for long only when it held nothing, looks within 1-2 ms. */
	if (first && write(ls->wake, &one, sizeof(one)) != sizeof(one))
		logf_("vouchd: leases: cannot wake the keeper: %s", strerror(errno));
	return 0;
}

void leases_seen(struct daemon *d, pid_t tid)
{
	struct leases *ls = &d->leases;
	uint64_t one = 1;
	bool any = false;

	/* The fast path's test: no lease held, or none by a thread of this number. */
	if (atomic_load(&ls->count) == 0 || atomic_load(&ls->tidmark[(uint32_t)tid % 256]) != tid)
		return;
	pthread_mutex_lock(&ls->lock);
	for (unsigned i = 0; i < ls->n; i++)
		if (ls->h[i].tid == tid && !ls->h[i].seen) {
			ls->h[i].seen = true;
			any = true;
		}
	pthread_mutex_unlock(&ls->lock);
	if (any && write(ls->wake, &one, sizeof(one)) != sizeof(one))
		logf_("vouchd: leases: cannot wake the keeper: %s", strerror(errno));
}

/* Is the exec by @h's thread behind the kernel's write check? (Lock held: reads /proc only.) */
static bool exec_done(const struct held *h)
{
	char p[64];
	struct stat st;

	if (h->seen)
		return true;
	snprintf(p, sizeof(p), "/proc/%d", (int)h->tid);
	if (stat_nosync(AT_FDCWD, p, 0, &st) == -ENOENT)
		return true; /* gone: it finished, failed, or became its process's leader */
	snprintf(p, sizeof(p), "/proc/%d/exe", (int)h->tid);
	return stat_nosync(AT_FDCWD, p, 0, &st) == 0 && (uint64_t)st.st_dev == h->dev &&
	       (uint64_t)st.st_ino == h->ino;
}

/* One pass: end what is broken or done; return the milliseconds until the next look. */
static int sweep(struct daemon *d, bool all)
{
	struct leases *ls = &d->leases;
	int64_t now = mono_ms(), next = 1000;

	pthread_mutex_lock(&ls->lock);
	for (unsigned i = 0; i < ls->n;) {
		struct held *h = &ls->h[i];

		if (!lease_intact(h->fd)) {
			atomic_fetch_add(&ls->released_broken, 1);
			release(d, i);
			continue;
		}
		if (all || h->seen || now >= h->next_ms) {
			if (exec_done(h)) {
				atomic_fetch_add(&ls->released_done, 1);
				release(d, i);
				continue;
			}
			/* Looked at 1, 2, 4... ms after the answer, then every 100 ms. */
			h->step_ms = h->step_ms >= 100 ? 100 : h->step_ms * 2;
			h->next_ms = now + h->step_ms;
		}
		if (h->next_ms - now < next)
			next = h->next_ms - now;
		i++;
	}
	pthread_mutex_unlock(&ls->lock);
	return next < 1 ? 1 : (int)next;
}

static void *keeper_main(void *arg)
{
	struct daemon *d = arg;
	struct leases *ls = &d->leases;
	int timeout = 1000;

	self_add(d);
	pthread_setname_np(pthread_self(), "vouchd-leases");
	atomic_store(&ls->tid, gettid());
	for (;;) {
		struct pollfd p[2] = {{ls->sigfd, POLLIN, 0}, {ls->wake, POLLIN, 0}};
		struct signalfd_siginfo si;
		uint64_t v;
		bool all = false;

		if (poll(p, 2, timeout) < 0 && errno != EINTR) {
			logf_("vouchd: leases: poll: %s", strerror(errno));
			sleep(1);
		}
		if (p[1].revents & POLLIN) {
			if (read(ls->wake, &v, sizeof(v)) < 0 && errno != EAGAIN)
				logf_("vouchd: leases: %s", strerror(errno));
			pthread_mutex_lock(&ls->lock);
			if (ls->started == false) {
				pthread_mutex_unlock(&ls->lock);
				break;
			}
			pthread_mutex_unlock(&ls->lock);
		}
		/* A break names its descriptor; an overflow of the signal queue is SIGIO. */
		while (read(ls->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			if ((int)si.ssi_signo == SIGIO)
				all = true;
		timeout = sweep(d, all);
	}
	return NULL;
}

int leases_start(struct daemon *d)
{
	struct leases *ls = &d->leases;
	sigset_t set;
	int e;

	ls->sigfd = ls->wake = -1;
	pthread_mutex_init(&ls->lock, NULL);
	/* Each holds an event's descriptor: at most a quarter of what events may hold. */
	ls->cap = d->events_max / 4 < LEASES_MAX ? (unsigned)(d->events_max / 4) : LEASES_MAX;
	ls->h = calloc(ls->cap, sizeof(*ls->h));
	ls->sig = SIGRTMIN + 2;
	sigemptyset(&set);
	sigaddset(&set, ls->sig);
	sigaddset(&set, SIGIO);
	ls->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	ls->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!ls->h || ls->sigfd < 0 || ls->wake < 0)
		return -ENOMEM;
	ls->started = true;
	e = pthread_create(&ls->thread, NULL, keeper_main, d);
	if (e) {
		ls->started = false;
		return -e;
	}
	ls->thread_started = true;
	/* Leases are owned by the keeper's thread id: wait (bounded) until it is known. */
	for (int i = 0; i < 2000 && !atomic_load(&ls->tid); i++)
		usleep(500);
	return atomic_load(&ls->tid) ? 0 : -ESRCH;
}

void leases_stop(struct daemon *d)
{
	struct leases *ls = &d->leases;
	uint64_t one = 1;

	if (!ls->h)
		return;
	if (ls->thread_started) {
		pthread_mutex_lock(&ls->lock);
		ls->started = false;
		pthread_mutex_unlock(&ls->lock);
		if (write(ls->wake, &one, sizeof(one)) == sizeof(one))
			pthread_join(ls->thread, NULL);
	}
	pthread_mutex_lock(&ls->lock);
	while (ls->n)
		release(d, ls->n - 1);
	pthread_mutex_unlock(&ls->lock);
	if (ls->sigfd >= 0)
		close(ls->sigfd);
	if (ls->wake >= 0)
		close(ls->wake);
	free(ls->h);
	ls->h = NULL;
}
