/* SPDX-License-Identifier: Apache-2.0 */
/* vouchd's workers: decisions that need the file's content, off the fanotify thread. */
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

#define NOTICES_PER_SEC 10 /* reasons written to terminals, at most, each second */

void answer(struct daemon *d, int fd, uint32_t response)
{
	struct fanotify_response r = {.fd = fd, .response = response};

	atomic_fetch_add(&d->c.events, 1);
	if (response == FAN_DENY)
		atomic_fetch_add(&d->c.denials, 1);
	if (write(d->fan, &r, sizeof(r)) != sizeof(r))
		logf_("vouchd: cannot answer the kernel: %s", strerror(errno));
}

bool work_push(struct daemon *d, const struct job *j)
{
	bool ok = false;

	pthread_mutex_lock(&d->qlock);
	if (d->qlen < d->qcap) {
		d->q[(d->qhead + d->qlen) % d->qcap] = *j;
		d->qlen++;
		if (d->qlen > d->qmax)
			d->qmax = d->qlen;
		ok = true;
		pthread_cond_signal(&d->qcond);
	}
	pthread_mutex_unlock(&d->qlock);
	return ok;
}

uint64_t queue_depth(struct daemon *d)
{
	uint64_t n;

	pthread_mutex_lock(&d->qlock);
	n = d->qlen;
	pthread_mutex_unlock(&d->qlock);
	return n;
}

static bool pop(struct daemon *d, struct job *j)
{
	bool ok = false;

	pthread_mutex_lock(&d->qlock);
	while (d->qlen == 0 && !d->qstop)
		pthread_cond_wait(&d->qcond, &d->qlock);
	if (d->qlen > 0) { /* on stop, the queue is drained first: every event is answered */
		*j = d->q[d->qhead];
		d->qhead = (d->qhead + 1) % d->qcap;
		d->qlen--;
		ok = true;
	}
	pthread_mutex_unlock(&d->qlock);
	return ok;
}

void fd_path_raw(int fd, char *out, size_t cap)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, out, cap - 1);
	out[n > 0 ? n : 0] = '\0';
}

static void fd_path(int fd, char *out, size_t cap)
{
	fd_path_raw(fd, out, cap);
	for (size_t i = 0; out[i]; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = '?'; /* one log line per decision */
}

static enum vouch_event event_of(uint32_t mask, bool script)
{
	if (!(mask & FAN_OPEN_EXEC_PERM))
		return VOUCH_EV_ELF_OPEN;
	return script ? VOUCH_EV_SHEBANG : VOUCH_EV_EXEC;
}

/* A token bucket shared by all threads: notices never become a cost an attacker controls. */
static bool notice_allowed(struct daemon *d)
{
	struct timespec ts;
	bool ok;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	pthread_mutex_lock(&d->nlock);
	if (d->nwindow != (int64_t)ts.tv_sec) {
		d->nwindow = (int64_t)ts.tv_sec;
		d->nsent = 0;
	}
	ok = d->nsent < NOTICES_PER_SEC;
	d->nsent += ok;
	pthread_mutex_unlock(&d->nlock);
	return ok;
}

/*
 * Tell the person whose program was denied why, on its terminal, while the
 * program is still waiting for the answer (so it is still there to be told).
 * Only a terminal: standard error redirected to a file is never written to.
 * The caller has passed notice_allowed().
 */
static void notice(struct daemon *d, pid_t pid, const char *path, const struct vouch_decision *dec)
{
	char tty[64], line[1536], safe[PATH_MAX];
	size_t i;
	int fd, n;

	snprintf(tty, sizeof(tty), "/proc/%d/fd/2", (int)pid);
	fd = open(tty, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	if (!isatty(fd)) {
		close(fd);
		return;
	}
	/* No terminal escapes from a file name: bytes outside printable ASCII become '?'. */
	for (i = 0; path[i] && i < sizeof(safe) - 1; i++)
		safe[i] =
		    (unsigned char)path[i] < 0x20 || (unsigned char)path[i] >= 0x7f ? '?' : path[i];
	safe[i] = '\0';
	n = snprintf(line, sizeof(line), "vouch: %s was not run: %s.%s%s (ask 'vouch why %s')\r\n",
	             safe, dec->reason, dec->message ? " " : "", dec->message ? dec->message : "",
	             safe);
	if (n > 0 && write(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1) > 0)
		atomic_fetch_add(&d->c.notices, 1);
	close(fd);
}

uint32_t policy_decide(struct daemon *d, const struct vouch_subject *subj,
                       const struct vouch_object *obj, struct vouch_decision *dec,
                       char msg[static VOUCH_MESSAGE_MAX + 1])
{
	struct vouch_trust_rec rec;
	uint32_t gen;
	int ret;

	pthread_rwlock_rdlock(&d->plock);
	ret = vouch_store_lookup(d->pol->reader, obj->sha256, &rec);
	vouch_decide(vouch_store_policy(d->pol->store), subj, obj, ret ? NULL : &rec,
	             (int64_t)time(NULL), dec);
	/* The message lives in the policy, which a reload frees once the lock is dropped. */
	if (dec->message) {
		snprintf(msg, VOUCH_MESSAGE_MAX + 1, "%s", dec->message);
		dec->message = msg;
	}
	gen = d->pol->gen;
	pthread_rwlock_unlock(&d->plock);
	return gen;
}

static void log_decision(struct daemon *d, int fd, pid_t pid, const struct vouch_decision *dec,
                         const uint8_t sha256[static 32], bool tell)
{
	char path[PATH_MAX], hex[65];

	fd_path(fd, path, sizeof(path));
	vouch_hex(sha256, 32, hex);
	logf_("vouchd: %s pid %d %s (sha256 %s, rule %s): %s", dec->allow ? "would deny" : "deny",
	      (int)pid, path, hex, vouch_rule_name(dec->rule), dec->reason);
	if (tell && !dec->allow && notice_allowed(d))
		notice(d, pid, path, dec);
}

static void object_of(const struct job *j, const struct cache_val *v, struct vouch_object *obj)
{
	memset(obj, 0, sizeof(*obj));
	obj->event = event_of(j->mask, v->script);
	obj->sha256 = v->sha256;
	obj->size = j->size;
	obj->user_writable = j->user_writable;
	obj->owner = j->owner;
}

void cached_answer(struct daemon *d, const struct job *j, const struct cache_val *v)
{
	struct vouch_subject subj = {.pid = j->pid};
	struct vouch_object obj;
	struct vouch_decision dec;
	char path[PATH_MAX], msg[VOUCH_MESSAGE_MAX + 1];
	bool log = v->code && dlog_wants(d, v->allow, v->would_deny, true);
	/* On the fanotify thread: nothing is done past the notice rate limit and the log level. */
	bool tell = !v->allow && notice_allowed(d);

	if (!log && !tell)
		return;
	/* The same words as the first time, decided once for both: decisions are pure. */
	object_of(j, v, &obj);
	policy_decide(d, &subj, &obj, &dec, msg);
	if (log)
		dlog_record(d, j->pid, j->fd, obj.event, v->sha256, &dec);
	if (tell && !dec.allow) {
		fd_path(j->fd, path, sizeof(path));
		notice(d, j->pid, path, &dec);
	}
}

static void work_one(struct daemon *d, const struct job *j)
{
	uint8_t head[VOUCH_CODE_HEAD];
	char msg[VOUCH_MESSAGE_MAX + 1];
	struct vouch_decision dec;
	struct cache_val val;
	enum vouch_code_kind kind;
	struct vouch_object obj;
	bool exec = j->mask & FAN_OPEN_EXEC_PERM;
	uint32_t gen;
	ssize_t n;
	int ret;

	memset(&val, 0, sizeof(val));
	n = pread(j->fd, head, sizeof(head), 0);
	kind = n > 0 ? vouch_code_classify(head, (size_t)n) : VOUCH_CODE_NONE;
	if (!exec && kind != VOUCH_CODE_ELF_EXEC && kind != VOUCH_CODE_ELF_DYN) {
		/* Not code (a plain open counts only for ELF objects): remembered too. */
		val.allow = true;
		cache_put(d->cache, &j->key, atomic_load(&d->gen), &val);
		answer(d, j->fd, FAN_ALLOW);
		return;
	}
	atomic_fetch_add(&d->c.decisions, 1);
	val.code = true;
	val.script = kind == VOUCH_CODE_SCRIPT;
	/* Hash through the event's descriptor: never re-open a path that could change. */
	ret = vouch_fd_sha256(j->fd, val.sha256);
	if (ret) {
		bool enforce = atomic_load(&d->enforce);
		char path[PATH_MAX];

		fd_path(j->fd, path, sizeof(path));
		atomic_fetch_add(&d->c.hash_errors, 1);
		logf_("vouchd: %s pid %d %s: cannot hash (%s)", enforce ? "deny" : "would deny",
		      (int)j->pid, path, vouch_strerror(ret));
		answer(d, j->fd, enforce ? FAN_DENY : FAN_ALLOW); /* fail closed when enforcing */
		return;
	}
	{
		struct vouch_subject subj = {.pid = j->pid};

		object_of(j, &val, &obj);
		gen = policy_decide(d, &subj, &obj, &dec, msg);
	}
	val.allow = dec.allow;
	val.would_deny = dec.would_deny;
	val.rule = dec.rule;
	cache_put(d->cache, &j->key, gen, &val);
	if (dec.would_deny)
		atomic_fetch_add(&d->c.would_deny, 1);
	if (!dec.allow || dec.would_deny)
		log_decision(d, j->fd, j->pid, &dec, val.sha256, true);
	if (dec.allow && exec)
		exec_token_put(d, j->pid, &j->key);
	/* Queued before the answer: the subject is still the program that asked. */
	if (dlog_wants(d, dec.allow, dec.would_deny, false))
		dlog_record(d, j->pid, j->fd, obj.event, val.sha256, &dec);
	answer(d, j->fd, dec.allow ? FAN_ALLOW : FAN_DENY);
}

static void *worker_main(void *arg)
{
	struct daemon *d = arg;
	struct job j;

	self_thread(d);
	while (pop(d, &j)) {
		work_one(d, &j);
		close(j.fd);
	}
	return NULL;
}

int work_start(struct daemon *d)
{
	d->q = calloc(d->qcap, sizeof(*d->q));
	d->workers = calloc(d->nworkers, sizeof(*d->workers));
	if (!d->q || !d->workers)
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
	pthread_mutex_lock(&d->qlock);
	d->qstop = true;
	pthread_cond_broadcast(&d->qcond);
	pthread_mutex_unlock(&d->qlock);
	for (unsigned i = 0; i < d->nworkers; i++)
		pthread_join(d->workers[i], NULL);
	free(d->workers);
	free(d->q);
	d->workers = NULL;
	d->q = NULL;
}
