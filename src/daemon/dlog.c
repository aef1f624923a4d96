/* SPDX-License-Identifier: Apache-2.0 */
/* vouchd's log writer: decisions queued by the deciding threads, appended and committed by one
 * thread. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"

#define EXE_CACHE 256

static const char *const event_names[] = {"exec", "elf-open", "shebang", "interpreted", "check"};

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Loud: on standard error (the journal) and in syslog, as the issue of a full disk deserves. */
static void shout(struct dlog *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void shout(struct dlog *l, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	logf_("vouchd: log: %s", msg);
	syslog(LOG_ERR, "log: %s", msg);
	pthread_mutex_lock(&l->lock);
	snprintf(l->error, sizeof(l->error), "%s", msg);
	l->error_time = time(NULL);
	pthread_mutex_unlock(&l->lock);
}

/* Read the device key, or make one the first time (O_EXCL, 0600) and publish its verifier. */
static int load_key(struct daemon *d, struct dlog *l, char *err, size_t errlen)
{
	char path[PATH_MAX], pub[PATH_MAX], text[VOUCH_NOTE_SKEY_MAX + 2], vk[VOUCH_NOTE_VKEY_MAX];
	uint8_t seed[32];
	size_t len = 0;
	int fd, ret;

	snprintf(path, sizeof(path), "%s/log.key", d->state);
	snprintf(pub, sizeof(pub), "%s/log.pub", d->state);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		if (getrandom(seed, sizeof(seed), 0) != sizeof(seed)) {
			snprintf(err, errlen, "cannot get random bytes for the log key: %s",
			         strerror(errno));
			return -1;
		}
		ret = vouch_note_skey_from_seed(&l->key, l->name, seed);
		explicit_bzero(seed, sizeof(seed));
		if (ret) {
			snprintf(err, errlen, "log name '%s': %s", l->name, vouch_strerror(ret));
			return -1;
		}
		vouch_note_skey_format(&l->key, text);
		len = strlen(text);
		text[len++] = '\n';
		ret = vouch_file_write_atomic(path, text, len, 0600, VOUCH_WRITE_EXCL);
		explicit_bzero(text, sizeof(text));
		if (ret) {
			snprintf(err, errlen, "%s: %s", path, vouch_strerror(ret));
			return -1;
		}
		logf_("vouchd: log: made the device key %s", path);
	} else if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	} else {
		ssize_t n = read(fd, text, sizeof(text) - 1);

		close(fd);
		len = n > 0 ? (size_t)n : 0;
		if (len && text[len - 1] == '\n')
			len--;
		ret = vouch_note_skey_parse(&l->key, text, len);
		explicit_bzero(text, sizeof(text));
		if (ret) {
			snprintf(err, errlen, "%s: not a log key: %s", path, vouch_strerror(ret));
			return -1;
		}
	}
	/* The verifier key, for anyone: rewritten each start so it always matches. */
	vouch_note_vkey_format(&l->key.v, vk);
	len = strlen(vk);
	vk[len++] = '\n';
	ret = vouch_file_write_atomic(pub, vk, len, 0644, 0);
	if (ret) {
		snprintf(err, errlen, "%s: %s", pub, vouch_strerror(ret));
		return -1;
	}
	return 0;
}

/* The subject's executable, looked up now: after an allowed exec, /proc/PID/exe is the new one. */
static void subject_capture(struct dlog_rec *r, pid_t pid)
{
	char p[64], exe[PATH_MAX];
	struct stat st;
	ssize_t n;

	r->uid = -1;
	r->exefd = -1;
	snprintf(p, sizeof(p), "/proc/%d", (int)pid);
	if (stat(p, &st) == 0)
		r->uid = (int64_t)st.st_uid;
	snprintf(p, sizeof(p), "/proc/%d/exe", (int)pid);
	n = readlink(p, exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		r->exe = strdup(exe);
		/* O_PATH: no open event, no read; the writer hashes it later through /proc/self/fd.
		 */
		r->exefd = open(p, O_PATH | O_CLOEXEC);
	}
}

static void rec_free(struct dlog_rec *r)
{
	free(r->path);
	free(r->exe);
	free(r->reason);
	if (r->exefd >= 0)
		close(r->exefd);
}

bool dlog_wants(struct daemon *d, bool allow, bool would_deny, bool cached)
{
	struct dlog *l = d->log;
	unsigned level;

	if (!l)
		return false;
	level = atomic_load(&l->level);
	if (!allow || would_deny)
		return true;
	if (level == VOUCH_LOG_ALL)
		return true;
	return level == VOUCH_LOG_FIRST && !cached;
}

void dlog_record(struct daemon *d, pid_t pid, int fd, enum vouch_event ev, const uint8_t sha[32],
                 const struct vouch_decision *dec)
{
	struct dlog *l = d->log;
	struct dlog_rec r = {0};
	char path[PATH_MAX];

	if (!l)
		return;
	r.time_us = now_us();
	r.pid = pid;
	r.event = ev;
	r.allow = dec->allow;
	r.would_deny = dec->would_deny;
	r.enforce = atomic_load(&d->enforce);
	r.rule = dec->rule;
	memcpy(r.sha256, sha, 32);
	fd_path_raw(fd, path, sizeof(path));
	subject_capture(&r, pid);
	r.path = strdup(path);
	r.reason = strdup(dec->reason);
	if (!r.path || !r.reason) {
		rec_free(&r);
		atomic_fetch_add(&l->dropped, 1);
		return;
	}
	pthread_mutex_lock(&l->lock);
	if (l->qlen == l->qcap) {
		pthread_mutex_unlock(&l->lock);
		rec_free(&r);
		/* Counted, and said at 1, 2, 4, 8...: loud, not a flood. */
		uint64_t n = atomic_fetch_add(&l->dropped, 1) + 1;

		if ((n & (n - 1)) == 0)
			logf_("vouchd: log: queue full, %llu decisions not recorded so far",
			      (unsigned long long)n);
		return;
	}
	l->q[(l->qhead + l->qlen++) % l->qcap] = r;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
}

/* SHA-256 of the subject's executable, remembered per file version. */
static bool exe_hash(struct dlog *l, int fd, uint8_t out[32])
{
	char p[64];
	struct stat st;
	struct exe_slot *s;
	int rfd, ret;

	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return false;
	s = &l->exes[(st.st_ino ^ st.st_dev * 31) % EXE_CACHE];
	if (s->valid && s->dev == st.st_dev && s->ino == st.st_ino &&
	    s->ctime_sec == st.st_ctim.tv_sec && s->ctime_nsec == st.st_ctim.tv_nsec &&
	    s->size == st.st_size) {
		memcpy(out, s->sha256, 32);
		return true;
	}
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	rfd = open(p, O_RDONLY | O_CLOEXEC);
	if (rfd < 0)
		return false;
	ret = vouch_fd_sha256(rfd, out);
	close(rfd);
	if (ret)
		return false;
	s->valid = true;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->ctime_sec = st.st_ctim.tv_sec;
	s->ctime_nsec = st.st_ctim.tv_nsec;
	s->size = st.st_size;
	memcpy(s->sha256, out, 32);
	return true;
}

static void append_rec(struct dlog *l, struct dlog_rec *r)
{
	char buf[VOUCH_ENTRY_MAX];
	struct vouch_entry e = {
	    .time_us = r->time_us,
	    .decision = !r->allow       ? "deny"
	                : r->would_deny ? "would-deny"
	                                : "allow",
	    .mode = r->enforce ? "enforce" : "monitor",
	    .event = (unsigned)r->event < sizeof(event_names) / sizeof(event_names[0])
	                 ? event_names[r->event]
	                 : "unknown",
	    .rule = vouch_rule_name(r->rule),
	    .reason = r->reason,
	    .path = r->path,
	    .pid = r->pid,
	    .uid = r->uid,
	    .exe = r->exe,
	};
	int n, ret;

	memcpy(e.sha256, r->sha256, 32);
	e.has_exe_sha256 = exe_hash(l, r->exefd, e.exe_sha256);
	n = vouch_entry_format(&e, buf, sizeof(buf));
	if (n < 0) {
		/* A path near PATH_MAX: the entry says so rather than being lost. */
		e.path = "(path too long to record)";
		n = vouch_entry_format(&e, buf, sizeof(buf));
	}
	if (n < 0 || !l->log) {
		atomic_fetch_add(&l->lost, 1);
		return;
	}
	ret = vouch_log_append(l->log, buf, (size_t)n, NULL);
	if (ret) {
		atomic_fetch_add(&l->lost, 1);
		return;
	}
	l->pending++;
}

/* Commit what is pending; on failure the handle is dropped and reopened later. */
static void commit(struct dlog *l)
{
	int ret;

	if (!l->log || l->pending == 0)
		return;
	ret = vouch_log_commit(l->log);
	if (ret == 0) {
		atomic_store(&l->committed, vouch_log_committed(l->log));
		atomic_store(&l->checkpoint_time, (int64_t)time(NULL));
		l->pending = 0;
		if (l->failing) {
			l->failing = false;
			logf_("vouchd: log: recording again");
		}
		return;
	}
	atomic_fetch_add(&l->lost, l->pending);
	shout(l, "%s: cannot commit %llu entries (%s): they are lost; vouchd keeps enforcing",
	      l->dir, (unsigned long long)l->pending, vouch_strerror(ret));
	l->pending = 0;
	l->failing = true;
	vouch_log_close(l->log);
	l->log = NULL;
}

static void reopen(struct dlog *l)
{
	int ret;

	if (l->log)
		return;
	ret = vouch_log_open(&l->log, l->dir, &l->key, l->max_bytes);
	if (ret) {
		l->log = NULL;
		if (!l->failing)
			shout(l,
			      "%s: cannot open (%s): decisions are not recorded; vouchd keeps "
			      "enforcing",
			      l->dir, vouch_strerror(ret));
		l->failing = true;
		return;
	}
	atomic_store(&l->committed, vouch_log_committed(l->log));
}

static void *writer_main(void *arg)
{
	struct daemon *d = arg;
	struct dlog *l = d->log;
	struct dlog_rec *batch = calloc(l->qcap, sizeof(*batch));
	int64_t last = mono_ms();

	self_thread(d); /* hashing an executable opens it: vouchd's own opens are not judged */
	pthread_mutex_lock(&l->lock);
	for (;;) {
		unsigned n = 0;
		bool stop;

		while (l->qlen == 0 && !l->stop) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += (long)l->interval_ms % 1000 * 1000000L;
			ts.tv_sec += l->interval_ms / 1000 + ts.tv_nsec / 1000000000L;
			ts.tv_nsec %= 1000000000L;
			if (pthread_cond_timedwait(&l->cond, &l->lock, &ts) == ETIMEDOUT)
				break;
		}
		while (batch && l->qlen > 0) {
			batch[n++] = l->q[l->qhead];
			l->qhead = (l->qhead + 1) % l->qcap;
			l->qlen--;
		}
		stop = l->stop;
		pthread_mutex_unlock(&l->lock);
		if (!l->log && mono_ms() - last >= l->interval_ms)
			reopen(l);
		for (unsigned i = 0; i < n; i++) {
			append_rec(l, &batch[i]);
			rec_free(&batch[i]);
		}
		atomic_store(&l->size, l->log ? vouch_log_size(l->log) : 0);
		/* Group commit: one checkpoint for everything of the last interval. */
		if (stop || mono_ms() - last >= l->interval_ms) {
			commit(l);
			last = mono_ms();
		}
		pthread_mutex_lock(&l->lock);
		if (stop && l->qlen == 0)
			break;
	}
	pthread_mutex_unlock(&l->lock);
	free(batch);
	return NULL;
}

int dlog_start(struct daemon *d, const struct dlog_opts *o, char *err, size_t errlen)
{
	struct dlog *l = calloc(1, sizeof(*l));
	int ret;

	if (!l) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->cond, NULL);
	snprintf(l->dir, sizeof(l->dir), "%s", o->dir);
	snprintf(l->name, sizeof(l->name), "%s", o->name);
	l->max_bytes = o->max_bytes;
	l->interval_ms = o->interval_ms;
	l->qcap = o->queue;
	l->q = calloc(l->qcap, sizeof(*l->q));
	if (!l->q) {
		free(l);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	if (load_key(d, l, err, errlen)) {
		free(l->q);
		free(l);
		return -1;
	}
	ret = vouch_log_open(&l->log, l->dir, &l->key, l->max_bytes);
	if (ret) {
		snprintf(err, errlen, "%s: %s", l->dir, vouch_strerror(ret));
		explicit_bzero(&l->key, sizeof(l->key));
		free(l->q);
		free(l);
		return -1;
	}
	atomic_store(&l->committed, vouch_log_committed(l->log));
	atomic_store(&l->size, vouch_log_size(l->log));
	d->log = l;
	dlog_policy(d);
	ret = pthread_create(&l->thread, NULL, writer_main, d);
	if (ret) {
		snprintf(err, errlen, "cannot start the log writer: %s", strerror(ret));
		d->log = NULL;
		vouch_log_close(l->log);
		explicit_bzero(&l->key, sizeof(l->key));
		free(l->q);
		free(l);
		return -1;
	}
	return 0;
}

void dlog_policy(struct daemon *d)
{
	unsigned level;

	if (!d->log)
		return;
	pthread_rwlock_rdlock(&d->plock);
	level = vouch_store_policy(d->pol->store)->gates & VOUCH_LOG_MASK;
	pthread_rwlock_unlock(&d->plock);
	atomic_store(&d->log->level, level);
}

void dlog_stop(struct daemon *d)
{
	struct dlog *l = d->log;

	if (!l)
		return;
	pthread_mutex_lock(&l->lock);
	l->stop = true;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
	pthread_join(l->thread, NULL);
	d->log = NULL;
	vouch_log_close(l->log);
	for (unsigned i = 0; i < l->qlen; i++)
		rec_free(&l->q[(l->qhead + i) % l->qcap]);
	explicit_bzero(&l->key, sizeof(l->key));
	free(l->q);
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->cond);
	free(l);
}
