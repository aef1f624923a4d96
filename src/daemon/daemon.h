/* SPDX-License-Identifier: Apache-2.0 */
/* vouchd's shared state: the fanotify thread, the workers and the control thread. */
#ifndef VOUCHD_DAEMON_H
#define VOUCHD_DAEMON_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "cache.h"
#include "marks.h"
#include "vouch/vouch.h"

#define FAN_MASK_GATED (FAN_OPEN_EXEC_PERM | FAN_OPEN_PERM)
#define WORKERS_MAX    64
#define EXEC_TOKENS    256

/* One installed policy, as opened: replaced whole on reload, never changed. */
struct policy {
	struct vouch_store *store;
	struct vouch_store_reader *reader; /* shared by threads: lookups only read the map */
	uint32_t gen;                      /* cache entries from another generation are stale */
};

/* A permission event waiting for a worker. The job owns @fd until it is answered. */
struct job {
	int fd;
	uint32_t mask;
	pid_t pid;
	struct cache_key key;
	uint64_t size;
	uid_t owner;
	bool user_writable; /* owner not root, or group/world-writable: see vouch_object */
};

struct counters {
	atomic_uint_fast64_t events;     /* permission events answered */
	atomic_uint_fast64_t decisions;  /* of them, decisions about code */
	atomic_uint_fast64_t hits;       /* of those, answered from the cache */
	atomic_uint_fast64_t denials;    /* answered deny */
	atomic_uint_fast64_t would_deny; /* monitor mode: allowed, enforce would deny */
	atomic_uint_fast64_t queue_full; /* answered at once because the queue was full */
	atomic_uint_fast64_t hash_errors;
	atomic_uint_fast64_t notices; /* reasons written to a denied program's terminal */
};

/* One decision waiting for the log writer; strings are owned. */
struct dlog_rec {
	int64_t time_us;
	pid_t pid;
	int64_t uid;
	enum vouch_event event;
	bool allow, would_deny, enforce;
	enum vouch_rule rule;
	uint8_t sha256[32];
	char *path, *exe, *reason;
	int exefd; /* O_PATH descriptor of the subject's executable, or -1 */
};

/* The log writer's memory of executables it hashed, per file version. */
struct exe_slot {
	bool valid;
	dev_t dev;
	ino_t ino;
	time_t ctime_sec;
	long ctime_nsec;
	off_t size;
	uint8_t sha256[32];
};

struct dlog_opts {
	const char *dir, *name;
	uint64_t max_bytes;
	int64_t interval_ms;
	unsigned queue;
};

struct dlog {
	char dir[PATH_MAX];
	char name[VOUCH_NOTE_NAME_MAX + 1];
	struct vouch_note_skey key;
	struct vouch_log *log; /* NULL while storage fails: reopened every interval */
	uint64_t max_bytes;
	int64_t interval_ms;
	atomic_uint level; /* VOUCH_LOG_* of the current policy */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct dlog_rec *q;
	unsigned qcap, qhead, qlen;
	bool stop;
	/* Writer thread only. */
	uint64_t pending;
	bool failing;
	struct exe_slot exes[256];
	/* For 'vouch status'. */
	atomic_uint_fast64_t size, committed, dropped, lost;
	_Atomic int64_t checkpoint_time;
	char error[512]; /* the last storage error, under lock */
	time_t error_time;
};

struct daemon {
	int fan;    /* the fanotify group */
	int wake;   /* eventfd: tells the fanotify thread to stop */
	pid_t self; /* vouchd's pid */
	/* Events caused by vouchd's own threads are allowed unseen (no deadlock). */
	_Atomic pid_t tids[WORKERS_MAX + 3]; /* + main, control, mount watcher */
	atomic_uint ntids;

	/*
	 * An exec opens the file twice over in fanotify's eyes: FAN_OPEN_EXEC_PERM,
	 * then FAN_OPEN_PERM from the same thread. The second must not be judged as a
	 * library load (the kernel keeps a running program from being written, so the
	 * writable-library rule does not apply): the allowed exec leaves a token that
	 * the same thread's next open of the same file state takes.
	 */
	pthread_mutex_t toklock;
	struct exec_token {
		_Atomic pid_t tid; /* read without the lock first: most opens have no token */
		struct cache_key key;
	} tok[EXEC_TOKENS];
	const char *state;
	char store_path[PATH_MAX];
	char sock_path[PATH_MAX];
	time_t started;

	/* The policy: read-locked for a lookup and decision, write-locked to swap. */
	pthread_rwlock_t plock;
	struct policy *pol;
	atomic_uint gen;     /* the current policy's generation */
	atomic_bool enforce; /* the current policy's mode, for the fanotify thread */

	struct cache *cache;

	/* The bounded queue from the fanotify thread to the workers. */
	pthread_mutex_t qlock;
	pthread_cond_t qcond;
	struct job *q;
	unsigned qcap, qhead, qlen, qmax;
	bool qstop;
	unsigned nworkers;
	pthread_t *workers;

	/* At most a few reasons per second are written to denied programs' terminals. */
	pthread_mutex_t nlock;
	int64_t nwindow;
	unsigned nsent;

	struct marks marks;
	struct counters c;
	struct dlog *log; /* NULL: not logging (--no-log) */
};

/* work.c */
int work_start(struct daemon *d);
void work_stop(struct daemon *d); /* drains the queue, then joins the workers */
/* Queue a job; false if the queue is full (the caller answers it). */
bool work_push(struct daemon *d, const struct job *j);
/* Answer the kernel for @fd with FAN_ALLOW or FAN_DENY. */
void answer(struct daemon *d, int fd, uint32_t response);
/*
 * A decision answered from the cache, before the answer: recorded in the log if
 * the policy's level asks, and a denial's reason told again to the program's
 * terminal (rate-limited). Both from one decide, on the fanotify thread.
 */
void cached_answer(struct daemon *d, const struct job *j, const struct cache_val *v);

/* The path of the file behind @fd as the kernel gives it (empty if unknown). */
void fd_path_raw(int fd, char *out, size_t cap);

/* Register the calling thread as vouchd's own. */
void self_thread(struct daemon *d);
/* An exec of @key by thread @tid was allowed: its own open that follows is part of it. */
void exec_token_put(struct daemon *d, pid_t tid, const struct cache_key *key);

/*
 * Decide @obj with the current policy; returns that policy's generation. The
 * policy's message, if any, is copied into @msg and dec->message points there:
 * the policy itself may be replaced as soon as this returns.
 */
uint32_t policy_decide(struct daemon *d, const struct vouch_subject *subj,
                       const struct vouch_object *obj, struct vouch_decision *dec,
                       char msg[static VOUCH_MESSAGE_MAX + 1]);

/* Can someone other than root change the file (vouch_object.user_writable)? */
static inline bool file_user_writable(const struct stat *st)
{
	return st->st_uid != 0 || (st->st_mode & (S_IWGRP | S_IWOTH));
}

/* policy.c-like helpers in vouchd.c */
int policy_load(struct daemon *d, char *err, size_t errlen);
uint64_t queue_depth(struct daemon *d);

/* dlog.c */
int dlog_start(struct daemon *d, const struct dlog_opts *o, char *err, size_t errlen);
void dlog_stop(struct daemon *d);   /* records what is queued, commits, joins */
void dlog_policy(struct daemon *d); /* the policy changed: read its logging level */
/* Does the policy want this decision logged? @cached: answered from the cache. */
bool dlog_wants(struct daemon *d, bool allow, bool would_deny, bool cached);
/*
 * Queue one decision (never blocks: a full queue drops and counts). Call before
 * answering the kernel: the subject's executable is looked up now.
 */
void dlog_record(struct daemon *d, pid_t pid, int fd, enum vouch_event ev, const uint8_t sha[32],
                 const struct vouch_decision *dec);

/* control.c */
int control_open(struct daemon *d);
void *control_main(void *arg);
void *mounts_main(void *arg);
void control_close(struct daemon *d);
void notify_systemd(const char *msg);

/* Logging: one line on standard error (the journal under systemd). */
void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
