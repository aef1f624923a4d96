/* SPDX-License-Identifier: Apache-2.0 */
/* vouchd: answers fanotify permission events with the installed policy's decisions. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "vouch-config.h"

#define CACHE_BITS    16 /* 65536 verdicts, fixed at start */
#define EVENT_BUF     (64 * 1024)
#define STATE_DEFAULT "/var/lib/vouch"
#define QUEUE_DEFAULT 1024

static void help(void)
{
	printf("Usage: vouchd [--foreground] [--state DIR] [--watch PATH...] [--policy BUNDLE "
	       "--key PUBKEY]\n"
	       "       vouchd --list-filesystems\n"
	       "\n"
	       "Enforce the policy installed in DIR (by 'vouch policy install', or by\n"
	       "--policy) with fanotify: every exec, every open of an ELF object and every\n"
	       "#! script is allowed or denied by the policy's decision. Without --watch,\n"
	       "every local filesystem is marked, in every mount namespace, and new ones as\n"
	       "they are mounted. Prints \"ready\" once every filesystem is marked and the\n"
	       "policy is enforced. SIGHUP or 'vouch reload' reloads the policy with no gap;\n"
	       "SIGTERM stops. 'vouch status' shows what it is doing.\n"
	       "\n"
	       "  --foreground       log to standard error (vouchd never forks either way)\n"
	       "  --state DIR        the state directory (default %s)\n"
	       "  --watch PATH       mark only the filesystem holding PATH and those mounted\n"
	       "                     below it later (repeatable; never the filesystem of /)\n"
	       "  --policy BUNDLE    install this signed bundle first (needs --key)\n"
	       "  --key PUBKEY       the owner's public key that must have signed BUNDLE\n"
	       "  --workers N        threads that hash and decide (default: CPUs, 2..16)\n"
	       "  --queue N          events waiting for a worker, at most (default %d)\n"
	       "  --log-dir DIR      the decision log (default DIR/log of --state)\n"
	       "  --log-name NAME    the log's name in its checkpoints, used when the device\n"
	       "                     key is first made (default HOSTNAME/vouch)\n"
	       "  --log-max-size N   retention: keep the log's files under N bytes (K, M, G;\n"
	       "                     default 1G; 0: keep everything)\n"
	       "  --log-interval MS  publish a checkpoint this often while decisions arrive\n"
	       "                     (default 1000)\n"
	       "  --no-log           record nothing\n"
	       "  --list-filesystems print the filesystems that would be marked, and exit\n"
	       "  -h, --help         show this help\n"
	       "      --version      show the version\n",
	       STATE_DEFAULT, QUEUE_DEFAULT);
}

void logf_(const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line); /* one write per line: threads do not interleave */
}

int policy_load(struct daemon *d, char *err, size_t errlen)
{
	struct policy *p = calloc(1, sizeof(*p)), *old;
	int ret;

	if (!p) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	ret = vouch_store_open(&p->store, d->store_path);
	if (!ret)
		ret = vouch_store_reader_create(p->store, &p->reader);
	if (ret) {
		snprintf(err, errlen, "%s: cannot open the trust store: %s", d->store_path,
		         vouch_strerror(ret));
		vouch_store_close(p->store);
		free(p);
		return ret;
	}
	/* The old policy stays in force until the new one is whole: no gap in enforcement. */
	pthread_rwlock_wrlock(&d->plock);
	old = d->pol;
	p->gen = old ? old->gen + 1 : 1;
	d->pol = p;
	atomic_store(&d->gen, p->gen);
	atomic_store(&d->enforce, vouch_store_policy(p->store)->mode == VOUCH_MODE_ENFORCE);
	pthread_rwlock_unlock(&d->plock);
	dlog_policy(d);
	if (old) {
		vouch_store_reader_destroy(old->reader);
		vouch_store_close(old->store);
		free(old);
	}
	return 0;
}

void self_thread(struct daemon *d)
{
	unsigned i = atomic_fetch_add(&d->ntids, 1);

	if (i < sizeof(d->tids) / sizeof(d->tids[0]))
		atomic_store(&d->tids[i], gettid());
}

static bool is_self(struct daemon *d, pid_t tid)
{
	unsigned n = atomic_load(&d->ntids);

	for (unsigned i = 0; i < n && i < sizeof(d->tids) / sizeof(d->tids[0]); i++)
		if (atomic_load(&d->tids[i]) == tid)
			return true;
	return false;
}

static struct exec_token *token_slot(struct daemon *d, pid_t tid)
{
	return &d->tok[(uint32_t)tid % EXEC_TOKENS];
}

void exec_token_put(struct daemon *d, pid_t tid, const struct cache_key *key)
{
	struct exec_token *t = token_slot(d, tid);

	pthread_mutex_lock(&d->toklock);
	t->key = *key;
	atomic_store(&t->tid, tid);
	pthread_mutex_unlock(&d->toklock);
}

/*
 * Take the token an allowed exec of this file state (@key, an open's key) by this
 * thread left, if any. The put happens before the exec's answer, and so before
 * this thread's next event: a slot without this tid has no token for it.
 */
static bool exec_token_take(struct daemon *d, pid_t tid, const struct cache_key *key)
{
	struct exec_token *t = token_slot(d, tid);
	struct cache_key k;
	bool hit;

	if (atomic_load(&t->tid) != tid)
		return false;
	k = *key;
	k.access = CACHE_EXEC;
	pthread_mutex_lock(&d->toklock);
	hit = atomic_load(&t->tid) == tid && memcmp(&t->key, &k, sizeof(k)) == 0;
	if (hit)
		atomic_store(&t->tid, 0);
	pthread_mutex_unlock(&d->toklock);
	return hit;
}

/* The fanotify thread's part: a cached verdict is answered here; the rest is queued. */
static void on_event(struct daemon *d, const struct fanotify_event_metadata *md)
{
	struct cache_val v;
	struct job j;
	struct stat st;

	if (is_self(d, md->pid)) {
		/* vouchd's own opens (the store, /proc): answering them through a worker
		 * could wait on itself. vouchd runs no code from them. */
		answer(d, md->fd, FAN_ALLOW);
		close(md->fd);
		return;
	}
	if (fstat(md->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		answer(d, md->fd, FAN_ALLOW); /* only regular files hold code the kernel maps */
		close(md->fd);
		return;
	}
	/* Keyed on the access, known from the mask: a hit costs no read of the file. */
	cache_key_from_stat(&j.key, &st, (md->mask & FAN_OPEN_EXEC_PERM) ? CACHE_EXEC : CACHE_OPEN);
	if (j.key.access == CACHE_OPEN && exec_token_take(d, md->pid, &j.key)) {
		answer(d, md->fd, FAN_ALLOW); /* the open half of an exec just allowed */
		close(md->fd);
		return;
	}
	j.fd = md->fd;
	j.mask = (uint32_t)md->mask;
	j.pid = md->pid;
	j.size = (uint64_t)st.st_size;
	j.owner = st.st_uid;
	j.user_writable = file_user_writable(&st);
	if (cache_get(d->cache, &j.key, atomic_load(&d->gen), &v)) {
		if (v.code) {
			atomic_fetch_add(&d->c.decisions, 1);
			atomic_fetch_add(&d->c.hits, 1);
		}
		if (v.would_deny)
			atomic_fetch_add(&d->c.would_deny, 1);
		cached_answer(d, &j, &v);
		if (v.allow && j.key.access == CACHE_EXEC)
			exec_token_put(d, j.pid, &j.key);
		answer(d, md->fd, v.allow ? FAN_ALLOW : FAN_DENY);
		close(md->fd);
		return;
	}
	if (work_push(d, &j))
		return; /* the worker answers and closes */
	/* Full: answered now as the mode says, never dropped and never waited on. */
	{
		bool enforce = atomic_load(&d->enforce);
		uint64_t n = atomic_fetch_add(&d->c.queue_full, 1);

		if ((n & (n - 1)) == 0) /* logged at 1, 2, 4, 8...: loud, not a flood */
			logf_("vouchd: queue full (%u waiting): %s pid %d (%llu times so far)",
			      d->qcap, enforce ? "denied" : "allowed", (int)md->pid,
			      (unsigned long long)n + 1);
		answer(d, md->fd, enforce ? FAN_DENY : FAN_ALLOW);
		close(md->fd);
	}
}

static int fan_loop(struct daemon *d)
{
	static char buf[EVENT_BUF]
	    __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));

	for (;;) {
		struct pollfd p[2] = {{d->fan, POLLIN, 0}, {d->wake, POLLIN, 0}};
		const struct fanotify_event_metadata *md = (const void *)buf;
		ssize_t len;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[1].revents & POLLIN)
			return 0;
		len = read(d->fan, buf, sizeof(buf));
		if (len < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (len < 0)
			return -errno;
		for (; FAN_EVENT_OK(md, len); md = FAN_EVENT_NEXT(md, len)) {
			if (md->vers != FANOTIFY_METADATA_VERSION)
				return -EPROTO;
			if (md->fd < 0)
				continue; /* FAN_UNLIMITED_QUEUE: no overflow, no event ever dropped
				           */
			if (md->mask & FAN_MASK_GATED)
				on_event(d, md);
			else
				close(md->fd);
		}
	}
}

static int parse_count(const char *opt, const char *arg, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || v < lo || v > hi) {
		fprintf(stderr, "vouchd: %s %s: not a number from %u to %u\n", opt, arg, lo, hi);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* --policy BUNDLE --key PUBKEY: verified and installed exactly as 'vouch policy install'. */
static int install_policy(const char *state, const char *bundle, const char *keyfile)
{
	struct vouch_pubkey pk;
	struct vouch_bundle b;
	struct vouch_sig sig;
	struct vouch_install_info info;
	char *key = NULL, *data = NULL;
	size_t klen, len;
	int ret;

	memset(&b, 0, sizeof(b));
	ret = vouch_file_read(keyfile, 4096, &key, &klen);
	if (!ret)
		ret = vouch_pubkey_parse(&pk, key, klen);
	free(key);
	if (ret) {
		fprintf(stderr, "vouchd: %s: not a usable public key: %s\n", keyfile,
		        vouch_strerror(ret));
		return ret;
	}
	ret = vouch_file_read(bundle, VOUCH_BUNDLE_MAX, &data, &len);
	if (!ret)
		ret = vouch_bundle_parse(&b, &sig, (uint8_t *)data, len);
	if (!ret)
		ret = vouch_policy_install(state, &b, &sig, (uint8_t *)data, len, &pk, 0,
		                           (int64_t)time(NULL), &info);
	if (ret == VOUCH_E_ROLLBACK)
		fprintf(stderr,
		        "vouchd: %s: refused: older than the policy installed in %s (use 'vouch "
		        "policy install --allow-rollback' to go back deliberately)\n",
		        bundle, state);
	else if (ret)
		fprintf(stderr, "vouchd: %s: not installed: %s\n", bundle, vouch_strerror(ret));
	vouch_bundle_free(&b);
	free(data);
	return ret;
}

/* "500M" and the like: bytes, with an optional K, M or G (powers of 1024). */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (*end || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"foreground", no_argument, NULL, 'F'},
	    {"state", required_argument, NULL, 'S'},
	    {"watch", required_argument, NULL, 'w'},
	    {"policy", required_argument, NULL, 'P'},
	    {"key", required_argument, NULL, 'k'},
	    {"workers", required_argument, NULL, 'W'},
	    {"queue", required_argument, NULL, 'Q'},
	    {"list-filesystems", no_argument, NULL, 'L'},
	    {"log-dir", required_argument, NULL, 'D'},
	    {"log-name", required_argument, NULL, 'N'},
	    {"log-max-size", required_argument, NULL, 'M'},
	    {"log-interval", required_argument, NULL, 'I'},
	    {"no-log", no_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {0},
	};
	const char *watch[MARKS_WATCHMAX], *state = STATE_DEFAULT, *bundle = NULL, *key = NULL;
	const char *logdir = NULL, *logname = NULL;
	struct dlog_opts lo = {.max_bytes = (uint64_t)1 << 30, .interval_ms = 1000, .queue = 16384};
	char logpath[PATH_MAX], defname[VOUCH_NOTE_NAME_MAX + 1];
	bool nolog = false;
	struct daemon d;
	pthread_t ctl, mnt;
	bool ctl_started = false, mnt_started = false, list = false, marks_ok = false;
	sigset_t mask;
	char err[400];
	unsigned nwatch = 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int c, rc = 2, ret;

	memset(&d, 0, sizeof(d));
	d.fan = d.wake = -1;
	d.qcap = QUEUE_DEFAULT;
	d.nworkers = ncpu < 2 ? 2 : ncpu > 16 ? 16 : (unsigned)ncpu;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			break;
		case 'S':
			state = optarg;
			break;
		case 'w':
			if (nwatch == MARKS_WATCHMAX) {
				fprintf(stderr, "vouchd: at most %d --watch paths\n",
				        MARKS_WATCHMAX);
				return 2;
			}
			watch[nwatch++] = optarg;
			break;
		case 'P':
			bundle = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'W':
			if (parse_count("--workers", optarg, 1, WORKERS_MAX, &d.nworkers))
				return 2;
			break;
		case 'Q':
			if (parse_count("--queue", optarg, 1, 65536, &d.qcap))
				return 2;
			break;
		case 'L':
			list = true;
			break;
		case 'D':
			logdir = optarg;
			break;
		case 'N':
			logname = optarg;
			if (!vouch_note_name_ok(logname)) {
				fprintf(stderr,
				        "vouchd: --log-name %s: 1 to 255 printable characters, "
				        "no space and no '+'\n",
				        optarg);
				return 2;
			}
			break;
		case 'M':
			if (parse_size(optarg, &lo.max_bytes)) {
				fprintf(stderr, "vouchd: --log-max-size %s: not a size like 500M\n",
				        optarg);
				return 2;
			}
			break;
		case 'I': {
			unsigned ms;

			if (parse_count("--log-interval", optarg, 10, 60000, &ms))
				return 2;
			lo.interval_ms = ms;
			break;
		}
		case 'n':
			nolog = true;
			break;
		case 'h':
			help();
			return 0;
		case 'V':
			printf("vouchd %s\n", VOUCH_VERSION);
			return 0;
		default:
			fprintf(
			    stderr,
			    "vouchd: %s: unknown option or missing argument (see vouchd --help)\n",
			    argv[optind - 1]);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "vouchd: %s: unexpected argument (see vouchd --help)\n",
		        argv[optind]);
		return 2;
	}
	if (!bundle != !key) {
		fprintf(stderr,
		        "vouchd: --policy and --key go together: a bundle is installed only "
		        "if the owner's key signed it (see vouchd --help)\n");
		return 2;
	}
	if (list) {
		/* What the default mode would mark, without marking anything. */
		if (marks_init(&d.marks, -1, 0, true) != 0)
			return 2;
		d.marks.dry_run = true;
		ret = marks_scan_namespaces(&d.marks);
		marks_free(&d.marks);
		return ret < 0 ? 2 : 0;
	}
	d.self = getpid();
	d.started = time(NULL);
	d.state = state;
	if ((size_t)snprintf(d.store_path, sizeof(d.store_path), "%s/" VOUCH_STATE_STORE, state) >=
	        sizeof(d.store_path) ||
	    (size_t)snprintf(d.sock_path, sizeof(d.sock_path), "%s/vouchd.sock", state) >=
	        sizeof(d.sock_path)) {
		fprintf(stderr, "vouchd: %s: name too long\n", state);
		return 2;
	}
	if (bundle && install_policy(state, bundle, key) != 0)
		return 2;
	/* Signals reach only the control thread's signalfd: blocked before any thread starts. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGPIPE);
	{
		pthread_rwlockattr_t ra;

		pthread_rwlockattr_init(&ra);
		/* A reload waits only for the decisions under way, never for a stream of them. */
		pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		pthread_rwlock_init(&d.plock, &ra);
		pthread_rwlockattr_destroy(&ra);
	}
	pthread_mutex_init(&d.qlock, NULL);
	pthread_cond_init(&d.qcond, NULL);
	pthread_mutex_init(&d.nlock, NULL);
	pthread_mutex_init(&d.toklock, NULL);
	self_thread(&d);
	if (pthread_sigmask(SIG_BLOCK, &mask, NULL) != 0)
		goto out;
	d.cache = cache_create(CACHE_BITS);
	if (!d.cache) {
		fprintf(stderr, "vouchd: %s\n", strerror(ENOMEM));
		goto out;
	}
	if (policy_load(&d, err, sizeof(err)) != 0) {
		fprintf(stderr, "vouchd: %s\n", err);
		goto out;
	}
	/* Privileged resources first: the fanotify group, the socket, the marks. */
	/* Thread ids, not process ids: the exec token belongs to one thread. */
	d.fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK | FAN_UNLIMITED_QUEUE |
	                          FAN_REPORT_TID,
	                      O_RDONLY | O_LARGEFILE | O_CLOEXEC);
	if (d.fan < 0) {
		fprintf(stderr, "vouchd: fanotify_init: %s%s\n", strerror(errno),
		        errno == EPERM ? " (vouchd needs CAP_SYS_ADMIN)" : "");
		goto out;
	}
	d.wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d.wake < 0 || (ret = marks_init(&d.marks, d.fan, FAN_MASK_GATED, nwatch == 0)) != 0) {
		fprintf(stderr, "vouchd: %s\n", strerror(errno));
		goto out;
	}
	marks_ok = true;
	if (control_open(&d) != 0)
		goto out;
	/* Workers first: once a filesystem is marked, its events must find someone to answer. */
	if ((ret = work_start(&d)) != 0) {
		fprintf(stderr, "vouchd: cannot start workers: %s\n", strerror(-ret));
		goto out;
	}
	/* Until the loop below runs, marked events wait in the kernel: nothing passes unseen. */
	for (unsigned i = 0; i < nwatch; i++)
		if (marks_watch(&d.marks, watch[i]) != 0)
			goto out;
	if (nwatch == 0 && marks_scan_namespaces(&d.marks) < 0) {
		fprintf(stderr, "vouchd: cannot read the mounts: %s\n", strerror(errno));
		goto out;
	}
	if (nwatch)
		marks_scan(&d.marks, "/proc/self/mountinfo",
		           ""); /* already mounted below a --watch */
	/*
	 * The log writer once the marks are set (a refused --watch makes no key), before
	 * any event is read: the deciding threads see d.log through the queue's lock.
	 */
	if (!nolog) {
		if (!logdir) {
			snprintf(logpath, sizeof(logpath), "%s/log", state);
			logdir = logpath;
		}
		if (!logname) {
			char host[HOST_NAME_MAX + 1] = "localhost";

			if (gethostname(host, sizeof(host)) != 0)
				snprintf(host, sizeof(host), "localhost");
			host[HOST_NAME_MAX] = '\0';
			snprintf(defname, sizeof(defname), "%s/vouch", host);
			/* A hostname with odd bytes still gives a valid name. */
			for (char *p = defname; *p; p++)
				if (*p <= ' ' || *p > '~' || *p == '+')
					*p = '_';
			logname = defname;
		}
		lo.dir = logdir;
		lo.name = logname;
		if (dlog_start(&d, &lo, err, sizeof(err)) != 0) {
			fprintf(stderr, "vouchd: log: %s\n", err);
			goto out;
		}
	}
	if ((ret = pthread_create(&ctl, NULL, control_main, &d)) != 0) {
		fprintf(stderr, "vouchd: cannot start the control thread: %s\n", strerror(ret));
		goto out;
	}
	ctl_started = true;
	if ((ret = pthread_create(&mnt, NULL, mounts_main, &d)) != 0) {
		fprintf(stderr, "vouchd: cannot start the mount watcher: %s\n", strerror(ret));
		pthread_kill(ctl, SIGTERM);
		goto out;
	}
	mnt_started = true;
	printf("ready\n");
	fflush(stdout);
	notify_systemd("READY=1\nSTATUS=enforcing the installed policy");
	ret = fan_loop(&d);
	if (ret) {
		logf_("vouchd: reading events: %s", strerror(-ret));
		pthread_kill(ctl, SIGTERM);
	} else {
		rc = 0;
	}
	notify_systemd("STOPPING=1");
out:
	if (ctl_started)
		pthread_join(ctl,
		             NULL); /* it wrote the wake eventfd: the mount watcher stops too */
	if (mnt_started)
		pthread_join(mnt, NULL);
	if (d.workers)
		work_stop(&d); /* every queued event is still answered */
	/* Closing the group makes the kernel allow whatever was not answered. */
	if (d.fan >= 0)
		close(d.fan);
	if (d.wake >= 0)
		close(d.wake);
	control_close(&d);
	dlog_stop(&d); /* every queued decision recorded, and a last checkpoint */
	if (ctl_started)
		logf_(
		    "vouchd: stopping: %llu events, %llu decisions, %llu from cache, %llu denied, "
		    "%llu would be denied, %llu answered at once for a full queue",
		    (unsigned long long)atomic_load(&d.c.events),
		    (unsigned long long)atomic_load(&d.c.decisions),
		    (unsigned long long)atomic_load(&d.c.hits),
		    (unsigned long long)atomic_load(&d.c.denials),
		    (unsigned long long)atomic_load(&d.c.would_deny),
		    (unsigned long long)atomic_load(&d.c.queue_full));
	if (d.pol) {
		vouch_store_reader_destroy(d.pol->reader);
		vouch_store_close(d.pol->store);
		free(d.pol);
	}
	if (marks_ok)
		marks_free(&d.marks);
	cache_destroy(d.cache);
	return rc;
}
