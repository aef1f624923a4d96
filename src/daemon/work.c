/* SPDX-License-Identifier: Apache-2.0 */
/* vouchd's workers: decisions that need a file's content. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"

/* Is thread @tid still there to be answered? (A killed waiter's event is void.) */
static bool subject_alive(pid_t tid)
{
	char p[64];
	struct stat st;

	snprintf(p, sizeof(p), "/proc/%d", (int)tid);
	return stat_nosync(AT_FDCWD, p, 0, &st) != -ENOENT;
}

#define HASH_CHUNK       (256 * 1024)
#define HASH_CHECK_EVERY (64u << 20) /* bytes between checks that someone still waits */

/*
 * SHA-256 through the event's descriptor. A large file is hashed in chunks, and
 * given up (-ESRCH) once nobody waits for its answer any more: a killed waiter,
 * or vouchd stopping, frees the worker instead of holding it for minutes.
 */
static int hash_job(struct daemon *d, const struct job *j, uint8_t out[static 32])
{
	struct vouch_sha256 c;
	uint8_t *buf = malloc(HASH_CHUNK);
	uint64_t off = 0, since = 0;
	int ret = buf ? vouch_sha256_init(&c) : -ENOMEM;

	while (!ret) {
		size_t n = 0;

		ret = vouch_pread_full(j->fd, buf, HASH_CHUNK, (off_t)off, &n);
		if (!ret && n > 0)
			ret = vouch_sha256_update(&c, buf, n);
		/* Short only at the end of the file. */
		if (!ret && n < HASH_CHUNK) {
			ret = vouch_sha256_final(&c, out);
			break;
		}
		off += (uint64_t)n;
		since += (uint64_t)n;
		if (since >= HASH_CHECK_EVERY) {
			since = 0;
			if (!subject_alive(j->pid) || d->q.stop)
				ret = -ESRCH;
		}
	}
	vouch_sha256_wipe(&c);
	free(buf);
	return ret;
}

static enum vouch_event event_of(uint32_t mask, bool script)
{
	if (!(mask & FAN_OPEN_EXEC_PERM))
		return VOUCH_EV_ELF_OPEN;
	return script ? VOUCH_EV_SHEBANG : VOUCH_EV_EXEC;
}

static void object_of(const struct job *j, const struct cache_val *v, bool hashed,
                      struct vouch_object *obj)
{
	memset(obj, 0, sizeof(*obj));
	obj->event = event_of(j->mask, v->script);
	obj->sha256 = hashed ? v->sha256 : NULL;
	obj->size = j->size;
	obj->user_writable = j->changeable;
	obj->owner = j->owner;
}

/* The decision's tail, the same for every path: counted, said, recorded, told. */
static void tell(struct daemon *d, const struct job *j, const struct vouch_object *obj,
                 const struct vouch_decision *dec, bool cached)
{
	char path[PATH_MAX], hex[65];
	bool say = !dec->allow || dec->would_deny;

	if (say && !cached) {
		fd_path(j->fd, path, sizeof(path));
		if (obj->sha256)
			vouch_hex_encode(obj->sha256, 32, hex);
		else
			snprintf(hex, sizeof(hex), "not hashed");
		logf_("vouchd: %s pid %d %s (sha256 %s, rule %s): %s",
		      dec->allow ? "would deny" : "deny", (int)j->pid, path, hex,
		      vouch_rule_name(dec->rule), dec->reason);
	}
	/* Queued before the answer: the subject is still the program that asked. A file
	 * users can change is never "cached": its first allow is remembered by the log. */
	if (dlog_wants(d, dec->allow, dec->would_deny, cached) &&
	    (cached || !j->changeable || !dec->allow || dec->would_deny || !obj->sha256 ||
	     atomic_load(&d->log->level) != VOUCH_LOG_FIRST ||
	     dlog_first_allow(d, &j->key, obj->sha256, atomic_load(&d->gen))))
		dlog_record(d, j->pid, j->uid, j->fd, obj->event, obj->sha256, dec);
	if (!dec->allow && notice_allowed(d, j->uid)) {
		fd_path_raw(j->fd, path, sizeof(path));
		notice_send(d, j->pid, j->uid, path, dec);
	}
}

/* A verdict from the cache that the log or the terminal wants told (fan.c sent it here). */
static void work_known(struct daemon *d, const struct job *j)
{
	struct vouch_subject subj = {.pid = j->pid, .uid = j->uid};
	struct vouch_object obj;
	struct vouch_decision dec;
	char msg[VOUCH_MESSAGE_MAX + 1];

	/* The same words as the first time: decisions are pure. */
	object_of(j, &j->v, true, &obj);
	policy_decide(d, &subj, &obj, &dec, msg);
	tell(d, j, &obj, &dec, true);
	if (dec.allow && (j->mask & FAN_OPEN_EXEC_PERM))
		exec_token_put(d, j->pid, &j->key);
	event_answer(d, j, dec.allow, false);
}

static void work_one(struct daemon *d, const struct job *j)
{
	uint8_t head[VOUCH_CODE_HEAD];
	char msg[VOUCH_MESSAGE_MAX + 1];
	struct vouch_subject subj = {.pid = j->pid, .uid = j->uid};
	struct vouch_decision dec;
	struct cache_val val;
	enum vouch_code_kind kind;
	struct vouch_object obj;
	bool exec = j->mask & FAN_OPEN_EXEC_PERM, leased = false, hashed = false;
	bool writers = false, keep = false;
	uint32_t gen = atomic_load(&d->gen);
	size_t n = 0;
	int ret;

	if (j->known) {
		work_known(d, j);
		return;
	}
	if (!subject_alive(j->pid)) {
		/* Killed while its event waited: nobody is there to answer. */
		event_answer(d, j, !atomic_load(&d->enforce), false);
		return;
	}
	memset(&val, 0, sizeof(val));
	/*
	 * A file someone else can change is checked under a read lease when it is to
	 * run, taken before its first byte is read: with writers there is none to
	 * take, and what would run is unsettled. (An ELF object opened as a library is
	 * refused by the writable rule whatever it holds; hashed for the record only.)
	 */
	if (exec && j->changeable && j->size <= policy_max_size(d)) {
		if (!leases_room(d, j->uid)) {
			logf_pow2(atomic_load(&d->leases.user_full),
			          "vouchd: uid %u holds %d files under lease: pid %d denied",
			          (unsigned)j->uid, LEASES_USER_MAX, (int)j->pid);
			writers = true;
		} else if ((ret = lease_take(d, j->fd)) == -EAGAIN) {
			atomic_fetch_add(&d->leases.refused_writers, 1);
			writers = true;
		} else if (ret) {
			/* No lease on this filesystem: nothing would keep the file still. */
			logf_pow2(
			    atomic_load(&d->leases.refused_writers) + 1,
			    "vouchd: pid %d: no read lease on its file (%s): decided as changing",
			    (int)j->pid, strerror(-ret));
			writers = true;
		} else {
			leased = true;
		}
	}
	if (!writers && vouch_pread_full(j->fd, head, sizeof(head), 0, &n) != 0)
		n = 0;
	kind = n > 0 ? vouch_code_classify(head, n) : VOUCH_CODE_NONE;
	if (!exec && kind != VOUCH_CODE_ELF_EXEC && kind != VOUCH_CODE_ELF_DYN) {
		/* Not code (a plain open counts only for ELF objects): remembered, if only
		 * root can change that. */
		val.allow = true;
		verdict_keep(d->cache, gen, j, false, &val);
		event_answer(d, j, true, false);
		return;
	}
	atomic_fetch_add(&d->c.decisions, 1);
	val.code = true;
	val.script = kind == VOUCH_CODE_SCRIPT;
	if (writers || j->size > policy_max_size(d))
		goto decide; /* never read: the rule says why */
	/* Hash through the event's descriptor: never re-open a path that could change. */
	ret = hash_job(d, j, val.sha256);
	if (ret == -ESRCH) {
		if (leased)
			lease_drop(j->fd);
		event_answer(d, j, !atomic_load(&d->enforce), false);
		return;
	}
	if (ret) {
		bool enforce = atomic_load(&d->enforce);
		char path[PATH_MAX];

		fd_path(j->fd, path, sizeof(path));
		atomic_fetch_add(&d->c.hash_errors, 1);
		logf_("vouchd: %s pid %d %s: cannot hash (%s)", enforce ? "deny" : "would deny",
		      (int)j->pid, path, vouch_strerror(ret));
		if (leased)
			lease_drop(j->fd);
		event_answer(d, j, !enforce, false); /* fail closed when enforcing */
		return;
	}
	hashed = true;
	if (leased && !lease_intact(j->fd)) {
		atomic_fetch_add(&d->leases.broken_during, 1);
		writers = true; /* someone opened it for writing while it was hashed */
	}
decide:
	object_of(j, &val, hashed && !writers, &obj);
	obj.writers = writers;
	gen = policy_decide(d, &subj, &obj, &dec, msg);
	val.allow = dec.allow;
	val.would_deny = dec.would_deny;
	val.rule = dec.rule;
	/* A verdict stands only for bytes nobody but root can change. */
	verdict_keep(d->cache, gen, j, writers, &val);
	if (dec.would_deny)
		atomic_fetch_add(&d->c.would_deny, 1);
	tell(d, j, &obj, &dec, false);
	if (dec.allow && exec)
		exec_token_put(d, j->pid, &j->key);
	if (leased && !writers && dec.allow) {
		/* The lease stays until the exec is past the kernel's write check. */
		if (leases_hold(d, j->fd, j->pid, j->uid, &j->key) == 0)
			keep = true;
		else
			dec.allow = false; /* the lease is gone: nothing keeps it unchanged */
		event_answer(d, j, dec.allow, true);
		return;
	}
	if (leased)
		lease_drop(j->fd);
	event_answer(d, j, dec.allow, keep);
}

static void *worker_main(void *arg)
{
	struct daemon *d = arg;
	struct job j;

	self_add(d);
	pthread_setname_np(pthread_self(), "vouchd-worker");
	while (queue_pop(&d->q, &j)) {
		work_one(d, &j);
		queue_done(&d->q, j.uid);
	}
	return NULL;
}

int work_start(struct daemon *d)
{
	d->workers = calloc(d->nworkers, sizeof(*d->workers));
	if (!d->workers)
		return -ENOMEM;
	for (unsigned i = 0; i < d->nworkers; i++) {
		int e = pthread_create(&d->workers[i], NULL, worker_main, d);

		if (e) {
			d->nworkers = i;
			return -e;
		}
	}
	return 0;
}

void work_stop(struct daemon *d)
{
	struct timespec ts;
	unsigned stuck = 0;

	queue_stop(&d->q);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 3;
	/*
	 * Bounded: a worker may sit in a read a FUSE server never answers. Its event is
	 * answered by the kernel once the group is closed; vouchd exits regardless.
	 */
	for (unsigned i = 0; i < d->nworkers; i++)
		if (pthread_timedjoin_np(d->workers[i], NULL, &ts) != 0)
			stuck++;
	if (stuck) {
		logf_("vouchd: %u workers did not stop (a file whose reads do not return)", stuck);
		return; /* their memory stays theirs until exit */
	}
	free(d->workers);
	d->workers = NULL;
	queue_free(&d->q);
}
