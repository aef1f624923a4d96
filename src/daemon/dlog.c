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

/*
 * Read the device key, or make one the first time (O_EXCL, 0600) and publish its
 * verifier. The seed ends up in l->key's signer (guarded memory) and nowhere
 * else: the text and seed buffers it passes through are wiped here, and the log
 * handle borrows l->key. On failure l->key is left empty.
 */
static int load_key(struct daemon *d, struct dlog *l, char *err, size_t errlen)
{
	char path[PATH_MAX], pub[PATH_MAX], text[VOUCH_NOTE_SKEY_MAX + 2], vk[VOUCH_NOTE_VKEY_MAX];
	uint8_t seed[32];
	size_t len = 0;
	int fd, ret;

	snprintf(path, sizeof(path), "%s/" VOUCH_STATE_LOG_KEY, d->state);
	snprintf(pub, sizeof(pub), "%s/" VOUCH_STATE_LOG_PUB, d->state);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		if (getrandom(seed, sizeof(seed), 0) != sizeof(seed)) {
			snprintf(err, errlen, "cannot get random bytes for the log key: %s",
			         strerror(errno));
			return -1;
		}
		ret = vouch_note_skey_from_seed(&l->key, l->name, seed);
		vouch_wipe(seed, sizeof(seed));
		if (ret) {
			snprintf(err, errlen, "log name '%s': %s", l->name, vouch_strerror(ret));
			return -1;
		}
		ret = vouch_note_skey_format(&l->key, text);
		len = strlen(text);
		text[len++] = '\n';
		if (!ret)
			ret = vouch_file_write_atomic(path, text, len, 0600, VOUCH_WRITE_EXCL);
		vouch_wipe(text, sizeof(text));
		if (ret) {
			snprintf(err, errlen, "%s: %s", path, vouch_strerror(ret));
			vouch_note_skey_destroy(&l->key);
			return -1;
		}
		logf_("vouchd: log: made the device key %s", path);
	} else if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	} else {
		/* A failed or cut-short read leaves text that does not parse. */
		ret = vouch_read_full(fd, text, sizeof(text) - 1, &len);
		close(fd);
		if (ret)
			len = 0;
		if (len && text[len - 1] == '\n')
			len--;
		ret = vouch_note_skey_parse(&l->key, text, len);
		vouch_wipe(text, sizeof(text));
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
		vouch_note_skey_destroy(&l->key);
		return -1;
	}
	return 0;
}

/*
 * May vouchd open a file of device @dev to hash it? Only if vouchd's own mount
 * table shows that device as a filesystem whose content the kernel serves
 * itself: a FUSE server, or a filesystem vouchd cannot see, could hold the
 * opener. The table is read again at most once a second.
 */
static bool dev_hashable(struct dlog *l, uint64_t dev)
{
	int64_t now = mono_ms();
	bool ok = false;

	pthread_mutex_lock(&l->exe_lock);
	if (now - l->mounts_ms >= 1000) {
		FILE *f = fopen("/proc/self/mountinfo", "re");
		char *line = NULL;
		size_t lcap = 0;
		struct vouch_mount me;

		l->nmounts = 0;
		while (f && l->nmounts < DLOG_MOUNTS && mountinfo_next(f, &line, &lcap, &me))
			if (!vouch_fs_is_served(me.fstype))
				l->mounts[l->nmounts++] = me.dev;
		free(line);
		if (f)
			fclose(f);
		l->mounts_ms = now;
	}
	for (unsigned i = 0; i < l->nmounts && !ok; i++)
		ok = l->mounts[i] == dev;
	pthread_mutex_unlock(&l->exe_lock);
	return ok;
}

/*
 * SHA-256 of the subject's executable, taken before the answer (after an allowed
 * exec, /proc/PID/exe is the new program) and remembered per file version, so
 * that a record holds no descriptor. Hashed through /proc/PID/exe only when its
 * filesystem is one the kernel serves itself.
 */
static void exe_hash(struct dlog *l, struct dlog_rec *r, pid_t pid)
{
	char p[64];
	struct stat st, now;
	struct exe_slot *s;
	int fd;

	snprintf(p, sizeof(p), "/proc/%d/exe", (int)pid);
	if (stat_nosync(AT_FDCWD, p, 0, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	s = &l->exes[((uint64_t)st.st_ino ^ (uint64_t)st.st_dev * 31) % EXE_CACHE];
	pthread_mutex_lock(&l->exe_lock);
	if (s->valid && s->dev == (uint64_t)st.st_dev && s->ino == (uint64_t)st.st_ino &&
	    s->ctime_sec == (int64_t)st.st_ctim.tv_sec &&
	    s->ctime_nsec == (int64_t)st.st_ctim.tv_nsec && s->size == (uint64_t)st.st_size) {
		memcpy(r->exe_sha256, s->sha256, 32);
		r->has_exe_sha256 = true;
	}
	pthread_mutex_unlock(&l->exe_lock);
	if (r->has_exe_sha256 || !dev_hashable(l, (uint64_t)st.st_dev))
		return;
	fd = open(p, O_RDONLY | O_CLOEXEC | O_NOATIME);
	if (fd < 0)
		fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	/* The same file as looked up (not another exec since), and hashed whole. */
	if (stat_nosync(fd, "", AT_EMPTY_PATH, &now) == 0 && now.st_dev == st.st_dev &&
	    now.st_ino == st.st_ino && vouch_fd_sha256(fd, r->exe_sha256) == 0) {
		r->has_exe_sha256 = true;
		pthread_mutex_lock(&l->exe_lock);
		s->valid = true;
		s->dev = (uint64_t)st.st_dev;
		s->ino = (uint64_t)st.st_ino;
		s->ctime_sec = (int64_t)st.st_ctim.tv_sec;
		s->ctime_nsec = (int64_t)st.st_ctim.tv_nsec;
		s->size = (uint64_t)st.st_size;
		memcpy(s->sha256, r->exe_sha256, 32);
		pthread_mutex_unlock(&l->exe_lock);
	}
	close(fd);
}

/* The subject's executable, looked up now: its path and hash, never a descriptor. */
static void subject_capture(struct dlog *l, struct dlog_rec *r, pid_t pid)
{
	char p[64], exe[PATH_MAX];
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/%d/exe", (int)pid);
	n = readlink(p, exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	r->exe = strdup(exe);
	exe_hash(l, r, pid);
}

static void rec_free(struct dlog_rec *r)
{
	free(r->path);
	free(r->exe);
	free(r->reason);
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

bool dlog_first_allow(struct daemon *d, const struct cache_key *k, const uint8_t sha[32],
                      uint32_t gen)
{
	struct dlog *l = d->log;
	uint64_t h = k->ino * 0x9e3779b97f4a7c15ULL ^ k->dev * 0xc2b2ae3d27d4eb4fULL;
	struct logged *e;
	bool first;

	if (!l)
		return false;
	e = &l->logged[(h ^ h >> 29) % DLOG_LOGGED];
	pthread_mutex_lock(&l->exe_lock);
	first = !(e->used && e->gen == gen && memcmp(&e->key, k, sizeof(*k)) == 0 &&
	          memcmp(e->sha256, sha, 32) == 0);
	if (first) {
		e->used = true;
		e->gen = gen;
		e->key = *k;
		memcpy(e->sha256, sha, 32);
	}
	pthread_mutex_unlock(&l->exe_lock);
	return first;
}

/* @uid's rate-limit slot (lock held); NULL only if all are taken by users with counts. */
static struct dlog_user *user_slot(struct dlog *l, int64_t uid, int64_t now)
{
	struct dlog_user *free_slot = NULL;
	unsigned h = (unsigned)((uint64_t)uid * 2654435761u) % DLOG_USERS;

	for (unsigned k = 0; k < DLOG_USERS; k++) {
		struct dlog_user *u = &l->users[(h + k) % DLOG_USERS];

		if (u->uid == uid)
			return u;
		/* A slot whose user owes no summary and is full of tokens again is free. */
		if (!free_slot && (u->uid == -1 || (u->allowed + u->denied == 0 &&
		                                    u->tokens >= (double)l->user_burst &&
		                                    now - u->refill_ms > 60000)))
			free_slot = u;
	}
	if (free_slot) {
		free_slot->uid = uid;
		free_slot->tokens = (double)l->user_burst;
		free_slot->refill_ms = now;
		free_slot->summary_ms = 0;
		free_slot->allowed = free_slot->denied = 0;
	}
	return free_slot;
}

/*
 * One user's decisions are recorded one by one up to user_burst at once, then
 * user_rate a minute; the rest are counted, and the counts recorded as a summary
 * entry at most once a minute. So no user can push others' entries out of a
 * log of bounded size faster than that rate, and nothing goes unaccounted.
 * Root's processes are not limited (root is trusted on the device).
 */
static bool rate_ok(struct dlog *l, int64_t uid, bool allow)
{
	int64_t now = mono_ms();
	struct dlog_user *u;
	bool ok;

	if (uid <= 0 || l->user_burst == 0)
		return true;
	pthread_mutex_lock(&l->lock);
	u = user_slot(l, uid, now);
	if (!u) {
		pthread_mutex_unlock(&l->lock);
		atomic_fetch_add(&l->limited, 1);
		return false;
	}
	u->tokens += (double)(now - u->refill_ms) * (double)l->user_rate / 60000.0;
	if (u->tokens > (double)l->user_burst)
		u->tokens = (double)l->user_burst;
	u->refill_ms = now;
	ok = u->tokens >= 1.0;
	if (ok) {
		u->tokens -= 1.0;
	} else if (allow) {
		u->allowed++;
	} else {
		u->denied++;
	}
	if (!ok && u->allowed + u->denied == 1)
		pthread_cond_signal(&l->cond); /* a summary is owed now */
	pthread_mutex_unlock(&l->lock);
	if (!ok)
		atomic_fetch_add(&l->limited, 1);
	return ok;
}

/* Caller holds the lock: add @r to the queue, or drop it counted. */
static void enqueue_locked(struct dlog *l, struct dlog_rec *r)
{
	if (!ring_push(&l->q, r)) {
		uint64_t n = atomic_fetch_add(&l->dropped, 1) + 1;

		rec_free(r);
		logf_pow2(n, "vouchd: log: queue full, %llu decisions not recorded so far",
		          (unsigned long long)n);
		return;
	}
	/* The writer is woken for the first of a batch; it takes the rest as it goes. */
	if (l->q.len == 1)
		pthread_cond_signal(&l->cond);
}

void dlog_record(struct daemon *d, pid_t pid, int64_t uid, int fd, enum vouch_event ev,
                 const uint8_t *sha, const struct vouch_decision *dec)
{
	struct dlog *l = d->log;
	struct dlog_rec r = {0};
	char path[PATH_MAX];

	if (!l || !rate_ok(l, uid, dec->allow))
		return;
	r.time_us = now_us();
	r.pid = pid;
	r.uid = uid;
	r.event = ev;
	r.allow = dec->allow;
	r.would_deny = dec->would_deny;
	r.enforce = atomic_load(&d->enforce);
	r.rule = dec->rule;
	if (sha) {
		memcpy(r.sha256, sha, 32);
		r.has_sha256 = true;
	}
	fd_path_raw(fd, path, sizeof(path));
	subject_capture(l, &r, pid);
	r.path = strdup(path);
	r.reason = strdup(dec->reason);
	if (!r.path || !r.reason) {
		rec_free(&r);
		atomic_fetch_add(&l->dropped, 1);
		return;
	}
	pthread_mutex_lock(&l->lock);
	enqueue_locked(l, &r);
	pthread_mutex_unlock(&l->lock);
}

/* Summaries owed (lock held): users with counts, a minute after their last one (or now, at stop).
 */
static void summaries_locked(struct dlog *l, bool all)
{
	int64_t now = mono_ms();

	for (unsigned i = 0; i < DLOG_USERS; i++) {
		struct dlog_user *u = &l->users[i];
		struct dlog_rec r = {0};
		char reason[300];

		if (u->uid < 0 || u->allowed + u->denied == 0 ||
		    (!all && u->summary_ms && now - u->summary_ms < 60000))
			continue;
		snprintf(
		    reason, sizeof(reason),
		    "uid %lld: %llu decisions (%llu denied, %llu allowed) were counted but not "
		    "recorded one by one: more than %u at once and %u a minute",
		    (long long)u->uid, (unsigned long long)(u->allowed + u->denied),
		    (unsigned long long)u->denied, (unsigned long long)u->allowed, l->user_burst,
		    l->user_rate);
		r.time_us = now_us();
		r.uid = u->uid;
		r.summary = true;
		r.summary_allowed = u->allowed;
		r.summary_denied = u->denied;
		r.path = strdup("");
		r.reason = strdup(reason);
		if (!r.path || !r.reason) {
			rec_free(&r);
			continue;
		}
		u->allowed = u->denied = 0;
		u->summary_ms = now;
		atomic_fetch_add(&l->summaries, 1);
		enqueue_locked(l, &r);
	}
}

static void append_rec(struct dlog *l, struct dlog_rec *r)
{
	char buf[VOUCH_ENTRY_MAX];
	struct vouch_entry e = {
	    .time_us = r->time_us,
	    .decision =
	        r->summary ? VOUCH_ENTRY_SUMMARY : vouch_verdict_name(r->allow, r->would_deny),
	    .mode = vouch_mode_name(r->enforce ? VOUCH_MODE_ENFORCE : VOUCH_MODE_MONITOR),
	    .event = r->summary ? VOUCH_ENTRY_SUMMARY : vouch_event_name(r->event),
	    .rule = r->summary ? VOUCH_ENTRY_RATE_LIMIT : vouch_rule_name(r->rule),
	    .reason = r->reason,
	    .path = r->path,
	    .pid = r->pid,
	    .uid = r->uid,
	    .exe = r->exe,
	    .no_sha256 = !r->has_sha256,
	    .summary = r->summary,
	    .allowed = (int64_t)r->summary_allowed,
	    .denied = (int64_t)r->summary_denied,
	};
	int n, ret;

	memcpy(e.sha256, r->sha256, 32);
	e.has_exe_sha256 = r->has_exe_sha256;
	memcpy(e.exe_sha256, r->exe_sha256, 32);
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
	struct dlog_rec *batch = calloc(l->q.cap, sizeof(*batch));
	int64_t last = mono_ms();

	self_add(d); /* hashing an executable opens it: vouchd's own opens are not judged */
	pthread_setname_np(pthread_self(), "vouchd-log");
	pthread_mutex_lock(&l->lock);
	for (;;) {
		unsigned n = 0;
		bool stop;

		while (l->q.len == 0 && !l->stop) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += (long)l->interval_ms % 1000 * 1000000L;
			ts.tv_sec += l->interval_ms / 1000 + ts.tv_nsec / 1000000000L;
			ts.tv_nsec %= 1000000000L;
			if (pthread_cond_timedwait(&l->cond, &l->lock, &ts) == ETIMEDOUT)
				break;
		}
		/* Summaries owed now (all of them when stopping) go in this batch. */
		summaries_locked(l, l->stop);
		while (batch && ring_pop(&l->q, &batch[n]))
			n++;
		stop = l->stop;
		pthread_mutex_unlock(&l->lock);
		if (!l->log && mono_ms() - last >= l->interval_ms)
			reopen(l);
		if (l->log)
			vouch_log_retain_from(l->log, atomic_load(&l->witnessed)
			                                  ? atomic_load(&l->seen)
			                                  : VOUCH_LOG_RETAIN_ALL_SEEN);
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
		if (stop && l->q.len == 0)
			break;
	}
	pthread_mutex_unlock(&l->lock);
	free(batch);
	return NULL;
}

/* STATE/log.seen, "SIZE\n": what a witness has seen, kept across restarts. */
static void seen_load(struct dlog *l)
{
	char *text = NULL, *end;
	size_t len;
	unsigned long long v;

	if (vouch_file_read(l->seen_path, 64, &text, &len) != 0)
		return;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || strcmp(end, "\n") != 0)
		logf_("vouchd: %s: not a size: ignored (retention goes by size alone)",
		      l->seen_path);
	else {
		atomic_store(&l->seen, v);
		atomic_store(&l->witnessed, true);
	}
	free(text);
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
	pthread_mutex_init(&l->exe_lock, NULL);
	pthread_cond_init(&l->cond, NULL);
	snprintf(l->dir, sizeof(l->dir), "%s", o->dir);
	snprintf(l->name, sizeof(l->name), "%s", o->name);
	snprintf(l->seen_path, sizeof(l->seen_path), "%s/" VOUCH_STATE_LOG_SEEN, d->state);
	l->user_burst = o->user_burst;
	l->user_rate = o->user_rate;
	for (unsigned i = 0; i < DLOG_USERS; i++)
		l->users[i].uid = -1;
	seen_load(l);
	l->max_bytes = o->max_bytes;
	l->interval_ms = o->interval_ms;
	if (ring_init(&l->q, o->queue, sizeof(struct dlog_rec)) != 0) {
		free(l);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	if (load_key(d, l, err, errlen)) {
		ring_free(&l->q);
		free(l);
		return -1;
	}
	ret = vouch_log_open(&l->log, l->dir, &l->key, l->max_bytes);
	if (ret) {
		snprintf(err, errlen, "%s: %s", l->dir, vouch_strerror(ret));
		vouch_note_skey_destroy(&l->key);
		ring_free(&l->q);
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
		vouch_note_skey_destroy(&l->key);
		ring_free(&l->q);
		free(l);
		return -1;
	}
	return 0;
}

int dlog_seen(struct daemon *d, uint64_t size, char *err, size_t errlen)
{
	struct dlog *l = d->log;
	char text[32];
	uint64_t have = atomic_load(&l->committed);
	int n, ret;

	if (size > have) {
		snprintf(err, errlen, "the log's last checkpoint covers %llu entries, not %llu",
		         (unsigned long long)have, (unsigned long long)size);
		return -ERANGE;
	}
	n = snprintf(text, sizeof(text), "%llu\n", (unsigned long long)size);
	ret = vouch_file_write_atomic(l->seen_path, text, (size_t)n, 0644, 0);
	if (ret) {
		snprintf(err, errlen, "%s: %s", l->seen_path, vouch_strerror(ret));
		return ret;
	}
	atomic_store(&l->seen, size);
	atomic_store(&l->witnessed, true);
	logf_("vouchd: log: a witness has seen %llu entries: retention keeps every later one",
	      (unsigned long long)size);
	return 0;
}

void dlog_policy(struct daemon *d)
{
	unsigned level;

	if (!d->log)
		return;
	pthread_rwlock_rdlock(&d->plock);
	level = d->pol->cp->gates & VOUCH_LOG_MASK;
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
	{
		struct dlog_rec r;

		while (ring_pop(&l->q, &r))
			rec_free(&r);
	}
	/* After the log handle that borrowed it is closed, and the writer joined. */
	vouch_note_skey_destroy(&l->key);
	ring_free(&l->q);
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->cond);
	free(l);
}
