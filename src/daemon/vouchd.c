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
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>

#include "daemon.h"
#include "vouch-config.h"

#define CACHE_BITS    16 /* 65536 verdicts, fixed at start */
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
	       "SIGTERM stops. 'vouch status' shows what it is doing. With no policy\n"
	       "installed it runs in monitor mode, trusting nothing, and says so (see\n"
	       "vouchd(8), FAIL-SAFETY).\n"
	       "\n"
	       "  --foreground       log to standard error (vouchd never forks either way)\n"
	       "  --state DIR        the state directory (default %s)\n"
	       "  --watch PATH       mark only the filesystem holding PATH and those mounted\n"
	       "                     below it later (repeatable; never the filesystem of /)\n"
	       "  --policy BUNDLE    install this signed bundle first (needs --key)\n"
	       "  --key PUBKEY       the owner's public key that must have signed BUNDLE\n"
	       "  --workers N        threads that hash and decide (default: CPUs, 4..16); a\n"
	       "                     user other than root has a quarter of them at most\n"
	       "  --queue N          events waiting for a worker, at most (default %d)\n"
	       "  --log-dir DIR      the decision log (default DIR/log of --state)\n"
	       "  --log-name NAME    the log's name in its checkpoints, used when the device\n"
	       "                     key is first made (default HOSTNAME/vouch)\n"
	       "  --log-max-size N   retention: keep the log's files under N bytes (K, M, G;\n"
	       "                     default 1G; 0: keep everything)\n"
	       "  --log-interval MS  publish a checkpoint this often while decisions arrive\n"
	       "                     (default 1000)\n"
	       "  --log-user-rate B/M  a user other than root has B entries recorded one by\n"
	       "                     one, then M a minute; the rest are counted in summaries\n"
	       "                     (default 600/60)\n"
	       "  --no-log           record nothing\n"
	       "  --mark-user-fuse   let root into FUSE filesystems users mount, to mark them\n"
	       "                     (fuse's allow_sys_admin_access; always without --watch)\n"
	       "  --list-filesystems print the filesystems that would be marked, and exit\n"
	       "  -h, --help         show this help\n"
	       "      --version      show the version\n",
	       VOUCH_STATE_DIR_DEFAULT, QUEUE_DEFAULT);
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

/*
 * Descriptors: raise the soft limit to the hard one, then size what holds event
 * descriptors (the queue, the leases, one read's worth) to fit in what is left
 * after vouchd's own needs, so that a flood never meets EMFILE.
 */
static int fd_budget(struct daemon *d, unsigned *qcap)
{
	struct rlimit rl;
	long reserve;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -errno;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t want = rl.rlim_max > (1 << 20) ? (1 << 20) : rl.rlim_max;

		if (want > rl.rlim_cur) {
			rl.rlim_cur = want;
			if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
				getrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	d->fd_limit = rl.rlim_cur == RLIM_INFINITY ? (1L << 20) : (long)rl.rlim_cur;
	/* Own needs: files and sockets of each thread kind, with room to spare. */
	reserve = 64 + 4L * d->nworkers + 8L * CONTROL_MAX + 3L * GROUPS_MAX + NOTICES_QUEUE;
	d->events_max = d->fd_limit - reserve;
	if (d->events_max < 64) {
		fprintf(stderr,
		        "vouchd: only %ld descriptors (RLIMIT_NOFILE): at least %ld are needed "
		        "(raise LimitNOFILE, or ulimit -n)\n",
		        d->fd_limit, reserve + 64);
		return -EMFILE;
	}
	/* The queue may hold half of them; leases and reads share the rest. */
	if (*qcap > d->events_max / 2) {
		unsigned q = (unsigned)(d->events_max / 2);

		fprintf(stderr,
		        "vouchd: %ld descriptors (RLIMIT_NOFILE) leave room for %u queued events, "
		        "not %u: the queue holds %u (raise LimitNOFILE for more)\n",
		        d->fd_limit, q, *qcap, q);
		*qcap = q;
	}
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
	    {"log-user-rate", required_argument, NULL, 'R'},
	    {"no-log", no_argument, NULL, 'n'},
	    {"mark-user-fuse", no_argument, NULL, 'U'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {0},
	};
	const char *watch[MARKS_WATCHMAX], *state = VOUCH_STATE_DIR_DEFAULT;
	const char *bundle = NULL, *key = NULL;
	const char *logdir = NULL, *logname = NULL;
	struct dlog_opts lo = {.max_bytes = (uint64_t)1 << 30,
	                       .interval_ms = 1000,
	                       .queue = 16384,
	                       .user_burst = 600,
	                       .user_rate = 60};
	char logpath[PATH_MAX], defname[VOUCH_NOTE_NAME_MAX + 1];
	bool nolog = false, user_fuse = false;
	static struct daemon d; /* large (the thread table, the groups): not on the stack */
	pthread_t ctl, mnt;
	bool ctl_started = false, mnt_started = false, list = false, marks_ok = false;
	sigset_t mask;
	char err[400];
	unsigned nwatch = 0, qcap = QUEUE_DEFAULT;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int c, rc = 2, ret;

	memset(&d, 0, sizeof(d));
	d.main.fan = d.main.wake = -1;
	/* At least four: a user's stalled files hold a quarter of them at most. */
	d.nworkers = ncpu < 4 ? 4 : ncpu > 16 ? 16 : (unsigned)ncpu;
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
			if (parse_count("--queue", optarg, 1, 65536, &qcap))
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
		case 'R': {
			unsigned burst, rate;
			char tail;

			if (sscanf(optarg, "%u/%u%c", &burst, &rate, &tail) != 2 || burst == 0 ||
			    burst > 1000000 || rate > 1000000) {
				fprintf(stderr,
				        "vouchd: --log-user-rate %s: BURST/PER-MINUTE, such as "
				        "600/60\n",
				        optarg);
				return 2;
			}
			lo.user_burst = burst;
			lo.user_rate = rate;
			break;
		}
		case 'n':
			nolog = true;
			break;
		case 'U':
			user_fuse = true;
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
	    (size_t)snprintf(d.bundle_path, sizeof(d.bundle_path), "%s/" VOUCH_STATE_BUNDLE,
	                     state) >= sizeof(d.bundle_path) ||
	    (size_t)snprintf(d.sock_path, sizeof(d.sock_path), "%s/" VOUCH_STATE_SOCKET, state) >=
	        sizeof(d.sock_path)) {
		fprintf(stderr, "vouchd: %s: name too long\n", state);
		return 2;
	}
	if (fd_budget(&d, &qcap) != 0)
		return 2;
	if (bundle && install_policy(state, bundle, key) != 0)
		return 2;
	/*
	 * Signals reach only the control thread's signalfd, and lease breaks only the
	 * lease keeper's: all blocked before any thread starts.
	 */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGPIPE);
	sigaddset(&mask, SIGIO);
	sigaddset(&mask, SIGRTMIN + 2);
	{
		pthread_rwlockattr_t ra;

		pthread_rwlockattr_init(&ra);
		/* A reload waits only for the decisions under way, never for a stream of them. */
		pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		pthread_rwlock_init(&d.plock, &ra);
		pthread_rwlockattr_destroy(&ra);
	}
	pthread_mutex_init(&d.toklock, NULL);
	pthread_mutex_init(&d.glock, NULL);
	if (pthread_sigmask(SIG_BLOCK, &mask, NULL) != 0)
		goto out;
	d.cache = cache_create(CACHE_BITS);
	if (!d.cache || queue_init(&d.q, qcap, d.nworkers) != 0) {
		fprintf(stderr, "vouchd: %s\n", strerror(ENOMEM));
		goto out;
	}
	if (policy_load(&d, err, sizeof(err)) != 0) {
		fprintf(stderr, "vouchd: %s\n", err);
		goto out;
	}
	/* Privileged resources first: the fanotify group, the socket, the marks. */
	if ((ret = fan_group_main(&d.main)) != 0) {
		fprintf(stderr, "vouchd: fanotify_init: %s%s\n", strerror(-ret),
		        ret == -EPERM ? " (vouchd needs CAP_SYS_ADMIN)" : "");
		goto out;
	}
	if ((ret = marks_init(&d.marks, d.main.fan, FAN_MASK_GATED, nwatch == 0)) != 0) {
		fprintf(stderr, "vouchd: %s\n", strerror(-ret));
		goto out;
	}
	d.marks.d = &d;
	d.marks.user_fuse = user_fuse || nwatch == 0; /* the whole machine: every FUSE too */
	marks_ok = true;
	if (control_open(&d) != 0)
		goto out;
	/* The helpers, then the workers: once a filesystem is marked, its events must find
	 * someone to answer. */
	if ((ret = leases_start(&d)) != 0 || (ret = notices_start(&d)) != 0) {
		fprintf(stderr, "vouchd: cannot start: %s\n", strerror(-ret));
		goto out;
	}
	if ((ret = work_start(&d)) != 0) {
		fprintf(stderr, "vouchd: cannot start workers: %s\n", strerror(-ret));
		goto out;
	}
	/*
	 * The log writer before the marks, before any event is read: the deciding threads
	 * see d.log through the queue's lock. Its files (the device key, log.seen, the
	 * tiles and checkpoint) are opened here, and in the default mode they lie on a
	 * filesystem about to be marked (/var/lib/vouch on /): opened between the marks and
	 * the loop that answers vouchd's own events, each open would wait for an answer
	 * only this thread could give, and the machine with it. A --watch that would be
	 * refused is refused first, so that it makes no key.
	 */
	for (unsigned i = 0; i < nwatch; i++)
		if (marks_watch_check(&d.marks, watch[i]) != 0)
			goto out;
	if (!nolog) {
		if (!logdir) {
			snprintf(logpath, sizeof(logpath), "%s/" VOUCH_STATE_LOG, state);
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
	/* Every thread that runs from here on is registered, or vouchd could wait on itself. */
	for (int i = 0; i < 200 && self_unregistered(&d); i++)
		usleep(5000);
	if (self_unregistered(&d)) {
		fprintf(stderr, "vouchd: internal error: %u of its threads are not registered\n",
		        self_unregistered(&d));
		pthread_kill(ctl, SIGTERM);
		goto out;
	}
	printf("ready\n");
	fflush(stdout);
	/* systemctl status shows it: a vouchd without its policy is not all right. */
	if (d.pol->src == POLICY_STORE)
		notify_systemd("READY=1\nSTATUS=enforcing the installed policy");
	else if (d.pol->src == POLICY_BUNDLE)
		notify_systemd("READY=1\nSTATUS=WARNING: the trust store is damaged: enforcing "
		               "its bundle's copy (see vouch status)");
	else
		notify_systemd("READY=1\nSTATUS=WARNING: no policy: monitor mode, nothing "
		               "trusted (see vouch status)");
	ret = fan_loop(&d, &d.main);
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
	control_close(&d); /* no new requests; those being served finish */
	control_drain();
	fan_groups_stop(&d);
	if (d.workers)
		work_stop(&d); /* every queued event is still answered */
	notices_stop(&d);
	leases_stop(&d);
	/* Closing the group makes the kernel allow whatever was not answered. */
	if (d.main.fan >= 0)
		close(d.main.fan);
	if (d.main.wake >= 0)
		close(d.main.wake);
	dlog_stop(&d); /* every queued decision recorded, and a last checkpoint */
	if (ctl_started)
		logf_(
		    "vouchd: stopping: %llu events, %llu decisions, %llu from cache, %llu denied, "
		    "%llu would be denied, %llu answered at once for a full queue, %llu for a "
		    "user with too much waiting",
		    (unsigned long long)atomic_load(&d.c.events),
		    (unsigned long long)atomic_load(&d.c.decisions),
		    (unsigned long long)atomic_load(&d.c.hits),
		    (unsigned long long)atomic_load(&d.c.denials),
		    (unsigned long long)atomic_load(&d.c.would_deny),
		    (unsigned long long)atomic_load(&d.c.queue_full),
		    (unsigned long long)atomic_load(&d.c.user_limited));
	if (!d.workers)
		policy_unload(&d);
	if (marks_ok)
		marks_free(&d.marks);
	if (!d.workers)
		cache_destroy(d.cache);
	return rc;
}
