/* SPDX-License-Identifier: Apache-2.0 */
/* vouchd's control thread: signals, the control socket, new mounts, systemd readiness. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
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

#define REQ_MAX        256    /* a request is one short line */
#define CLIENT_TIMEOUT 1      /* seconds a client may take to send its request */
#define LOG_REPLY_MAX  1000   /* entries in one answer to "log" */
#define LOG_SCAN_MAX   100000 /* entries read for one answer (a user's are a few of all) */

#define HANDLER_STACK  (512 * 1024)
#define PASSED_FDS_MAX 4 /* descriptors read from one request; more are never received */

/*
 * Connections: each is served by a thread of its own, so that nobody's slow or
 * silent client delays anyone else's request. A user other than root may have
 * CONTROL_USER_MAX at once, and all such users together leave CONTROL_ROOT free
 * for root; beyond that a connection gets one line ("error busy ...") and is
 * closed at once.
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

static void put(FILE *f, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void put(FILE *f, const char *key, const char *fmt, ...)
{
	va_list ap;

	fprintf(f, "%s\t", key);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

/* Values go on one line: control characters (and tabs) become '?'. */
static const char *oneline(const char *s, char *buf, size_t cap)
{
	size_t i;

	for (i = 0; s[i] && i < cap - 1; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

static void policy_lines(struct daemon *d, FILE *f)
{
	const struct vouch_cpolicy *cp;
	char hex[65];

	pthread_rwlock_rdlock(&d->plock);
	cp = vouch_store_policy(d->pol->store);
	vouch_hex(cp->source_sha256, 32, hex);
	put(f, "mode", "%s", vouch_mode_name(cp->mode));
	put(f, "policy_compiled", "%lld", (long long)cp->compiled);
	put(f, "policy_expires", "%lld", (long long)cp->expires);
	put(f, "policy_sha256", "%s", hex);
	put(f, "policy_hashes", "%llu", (unsigned long long)vouch_store_count(d->pol->store));
	put(f, "policy_generation", "%u", d->pol->gen);
	pthread_rwlock_unlock(&d->plock);
}

static void do_status(struct daemon *d, FILE *f)
{
	struct queue_stats qs;
	char buf[300];

	fputs("ok\n", f);
	put(f, "version", "%s", VOUCH_VERSION);
	put(f, "pid", "%d", (int)d->self);
	put(f, "started", "%lld", (long long)d->started);
	policy_lines(d, f);
	put(f, "workers", "%u", d->nworkers);
	put(f, "workers_per_user", "%u", d->q.user_running);
	queue_stats(&d->q, &qs);
	put(f, "queue_depth", "%u", qs.len);
	put(f, "queue_max", "%u", qs.max);
	put(f, "queue_capacity", "%u", qs.cap);
	put(f, "queue_users", "%u", qs.lanes);
	put(f, "queue_running", "%u", qs.running);
	put(f, "events", "%llu", (unsigned long long)atomic_load(&d->c.events));
	put(f, "decisions", "%llu", (unsigned long long)atomic_load(&d->c.decisions));
	put(f, "cache_hits", "%llu", (unsigned long long)atomic_load(&d->c.hits));
	put(f, "opens_nowait", "%llu", (unsigned long long)atomic_load(&d->c.nowait));
	put(f, "denials", "%llu", (unsigned long long)atomic_load(&d->c.denials));
	put(f, "would_deny", "%llu", (unsigned long long)atomic_load(&d->c.would_deny));
	put(f, "queue_full", "%llu", (unsigned long long)atomic_load(&d->c.queue_full));
	put(f, "user_limited", "%llu", (unsigned long long)atomic_load(&d->c.user_limited));
	put(f, "hash_errors", "%llu", (unsigned long long)atomic_load(&d->c.hash_errors));
	put(f, "read_errors", "%llu", (unsigned long long)atomic_load(&d->c.read_errors));
	put(f, "unrecorded", "%llu", (unsigned long long)atomic_load(&d->c.unrecorded));
	put(f, "stat_errors", "%llu", (unsigned long long)atomic_load(&d->c.stat_errors));
	put(f, "fd_limit", "%ld", d->fd_limit);
	put(f, "events_held", "%ld", (long)atomic_load(&d->events_held));
	put(f, "events_max", "%ld", d->events_max);
	put(f, "leases_held", "%u", atomic_load(&d->leases.count));
	put(f, "leases_taken", "%llu", (unsigned long long)atomic_load(&d->leases.taken));
	put(f, "leases_refused_writers", "%llu",
	    (unsigned long long)atomic_load(&d->leases.refused_writers));
	put(f, "leases_broken_during_check", "%llu",
	    (unsigned long long)atomic_load(&d->leases.broken_during));
	put(f, "leases_released_broken", "%llu",
	    (unsigned long long)atomic_load(&d->leases.released_broken));
	put(f, "leases_user_full", "%llu", (unsigned long long)atomic_load(&d->leases.user_full));
	put(f, "notices", "%llu", (unsigned long long)atomic_load(&d->notices.written));
	put(f, "notices_dropped", "%llu", (unsigned long long)atomic_load(&d->notices.dropped));
	put(f, "control_refused", "%llu", (unsigned long long)atomic_load(&conns_refused));
	put(f, "threads_unregistered", "%u", self_unregistered(d));
	if (d->log) {
		struct dlog *l = d->log;

		put(f, "log_dir", "%s", oneline(l->dir, buf, sizeof(buf)));
		put(f, "log_entries", "%llu", (unsigned long long)atomic_load(&l->size));
		put(f, "log_checkpointed", "%llu", (unsigned long long)atomic_load(&l->committed));
		put(f, "log_checkpoint_time", "%lld", (long long)atomic_load(&l->checkpoint_time));
		put(f, "log_dropped", "%llu", (unsigned long long)atomic_load(&l->dropped));
		put(f, "log_lost", "%llu", (unsigned long long)atomic_load(&l->lost));
		put(f, "log_rate_limited", "%llu", (unsigned long long)atomic_load(&l->limited));
		put(f, "log_summaries", "%llu", (unsigned long long)atomic_load(&l->summaries));
		if (atomic_load(&l->witnessed))
			put(f, "log_seen", "%llu", (unsigned long long)atomic_load(&l->seen));
		pthread_mutex_lock(&l->lock);
		if (l->error[0]) {
			put(f, "log_error", "%s", oneline(l->error, buf, sizeof(buf)));
			put(f, "log_error_time", "%lld", (long long)l->error_time);
		}
		pthread_mutex_unlock(&l->lock);
	} else {
		put(f, "log_dir", "%s", "");
	}
	pthread_mutex_lock(&d->marks.lock);
	put(f, "marks_refused", "%llu", (unsigned long long)d->marks.refused);
	for (unsigned i = 0; i < d->marks.nfs; i++) {
		const struct marked_fs *m = &d->marks.fs[i];

		put(f, "filesystem", "%u:%u %s %s", major((dev_t)m->dev), minor((dev_t)m->dev),
		    oneline(m->fstype, buf, 64), oneline(m->point, buf + 64, sizeof(buf) - 64));
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
static void do_why(struct daemon *d, FILE *f, int fd, const struct ucred *cred, const gid_t *groups,
                   unsigned ngroups)
{
	static const uint32_t access[2] = {CACHE_EXEC, CACHE_OPEN};
	struct vouch_decision dec;
	struct cache_val v;
	struct cache_key k;
	struct stat st;
	char hex[65], buf[600], msg[VOUCH_MESSAGE_MAX + 1];

	if (fd < 0 || stat_nosync(fd, "", AT_EMPTY_PATH, &st) != 0) {
		fputs("error no file was passed\n", f);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		fputs("error not a regular file: vouchd decides only regular files\n", f);
		return;
	}
	if (!peer_may_read(&st, cred, groups, ngroups)) {
		fputs("error you may not read this file, so vouchd does not say what it decided "
		      "about it (ask its owner or root)\n",
		      f);
		return;
	}
	if (file_user_writable(&st)) {
		fputs("error vouchd remembers no verdict about a file that users can change: each "
		      "run is decided afresh (see 'vouch check')\n",
		      f);
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
			fputs("ok\n", f);
			vouch_hex(v.sha256, 32, hex);
			put(f, "sha256", "%s", hex);
			put(f, "access", "%s", i == 0 ? "exec" : "open");
			put(f, "verdict", "%s",
			    dec.allow ? (dec.would_deny ? "would-deny" : "allow") : "deny");
			put(f, "rule", "%s", vouch_rule_name(dec.rule));
			put(f, "reason", "%s", oneline(dec.reason, buf, sizeof(buf)));
			if (dec.message)
				put(f, "message", "%s", oneline(dec.message, buf, sizeof(buf)));
			put(f, "mode", "%s", atomic_load(&d->enforce) ? "enforce" : "monitor");
		}
		return;
	}
	fputs("error vouchd has not decided this file as code since its policy was loaded\n", f);
}

/* "seen N" (root): a witness has the log up to N entries; retention keeps them from there. */
static void do_seen(struct daemon *d, FILE *f, const char *args, uid_t uid)
{
	unsigned long long n;
	char err[300], c;

	if (uid != 0) {
		fputs("error only root may say what a witness has seen\n", f);
		return;
	}
	if (sscanf(args, "%llu%c", &n, &c) != 1) {
		fputs("error usage: seen SIZE\n", f);
		return;
	}
	if (!d->log) {
		fputs("error vouchd keeps no log (--no-log)\n", f);
		return;
	}
	if (dlog_seen(d, n, err, sizeof(err)) != 0) {
		fprintf(f, "error %s\n", oneline(err, err, sizeof(err)));
		return;
	}
	fputs("ok\n", f);
	put(f, "log_seen", "%llu", n);
}

static void do_reload(struct daemon *d, FILE *f, uid_t uid)
{
	char err[300];

	if (uid != 0) {
		fputs("error only root may reload the policy\n", f);
		return;
	}
	if (policy_load(d, err, sizeof(err)) != 0) {
		fprintf(f, "error %s\n", oneline(err, err, sizeof(err)));
		return;
	}
	logf_("vouchd: policy reloaded (asked by uid 0)");
	do_status(d, f);
}

/* The log as its last checkpoint has it; false with the error answered if there is none. */
static bool log_open(struct daemon *d, FILE *f, struct vouch_log_reader **r)
{
	int ret;

	if (!d->log) {
		fputs("error vouchd keeps no log (--no-log)\n", f);
		return false;
	}
	ret = vouch_log_reader_open(r, d->log->dir, &d->log->key.v);
	if (ret) {
		fprintf(f, "error %s: %s\n", d->log->dir, vouch_strerror(ret));
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
static void do_log(struct daemon *d, FILE *f, const char *args, uid_t uid)
{
	struct vouch_log_reader *r;
	unsigned long long from, max;
	char *scratch, *body = NULL;
	size_t bodylen = 0;
	uint64_t i, size, scanned = 0;
	FILE *b;
	int ret = 0;

	if (sscanf(args, "%llu %llu", &from, &max) != 2 || max == 0 || max > LOG_REPLY_MAX) {
		fputs("error usage: log FROM MAX\n", f);
		return;
	}
	if (!log_open(d, f, &r))
		return;
	scratch = malloc(VOUCH_ENTRY_MAX + 8);
	b = open_memstream(&body, &bodylen);
	if (!scratch || !b) {
		if (b)
			fclose(b);
		free(body);
		free(scratch);
		vouch_log_reader_close(r);
		fputs("error out of memory\n", f);
		return;
	}
	size = vouch_log_reader_checkpoint(r)->size;
	i = from < vouch_log_reader_pruned(r) ? vouch_log_reader_pruned(r) : from;
	/* Bounded work per request: the client asks again from "next". */
	for (; i < size && max > 0 && scanned < LOG_SCAN_MAX; i++, scanned++) {
		const char *data;
		size_t len;

		/* Only what matches the signed checkpoint is given out. */
		ret = vouch_log_reader_entry_checked(r, i, &data, &len);
		if (ret == VOUCH_E_LOG)
			break;
		if (ret != 0 || !visible(data, len, uid, scratch)) {
			ret = 0;
			continue;
		}
		fprintf(b, "entry\t%llu ", (unsigned long long)i);
		fwrite(data, 1, len, b);
		fputc('\n', b);
		max--;
	}
	fclose(b);
	if (ret == VOUCH_E_LOG) {
		fprintf(f,
		        "error the log does not match its signed checkpoint at entry %llu (see "
		        "'vouch log verify')\n",
		        (unsigned long long)i);
	} else {
		fputs("ok\n", f);
		put(f, "size", "%llu", (unsigned long long)size);
		put(f, "first", "%llu", (unsigned long long)vouch_log_reader_pruned(r));
		fwrite(body, 1, bodylen, f);
		put(f, "next", "%llu", (unsigned long long)i);
	}
	free(body);
	free(scratch);
	vouch_log_reader_close(r);
}

/* "prove N" (the asker's own entry, or any for root) and "consistency N" (anyone). */
static void do_proof(struct daemon *d, FILE *f, const char *args, uid_t uid, bool inclusion)
{
	struct vouch_log_reader *r;
	unsigned long long n;
	char *text = NULL, *p, *nl;
	size_t len = 0;
	int ret = 0;

	if (sscanf(args, "%llu", &n) != 1) {
		fputs("error usage: prove INDEX, or consistency SIZE\n", f);
		return;
	}
	if (!log_open(d, f, &r))
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
			fputs(
			    "error entry is not yours: only root may prove another user's entry\n",
			    f);
			vouch_log_reader_close(r);
			return;
		}
	}
	if (!ret)
		ret = inclusion ? vouch_log_reader_proof_text(r, n, &text, &len)
		                : vouch_log_reader_consistency_text(r, n, &text, &len);
	vouch_log_reader_close(r);
	if (ret) {
		fprintf(f, "error %s %llu: %s\n", inclusion ? "entry" : "size", n,
		        vouch_strerror(ret));
		return;
	}
	fputs("ok\n", f);
	for (p = text; p < text + len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(text + len - p));
		if (!nl)
			break;
		fprintf(f, "line\t%.*s\n", (int)(nl - p), p);
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

/* One client: one request line (and, for "why", one descriptor), one answer. */
static void serve(struct conn *cn)
{
	struct daemon *d = cn->d;
	char req[REQ_MAX + 1], cbuf[CMSG_SPACE(sizeof(int) * PASSED_FDS_MAX)];
	struct iovec iov = {req, REQ_MAX};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct timeval tv = {CLIENT_TIMEOUT, 0};
	gid_t groups[64];
	socklen_t gl = sizeof(groups);
	unsigned ngroups = 0, nfds = 0;
	int fds[PASSED_FDS_MAX], c = cn->fd;
	ssize_t n;
	FILE *f;
	char *out = NULL;
	size_t outlen = 0;

	if (getsockopt(c, SOL_SOCKET, SO_PEERGROUPS, groups, &gl) == 0)
		ngroups = gl / sizeof(gid_t);
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	n = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
	/* Taken whatever the message holds (MSG_CTRUNC too: what did not fit was never
	 * ours), and every one closed below. */
	if (n >= 0)
		nfds = passed_fds(&mh, fds, PASSED_FDS_MAX);
	/* Composed in memory, then sent: no lock is held while a slow client reads. */
	f = open_memstream(&out, &outlen);
	if (f) {
		req[n > 0 ? n : 0] = '\0';
		req[strcspn(req, "\r\n")] = '\0';
		if (!strcmp(req, "status"))
			do_status(d, f);
		else if (!strcmp(req, "why"))
			do_why(d, f, nfds == 1 ? fds[0] : -1, &cn->cred, groups, ngroups);
		else if (!strcmp(req, "reload"))
			do_reload(d, f, cn->cred.uid);
		else if (!strncmp(req, "log ", 4))
			do_log(d, f, req + 4, cn->cred.uid);
		else if (!strncmp(req, "prove ", 6))
			do_proof(d, f, req + 6, cn->cred.uid, true);
		else if (!strncmp(req, "consistency ", 12))
			do_proof(d, f, req + 12, cn->cred.uid, false);
		else if (!strncmp(req, "seen ", 5))
			do_seen(d, f, req + 5, cn->cred.uid);
		else
			fputs("error unknown request (status, why, reload, log, prove, consistency "
			      "or "
			      "seen)\n",
			      f);
		if (fclose(f) == 0) {
			for (size_t off = 0; off < outlen;) {
				ssize_t w = send(c, out + off, outlen - off, MSG_NOSIGNAL);

				if (w <= 0)
					break; /* gone, or too slow (SO_SNDTIMEO): its loss */
				off += (size_t)w;
			}
		}
		free(out);
	}
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
	static const char busy[] = "error busy: too many requests from you at once, try again\n";
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
			char drop[REQ_MAX];

			/* Its request read first: a close with data unread would reset the
			 * connection before the client read why. */
			if (recv(c, drop, sizeof(drop), MSG_DONTWAIT) < 0 && errno != EAGAIN)
				(void)0;
			if (send(c, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
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

			if (policy_load(d, err, sizeof(err)) == 0)
				logf_("vouchd: policy reloaded");
			else
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
