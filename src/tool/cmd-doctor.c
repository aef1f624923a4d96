/* SPDX-License-Identifier: Apache-2.0 */
/* vouch doctor: the ways around vouchd that a setting of this machine leaves open, and the fix of
 * each. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "tool.h"
#include "vouch/kernel.h"
#include "vouch/mountinfo.h"

static const char *const CMD = "doctor";

/* Where sysctls are kept (read by systemd-sysctl at boot; after 99-sysctl.conf by name). */
#define SYSCTL_FILE "/etc/sysctl.d/99-vouch.conf"
/* How a boot parameter is kept on Debian. */
#define GRUB_HOW  "add it to GRUB_CMDLINE_LINUX in /etc/default/grub, run update-grub and reboot"
#define BACKPORTS "Debian 12: linux-image-amd64 from bookworm-backports"
#define FILE_MAX  (64u << 20) /* the largest file read: a mountinfo of some 100,000 mounts */

static void help(void)
{
	printf("Usage: vouch doctor [--json] [--state DIR]\n"
	       "\n"
	       "Check the settings of this machine that decide whether code can run without\n"
	       "vouchd seeing it (see vouchd(8), LIMITATIONS): whether vouchd is running and\n"
	       "enforcing and has marked every local filesystem; network and FUSE filesystems\n"
	       "and user-writable ones without noexec; executable memfds; /proc/PID/mem\n"
	       "writes; ptrace; unprivileged user namespaces; unprivileged eBPF; module\n"
	       "loading and signatures; kernel lockdown; a setuid fusermount3. One line per\n"
	       "check: pass, warn or fail, what was found, and the fix. Root is not needed.\n"
	       "\n"
	       "  --json           one JSON object on standard output\n"
	       "  --state DIR      vouchd's state directory (default $VOUCH_STATE_DIR or %s)\n"
	       "  -h, --help       show this help\n"
	       "\n"
	       "Exit status: 0 every check passed, 1 a check warned or failed, 2 usage or\n"
	       "system error.\n",
	       VOUCH_STATE_DIR_DEFAULT);
}

enum result { PASS, WARN, FAIL };

static const char *const result_names[] = {"pass", "warn", "fail"};

struct check {
	const char *name;
	enum result result;
	char *found; /* malloc'd; may hold bytes read from the system (mount points) */
	char *fix;   /* malloc'd; NULL with a pass */
};

/* What the checks share: read once. */
struct doctor {
	const char *state;
	struct utsname uts;
	bool release_known;
	unsigned major, minor; /* of the running kernel */
	struct vouch_mount *mounts;
	size_t nmounts;
	int mounts_err; /* reading /proc/self/mountinfo: 0 or -errno */
	bool reachable; /* something answers on vouchd's socket */
	bool running;   /* ... and vouchd answered its status */
	int ask_rc;
	struct vouch_ctl_answer status;
	bool lockdown_known;
	int lockdown_err; /* reading it: 0 or -errno */
	enum vouch_lockdown lockdown;
	bool oom;
};

/* A malloc'd printf; NULL (and @d->oom) if memory ran out. */
static char *fmt(struct doctor *d, const char *f, ...) __attribute__((format(printf, 2, 3)));
static char *fmt(struct doctor *d, const char *f, ...)
{
	char *s = NULL;
	va_list ap;
	int n;

	va_start(ap, f);
	n = vasprintf(&s, f, ap);
	va_end(ap);
	if (n < 0) {
		d->oom = true;
		return NULL;
	}
	return s;
}

/* Record @c's result: what was found, and the fix (NULL for a pass). Takes both strings. */
static void set(struct check *c, enum result r, char *found, char *fix)
{
	free(c->found);
	free(c->fix);
	c->result = r;
	c->found = found;
	c->fix = r == PASS ? (free(fix), NULL) : fix;
}

/* A file of the kernel's, whole: 0 with *@text (malloc'd, NUL after it) or -errno. */
static int read_text(const char *path, char **text, size_t *len)
{
	int ret = vouch_file_read(path, FILE_MAX, text, len);

	return ret == VOUCH_E_TOOBIG ? -EFBIG : ret == VOUCH_E_NOTREGULAR ? -EINVAL : ret;
}

/*
 * A sysctl, parameter or securityfs file: its text in one read, from its start
 * (a sysctl gives nothing to a read at another offset). Return: the length,
 * or -errno (-EFBIG if it does not fit @cap).
 */
static ssize_t read_setting(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, buf, cap, 0);
	if (n < 0)
		n = -errno;
	else if ((size_t)n == cap)
		n = -EFBIG;
	close(fd);
	return n;
}

/*
 * A sysctl or parameter file read as an integer. Return: 0 with *@v; -ENOENT
 * (the kernel has no such setting); another -errno; or -EBADMSG when its text
 * is not a number as the kernel writes one.
 */
static int read_int(const char *path, int64_t *v)
{
	char text[64];
	ssize_t n = read_setting(path, text, sizeof(text));

	if (n < 0)
		return (int)n;
	return vouch_kernel_int(text, (size_t)n, v) == 0 ? 0 : -EBADMSG;
}

/* The check's result for a file that could not be read (other than missing). */
static void unreadable(struct doctor *d, struct check *c, const char *path, int err)
{
	if (err == -EBADMSG)
		set(c, WARN, fmt(d, "%s does not hold what this kernel should write there", path),
		    fmt(d, "see what it holds; this vouch may be older than the kernel"));
	else
		set(c, WARN, fmt(d, "cannot read %s: %s", path, strerror(-err)),
		    fmt(d, "run vouch doctor as root"));
}

static bool release_at_least(const struct doctor *d, unsigned major, unsigned minor)
{
	return d->release_known && (d->major > major || (d->major == major && d->minor >= minor));
}

/* --- what the checks read once --------------------------------------------------------- */

static void load_mounts(struct doctor *d)
{
	char *text = NULL;
	size_t len, cap = 0;
	int ret = read_text("/proc/self/mountinfo", &text, &len);

	d->mounts_err = ret;
	for (size_t at = 0; ret == 0 && at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = (size_t)((nl ? nl : text + len) - (text + at));
		struct vouch_mount m;

		/* A line that does not parse is skipped here, and counted by no check. */
		if (vouch_mountinfo_parse(text + at, n, &m) == 0) {
			if (vouch_grow((void **)&d->mounts, &cap, d->nmounts + 1, sizeof(m)) != 0) {
				d->oom = true;
				break;
			}
			d->mounts[d->nmounts++] = m;
		}
		at += n + 1;
	}
	free(text);
}

static void load_status(struct doctor *d)
{
	const struct vouch_ctl_request req = {.verb = VOUCH_CTL_STATUS};

	memset(&d->status, 0, sizeof(d->status));
	/* Not running is a result here, not an error: asked only if something answers. */
	d->reachable = tool_daemon_running(d->state);
	if (!d->reachable) {
		d->ask_rc = EXIT_ERROR;
		return;
	}
	d->ask_rc = tool_daemon_ask(CMD, d->state, &req, -1, &d->status);
	d->running = d->ask_rc == EXIT_OK;
}

static void load_lockdown(struct doctor *d)
{
	char text[256];
	ssize_t n = read_setting("/sys/kernel/security/lockdown", text, sizeof(text));

	d->lockdown_err = n < 0 ? (int)n : 0;
	d->lockdown_known = n >= 0 && vouch_kernel_lockdown(text, (size_t)n, &d->lockdown) == 0;
}

/* --- the checks ------------------------------------------------------------------------ */

static void check_vouchd(struct doctor *d, struct check *c)
{
	const char *mode, *pid;

	if (!d->reachable) {
		set(c, FAIL, fmt(d, "not running (nothing answers on %s/vouchd.sock)", d->state),
		    fmt(d, "systemctl enable --now vouchd (see vouchd(8))"));
		return;
	}
	if (!d->running) {
		set(c, FAIL, fmt(d, "did not answer its status (the reason is on standard error)"),
		    fmt(d, "see vouchd's log: journalctl -u vouchd"));
		return;
	}
	mode = vouch_ctl_answer_get(&d->status, "mode");
	pid = vouch_ctl_answer_get(&d->status, "pid");
	if (mode && !strcmp(mode, vouch_mode_name(VOUCH_MODE_ENFORCE)))
		set(c, PASS, fmt(d, "running (pid %s) and enforcing", pid ? pid : "?"), NULL);
	else
		set(c, FAIL,
		    fmt(d, "running (pid %s) in %s mode: nothing is denied", pid ? pid : "?",
		        mode ? mode : "an unknown"),
		    fmt(d, "put 'mode enforce' in the policy, then compile, sign and install it "
		           "(vouch-policy(1)) and run vouch reload"));
}

/* Is @dev among the filesystems vouchd says it marked ("MAJOR:MINOR TYPE PATH")? */
static bool marked(const struct doctor *d, uint64_t dev)
{
	for (size_t i = 0; i < d->status.npairs; i++) {
		unsigned ma, mi;

		if (!strcmp(d->status.pair[i].key, "filesystem") &&
		    sscanf(d->status.pair[i].value, "%u:%u ", &ma, &mi) == 2 &&
		    (uint64_t)makedev(ma, mi) == dev)
			return true;
	}
	return false;
}

/* Has an earlier mount in the table the same device (a bind mount of it)? */
static bool seen_dev(const struct doctor *d, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (d->mounts[j].dev == d->mounts[i].dev)
			return true;
	return false;
}

static void check_marks(struct doctor *d, struct check *c)
{
	char *list = NULL;
	size_t listlen = 0, local = 0, missing = 0;
	FILE *f;

	if (d->mounts_err) {
		unreadable(d, c, "/proc/self/mountinfo", d->mounts_err);
		return;
	}
	if (!d->running) {
		set(c, FAIL, fmt(d, "vouchd is not running: no filesystem is marked"),
		    fmt(d, "start vouchd (see vouchd above)"));
		return;
	}
	f = open_memstream(&list, &listlen);
	if (!f) {
		d->oom = true;
		return;
	}
	for (size_t i = 0; i < d->nmounts; i++) {
		const struct vouch_mount *m = &d->mounts[i];

		if (!vouch_fs_is_local(m->fstype) || seen_dev(d, i))
			continue;
		local++;
		if (marked(d, m->dev))
			continue;
		fprintf(f, "%s%s (%s)", missing ? ", " : "", m->point, m->fstype);
		missing++;
	}
	if (fclose(f) != 0)
		d->oom = true;
	if (missing)
		set(c, FAIL,
		    fmt(d, "%zu of %zu local filesystems are not marked: %s", missing, local,
		        list ? list : ""),
		    fmt(d, "run vouchd without --watch (its default mode marks every local "
		           "filesystem); vouchd's log says why a mark failed"));
	else
		set(c, PASS, fmt(d, "all %zu local filesystems are marked", local), NULL);
	free(list);
}

static void check_filesystems(struct doctor *d, struct check *c)
{
	char *net = NULL, *fuse = NULL;
	size_t netlen = 0, fuselen = 0, nnet = 0, nfuse = 0;
	FILE *fn, *ff;

	if (d->mounts_err) {
		unreadable(d, c, "/proc/self/mountinfo", d->mounts_err);
		return;
	}
	fn = open_memstream(&net, &netlen);
	ff = open_memstream(&fuse, &fuselen);
	if (!fn || !ff) {
		if (fn)
			fclose(fn);
		if (ff)
			fclose(ff);
		free(net);
		free(fuse);
		d->oom = true;
		return;
	}
	/* Each mount, bind mounts too: noexec is a mount's own option, not its filesystem's. */
	for (size_t i = 0; i < d->nmounts; i++) {
		const struct vouch_mount *m = &d->mounts[i];

		if (m->noexec)
			continue;
		if (vouch_fs_kind(m->fstype) == VOUCH_FS_NETWORK)
			fprintf(fn, "%s%s (%s)", nnet++ ? ", " : "", m->point, m->fstype);
		else if (vouch_fs_kind(m->fstype) == VOUCH_FS_LOCAL &&
		         vouch_fs_is_served(m->fstype))
			fprintf(ff, "%s%s (%s)", nfuse++ ? ", " : "", m->point, m->fstype);
	}
	if (fclose(fn) != 0 || fclose(ff) != 0)
		d->oom = true;
	if (nnet)
		set(c, FAIL,
		    fmt(d, "network filesystems, not marked and without noexec: %s%s%s", net,
		        nfuse ? "; FUSE: " : "", nfuse ? fuse : ""),
		    fmt(d, "mount them noexec (add noexec to their options in /etc/fstab, or "
		           "mount -o remount,noexec POINT), or do not mount them here"));
	else if (nfuse)
		set(c, WARN,
		    fmt(d,
		        "FUSE filesystems without noexec (their server can give vouchd other "
		        "bytes than it gives the kernel): %s",
		        fuse),
		    fmt(d, "mount them noexec; keep users from mounting their own (see "
		           "fusermount and userns)"));
	else
		set(c, PASS,
		    fmt(d, "no network or FUSE filesystem without noexec among %zu mounts",
		        d->nmounts),
		    NULL);
	free(net);
	free(fuse);
}

/*
 * The mount that holds @path: the last in the table (the one on top) of those
 * whose point is @path or a directory above it, the deepest. Read from the
 * table only, so that no filesystem's server is asked.
 */
static const struct vouch_mount *mount_of(const struct doctor *d, const char *path)
{
	const struct vouch_mount *best = NULL;
	size_t bestlen = 0;

	for (size_t i = 0; i < d->nmounts; i++) {
		const char *p = d->mounts[i].point;
		size_t n = strlen(p);

		if (!strcmp(p, "/"))
			n = 0;
		else if (strncmp(path, p, n) != 0 || (path[n] != '\0' && path[n] != '/'))
			continue;
		if (!best || n >= bestlen) {
			best = &d->mounts[i];
			bestlen = n;
		}
	}
	return best;
}

static void check_noexec(struct doctor *d, struct check *c)
{
	/* Where every user may write files by default. */
	static const char *const places[] = {"/tmp", "/var/tmp", "/dev/shm", "/home"};
	char *list = NULL;
	size_t listlen = 0, bad = 0, there = 0;
	FILE *f;

	if (d->mounts_err) {
		unreadable(d, c, "/proc/self/mountinfo", d->mounts_err);
		return;
	}
	f = open_memstream(&list, &listlen);
	if (!f) {
		d->oom = true;
		return;
	}
	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		const struct vouch_mount *m = mount_of(d, places[i]);
		struct stat st;

		/*
		 * A place that is not a mount point is looked up in the one above it (which
		 * mount_of() found): only that filesystem is asked whether it is there.
		 */
		if (!m || (strcmp(m->point, places[i]) != 0 && lstat(places[i], &st) != 0))
			continue;
		there++;
		if (m->noexec)
			continue;
		if (!strcmp(m->point, places[i]))
			fprintf(f, "%s%s (%s)", bad ? ", " : "", places[i], m->fstype);
		else
			fprintf(f, "%s%s (on %s, %s)", bad ? ", " : "", places[i], m->point,
			        m->fstype);
		bad++;
	}
	if (fclose(f) != 0)
		d->oom = true;
	if (bad)
		set(c, WARN,
		    fmt(d,
		        "user-writable places without noexec (a file there can be mapped "
		        "executable unseen, if it is not ELF when opened): %s",
		        list ? list : ""),
		    fmt(d, "mount each noexec: add noexec to its options in /etc/fstab; a "
		           "directory on another filesystem needs its own (/tmp: 'tmpfs /tmp "
		           "tmpfs rw,nosuid,nodev,noexec 0 0')"));
	else if (there)
		set(c, PASS, fmt(d, "%zu user-writable places, all noexec", there), NULL);
	else
		set(c, PASS, fmt(d, "none of /tmp, /var/tmp, /dev/shm and /home is here"), NULL);
	free(list);
}

static void check_memfd(struct doctor *d, struct check *c)
{
	const char *path = "/proc/sys/vm/memfd_noexec";
	int64_t v;
	int ret = read_int(path, &v);

	if (ret == -ENOENT)
		set(c, FAIL,
		    fmt(d,
		        "no vm.memfd_noexec in Linux %s (it came in 6.3): any user can run a "
		        "program from memory (memfd_create), which vouchd cannot see",
		        d->uts.release),
		    fmt(d, "a Linux 6.3 or later kernel (" BACKPORTS "), with vm.memfd_noexec=2"));
	else if (ret)
		unreadable(d, c, path, ret);
	else if (v >= 2)
		set(c, PASS, fmt(d, "vm.memfd_noexec = %" PRId64 ": no executable memfds", v),
		    NULL);
	else
		set(c, FAIL,
		    fmt(d,
		        "vm.memfd_noexec = %" PRId64 ": a program can run what it writes to an "
		        "executable memfd, which vouchd cannot see",
		        v),
		    fmt(d,
		        "sysctl -w vm.memfd_noexec=2, and keep vm.memfd_noexec=2 in " SYSCTL_FILE));
}

/* proc_mem.force_override as the running kernel has it: "" when neither line says. */
static void force_override(struct doctor *d, char *val, size_t cap, const char **from)
{
	static const struct {
		const char *option, *value;
	} build[] = {
	    {"CONFIG_PROC_MEM_ALWAYS_FORCE", "always"},
	    {"CONFIG_PROC_MEM_FORCE_PTRACE", "ptrace"},
	    {"CONFIG_PROC_MEM_NO_FORCE", "never"},
	};
	char *text = NULL, path[sizeof(d->uts.release) + 16], y[8];
	size_t len;

	*from = "the kernel command line";
	val[0] = '\0';
	if (read_text("/proc/cmdline", &text, &len) == 0 &&
	    vouch_kernel_cmdline(text, len, "proc_mem.force_override", val, cap) == 0) {
		free(text);
		return;
	}
	free(text);
	text = NULL;
	/* Not on the command line: the kernel's build default, if its configuration is here. */
	snprintf(path, sizeof(path), "/boot/config-%s", d->uts.release);
	*from = "the kernel's build default";
	if (read_text(path, &text, &len) == 0)
		for (size_t i = 0; i < sizeof(build) / sizeof(build[0]); i++)
			if (vouch_kernel_config(text, len, build[i].option, y, sizeof(y)) == 0 &&
			    !strcmp(y, "y"))
				snprintf(val, cap, "%s", build[i].value);
	free(text);
}

static void check_proc_mem(struct doctor *d, struct check *c)
{
	const char *from;
	char val[32];

	if (!d->release_known) {
		set(c, WARN, fmt(d, "cannot tell the kernel's version from '%s'", d->uts.release),
		    fmt(d, "boot with proc_mem.force_override=never (Linux 6.12 and later)"));
		return;
	}
	if (!release_at_least(d, 6, 12)) {
		set(c, FAIL,
		    fmt(d,
		        "Linux %s has no proc_mem.force_override (6.12 and later): a process "
		        "can write code over its own through /proc/self/mem, unseen",
		        d->uts.release),
		    fmt(d, "a Linux 6.12 or later kernel (" BACKPORTS "), booted with "
		           "proc_mem.force_override=never"));
		return;
	}
	force_override(d, val, sizeof(val), &from);
	if (!strcmp(val, "never") || !strcmp(val, "ptrace"))
		set(c, PASS,
		    fmt(d,
		        "proc_mem.force_override=%s (%s): /proc/PID/mem writes do not pass "
		        "page protections%s",
		        val, from, !strcmp(val, "ptrace") ? " but a tracer's (see ptrace)" : ""),
		    NULL);
	else if (!*val || !strcmp(val, "always"))
		set(c, FAIL,
		    fmt(d,
		        "proc_mem.force_override is %s (%s): a process can write code over its "
		        "own through /proc/self/mem, unseen",
		        *val ? val : "not set",
		        *val ? from
		             : "always unless the kernel was built "
		               "otherwise"),
		    fmt(d, "boot with proc_mem.force_override=never: " GRUB_HOW));
	else
		set(c, WARN,
		    fmt(d, "proc_mem.force_override=%s (%s) is no value the kernel knows", val,
		        from),
		    fmt(d, "boot with proc_mem.force_override=never: " GRUB_HOW));
}

static void check_ptrace(struct doctor *d, struct check *c)
{
	const char *path = "/proc/sys/kernel/yama/ptrace_scope";
	const char *fix = "sysctl -w kernel.yama.ptrace_scope=2, and keep "
	                  "kernel.yama.ptrace_scope=2 in " SYSCTL_FILE
	                  " (3 forbids ptrace to root as well, until the next boot)";
	int64_t v;
	int ret = read_int(path, &v);

	if (ret == -ENOENT)
		set(c, FAIL,
		    fmt(d, "no Yama in this kernel (no kernel.yama.ptrace_scope): a process may "
		           "trace its user's others and change their code, unseen"),
		    fmt(d,
		        "a kernel with the Yama security module (Debian's has it; if lsm= is "
		        "on the kernel command line, it must name yama), then %s",
		        fix));
	else if (ret)
		unreadable(d, c, path, ret);
	else if (v >= 2)
		set(c, PASS,
		    fmt(d, "kernel.yama.ptrace_scope = %" PRId64 ": %s", v,
		        v >= 3 ? "nobody may trace" : "only CAP_SYS_PTRACE may trace"),
		    NULL);
	else if (v == 1)
		set(c, WARN,
		    fmt(d, "kernel.yama.ptrace_scope = 1: a process may still trace its "
		           "descendants, and change the code of a trusted program it starts"),
		    fmt(d, "%s", fix));
	else
		set(c, FAIL,
		    fmt(d,
		        "kernel.yama.ptrace_scope = %" PRId64 ": a process may trace its user's "
		        "others and change their code, unseen",
		        v),
		    fmt(d, "%s", fix));
}

static void check_userns(struct doctor *d, struct check *c)
{
	const char *clone = "/proc/sys/kernel/unprivileged_userns_clone";
	const char *max = "/proc/sys/user/max_user_namespaces";
	const char *why = "a filesystem a user mounts in one is gated only once vouchd finds it, "
	                  "about a second later";
	int64_t vc = 0, vm = 0;
	int rc = read_int(clone, &vc), rm = read_int(max, &vm);

	if (rc != 0 && rc != -ENOENT) {
		unreadable(d, c, clone, rc);
	} else if (rm != 0 && rm != -ENOENT) {
		unreadable(d, c, max, rm);
	} else if (rc == 0 && vc == 0) {
		set(c, PASS,
		    fmt(d, "kernel.unprivileged_userns_clone = 0: only root makes user "
		           "namespaces"),
		    NULL);
	} else if (rm == 0 && vm == 0) {
		set(c, PASS, fmt(d, "user.max_user_namespaces = 0: no user namespaces"), NULL);
	} else if (rc == -ENOENT && rm == -ENOENT) {
		set(c, PASS, fmt(d, "this kernel has no user namespaces"), NULL);
	} else if (rc == 0) {
		set(c, FAIL,
		    fmt(d,
		        "kernel.unprivileged_userns_clone = %" PRId64 ": users may make user "
		        "namespaces: %s",
		        vc, why),
		    fmt(d, "sysctl -w kernel.unprivileged_userns_clone=0, and keep "
		           "kernel.unprivileged_userns_clone=0 in " SYSCTL_FILE
		           " (sandboxes that need them, such as bubblewrap's, then need setuid "
		           "helpers or fail)"));
	} else {
		set(c, FAIL,
		    fmt(d,
		        "user.max_user_namespaces = %" PRId64 " (and no "
		        "kernel.unprivileged_userns_clone): users may make user namespaces: %s",
		        vm, why),
		    fmt(d, "sysctl -w user.max_user_namespaces=0, and keep "
		           "user.max_user_namespaces=0 in " SYSCTL_FILE
		           " (this kernel cannot refuse them to users alone: services that use "
		           "them, such as systemd's PrivateUsers=, fail too)"));
	}
}

static void check_bpf(struct doctor *d, struct check *c)
{
	const char *path = "/proc/sys/kernel/unprivileged_bpf_disabled";
	int64_t v;
	int ret = read_int(path, &v);

	if (ret == -ENOENT)
		set(c, PASS, fmt(d, "this kernel has no bpf() system call"), NULL);
	else if (ret)
		unreadable(d, c, path, ret);
	else if (v != 0)
		set(c, PASS,
		    fmt(d, "kernel.unprivileged_bpf_disabled = %" PRId64 ": only root loads eBPF",
		        v),
		    NULL);
	else
		set(c, FAIL,
		    fmt(d, "kernel.unprivileged_bpf_disabled = 0: users may load eBPF programs "
		           "into the kernel, which vouchd does not see"),
		    fmt(d, "sysctl -w kernel.unprivileged_bpf_disabled=2, and keep "
		           "kernel.unprivileged_bpf_disabled=2 in " SYSCTL_FILE
		           " (1 cannot be undone until the next boot)"));
}

/* Does this kernel load modules at all? (The sysctl is there only with CONFIG_MODULES.) */
static bool has_modules(void)
{
	return access("/proc/sys/kernel/modules_disabled", F_OK) == 0;
}

static void check_modules(struct doctor *d, struct check *c)
{
	const char *path = "/proc/sys/kernel/modules_disabled";
	int64_t v;
	int ret = read_int(path, &v);

	if (ret == -ENOENT && !has_modules())
		set(c, PASS, fmt(d, "this kernel loads no modules (no kernel.modules_disabled)"),
		    NULL);
	else if (ret)
		unreadable(d, c, path, ret);
	else if (v != 0)
		set(c, PASS,
		    fmt(d, "kernel.modules_disabled = %" PRId64 ": no more modules load", v), NULL);
	else
		set(c, WARN,
		    fmt(d, "kernel.modules_disabled = 0: root can load kernel modules, code "
		           "vouchd does not see"),
		    fmt(d,
		        "sysctl -w kernel.modules_disabled=1 once the machine has loaded the "
		        "modules it needs (from a unit ordered After=multi-user.target; not in "
		        "/etc/sysctl.d, which is applied before udev loads drivers; it cannot be "
		        "undone until the next boot)"));
}

static void check_module_sig(struct doctor *d, struct check *c)
{
	const char *path = "/sys/module/module/parameters/sig_enforce";
	const char *fix = "boot with module.sig_enforce=1 (or lockdown=integrity): " GRUB_HOW;
	char text[64];
	ssize_t n;
	bool on = false;
	int ret = 0;

	if (!has_modules()) {
		set(c, PASS, fmt(d, "this kernel loads no modules (no kernel.modules_disabled)"),
		    NULL);
		return;
	}
	n = read_setting(path, text, sizeof(text));
	if (n < 0)
		ret = (int)n;
	else if (vouch_kernel_bool(text, (size_t)n, &on) != 0)
		ret = -EBADMSG;
	if (ret == 0 && on)
		set(c, PASS, fmt(d, "module.sig_enforce = Y: unsigned modules are refused"), NULL);
	else if ((ret == 0 || ret == -ENOENT) && d->lockdown_known &&
	         d->lockdown >= VOUCH_LOCKDOWN_INTEGRITY)
		set(c, PASS, fmt(d, "lockdown refuses unsigned modules"), NULL);
	else if (ret == -ENOENT)
		set(c, WARN,
		    fmt(d, "this kernel checks no module signatures (no module.sig_enforce)"),
		    fmt(d, "a kernel built with CONFIG_MODULE_SIG (Debian's), booted with "
		           "module.sig_enforce=1"));
	else if (ret)
		unreadable(d, c, path, ret);
	else
		set(c, WARN, fmt(d, "module.sig_enforce = N: root can load an unsigned module"),
		    fmt(d, "%s", fix));
}

static void check_lockdown(struct doctor *d, struct check *c)
{
	static const char *const levels[] = {"none", "integrity", "confidentiality"};
	const char *path = "/sys/kernel/security/lockdown";
	const char *fix = "boot with lockdown=integrity: " GRUB_HOW
	                  " (UEFI Secure Boot turns it on with Debian's kernel)";
	bool securityfs = false;
	int ret = d->lockdown_err;

	if (d->lockdown_known) {
		if (d->lockdown >= VOUCH_LOCKDOWN_INTEGRITY)
			set(c, PASS,
			    fmt(d, "lockdown %s: root cannot change the running kernel",
			        levels[d->lockdown]),
			    NULL);
		else
			set(c, WARN,
			    fmt(d, "lockdown none: root can change the running kernel (/dev/mem, "
			           "unsigned kexec, unsigned modules)"),
			    fmt(d, "%s", fix));
		return;
	}
	for (size_t i = 0; i < d->nmounts; i++)
		securityfs |= !strcmp(d->mounts[i].fstype, "securityfs");
	if (ret == -ENOENT && !securityfs)
		set(c, WARN, fmt(d, "securityfs is not mounted: the lockdown level cannot be read"),
		    fmt(d, "mount -t securityfs securityfs /sys/kernel/security (systemd does at "
		           "boot)"));
	else if (ret == -ENOENT)
		set(c, WARN, fmt(d, "this kernel has no lockdown (Linux 5.4 and later)"),
		    fmt(d, "a kernel with the lockdown security module (Debian's), %s", fix));
	else
		unreadable(d, c, path, ret ? ret : -EBADMSG);
}

static void check_fusermount(struct doctor *d, struct check *c)
{
	/* fuse3's, and fuse's (or fuse3's link to its own); /bin too, where /usr is not merged. */
	static const char *const paths[] = {"/usr/bin/fusermount3", "/usr/bin/fusermount",
	                                    "/bin/fusermount3", "/bin/fusermount"};
	struct stat st[sizeof(paths) / sizeof(paths[0])];
	char *list = NULL;
	const char *first = NULL;
	size_t listlen = 0, n = 0, there = 0;
	FILE *f = open_memstream(&list, &listlen);

	if (!f) {
		d->oom = true;
		return;
	}
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		bool dup = false;

		if (stat(paths[i], &st[i]) != 0) {
			st[i].st_ino = 0;
			continue;
		}
		for (size_t j = 0; j < i; j++)
			dup |= st[j].st_ino == st[i].st_ino && st[j].st_dev == st[i].st_dev;
		if (dup)
			continue;
		there++;
		if (!(st[i].st_mode & S_ISUID) || st[i].st_uid != 0)
			continue;
		fprintf(f, "%s%s", n++ ? ", " : "", paths[i]);
		if (!first)
			first = paths[i];
	}
	if (fclose(f) != 0)
		d->oom = true;
	if (n)
		set(c, FAIL,
		    fmt(d,
		        "setuid root: %s: any user can mount a FUSE filesystem, whose server can "
		        "give vouchd other bytes than it gives the kernel",
		        list ? list : ""),
		    fmt(d,
		        "dpkg-statoverride --update --add root root 0755 %s (kept across "
		        "upgrades; the same for each), or apt-get remove fuse3",
		        first));
	else
		set(c, PASS,
		    fmt(d, there ? "no setuid fusermount" : "no fusermount3 or fusermount"), NULL);
	free(list);
}

static const struct {
	const char *name;
	void (*run)(struct doctor *d, struct check *c);
} checks[] = {
    {"vouchd", check_vouchd},
    {"marks", check_marks},
    {"filesystems", check_filesystems},
    {"noexec", check_noexec},
    {"memfd", check_memfd},
    {"proc-mem", check_proc_mem},
    {"ptrace", check_ptrace},
    {"userns", check_userns},
    {"bpf", check_bpf},
    {"modules", check_modules},
    {"module-sig", check_module_sig},
    {"lockdown", check_lockdown},
    {"fusermount", check_fusermount},
};

#define NCHECKS (sizeof(checks) / sizeof(checks[0]))

static void print_text(const struct check *c, const size_t count[3])
{
	int width = 0;

	for (size_t i = 0; i < NCHECKS; i++)
		if ((int)strlen(c[i].name) > width)
			width = (int)strlen(c[i].name);
	/* Escaped whole (mount points are users' bytes): each check stays one line. */
	for (size_t i = 0; i < NCHECKS; i++)
		tool_print("%s  %-*s  %s%s%s\n", result_names[c[i].result], width, c[i].name,
		           c[i].found, c[i].fix ? "; fix: " : "", c[i].fix ? c[i].fix : "");
	printf("%zu checks: %zu pass, %zu warn, %zu fail\n", NCHECKS, count[PASS], count[WARN],
	       count[FAIL]);
}

static void print_json(const struct check *c, const size_t count[3], enum result worst)
{
	fputs("{\"checks\":[", stdout);
	for (size_t i = 0; i < NCHECKS; i++) {
		printf("%s{", i ? "," : "");
		tool_json_str(stdout, "name", c[i].name);
		printf(",\"result\":\"%s\",", result_names[c[i].result]);
		tool_json_str(stdout, "found", c[i].found);
		if (c[i].fix) {
			putchar(',');
			tool_json_str(stdout, "fix", c[i].fix);
		} else {
			fputs(",\"fix\":null", stdout);
		}
		putchar('}');
	}
	printf("],\"pass\":%zu,\"warn\":%zu,\"fail\":%zu,\"result\":\"%s\"}\n", count[PASS],
	       count[WARN], count[FAIL], result_names[worst]);
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"state", required_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct doctor d = {0};
	struct check c[NCHECKS] = {0};
	size_t count[3] = {0};
	enum result worst = PASS;
	const char *state = NULL;
	bool json = false;
	int ch, rc = EXIT_ERROR;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = true;
			break;
		case 'S':
			state = optarg;
			break;
		case 'h':
			help();
			return EXIT_OK;
		default:
			return tool_bad_option(CMD, ch, argc, argv);
		}
	}
	if (optind != argc)
		return tool_usage(CMD, "unexpected argument '%s'", argv[optind]);
	d.state = tool_state_dir(state);
	if (uname(&d.uts) != 0) {
		tool_err(CMD, "uname", "%s", strerror(errno));
		return EXIT_ERROR;
	}
	d.release_known =
	    vouch_kernel_release(d.uts.release, strlen(d.uts.release), &d.major, &d.minor) == 0;
	load_mounts(&d);
	load_status(&d);
	load_lockdown(&d);
	for (size_t i = 0; i < NCHECKS && !d.oom; i++) {
		c[i].name = checks[i].name;
		checks[i].run(&d, &c[i]);
		if (!c[i].found)
			d.oom = true;
	}
	if (d.oom) {
		tool_err(CMD, NULL, "%s", strerror(ENOMEM));
		goto out;
	}
	for (size_t i = 0; i < NCHECKS; i++) {
		count[c[i].result]++;
		if (c[i].result > worst)
			worst = c[i].result;
	}
	if (json)
		print_json(c, count, worst);
	else
		print_text(c, count);
	rc = worst == PASS ? EXIT_OK : EXIT_DENIED;
	if (fflush(stdout) != 0) {
		tool_err(CMD, "standard output", "%s", strerror(errno));
		rc = EXIT_ERROR;
	}
out:
	for (size_t i = 0; i < NCHECKS; i++) {
		free(c[i].found);
		free(c[i].fix);
	}
	free(d.mounts);
	vouch_ctl_answer_release(&d.status);
	return rc;
}
