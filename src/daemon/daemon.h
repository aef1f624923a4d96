/* SPDX-License-Identifier: Apache-2.0 */
/* vouchd's modules, the state they share and the functions each offers the others. */
#ifndef VOUCHD_DAEMON_H
#define VOUCHD_DAEMON_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "cache.h"
#include "marks.h"
#include "ring.h"
#include "vouch/vouch.h"

/*
 * Modules, in the order they depend on each other (each uses only those above it):
 *   subject.c  facts about a process and a file read without blocking (/proc, statx)
 *   ring.c     the bounded ring the log and notice queues are made of
 *   cache.c    the verdict cache: a fixed table keyed on a file's identity and change state
 *   verdict.c  which verdicts may be kept (only about files only root can change)
 *   policy.c   the installed policy: opened (or its fallbacks at start), swapped whole on
 *              reload, asked for decisions
 *   queue.c    the bounded work queue, with a lane per user
 *   lease.c    read leases that keep a file unchanged from its check to its exec
 *   notice.c   the reason told to a denied program's terminal, on its own thread
 *   dlog.c     the decision log writer
 *   work.c     decisions that need a file's content; the one way an event is answered
 *   fan.c      the fanotify readers and their fast path
 *   marks.c    which filesystems are marked, and by which fanotify group
 *   mounts.c   the mount watcher
 *   control.c  the control socket
 *   vouchd.c   options, start-up and shutdown
 */

#define FAN_MASK_GATED   (FAN_OPEN_EXEC_PERM | FAN_OPEN_PERM)
#define WORKERS_MAX      64
#define CONTROL_MAX      32 /* control connections served at once, by all users */
#define CONTROL_USER_MAX 4  /* ... and by one user other than root */
#define GROUPS_MAX       32 /* filesystems with a fanotify group of their own (FUSE) */
/* vouchd's threads: the shared group's reader, control, mounts, log writer, leases, notices. */
#define FIXED_THREADS 6
#define SELF_MAX      (FIXED_THREADS + WORKERS_MAX + CONTROL_MAX + GROUPS_MAX)
#define EXEC_TOKENS   256

/* Where the policy in force came from (vouchd(8), FAIL-SAFETY). */
enum policy_source {
	POLICY_STORE = 0, /* the installed trust store: all is well */
	POLICY_BUNDLE,    /* the store was damaged at start: the copy of its bundle, in memory */
	POLICY_NONE,      /* no policy, or neither could be read: monitor mode, nothing trusted */
};

/* One installed policy, as opened: replaced whole on reload, never changed. */
struct policy {
	enum policy_source src;
	const struct vouch_cpolicy *cp;    /* the store's, the bundle's or @empty */
	uint64_t count;                    /* hashes in the trust set */
	struct vouch_store *store;         /* POLICY_STORE */
	struct vouch_store_reader *reader; /* shared by threads: lookups only read the map */
	struct vouch_bundle b;             /* POLICY_BUNDLE: parsed from @bdata */
	char *bdata;
	struct vouch_cpolicy empty; /* POLICY_NONE */
	char problem[3 * PATH_MAX +
	             512]; /* unless POLICY_STORE: why, and what is enforced instead */
	uint32_t gen;      /* cache entries from another generation are stale */
};

/*
 * A permission event waiting for an answer. The job owns @fd until the event is
 * answered (then the fd is closed, or handed to lease.c with its read lease).
 */
struct job {
	int fd;
	int fan; /* the fanotify group that asked, and must be answered */
	uint32_t mask;
	pid_t pid; /* the thread */
	uid_t uid; /* the subject's real uid: its lane in the queue */
	struct cache_key key;
	uint64_t size;
	uid_t owner;
	/*
	 * Someone other than root can change its content (owner, mode, or a FUSE
	 * server): no verdict about it is remembered, and an exec is hashed under a
	 * read lease.
	 */
	bool changeable;
	bool known;         /* the verdict is @v, from the cache: the worker logs and tells */
	struct cache_val v; /* with @known */
	uint32_t next;      /* queue.c's link */
};

struct counters {
	atomic_uint_fast64_t events;       /* permission events answered */
	atomic_uint_fast64_t decisions;    /* of them, decisions about code */
	atomic_uint_fast64_t hits;         /* of those, answered from the cache */
	atomic_uint_fast64_t denials;      /* answered deny */
	atomic_uint_fast64_t would_deny;   /* monitor mode: allowed, enforce would deny */
	atomic_uint_fast64_t queue_full;   /* answered at once because the queue was full */
	atomic_uint_fast64_t user_limited; /* ... because that user had too much waiting */
	atomic_uint_fast64_t hash_errors;
	atomic_uint_fast64_t read_errors; /* fanotify reads that failed, survived */
	atomic_uint_fast64_t nowait;      /* opens classified without a worker */
	atomic_uint_fast64_t unrecorded;  /* cached verdicts given without their record/notice */
	atomic_uint_fast64_t stat_errors; /* event files vouchd could not stat: decided unseen */
};

/* --- subject.c ------------------------------------------------------------------------ */

/*
 * stat_nosync() - fstatat() that never asks a filesystem's server (FUSE, network)
 * to refresh attributes: statx with AT_STATX_DONT_SYNC, so a stalled server
 * cannot stall the caller. Fills st_dev, st_ino, st_mode, st_nlink, st_uid,
 * st_gid, st_rdev, st_size, st_ctim, st_mtim. Return: 0 or -errno.
 */
int stat_nosync(int dirfd, const char *path, int flags, struct stat *st);
/*
 * subject_uid() - the real uid of thread @tid, as vouchd's user namespace sees
 * it. /proc shows a process's owner as root when it made itself undumpable, so
 * an owner of root is checked against /proc/TID/status. Return: the uid, or -1
 * if the thread is gone.
 */
int64_t subject_uid(pid_t tid);
/* The path of the file behind @fd as the kernel gives it (empty if unknown). */
void fd_path_raw(int fd, char *out, size_t cap);
/* The same with control characters as '?' (one log line per decision). */
void fd_path(int fd, char *out, size_t cap);
/*
 * mountinfo_next() - the next mount of mountinfo stream @f that parses
 * (vouch_mountinfo_parse()), into @me. Whole lines, however long (getline into
 * *@line, *@cap; the caller frees *@line): a mount point the kernel escapes (a
 * space is four bytes) or a deep root makes a line far longer than its point,
 * and a line cut short would hide that filesystem. Return: true, or false at
 * the end.
 */
bool mountinfo_next(FILE *f, char **line, size_t *cap, struct vouch_mount *me);

/* Can someone other than root change the file (vouch_object.user_writable)? */
static inline bool file_user_writable(const struct stat *st)
{
	return st->st_uid != 0 || (st->st_mode & (S_IWGRP | S_IWOTH));
}

/* --- verdict.c ------------------------------------------------------------------------- */

/* Can anyone but root change the file's bytes (its owner, its mode, or a FUSE server)? */
bool verdict_changeable(const struct stat *st, bool served);
/* The remembered verdict for @j, if it may have one (false for a changeable file). */
bool verdict_get(struct cache *c, uint32_t gen, const struct job *j, struct cache_val *v);
/* Remember @v, decided by policy @gen, unless @j's file is changeable or had @writers. */
void verdict_keep(struct cache *c, uint32_t gen, const struct job *j, bool writers,
                  const struct cache_val *v);

/* --- queue.c: bounded, with a lane per uid --------------------------------------------- */

#define LANES_MAX 512 /* users with work waiting at once */

struct lane {
	uid_t uid;
	unsigned queued, running;
	uint32_t head, tail; /* jobs, by pool index */
};

struct queue {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *pool;
	uint32_t free_head;
	unsigned cap, len, max, len_users;
	struct lane lanes[LANES_MAX];
	unsigned nlanes, rr;
	unsigned workers;      /* running at once: root may use all of them */
	unsigned user_running; /* ... another user at most this many */
	unsigned user_queued;  /* waiting, for one user other than root */
	unsigned users_queued; /* waiting, for all users but root together */
	bool stop;
};

int queue_init(struct queue *q, unsigned cap, unsigned workers);
void queue_free(struct queue *q);
/* Queue a job; false if the queue or the job's lane is full (*@user: the lane). */
bool queue_push(struct queue *q, const struct job *j, bool *user);
/* Take the next job whose user may run one more; false once stopped and empty. */
bool queue_pop(struct queue *q, struct job *j);
/* A job of @uid taken by queue_pop() is finished. */
void queue_done(struct queue *q, uid_t uid);
void queue_stop(struct queue *q);
struct queue_stats {
	unsigned len, max, cap, lanes, running;
};
void queue_stats(struct queue *q, struct queue_stats *s);

/* --- lease.c --------------------------------------------------------------------------- */

#define LEASES_MAX      1024 /* files held under a read lease at once */
#define LEASES_USER_MAX 128  /* ... for one user other than root */

struct held;
struct leases {
	pthread_mutex_t lock;
	struct held *h;
	unsigned n, cap;
	atomic_uint count;
	_Atomic pid_t tidmark[256]; /* tid % 256 of a holder: the fast path's cheap test */
	_Atomic pid_t tid;          /* the keeper thread: lease breaks are signalled to it */
	int sig, sigfd, wake;
	pthread_t thread;
	bool started, thread_started;
	atomic_uint_fast64_t taken, refused_writers, broken_during, released_broken, released_done,
	    user_full;
};

struct daemon;
int leases_start(struct daemon *d);
void leases_stop(struct daemon *d);
/*
 * Take a read lease on @fd before hashing it. Return: 0; -EAGAIN if the file has
 * writers (open for writing or mapped shared and writable); another -errno if
 * this filesystem or file takes no lease.
 */
int lease_take(struct daemon *d, int fd);
/* Has nobody asked to write the file since lease_take()? */
bool lease_intact(int fd);
/* Give the lease up (the fd stays the caller's). */
void lease_drop(int fd);
/* May @uid hold one more? (Checked before the work: a refusal costs nothing.) */
bool leases_room(struct daemon *d, uid_t uid);
/*
 * Keep @fd and its lease until thread @tid's exec of it is past the kernel's own
 * write check, or a writer asks. Takes @fd in every case. Return: 0, or -ENOSPC
 * (then the lease was dropped and @fd closed: the caller must deny).
 */
int leases_hold(struct daemon *d, int fd, pid_t tid, uid_t uid, const struct cache_key *key);
/* Thread @tid had another event: its earlier exec is done with the file. */
void leases_seen(struct daemon *d, pid_t tid);

/* --- notice.c -------------------------------------------------------------------------- */

#define NOTICES_QUEUE 64

struct notice_item;
struct notices {
	pthread_mutex_t lock;
	pthread_cond_t cond, done;
	struct ring q;                 /* of struct notice_item */
	uint64_t queued_seq, done_seq; /* items queued, and delivered (or given up) */
	bool stop, started;
	pthread_t thread;
	int64_t window;
	unsigned sent; /* in this second, by all users */
	struct {
		uid_t uid;
		int64_t window;
		unsigned sent;
	} users[64];
	atomic_uint_fast64_t written, dropped, not_tty;
};

int notices_start(struct daemon *d);
void notices_stop(struct daemon *d);
/* Is a notice for @uid within the rate limits? (A cheap test before notice_send().) */
bool notice_allowed(struct daemon *d, uid_t uid);
/*
 * Tell thread @pid's terminal why @path was denied: the terminal is found now
 * (while the program waits for its answer) and written to by the notice thread.
 * Never blocks; a full queue drops and counts.
 */
void notice_send(struct daemon *d, pid_t pid, uid_t uid, const char *path,
                 const struct vouch_decision *dec);

/* --- dlog.c ---------------------------------------------------------------------------- */

/* One decision waiting for the log writer; strings are owned, no descriptor is held. */
struct dlog_rec {
	int64_t time_us;
	pid_t pid;
	int64_t uid;
	enum vouch_event event;
	bool allow, would_deny, enforce;
	enum vouch_rule rule;
	uint8_t sha256[32];
	bool has_sha256;
	char *path, *exe, *reason;
	bool has_exe_sha256;
	uint8_t exe_sha256[32];
	/* A summary: how many of @uid's decisions were not recorded one by one. */
	uint64_t summary_allowed, summary_denied;
	bool summary;
};

/* The log writer's memory of executables it hashed, per file version. */
struct exe_slot {
	bool valid;
	uint64_t dev, ino, size;
	int64_t ctime_sec, ctime_nsec;
	uint8_t sha256[32];
};

struct dlog_opts {
	const char *dir, *name;
	uint64_t max_bytes;
	int64_t interval_ms;
	unsigned queue;
	unsigned user_burst, user_rate; /* per user but root: entries at once, and per minute */
};

#define DLOG_USERS  256
#define DLOG_MOUNTS 1024
#define DLOG_LOGGED 1024

/* An allow already recorded, of a file users can change (the log's memory, not a verdict). */
struct logged {
	bool used;
	uint32_t gen;
	struct cache_key key;
	uint8_t sha256[32];
};

struct dlog_user {
	int64_t uid; /* -1: free */
	double tokens;
	int64_t refill_ms, summary_ms;
	uint64_t allowed, denied; /* not recorded one by one since the last summary */
};

struct dlog {
	char dir[PATH_MAX];
	char name[VOUCH_NOTE_NAME_MAX + 1];
	char seen_path[PATH_MAX];
	/* The device key, held once (the seed in its signer's guarded memory); log borrows it. */
	struct vouch_note_skey key;
	struct vouch_log *log; /* NULL while storage fails: reopened every interval */
	uint64_t max_bytes;
	int64_t interval_ms;
	atomic_uint level; /* VOUCH_LOG_* of the current policy */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct ring q; /* of struct dlog_rec */
	bool stop;
	/* Rate limits, under lock. */
	unsigned user_burst, user_rate;
	struct dlog_user users[DLOG_USERS];
	/* Executables hashed, per file version, and the devices it is safe to open on. */
	pthread_mutex_t exe_lock;
	struct exe_slot exes[256];
	struct logged logged[DLOG_LOGGED];
	uint64_t mounts[DLOG_MOUNTS];
	unsigned nmounts;
	int64_t mounts_ms;
	/* Writer thread only. */
	uint64_t pending;
	bool failing;
	/* For 'vouch status'. */
	atomic_uint_fast64_t size, committed, dropped, lost, limited, summaries;
	atomic_uint_fast64_t seen; /* entries a witness has seen; later ones are never removed */
	atomic_bool witnessed;     /* @seen was set (STATE/log.seen exists) */
	_Atomic int64_t checkpoint_time;
	char error[512]; /* the last storage error, under lock */
	time_t error_time;
};

int dlog_start(struct daemon *d, const struct dlog_opts *o, char *err, size_t errlen);
void dlog_stop(struct daemon *d);   /* records what is queued, commits, joins */
void dlog_policy(struct daemon *d); /* the policy changed: read its logging level */
/* Does the policy want this decision logged? @cached: answered from the cache. */
bool dlog_wants(struct daemon *d, bool allow, bool would_deny, bool cached);
/*
 * With 'log first': is this the first allow of this version of a file users can
 * change (identity @k and content @sha, policy @gen) since it was last recorded?
 * No verdict about such a file is kept, so without this each run would be
 * recorded; this memory only spares the log repeats. Records it if so.
 */
bool dlog_first_allow(struct daemon *d, const struct cache_key *k, const uint8_t sha[32],
                      uint32_t gen);
/*
 * Queue one decision by @uid (never blocks: a full queue drops and counts; a
 * user over the rate limit is counted for a summary). Call before answering
 * the kernel: the subject's executable is looked up now.
 */
void dlog_record(struct daemon *d, pid_t pid, int64_t uid, int fd, enum vouch_event ev,
                 const uint8_t *sha, const struct vouch_decision *dec);
/* A witness has seen the log up to @size entries: retention keeps everything from there. */
int dlog_seen(struct daemon *d, uint64_t size, char *err, size_t errlen);

/* --- work.c ---------------------------------------------------------------------------- */

int work_start(struct daemon *d);
void work_stop(struct daemon *d); /* drains the queue, then joins the workers (bounded) */
/*
 * Decide @obj with the current policy; returns that policy's generation. The
 * policy's message, if any, is copied into @msg and dec->message points there:
 * the policy itself may be replaced as soon as this returns.
 */
uint32_t policy_decide(struct daemon *d, const struct vouch_subject *subj,
                       const struct vouch_object *obj, struct vouch_decision *dec,
                       char msg[static VOUCH_MESSAGE_MAX + 1]);
uint64_t policy_max_size(struct daemon *d);

/* --- fan.c ----------------------------------------------------------------------------- */

/* A fanotify group and the thread that reads it. */
struct fgroup {
	int fan;
	int wake;     /* eventfd: stop */
	bool private; /* one FUSE filesystem's: its server may stall it, and only it */
	bool used, started;
	uint64_t dev;
	pthread_t thread;
};

/* Make the shared group (its reader is the main thread). */
int fan_group_main(struct fgroup *g);
/* Read and answer @g's events until its wake eventfd is written. */
int fan_loop(struct daemon *d, struct fgroup *g);
/* A group of its own for the filesystem @dev, its reader started; NULL if none can be. */
struct fgroup *fan_group_private(struct daemon *d, uint64_t dev);
/*
 * Stop and close private groups whose filesystem is gone (no mark left); their
 * descriptors into @gone, for marks_forget_group(). Return: how many.
 */
unsigned fan_groups_reap(struct daemon *d, int gone[static GROUPS_MAX]);
void fan_groups_stop(struct daemon *d);

/* --- answer.c -------------------------------------------------------------------------- */

/*
 * The one way an event is answered: the response to its group, the counters,
 * and the descriptor closed (unless @keep: lease.c has it).
 */
void event_answer(struct daemon *d, const struct job *j, bool allow, bool keep);
/* Answer @fd of group @fan that never became a job (not a file vouchd decides). */
void event_allow_raw(struct daemon *d, int fan, int fd);
/* An allowed exec of @key by thread @tid: its own open that follows is part of it. */
void exec_token_put(struct daemon *d, pid_t tid, const struct cache_key *key);
/* Take the token an allowed exec of this file state left for @tid, if any. */
bool exec_token_take(struct daemon *d, pid_t tid, const struct cache_key *key);

/* --- threads and logging (self.c) ------------------------------------------------------- */

/* Logging: one line on standard error (the journal under systemd). */
void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, but only at the 1st, 2nd, 4th, 8th... time @n says it happened. */
void logf_pow2(uint64_t n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Register the calling thread as vouchd's own (its events are allowed unseen). */
int self_add(struct daemon *d);
void self_remove(struct daemon *d);
bool is_self(struct daemon *d, pid_t tid);
/* How many of vouchd's tasks (/proc/self/task) are not registered: 0 when all is well. */
unsigned self_unregistered(struct daemon *d);

struct daemon {
	struct fgroup main;               /* the shared group, read by the main thread */
	struct fgroup groups[GROUPS_MAX]; /* private groups */
	pthread_mutex_t glock;            /* groups[] */
	pid_t self;                       /* vouchd's pid */
	_Atomic pid_t tids[SELF_MAX];     /* vouchd's threads; 0: a free slot */
	atomic_uint nself;

	/* Descriptors: each event read holds one until it is answered (or its lease ends). */
	long fd_limit;   /* RLIMIT_NOFILE, raised to the hard limit at start */
	long events_max; /* event descriptors held at once, at most */
	atomic_long events_held;

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
	char bundle_path[PATH_MAX]; /* the copy of the installed bundle: the store's fallback */
	char sock_path[PATH_MAX];
	time_t started;

	/* The policy: read-locked for a lookup and decision, write-locked to swap. */
	pthread_rwlock_t plock;
	struct policy *pol;
	atomic_uint gen;           /* the current policy's generation */
	atomic_bool enforce;       /* the current policy's mode, for the fanotify threads */
	_Atomic uint64_t max_size; /* the current policy's max-size */

	struct cache *cache;
	struct queue q;
	unsigned nworkers;
	pthread_t *workers;
	struct leases leases;
	struct notices notices;
	struct marks marks;
	struct counters c;
	struct dlog *log; /* NULL: not logging (--no-log) */
};

/*
 * policy_load() - open the installed store and put it in force. At start (no
 * policy yet) it never fails for the store's sake: a damaged store falls back to
 * the copy of its bundle, and a missing one (or both unreadable) to monitor mode
 * with an empty trust set, with the reason in pol->problem and the journal. A
 * reload that cannot open the store fails and keeps the policy in force.
 * Return: 0; -ENOMEM or the store's error (@err says which file and why).
 */
int policy_load(struct daemon *d, char *err, size_t errlen);
/* Free the policy in force (at stop, once nothing decides). */
void policy_unload(struct daemon *d);
/* "installed", "bundle-copy" or "none": vouch status's policy_source. */
const char *policy_source_name(enum policy_source src);

/* control.c */
int control_open(struct daemon *d);
void *control_main(void *arg);
void control_close(struct daemon *d);
void control_drain(void); /* the connections being served finish (bounded) */
void notify_systemd(const char *msg);
/* mounts.c */
void *mounts_main(void *arg);

#endif
