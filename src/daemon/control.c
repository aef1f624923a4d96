/* SPDX-License-Identifier: Apache-2.0 */
/* vouchd's control thread: signals, the control socket (vouch/ctl.h), systemd readiness. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "vouch-config.h"

#define CLIENT_TIMEOUT 1      /* seconds a client may take to send its request */
#define LOG_SCAN_MAX   100000 /* entries read for one answer (a user's are a few of all) */

#define HANDLER_STACK  (512 * 1024)
#define PASSED_FDS_MAX 4 /* descriptors read from one request; more are never received */

/*
 * Connections: each is served by a thread of its own, so that nobody's slow or
 * silent client delays anyone else's request. A user other than root may have
 * CONTROL_USER_MAX at once, and all such users together leave CONTROL_ROOT free
 * for root; beyond that a connection gets a "busy" answer and is closed at
 * once.
 */
#define CONTROL_ROOT 8

static int listen_fd = -1;
static pthread_mutex_t conn_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	uid_t uid;
	unsigned n;
} conns[CONTROL_MAX];
static unsigned nconns, conns_total;
static atomic_uint_fast64_t conns_refused;

void notify_systemd(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t n;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') ||
	    (n = strlen(path)) >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, n);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0'; /* an abstract socket */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
	           (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)) < 0)
		logf_("vouchd: cannot notify systemd: %s", strerror(errno));
	close(fd);
}

int control_open(struct daemon *d)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", d->sock_path) >=
	    sizeof(sa.sun_path)) {
		logf_("vouchd: %s: socket path too long", d->sock_path);
		return -ENAMETOOLONG;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A socket that answers belongs to a vouchd that is running: never take it over. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		logf_("vouchd: %s: another vouchd is running with this state directory",
		      d->sock_path);
		close(fd);
		return -EADDRINUSE;
	}
	close(fd);
	unlink(d->sock_path); /* left by a vouchd that died */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* Everyone may ask (status, why); what changes anything is checked per request. */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || chmod(d->sock_path, 0666) != 0 ||
	    listen(fd, 16) != 0) {
		int e = errno;

		logf_("vouchd: %s: cannot listen: %s", d->sock_path, strerror(e));
		close(fd);
		return -e;
	}
	listen_fd = fd;
	return 0;
}

void control_close(struct daemon *d)
{
	if (listen_fd >= 0) {
		close(listen_fd);
		unlink(d->sock_path);
		listen_fd = -1;
	}
}

/*
 * Every answer is built with the one codec (vouch/ctl.h), which escapes
 * values and reasons: nothing here worries about a tab or newline in a path.
 * The putting functions' errors are sticky in @o and looked at once, in serve().
 */
static void policy_pairs(struct daemon *d, struct vouch_ctl_out *o)
{
	const struct vouch_cpolicy *cp;
	char hex[65];

	pthread_rwlock_rdlock(&d->plock);
	cp = d->pol->cp;
	vouch_hex_encode(cp->source_sha256, 32, hex);
	vouch_ctl_out_putf(o, "mode", "%s", vouch_mode_name(cp->mode));
	/* Not the installed store: said in every status (vouchd(8), FAIL-SAFETY). */
	vouch_ctl_out_putf(o, "policy_source", "%s", policy_source_name(d->pol->src));
	if (d->pol->src != POLICY_STORE)
		vouch_ctl_out_putf(o, "policy_problem", "%s", d->pol->problem);
	vouch_ctl_out_put_i64(o, "policy_compiled", cp->compiled);
	vouch_ctl_out_put_i64(o, "policy_expires", cp->expires);
	vouch_ctl_out_put_i64(o, "policy_update_every", cp->update_every);
	vouch_ctl_out_putf(o, "policy_sha256", "%s", hex);
	vouch_ctl_out_put_u64(o, "policy_hashes", d->pol->count);
	vouch_ctl_out_put_u64(o, "policy_generation", d->pol->gen);
	pthread_rwlock_unlock(&d->plock);
}

#define U64(o, key, v) vouch_ctl_out_put_u64(o, key, (uint64_t)(v))

/* A ring's figures as PREFIX_depth, _max (the deepest it has been), _capacity, _pushed. */
static void ring_pairs(struct vouch_ctl_out *o, const char *prefix, const struct ring_stats *rs)
{
	static const char *const names[] = {"depth", "max", "capacity", "pushed"};
	const uint64_t v[] = {rs->len, rs->max, rs->cap, rs->pushed};
	char key[48];

	for (unsigned i = 0; i < 4; i++) {
		snprintf(key, sizeof(key), "%s_%s", prefix, names[i]);
		vouch_ctl_out_put_u64(o, key, v[i]);
	}
}

static void do_status(struct daemon *d, struct vouch_ctl_out *o)
{
	struct queue_stats qs;

	vouch_ctl_out_putf(o, "version", "%s", VOUCH_VERSION);
	vouch_ctl_out_put_i64(o, "pid", d->self);
	vouch_ctl_out_put_i64(o, "started", d->started);
	policy_pairs(d, o);
	U64(o, "workers", d->nworkers);
	U64(o, "workers_per_user", d->q.user_running);
	queue_stats(&d->q, &qs);
	U64(o, "queue_depth", qs.len);
	U64(o, "queue_max", qs.max);
	U64(o, "queue_capacity", qs.cap);
	U64(o, "queue_users", qs.lanes);
	U64(o, "queue_running", qs.running);
	U64(o, "events", atomic_load(&d->c.events));
	U64(o, "decisions", atomic_load(&d->c.decisions));
	U64(o, "cache_hits", atomic_load(&d->c.hits));
	U64(o, "opens_nowait", atomic_load(&d->c.nowait));
	U64(o, "denials", atomic_load(&d->c.denials));
	U64(o, "would_deny", atomic_load(&d->c.would_deny));
	U64(o, "queue_full", atomic_load(&d->c.queue_full));
	U64(o, "user_limited", atomic_load(&d->c.user_limited));
	U64(o, "hash_errors", atomic_load(&d->c.hash_errors));
	U64(o, "read_errors", atomic_load(&d->c.read_errors));
	U64(o, "unrecorded", atomic_load(&d->c.unrecorded));
	U64(o, "stat_errors", atomic_load(&d->c.stat_errors));
	vouch_ctl_out_put_i64(o, "fd_limit", d->fd_limit);
	vouch_ctl_out_put_i64(o, "events_held", atomic_load(&d->events_held));
	vouch_ctl_out_put_i64(o, "events_max", d->events_max);
	U64(o, "leases_held", atomic_load(&d->leases.count));
	U64(o, "leases_taken", atomic_load(&d->leases.taken));
	U64(o, "leases_refused_writers", atomic_load(&d->leases.refused_writers));
	U64(o, "leases_broken_during_check", atomic_load(&d->leases.broken_during));
	U64(o, "leases_released_broken", atomic_load(&d->leases.released_broken));
	U64(o, "leases_user_full", atomic_load(&d->leases.user_full));
	U64(o, "notices", atomic_load(&d->notices.written));
	U64(o, "notices_dropped", atomic_load(&d->notices.dropped));
	{
		struct ring_stats rs;

		pthread_mutex_lock(&d->notices.lock);
		ring_stats(&d->notices.q, &rs);
		pthread_mutex_unlock(&d->notices.lock);
		ring_pairs(o, "notice_queue", &rs);
	}
	U64(o, "control_refused", atomic_load(&conns_refused));
	U64(o, "threads_unregistered", self_unregistered(d));
	if (d->log) {
		struct dlog *l = d->log;

		vouch_ctl_out_put(o, "log_dir", l->dir, strlen(l->dir));
		U64(o, "log_entries", atomic_load(&l->size));
		U64(o, "log_checkpointed", atomic_load(&l->committed));
		vouch_ctl_out_put_i64(o, "log_checkpoint_time", atomic_load(&l->checkpoint_time));
		U64(o, "log_dropped", atomic_load(&l->dropped));
		U64(o, "log_lost", atomic_load(&l->lost));
		U64(o, "log_rate_limited", atomic_load(&l->limited));
		U64(o, "log_summaries", atomic_load(&l->summaries));
		{
			struct ring_stats rs;

			pthread_mutex_lock(&l->lock);
			ring_stats(&l->q, &rs);
			pthread_mutex_unlock(&l->lock);
			ring_pairs(o, "log_queue", &rs);
		}
		if (atomic_load(&l->witnessed))
			U64(o, "log_seen", atomic_load(&l->seen));
		pthread_mutex_lock(&l->lock);
		if (l->error[0]) {
			vouch_ctl_out_put(o, "log_error", l->error, strlen(l->error));
			vouch_ctl_out_put_i64(o, "log_error_time", l->error_time);
		}
		pthread_mutex_unlock(&l->lock);
	} else {
		vouch_ctl_out_put(o, "log_dir", "", 0);
	}
	pthread_mutex_lock(&d->marks.lock);
	U64(o, "marks_refused", d->marks.refused);
	for (unsigned i = 0; i < d->marks.nfs; i++) {
		const struct marked_fs *m = &d->marks.fs[i];

		vouch_ctl_out_putf(o, "filesystem", "%u:%u %s %s", major((dev_t)m->dev),
		                   minor((dev_t)m->dev), m->fstype, m->point);
	}
	pthread_mutex_unlock(&d->marks.lock);
}

/*
 * Could the peer read the file, by its mode? Root can; otherwise the owner's,
 * group's or others' read bit, as the kernel picks them. (An ACL that grants
 * more is not consulted: the answer is then a refusal, never a leak.)
 */
static bool peer_may_read(const struct stat *st, const struct ucred *cred, const gid_t *groups,
                          unsigned ngroups)
{
	bool member = st->st_gid == cred->gid;

	if (cred->uid == 0)
		return true;
	if (st->st_uid == cred->uid)
		return st->st_mode & S_IRUSR;
	for (unsigned i = 0; !member && i < ngroups; i++)
		member = groups[i] == st->st_gid;
	return st->st_mode & (member ? S_IRGRP : S_IROTH);
}

/*
 * "why": the verdict vouchd gave the file behind @fd (any kind of descriptor,
 * O_PATH too), to someone who could read that file: a file's hash, and that it
 * ran, are the business of those who may read it.
 */
static void do_why(struct daemon *d, struct vouch_ctl_out *o, int fd, const struct ucred *cred,
                   const gid_t *groups, unsigned ngroups)
{
	static const uint32_t access[2] = {CACHE_EXEC, CACHE_OPEN};
	struct vouch_decision dec;
	struct cache_val v;
	struct cache_key k;
	struct stat st;
	char hex[65], msg[VOUCH_MESSAGE_MAX + 1];

	if (fd < 0 || stat_nosync(fd, "", AT_EMPTY_PATH, &st) != 0) {
		vouch_ctl_out_fail(o, VOUCH_CTL_USAGE,
		                   "no file was passed (why takes one descriptor of the file)");
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		vouch_ctl_out_fail(o, VOUCH_CTL_NOT_REGULAR,
		                   "not a regular file: vouchd decides only regular files");
		return;
	}
	if (!peer_may_read(&st, cred, groups, ngroups)) {
		vouch_ctl_out_fail(o, VOUCH_CTL_UNREADABLE,
		                   "you may not read this file, so vouchd does not say what it "
		                   "decided about it (ask its owner or root)");
		return;
	}
	if (file_user_writable(&st)) {
		vouch_ctl_out_fail(o, VOUCH_CTL_USER_WRITABLE,
		                   "vouchd remembers no verdict about a file that users can "
		                   "change: each run is decided afresh (see 'vouch check')");
		return;
	}
	for (int i = 0; i < 2; i++) {
		cache_key_from_stat(&k, &st, access[i]);
		if (!cache_get(d->cache, &k, atomic_load(&d->gen), &v) || !v.code)
			continue;
		{
			struct vouch_subject subj = {0};
			struct vouch_object obj = {
			    .event = i == 0 ? (v.script ? VOUCH_EV_SHEBANG : VOUCH_EV_EXEC)
			                    : VOUCH_EV_ELF_OPEN,
			    .sha256 = v.sha256,
			    .size = (uint64_t)st.st_size,
			    .user_writable = false,
			    .owner = st.st_uid,
			};

			policy_decide(d, &subj, &obj, &dec, msg);
			vouch_hex_encode(v.sha256, 32, hex);
			vouch_ctl_out_putf(o, "sha256", "%s", hex);
			vouch_ctl_out_putf(o, "access", "%s", i == 0 ? "exec" : "open");
			vouch_ctl_out_putf(o, "verdict", "%s",
			                   vouch_verdict_name(dec.allow, dec.would_deny));
			vouch_ctl_out_putf(o, "rule", "%s", vouch_rule_name(dec.rule));
			vouch_ctl_out_putf(o, "reason", "%s", dec.reason);
			if (dec.message)
				vouch_ctl_out_putf(o, "message", "%s", dec.message);
			vouch_ctl_out_putf(o, "mode", "%s",
			                   atomic_load(&d->enforce) ? "enforce" : "monitor");
		}
		return;
	}
	vouch_ctl_out_fail(o, VOUCH_CTL_NOT_DECIDED,
	                   "vouchd has not decided this file as code since its policy was loaded");
}

/* "seen N" (root): a witness has the log up to N entries; retention keeps them from there. */
static void do_seen(struct daemon *d, struct vouch_ctl_out *o, uint64_t n, uid_t uid)
{
	char err[300];
	int ret;

	if (uid != 0) {
		vouch_ctl_out_fail(o, VOUCH_CTL_NEEDS_ROOT,
		                   "only root may say what a witness has seen");
		return;
	}
	if (!d->log) {
		vouch_ctl_out_fail(o, VOUCH_CTL_NO_LOG, "vouchd keeps no log (--no-log)");
		return;
	}
	ret = dlog_seen(d, n, err, sizeof(err));
	if (ret != 0) {
		vouch_ctl_out_fail(
		    o, ret == -ERANGE ? VOUCH_CTL_BEYOND_LOG : VOUCH_CTL_SYSTEM_ERROR, "%s", err);
		return;
	}
	vouch_ctl_out_put_u64(o, "log_seen", n);
}

static void do_reload(struct daemon *d, struct vouch_ctl_out *o, uid_t uid)
{
	char err[300];

	if (uid != 0) {
		vouch_ctl_out_fail(o, VOUCH_CTL_NEEDS_ROOT, "only root may reload the policy");
		return;
	}
	if (policy_load(d, err, sizeof(err)) != 0) {
		vouch_ctl_out_fail(o, VOUCH_CTL_POLICY_ERROR, "%s", err);
		return;
	}
	logf_("vouchd: policy reloaded (asked by uid 0)");
	notify_systemd("STATUS=enforcing the installed policy");
	do_status(d, o);
}

/* The status for a reader's error: the log disagreeing with itself is not a system error. */
static unsigned log_status(int ret)
{
	switch (ret) {
	case VOUCH_E_LOG:
	case VOUCH_E_CHECKPOINT:
	case VOUCH_E_NOTE:
	case VOUCH_E_WRONGKEY:
	case VOUCH_E_BADSIG:
	case VOUCH_E_PROOF:
		return VOUCH_CTL_LOG_MISMATCH;
	case VOUCH_E_RANGE:
		return VOUCH_CTL_BEYOND_LOG;
	case VOUCH_E_NOTFOUND:
		return VOUCH_CTL_NO_ENTRY;
	default:
		return VOUCH_CTL_SYSTEM_ERROR;
	}
}

/* The log as its last checkpoint has it; false with the error answered if there is none. */
static bool log_open(struct daemon *d, struct vouch_ctl_out *o, struct vouch_log_reader **r)
{
	int ret;

	if (!d->log) {
		vouch_ctl_out_fail(o, VOUCH_CTL_NO_LOG, "vouchd keeps no log (--no-log)");
		return false;
	}
	ret = vouch_log_reader_open(r, d->log->dir, &d->log->key.v);
	if (ret) {
		vouch_ctl_out_fail(o, log_status(ret), "%s: %s", d->log->dir, vouch_strerror(ret));
		return false;
	}
	return true;
}

/* May @uid see this entry? Root sees all; a user only their own. @scratch: VOUCH_ENTRY_MAX + 8. */
static bool visible(const char *data, size_t len, uid_t uid, char *scratch)
{
	struct vouch_entry e;

	return uid == 0 || (vouch_entry_parse(&e, data, len, scratch, VOUCH_ENTRY_MAX + 8) == 0 &&
	                    e.uid == (int64_t)uid);
}

/*
 * "log FROM MAX": checkpointed entries from index FROM on, at most MAX of them,
 * and only the asker's own unless the asker is root. "next" says where to go on.
 */
static void do_log(struct daemon *d, struct vouch_ctl_out *o, uint64_t from, uint64_t max,
                   uid_t uid)
{
	struct vouch_log_reader *r;
	char *scratch, *line = NULL;
	uint64_t i, size, scanned = 0;
	int ret = 0;

	if (!log_open(d, o, &r))
		return;
	scratch = malloc(VOUCH_ENTRY_MAX + 8);
	line = malloc(VOUCH_ENTRY_MAX + 32);
	if (!scratch || !line) {
		free(line);
		free(scratch);
		vouch_log_reader_close(r);
		vouch_ctl_out_fail(o, VOUCH_CTL_SYSTEM_ERROR, "%s", strerror(ENOMEM));
		return;
	}
	size = vouch_log_reader_checkpoint(r)->size;
	vouch_ctl_out_put_u64(o, "size", size);
	vouch_ctl_out_put_u64(o, "first", vouch_log_reader_pruned(r));
	i = from < vouch_log_reader_pruned(r) ? vouch_log_reader_pruned(r) : from;
	/* Bounded work per request: the client asks again from "next". */
	for (; i < size && max > 0 && scanned < LOG_SCAN_MAX; i++, scanned++) {
		const char *data;
		size_t len;
		int n;

		/* Only what matches the signed checkpoint is given out. */
		ret = vouch_log_reader_entry_checked(r, i, &data, &len);
		if (ret == VOUCH_E_LOG)
			break;
		if (ret != 0 || !visible(data, len, uid, scratch)) {
			ret = 0;
			continue;
		}
		/* Room for "next" stays: an escape is 4 bytes at most. */
		if (vouch_ctl_out_len(o) + 4 * len + 4096 > VOUCH_CTL_ANSWER_MAX)
			break;
		n = snprintf(line, VOUCH_ENTRY_MAX + 32, "%llu ", (unsigned long long)i);
		if (n < 0 || len > VOUCH_ENTRY_MAX)
			continue; /* cannot happen: the reader returns no longer entry */
		memcpy(line + n, data, len);
		vouch_ctl_out_put(o, "entry", line, (size_t)n + len);
		max--;
	}
	if (ret == VOUCH_E_LOG) {
		vouch_ctl_out_fail(
		    o, VOUCH_CTL_LOG_MISMATCH,
		    "the log does not match its signed checkpoint at entry %llu (see "
		    "'vouch log verify')",
		    (unsigned long long)i);
		vouch_ctl_out_put_u64(o, "at", i);
	} else {
		vouch_ctl_out_put_u64(o, "next", i);
	}
	free(line);
	free(scratch);
	vouch_log_reader_close(r);
}

/* "prove N" (the asker's own entry, or any for root) and "consistency N" (anyone). */
static void do_proof(struct daemon *d, struct vouch_ctl_out *o, uint64_t n, uid_t uid,
                     bool inclusion)
{
	struct vouch_log_reader *r;
	char *text = NULL, *p, *nl;
	size_t len = 0;
	int ret = 0;

	if (!log_open(d, o, &r))
		return;
	if (inclusion && uid != 0) {
		const char *data;
		size_t dlen;
		char *scratch = malloc(VOUCH_ENTRY_MAX + 8);

		ret = scratch ? vouch_log_reader_entry_checked(r, n, &data, &dlen) : -ENOMEM;
		if (!ret && !visible(data, dlen, uid, scratch))
			ret = -EPERM;
		free(scratch);
		if (ret == -EPERM) {
			vouch_ctl_out_fail(
			    o, VOUCH_CTL_NEEDS_ROOT,
			    "entry is not yours: only root may prove another user's entry");
			vouch_log_reader_close(r);
			return;
		}
	}
	if (!ret)
		ret = inclusion ? vouch_log_reader_proof_text(r, n, &text, &len)
		                : vouch_log_reader_consistency_text(r, n, &text, &len);
	vouch_log_reader_close(r);
	if (ret) {
		vouch_ctl_out_fail(o, log_status(ret), "%s %llu: %s", inclusion ? "entry" : "size",
		                   (unsigned long long)n,
		                   ret == VOUCH_E_RANGE      ? "beyond the log's checkpoint"
		                   : ret == VOUCH_E_NOTFOUND ? "removed by retention"
		                                             : vouch_strerror(ret));
		return;
	}
	/* The proof's lines, each a value: the codec carries them exactly. */
	for (p = text; p < text + len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(text + len - p));
		if (!nl)
			break;
		vouch_ctl_out_put(o, "line", p, (size_t)(nl - p));
	}
	free(text);
}

struct conn {
	struct daemon *d;
	int fd;
	struct ucred cred;
};

/* Every descriptor a message carried, whatever it held (and however many the kernel kept). */
static unsigned passed_fds(struct msghdr *mh, int *fds, unsigned cap)
{
	unsigned n = 0;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		size_t len;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
		    cm->cmsg_len < CMSG_LEN(0))
			continue;
		len = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < len; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (n < cap)
				fds[n++] = fd;
			else
				close(fd); /* cannot happen: the buffer holds @cap at most */
		}
	}
	return n;
}

/*
 * The request: one line, read until its LF (a client may send it in pieces)
 * within CLIENT_TIMEOUT of its first piece; the descriptors come with that
 * piece, and any sent later are dropped by the kernel (recv() without a
 * control buffer).
 * Return: its length (0 if the client sent nothing).
 */
static size_t read_request(int c, char *req, int *fds, unsigned *nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * PASSED_FDS_MAX)];
	struct iovec iov = {req, VOUCH_CTL_REQUEST_MAX + 1};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	ssize_t n = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
	struct timespec start, now;
	size_t len;

	/* Taken whatever the message holds (MSG_CTRUNC too: what did not fit was never
	 * ours), and every one closed by the caller. */
	*nfds = n >= 0 ? passed_fds(&mh, fds, PASSED_FDS_MAX) : 0;
	if (n <= 0)
		return 0;
	len = (size_t)n;
	clock_gettime(CLOCK_MONOTONIC, &start);
	/* One byte past the cap is read, so that the parser sees a request too long. The
	 * whole line within CLIENT_TIMEOUT: a byte now and then buys no more time. */
	while (len <= VOUCH_CTL_REQUEST_MAX && !memchr(req, '\n', len)) {
		struct pollfd p = {c, POLLIN, 0};
		int left;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = CLIENT_TIMEOUT * 1000 - (int)((now.tv_sec - start.tv_sec) * 1000 +
		                                     (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0 || poll(&p, 1, left) <= 0)
			break; /* too slow: what came is parsed */
		n = recv(c, req + len, VOUCH_CTL_REQUEST_MAX + 1 - len, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break; /* closed: what came is parsed */
		len += (size_t)n;
	}
	return len;
}

/* The answer to a request that did not parse (@ret), saying what a client needs to know. */
static void refuse(struct vouch_ctl_out *o, const struct vouch_ctl_request *r, int ret)
{
	if (ret == VOUCH_E_CTL_VERSION && r->version == 0)
		vouch_ctl_out_fail(o, VOUCH_CTL_WRONG_VERSION,
		                   "this vouchd (%s) speaks %s and the request names no protocol: "
		                   "use the vouch of vouchd's version",
		                   VOUCH_VERSION, VOUCH_CTL_PROTOCOL);
	else if (ret == VOUCH_E_CTL_VERSION)
		vouch_ctl_out_fail(o, VOUCH_CTL_WRONG_VERSION,
		                   "this vouchd (%s) speaks %s, not vouch-ctl/%u: use the vouch of "
		                   "vouchd's version",
		                   VOUCH_VERSION, VOUCH_CTL_PROTOCOL, r->version);
	else if (ret == VOUCH_E_EMPTY)
		vouch_ctl_out_fail(o, VOUCH_CTL_USAGE, "no request came (one line: %s VERB ...)",
		                   VOUCH_CTL_PROTOCOL);
	else if (ret == VOUCH_E_CTL && r->verb == VOUCH_CTL_NONE)
		vouch_ctl_out_fail(o, VOUCH_CTL_UNKNOWN, "unknown request (%s)",
		                   vouch_ctl_verb_usage(VOUCH_CTL_NONE));
	else if (r->verb != VOUCH_CTL_NONE)
		vouch_ctl_out_fail(o, VOUCH_CTL_USAGE, "usage: %s", vouch_ctl_verb_usage(r->verb));
	else
		vouch_ctl_out_fail(o, VOUCH_CTL_USAGE,
		                   "a request is one line of at most %d bytes: %s",
		                   VOUCH_CTL_REQUEST_MAX, vouch_strerror(ret));
}

static void send_all(int c, const char *p, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t w = send(c, p + off, len - off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break; /* gone, or too slow (SO_SNDTIMEO): its loss */
		off += (size_t)w;
	}
}

/* One client: one request line (and, for "why", one descriptor), one answer. */
static void serve(struct conn *cn)
{
	struct daemon *d = cn->d;
	char req[VOUCH_CTL_REQUEST_MAX + 1];
	struct timeval tv = {CLIENT_TIMEOUT, 0};
	gid_t groups[64];
	socklen_t gl = sizeof(groups);
	unsigned ngroups = 0, nfds = 0;
	int fds[PASSED_FDS_MAX], c = cn->fd, ret;
	struct vouch_ctl_request r;
	struct vouch_ctl_out *o = NULL;
	const char *text;
	size_t len;

	if (getsockopt(c, SOL_SOCKET, SO_PEERGROUPS, groups, &gl) == 0)
		ngroups = gl / sizeof(gid_t);
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	len = read_request(c, req, fds, &nfds);
	/* Composed in memory, then sent: no lock is held while a slow client reads. */
	ret = vouch_ctl_out_create(&o);
	if (ret == 0) {
		ret = vouch_ctl_request_parse(&r, req, len);
		if (ret != 0)
			refuse(o, &r, ret);
		else if (r.verb == VOUCH_CTL_STATUS)
			do_status(d, o);
		else if (r.verb == VOUCH_CTL_WHY)
			do_why(d, o, nfds == 1 ? fds[0] : -1, &cn->cred, groups, ngroups);
		else if (r.verb == VOUCH_CTL_RELOAD)
			do_reload(d, o, cn->cred.uid);
		else if (r.verb == VOUCH_CTL_LOG)
			do_log(d, o, r.arg[0], r.arg[1], cn->cred.uid);
		else if (r.verb == VOUCH_CTL_PROVE || r.verb == VOUCH_CTL_CONSISTENCY)
			do_proof(d, o, r.arg[0], cn->cred.uid, r.verb == VOUCH_CTL_PROVE);
		else if (r.verb == VOUCH_CTL_SEEN)
			do_seen(d, o, r.arg[0], cn->cred.uid);
		else
			refuse(o, &r, VOUCH_E_CTL); /* a verb the codec knows and vouchd not yet */
		ret = vouch_ctl_out_text(o, &text, &len);
	}
	if (ret == 0) {
		send_all(c, text, len);
	} else {
		char fb[VOUCH_CTL_REASON_MAX + 64], why[128];

		/* The answer could not be built (memory, or a bug): say so, still in the protocol.
		 */
		snprintf(why, sizeof(why), "vouchd could not compose its answer: %s",
		         vouch_strerror(ret));
		if (vouch_ctl_answer_format(fb, sizeof(fb), &len, VOUCH_CTL_SYSTEM_ERROR, why) == 0)
			send_all(c, fb, len);
	}
	vouch_ctl_out_destroy(o);
	for (unsigned i = 0; i < nfds; i++)
		close(fds[i]);
	close(c);
}

static void conn_release(uid_t uid)
{
	pthread_mutex_lock(&conn_lock);
	for (unsigned i = 0; i < nconns; i++)
		if (conns[i].uid == uid) {
			if (--conns[i].n == 0)
				conns[i] = conns[--nconns];
			break;
		}
	conns_total--;
	pthread_mutex_unlock(&conn_lock);
}

/* May @uid have one more connection now? Counted if so. */
static bool conn_admit(uid_t uid)
{
	unsigned i;
	bool ok = false;

	pthread_mutex_lock(&conn_lock);
	for (i = 0; i < nconns && conns[i].uid != uid; i++)
		;
	if (uid == 0 ? conns_total < CONTROL_MAX
	             : conns_total < CONTROL_MAX - CONTROL_ROOT &&
	                   (i == nconns || conns[i].n < CONTROL_USER_MAX)) {
		if (i == nconns) {
			conns[nconns].uid = uid;
			conns[nconns++].n = 0;
		}
		conns[i].n++;
		conns_total++;
		ok = true;
	}
	pthread_mutex_unlock(&conn_lock);
	return ok;
}

static void *handler_main(void *arg)
{
	struct conn *cn = arg;
	uid_t uid = cn->cred.uid;
	struct daemon *d = cn->d;

	self_add(d);
	pthread_setname_np(pthread_self(), "vouchd-request");
	serve(cn);
	free(cn);
	self_remove(d);
	conn_release(uid);
	return NULL;
}

static void accept_one(struct daemon *d)
{
	pthread_attr_t attr;
	struct conn *cn;
	socklen_t cl = sizeof(cn->cred);
	int c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (c < 0)
		return;
	cn = malloc(sizeof(*cn));
	if (!cn || getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cn->cred, &cl) != 0) {
		free(cn);
		close(c);
		return;
	}
	cn->d = d;
	cn->fd = c;
	if (!conn_admit(cn->cred.uid)) {
		uint64_t k = atomic_fetch_add(&conns_refused, 1) + 1;

		logf_pow2(k, "vouchd: control: uid %u has %d requests open: refused (%llu so far)",
		          (unsigned)cn->cred.uid, CONTROL_USER_MAX, (unsigned long long)k);
		{
			char drop[VOUCH_CTL_REQUEST_MAX], busy[VOUCH_CTL_REASON_MAX + 64];
			size_t len;

			/* Its request read first: a close with data unread would reset the
			 * connection before the client read why. */
			if (recv(c, drop, sizeof(drop), MSG_DONTWAIT) < 0 && errno != EAGAIN)
				(void)0;
			if (vouch_ctl_answer_format(busy, sizeof(busy), &len, VOUCH_CTL_BUSY,
			                            "busy: too many requests from you at once, try "
			                            "again") == 0 &&
			    send(c, busy, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				(void)0; /* it may not even read */
		}
		close(c);
		free(cn);
		return;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, HANDLER_STACK);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	{
		pthread_t t;

		if (pthread_create(&t, &attr, handler_main, cn) != 0) {
			conn_release(cn->cred.uid);
			close(c);
			free(cn);
		}
	}
	pthread_attr_destroy(&attr);
}

void *control_main(void *arg)
{
	struct daemon *d = arg;
	sigset_t mask;
	int sig;

	self_add(d);
	pthread_setname_np(pthread_self(), "vouchd-control");
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sig = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	for (;;) {
		struct pollfd p[2] = {{sig, POLLIN, 0}, {listen_fd, POLLIN, 0}};
		struct signalfd_siginfo si;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			logf_("vouchd: control: poll: %s", strerror(errno));
			usleep(10000);
			continue;
		}
		if (p[1].revents & POLLIN)
			accept_one(d);
		if (!(p[0].revents & POLLIN) || read(sig, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGHUP) {
			char err[300];

			if (policy_load(d, err, sizeof(err)) == 0) {
				logf_("vouchd: policy reloaded");
				notify_systemd("STATUS=enforcing the installed policy");
			} else
				logf_("vouchd: policy not reloaded, the old one stays in force: %s",
				      err);
			continue;
		}
		break; /* SIGTERM, SIGINT */
	}
	{
		uint64_t one = 1;

		/* Wakes the fanotify thread and the mount watcher; neither reads it. */
		if (write(d->main.wake, &one, sizeof(one)) != sizeof(one))
			logf_("vouchd: cannot wake the other threads: %s", strerror(errno));
	}
	if (sig >= 0)
		close(sig);
	return NULL;
}

/* Wait (bounded) for the connections being served to finish. */
void control_drain(void)
{
	for (int i = 0; i < 300; i++) {
		unsigned n;

		pthread_mutex_lock(&conn_lock);
		n = conns_total;
		pthread_mutex_unlock(&conn_lock);
		if (n == 0)
			return;
		usleep(10000);
	}
}
