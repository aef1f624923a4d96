/* SPDX-License-Identifier: Apache-2.0 */
/* vouchd: answers fanotify permission events with the installed policy's decisions. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "vouch-config.h"
#include "vouch/vouch.h"

#define WATCH_MAX     64
#define CACHE_BITS    16 /* 65536 verdicts, fixed at start */
#define EVENT_BUF     (64 * 1024)
#define STATE_DEFAULT "/var/lib/vouch"

struct daemon {
	int fan, sig;
	char store_path[PATH_MAX];
	struct vouch_store *store;
	struct vouch_store_reader *reader;
	struct cache *cache;
	uint64_t decisions, hits, denials, would_deny;
};

static void help(void)
{
	printf("Usage: vouchd --foreground --state DIR --watch PATH [--watch PATH...]\n"
	       "\n"
	       "Enforce the policy installed in DIR (by 'vouch policy install') on the\n"
	       "filesystems holding each PATH: every exec, every open of an ELF object and\n"
	       "every #! script is allowed or denied by the policy's decision.\n"
	       "Prints \"ready\" once every filesystem is marked. SIGHUP reloads the policy;\n"
	       "SIGTERM stops. This build: foreground only, one thread, and it refuses to\n"
	       "mark the root filesystem (see vouchd(8)).\n"
	       "\n"
	       "  --foreground     stay in the foreground, log to standard error\n"
	       "  --state DIR      the installed policy's directory (default %s)\n"
	       "  --watch PATH     gate code on the filesystem holding PATH (repeatable)\n"
	       "  -h, --help       show this help\n"
	       "      --version    show the version\n",
	       STATE_DEFAULT);
}

static int load_store(struct daemon *d)
{
	struct vouch_store *s = NULL;
	struct vouch_store_reader *r = NULL;
	int ret = vouch_store_open(&s, d->store_path);

	if (!ret)
		ret = vouch_store_reader_create(s, &r);
	if (ret) {
		fprintf(stderr, "vouchd: %s: cannot open the trust store: %s\n", d->store_path,
		        vouch_strerror(ret));
		vouch_store_close(s);
		return ret;
	}
	/* The old set stays in force until the new one is whole: no gap in enforcement. */
	vouch_store_reader_destroy(d->reader);
	vouch_store_close(d->store);
	d->store = s;
	d->reader = r;
	cache_clear(d->cache);
	return 0;
}

static void fd_path(int fd, char *out, size_t cap)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, out, cap - 1);
	if (n < 0)
		n = 0;
	out[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20)
			out[i] = '?'; /* one log line per decision */
}

/* The verdict for one permission event; FAN_ALLOW or FAN_DENY. */
static uint32_t decide_event(struct daemon *d, const struct fanotify_event_metadata *md)
{
	const struct vouch_cpolicy *cp = vouch_store_policy(d->store);
	bool enforce = cp->mode == VOUCH_MODE_ENFORCE;
	uint8_t head[VOUCH_CODE_HEAD];
	struct vouch_trust_rec rec;
	struct vouch_decision dec;
	struct cache_key key;
	struct cache_val val;
	enum vouch_code_kind kind;
	enum vouch_event ev;
	struct stat st;
	ssize_t n;
	char path[PATH_MAX], hex[65];
	bool exec;
	int ret;

	if (fstat(md->fd, &st) != 0 || !S_ISREG(st.st_mode))
		return FAN_ALLOW; /* only regular files hold code the kernel maps */
	exec = md->mask & FAN_OPEN_EXEC_PERM;
	/* Keyed on the access, known from the mask: a hit costs no read of the file. */
	cache_key_from_stat(&key, &st, exec ? CACHE_EXEC : CACHE_OPEN);
	if (cache_get(d->cache, &key, &val)) {
		d->decisions += val.code;
		d->hits += val.code;
		return val.allow ? FAN_ALLOW : FAN_DENY;
	}
	n = pread(md->fd, head, sizeof(head), 0);
	kind = n > 0 ? vouch_code_classify(head, (size_t)n) : VOUCH_CODE_NONE;
	if (exec) {
		ev = kind == VOUCH_CODE_SCRIPT ? VOUCH_EV_SHEBANG : VOUCH_EV_EXEC;
	} else if (kind != VOUCH_CODE_ELF_EXEC && kind != VOUCH_CODE_ELF_DYN) {
		/* Not code (a plain open counts only for ELF objects): remembered too. */
		val = (struct cache_val){.code = false, .allow = true};
		cache_put(d->cache, &key, &val);
		return FAN_ALLOW;
	} else {
		ev = VOUCH_EV_ELF_OPEN;
	}
	d->decisions++;
	val.code = true;
	/* Hash through the event's descriptor: never re-open a path that could change. */
	ret = vouch_fd_sha256(md->fd, val.sha256);
	if (ret) {
		fd_path(md->fd, path, sizeof(path));
		fprintf(stderr, "vouchd: %s %s: cannot hash (%s)\n",
		        enforce ? "deny" : "would deny", path, vouch_strerror(ret));
		d->denials += enforce;
		return enforce ? FAN_DENY : FAN_ALLOW; /* fail closed when enforcing */
	}
	ret = vouch_store_lookup(d->reader, val.sha256, &rec);
	{
		struct vouch_subject subj = {.pid = md->pid};
		struct vouch_object obj = {ev, val.sha256, (uint64_t)st.st_size, NULL};

		vouch_decide(cp, &subj, &obj, ret ? NULL : &rec, (int64_t)time(NULL), &dec);
	}
	val.allow = dec.allow;
	val.would_deny = dec.would_deny;
	val.rule = dec.rule;
	cache_put(d->cache, &key, &val);
	if (!dec.allow || dec.would_deny) {
		fd_path(md->fd, path, sizeof(path));
		vouch_hex(val.sha256, 32, hex);
		fprintf(stderr, "vouchd: %s pid %d %s (sha256 %s, rule %s): %s\n",
		        dec.allow ? "would deny" : "deny", (int)md->pid, path, hex,
		        vouch_rule_name(dec.rule), dec.reason);
		d->denials += !dec.allow;
		d->would_deny += dec.would_deny;
	}
	return dec.allow ? FAN_ALLOW : FAN_DENY;
}

static int handle_events(struct daemon *d)
{
	static char buf[EVENT_BUF]
	    __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));

	for (;;) {
		ssize_t len = read(d->fan, buf, sizeof(buf));
		const struct fanotify_event_metadata *md = (const void *)buf;

		if (len < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (len < 0)
			return -errno;
		for (; FAN_EVENT_OK(md, len); md = FAN_EVENT_NEXT(md, len)) {
			struct fanotify_response r;

			if (md->vers != FANOTIFY_METADATA_VERSION)
				return -EPROTO;
			if (md->fd < 0)
				continue; /* queue overflow: no permission event is ever dropped */
			if (md->mask & (FAN_OPEN_EXEC_PERM | FAN_OPEN_PERM)) {
				r.fd = md->fd;
				r.response = decide_event(d, md);
				if (write(d->fan, &r, sizeof(r)) != sizeof(r))
					fprintf(stderr, "vouchd: cannot answer the kernel: %s\n",
					        strerror(errno));
			}
			close(md->fd);
		}
	}
}

/* Mark the filesystem holding @path, refusing the machine's own root filesystem. */
static int mark(struct daemon *d, const char *path, dev_t rootdev)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "vouchd: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (st.st_dev == rootdev) {
		fprintf(stderr,
		        "vouchd: %s: is on the root filesystem; this build marks only other "
		        "filesystems (see vouchd(8))\n",
		        path);
		return -1;
	}
	if (fanotify_mark(d->fan, FAN_MARK_ADD | FAN_MARK_FILESYSTEM,
	                  FAN_OPEN_EXEC_PERM | FAN_OPEN_PERM, AT_FDCWD, path) != 0) {
		fprintf(stderr, "vouchd: %s: cannot mark its filesystem: %s\n", path,
		        strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"foreground", no_argument, NULL, 'F'},  {"state", required_argument, NULL, 'S'},
	    {"watch", required_argument, NULL, 'w'}, {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},     {0},
	};
	const char *watch[WATCH_MAX], *state = STATE_DEFAULT;
	struct daemon d = {.fan = -1, .sig = -1};
	struct stat rootst;
	sigset_t mask;
	bool fg = false;
	int nwatch = 0, c, rc = 2;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			fg = true;
			break;
		case 'S':
			state = optarg;
			break;
		case 'w':
			if (nwatch == WATCH_MAX) {
				fprintf(stderr, "vouchd: at most %d --watch paths\n", WATCH_MAX);
				return 2;
			}
			watch[nwatch++] = optarg;
			break;
		case 'h':
			help();
			return 0;
		case 'V':
			printf("vouchd %s\n", VOUCH_VERSION);
			return 0;
		default:
			fprintf(stderr,
			        "vouchd: %s: unknown option or missing argument (see vouchd "
			        "--help)\n",
			        argv[optind - 1]);
			return 2;
		}
	}
	if (optind != argc || !fg || nwatch == 0) {
		fprintf(stderr, "vouchd: this build runs only as 'vouchd --foreground --state DIR "
		                "--watch PATH...' (see vouchd --help)\n");
		return 2;
	}
	if ((size_t)snprintf(d.store_path, sizeof(d.store_path), "%s/trust.mdb", state) >=
	    sizeof(d.store_path)) {
		fprintf(stderr, "vouchd: %s: name too long\n", state);
		return 2;
	}
	d.cache = cache_create(CACHE_BITS);
	if (!d.cache || load_store(&d) != 0 || stat("/", &rootst) != 0)
		goto out;
	/* Signals arrive through a descriptor, so the loop is the only place state changes. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) != 0 ||
	    (d.sig = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		fprintf(stderr, "vouchd: signals: %s\n", strerror(errno));
		goto out;
	}
	d.fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK,
	                      O_RDONLY | O_LARGEFILE | O_CLOEXEC);
	if (d.fan < 0) {
		fprintf(stderr, "vouchd: fanotify_init: %s\n", strerror(errno));
		goto out;
	}
	for (int i = 0; i < nwatch; i++)
		if (mark(&d, watch[i], rootst.st_dev) != 0)
			goto out;
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		struct pollfd p[2] = {{d.fan, POLLIN, 0}, {d.sig, POLLIN, 0}};
		struct signalfd_siginfo si;

		if (poll(p, 2, -1) < 0 && errno != EINTR) {
			fprintf(stderr, "vouchd: poll: %s\n", strerror(errno));
			goto out;
		}
		if ((p[0].revents & POLLIN) && handle_events(&d) != 0) {
			fprintf(stderr, "vouchd: reading events: %s\n", strerror(errno));
			goto out;
		}
		if (!(p[1].revents & POLLIN) || read(d.sig, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGHUP) {
			if (load_store(&d) == 0)
				fprintf(stderr, "vouchd: policy reloaded\n");
			continue;
		}
		fprintf(stderr,
		        "vouchd: stopping: %llu decisions, %llu from cache, %llu denied, "
		        "%llu would be denied\n",
		        (unsigned long long)d.decisions, (unsigned long long)d.hits,
		        (unsigned long long)d.denials, (unsigned long long)d.would_deny);
		rc = 0;
		goto out;
	}
out:
	/* Closing the fanotify descriptor makes the kernel allow whatever is pending. */
	if (d.fan >= 0)
		close(d.fan);
	if (d.sig >= 0)
		close(d.sig);
	vouch_store_reader_destroy(d.reader);
	vouch_store_close(d.store);
	cache_destroy(d.cache);
	return rc;
}
