/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fanotify readers and their fast path.
 *
 * What a reader thread may do with an event, and nothing else (it answers every
 * event on its filesystems, so anything slow here is slow for everyone):
 *   statx of the event's descriptor (AT_STATX_DONT_SYNC: no server is asked),
 *   the exec token, the lease table's tid test, a verdict cache lookup,
 *   one read of the first bytes with RWF_NOWAIT (the page cache or nothing),
 *   a stat of /proc/TID for the subject's uid (and its status, when it shows
 *   root), queueing the job, and answering and closing.
 * No decision's formatting, no log record and no notice is made here: a cached
 * verdict that wants them goes to a worker.
 *
 * The shared group covers every filesystem whose content the kernel serves
 * itself. A FUSE filesystem gets a group and a reader of its own: the kernel
 * opens each event's descriptor inside the reader's read(), which for FUSE asks
 * the server, and a stalled server must stall only its own filesystem.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"

#define EVENT_BUF (64 * 1024)

/* Answered at once by the mode, never queued: the queue or the user's lane is full. */
static void refuse_now(struct daemon *d, const struct job *j, bool user)
{
	bool enforce = atomic_load(&d->enforce);
	uint64_t n = atomic_fetch_add(user ? &d->c.user_limited : &d->c.queue_full, 1) + 1;

	if (user)
		logf_pow2(n, "vouchd: uid %u has too much waiting: %s pid %d (%llu times so far)",
		          (unsigned)j->uid, enforce ? "denied" : "allowed", (int)j->pid,
		          (unsigned long long)n);
	else
		logf_pow2(n, "vouchd: queue full (%u waiting): %s pid %d (%llu times so far)",
		          d->q.cap, enforce ? "denied" : "allowed", (int)j->pid,
		          (unsigned long long)n);
	event_answer(d, j, !enforce, false);
}

static void enqueue(struct daemon *d, struct job *j)
{
	int64_t uid = subject_uid(j->pid);
	bool user;

	if (uid < 0) {
		/* The thread is gone (killed while it waited): its answer reaches nobody. */
		event_answer(d, j, !atomic_load(&d->enforce), false);
		return;
	}
	j->uid = (uid_t)uid;
	if (queue_push(&d->q, j, &user))
		return;
	if (j->known) {
		/* A verdict already made: given as it is, only its record or notice is lost. */
		atomic_fetch_add(&d->c.unrecorded, 1);
		if (j->v.allow && (j->mask & FAN_OPEN_EXEC_PERM))
			exec_token_put(d, j->pid, &j->key);
		event_answer(d, j, j->v.allow, false);
		return;
	}
	refuse_now(d, j, user);
}

static void on_event(struct daemon *d, struct fgroup *g, const struct fanotify_event_metadata *md)
{
	struct cache_val v;
	struct job j;
	struct stat st;
	bool exec = md->mask & FAN_OPEN_EXEC_PERM;

	if (is_self(d, md->pid)) {
		/* vouchd's own opens (the store, /proc, the log): answering them through a
		 * worker could wait on itself. vouchd runs no code from them. */
		event_allow_raw(d, g->fan, md->fd);
		return;
	}
	if (stat_nosync(md->fd, "", AT_EMPTY_PATH, &st) != 0) {
		/*
		 * A file vouchd may not even look at (a FUSE server refusing root): judged
		 * as one that anyone could change and of unknown size, which no exec and no
		 * ELF object passes. Never allowed unseen.
		 */
		memset(&st, 0, sizeof(st));
		st.st_mode = S_IFREG | 0777;
		st.st_uid = (uid_t)-1;
		st.st_size = -1;
		atomic_fetch_add(&d->c.stat_errors, 1);
	} else if (!S_ISREG(st.st_mode)) {
		/* Only regular files hold code the kernel maps. */
		event_allow_raw(d, g->fan, md->fd);
		return;
	}
	memset(&j, 0, sizeof(j));
	/* Keyed on the access, known from the mask: a hit costs no read of the file. */
	cache_key_from_stat(&j.key, &st, exec ? CACHE_EXEC : CACHE_OPEN);
	j.fd = md->fd;
	j.fan = g->fan;
	j.mask = (uint32_t)md->mask;
	j.pid = md->pid;
	j.size = st.st_size < 0 ? UINT64_MAX : (uint64_t)st.st_size;
	j.owner = st.st_uid;
	j.changeable = verdict_changeable(&st, g->private);
	if (!exec && exec_token_take(d, md->pid, &j.key)) {
		event_answer(d, &j, true, false); /* the open half of an exec just allowed */
		return;
	}
	/* Any other event of this thread: an exec it made before is past the kernel's check. */
	leases_seen(d, md->pid);
	if (verdict_get(d->cache, atomic_load(&d->gen), &j, &v)) {
		bool log = v.code && dlog_wants(d, v.allow, v.would_deny, true);

		if (v.code) {
			atomic_fetch_add(&d->c.decisions, 1);
			atomic_fetch_add(&d->c.hits, 1);
		}
		if (v.would_deny)
			atomic_fetch_add(&d->c.would_deny, 1);
		if (log || (v.code && !v.allow)) {
			/* Its record or its reason is a worker's to make. */
			j.known = true;
			j.v = v;
			enqueue(d, &j);
			return;
		}
		if (v.allow && exec)
			exec_token_put(d, j.pid, &j.key);
		event_answer(d, &j, v.allow, false);
		return;
	}
	if (!exec) {
		uint8_t head[VOUCH_CODE_HEAD];
		struct iovec io = {head, sizeof(head)};
		ssize_t n;

		/* Only an ELF object is code when opened: a file too short for one is not. */
		if (j.size < VOUCH_CODE_ELF_MIN) {
			event_answer(d, &j, true, false);
			return;
		}
		/*
		 * The page cache or nothing (RWF_NOWAIT): never a wait on a disk, and never
		 * on a FUSE server (its groups are private and go to a worker).
		 */
		n = g->private ? -1 : preadv2(j.fd, &io, 1, 0, RWF_NOWAIT);
		if (n > 0) {
			enum vouch_code_kind k = vouch_code_classify(head, (size_t)n);

			if (k != VOUCH_CODE_ELF_EXEC && k != VOUCH_CODE_ELF_DYN) {
				struct cache_val nc = {.allow = true};

				atomic_fetch_add(&d->c.nowait, 1);
				verdict_keep(d->cache, atomic_load(&d->gen), &j, false, &nc);
				event_answer(d, &j, true, false);
				return;
			}
		}
	}
	enqueue(d, &j);
}

/* Event descriptors vouchd may still take: each held one is an event not yet finished. */
static size_t read_room(struct daemon *d)
{
	long room = d->events_max - atomic_load(&d->events_held);
	size_t n;

	if (room <= 0)
		return 0;
	n = (size_t)room * FAN_EVENT_METADATA_LEN;
	return n < EVENT_BUF ? n : EVENT_BUF;
}

int fan_loop(struct daemon *d, struct fgroup *g)
{
	char *buf = aligned_alloc(__alignof__(struct fanotify_event_metadata), EVENT_BUF);
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		struct pollfd p[2] = {{g->fan, POLLIN, 0}, {g->wake, POLLIN, 0}};
		const struct fanotify_event_metadata *md = (const void *)buf;
		size_t room = read_room(d);
		ssize_t len;

		/* With no descriptor to spare, events wait in the kernel until one is freed. */
		if (poll(p, room ? 2 : 1, room ? -1 : 10) < 0 && errno != EINTR) {
			logf_("vouchd: poll: %s", strerror(errno));
			usleep(10000);
			continue;
		}
		if (p[1].revents & POLLIN)
			break;
		if (!room || !(p[0].revents & POLLIN))
			continue;
		len = read(g->fan, buf, room);
		if (len < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (len < 0) {
			/*
			 * EMFILE, ENFILE, ENOMEM: the kernel could not make the event's
			 * descriptor, and has denied that event itself. Survived: counted,
			 * said, and a moment's pause; enforcement goes on.
			 */
			uint64_t n = atomic_fetch_add(&d->c.read_errors, 1) + 1;

			logf_pow2(n,
			          "vouchd: reading events: %s (%llu times so far; the kernel "
			          "denied the event it could not give)",
			          strerror(errno), (unsigned long long)n);
			usleep(1000);
			continue;
		}
		for (; FAN_EVENT_OK(md, len); md = FAN_EVENT_NEXT(md, len)) {
			if (md->vers != FANOTIFY_METADATA_VERSION) {
				logf_("vouchd: fanotify metadata version %u, expected %u", md->vers,
				      FANOTIFY_METADATA_VERSION);
				ret = -EPROTO;
				goto out;
			}
			if (md->fd < 0)
				continue; /* FAN_UNLIMITED_QUEUE: no overflow, no event ever dropped
				           */
			atomic_fetch_add(&d->events_held, 1);
			if (md->mask & FAN_MASK_GATED)
				on_event(d, g, md);
			else
				event_allow_raw(d, g->fan, md->fd);
		}
	}
out:
	free(buf);
	return ret;
}

static int group_init(struct fgroup *g)
{
	/* Thread ids, not process ids: the exec token belongs to one thread. O_NOATIME:
	 * vouchd's reads change nothing of a user's file, not even its access time. */
	g->fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK |
	                           FAN_UNLIMITED_QUEUE | FAN_REPORT_TID,
	                       O_RDONLY | O_LARGEFILE | O_CLOEXEC | O_NOATIME);
	if (g->fan < 0)
		return -errno;
	g->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (g->wake < 0) {
		int e = -errno;

		close(g->fan);
		return e;
	}
	return 0;
}

int fan_group_main(struct fgroup *g)
{
	memset(g, 0, sizeof(*g));
	g->fan = g->wake = -1;
	return group_init(g);
}

struct reader_arg {
	struct daemon *d;
	struct fgroup *g;
};

static void *reader_main(void *arg)
{
	struct reader_arg a = *(struct reader_arg *)arg;

	free(arg);
	self_add(a.d);
	pthread_setname_np(pthread_self(), "vouchd-fuse");
	fan_loop(a.d, a.g);
	self_remove(a.d);
	return NULL;
}

struct fgroup *fan_group_private(struct daemon *d, uint64_t dev)
{
	struct fgroup *g = NULL;
	struct reader_arg *a;

	pthread_mutex_lock(&d->glock);
	for (unsigned i = 0; i < GROUPS_MAX - 1; i++)
		if (!d->groups[i].used) {
			g = &d->groups[i];
			break;
		}
	if (!g) {
		/* All taken: the last group is shared by every FUSE filesystem beyond. */
		g = &d->groups[GROUPS_MAX - 1];
		if (g->used) {
			pthread_mutex_unlock(&d->glock);
			return g;
		}
	}
	if (group_init(g) != 0) {
		pthread_mutex_unlock(&d->glock);
		return NULL;
	}
	g->private = true;
	g->dev = dev;
	a = malloc(sizeof(*a));
	if (!a || (a->d = d, a->g = g, pthread_create(&g->thread, NULL, reader_main, a)) != 0) {
		free(a);
		close(g->fan);
		close(g->wake);
		pthread_mutex_unlock(&d->glock);
		return NULL;
	}
	g->used = g->started = true;
	pthread_mutex_unlock(&d->glock);
	return g;
}

/* Does group @fan still hold a mark? (Its fdinfo lists one "fanotify sdev:" line each.) */
static bool group_marked(int fan)
{
	char path[64], line[256];
	bool any = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fan);
	f = fopen(path, "re");
	if (!f)
		return true; /* cannot tell: keep it */
	while (!any && fgets(line, sizeof(line), f))
		any = strncmp(line, "fanotify sdev:", 14) == 0;
	fclose(f);
	return any;
}

static void group_stop(struct daemon *d, struct fgroup *g)
{
	uint64_t one = 1;
	struct timespec ts;

	(void)d;
	if (write(g->wake, &one, sizeof(one)) != sizeof(one))
		logf_("vouchd: cannot stop a reader: %s", strerror(errno));
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 2;
	/* A reader inside a FUSE open that never returns is left; its group stays open. */
	if (pthread_timedjoin_np(g->thread, NULL, &ts) != 0) {
		logf_("vouchd: a FUSE filesystem's reader did not stop");
		return;
	}
	close(g->fan);
	close(g->wake);
	g->used = g->started = false;
}

unsigned fan_groups_reap(struct daemon *d, int gone[static GROUPS_MAX])
{
	unsigned n = 0;

	pthread_mutex_lock(&d->glock);
	for (unsigned i = 0; i < GROUPS_MAX; i++) {
		struct fgroup *g = &d->groups[i];

		/* The filesystem is gone once nothing holds it open: its mark went with it. */
		if (g->used && !group_marked(g->fan)) {
			int fan = g->fan;

			group_stop(d, g);
			gone[n++] = fan; /* its marks are forgotten even if its reader is stuck */
		}
	}
	pthread_mutex_unlock(&d->glock);
	return n;
}

void fan_groups_stop(struct daemon *d)
{
	pthread_mutex_lock(&d->glock);
	for (unsigned i = 0; i < GROUPS_MAX; i++)
		if (d->groups[i].used)
			group_stop(d, &d->groups[i]);
	pthread_mutex_unlock(&d->glock);
}
