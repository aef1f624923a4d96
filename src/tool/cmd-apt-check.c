/* SPDX-License-Identifier: Apache-2.0 */
/* vouch apt-check: apt's DPkg::Pre-Install-Pkgs hook; refuses packages whose code the policy does
 * not allow. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"
#include "vouch/apt.h"
#include "vouch/debfile.h"

static const char *const CMD = "apt-check";

/* --json: a line per refused or warned file and per package on standard output. */
static bool json;

static void help(void)
{
	printf("Usage: vouch apt-check [--state DIR] [--bundle BUNDLE [-p PUBKEY | -P KEY]]\n"
	       "                       [--json] [PKG.deb...]\n"
	       "\n"
	       "Check, before dpkg unpacks anything, that every code file of every package\n"
	       "apt is about to unpack (and of its maintainer scripts) is allowed by the\n"
	       "installed policy, as 'vouch check' decides. Without PKG.deb, reads what apt\n"
	       "gives a DPkg::Pre-Install-Pkgs hook (protocol version 3 or 2) from the\n"
	       "descriptor $APT_HOOK_INFO_FD, or standard input. A package with any code file\n"
	       "not vouched for is refused: one line per file, and a failing exit status, so\n"
	       "that apt stops before dpkg runs. In monitor mode refusals are warnings only.\n"
	       "With no policy installed, nothing is checked (one line says so).\n"
	       "\n"
	       "  --state DIR      the installed policy's directory (default %s)\n"
	       "  --bundle PATH    decide by this policy bundle instead of the installed policy\n"
	       "  -p, --public PATH, -P, --key BASE64\n"
	       "                   verify the bundle's signature with this key first\n"
	       "  --json           one JSON object per refused file and per package on\n"
	       "                   standard output (the lines for people stay on stderr)\n"
	       "  -h, --help       show this help\n"
	       "\n"
	       "Exit status: 0 every package allowed (or no policy); 1 a package refused;\n"
	       "2 usage, input, package or I/O error.\n",
	       VOUCH_STATE_DIR_DEFAULT);
}

/* A printable copy of @n bytes (no NUL in them: the parser refused those). */
static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/*
 * dpkg opens the .deb again by its path after this check: nobody but root may be
 * able to change the file or the names that lead to it in between. The path must
 * be absolute and free of symbolic links and ".." (it is its own realpath, "." aside),
 * every directory on it owned by root and writable only by root (or sticky, as
 * /tmp: there only the file's owner, root, can rename or remove it), and the file
 * a regular file owned by root that only root can write. @fd: the file, opened
 * without following a link; it must be the file the path names.
 * Return: NULL, or the reason it is not safe (static, or in @buf).
 */
static const char *unsafe(const char *given, int fd, char *buf, size_t cap)
{
	char real[PATH_MAX], path[PATH_MAX], dir[PATH_MAX];
	struct stat st, fst;
	size_t len = 0;

	if (given[0] != '/')
		return "not an absolute path";
	/* "." and repeated '/' are only spelling (apt writes "repo/./x.deb" for a file:
	 * repository indexed from "."); ".." and symbolic links are refused. */
	for (const char *c = given; *c;) {
		size_t n;

		while (*c == '/')
			c++;
		n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.')) {
			c += n;
			continue;
		}
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return "has a \"..\" component: dpkg could be given another file";
		if (len + 1 + n >= sizeof(path))
			return "path too long";
		path[len++] = '/';
		memcpy(path + len, c, n);
		len += n;
		c += n;
	}
	path[len] = '\0';
	if (!realpath(given, real) || strcmp(real, path))
		return "reached through a symbolic link: dpkg could be given another file";
	/* Every directory the path goes through, "/" first. */
	for (size_t i = 0; i < len; i++) {
		if (path[i] != '/')
			continue;
		memcpy(dir, path, i ? i : 1);
		dir[i ? i : 1] = '\0';
		if (lstat(dir, &st) != 0) {
			snprintf(buf, cap, "cannot check %s: %s", dir, strerror(errno));
			return buf;
		}
		if (!S_ISDIR(st.st_mode) || st.st_uid != 0 ||
		    ((st.st_mode & 022) && !(st.st_mode & S_ISVTX))) {
			snprintf(
			    buf, cap,
			    "the directory %s (owner uid %ju, mode %04o) lets a user other than "
			    "root replace the file before dpkg reads it",
			    dir, (uintmax_t)st.st_uid, (unsigned)(st.st_mode & 07777));
			return buf;
		}
	}
	if (fstat(fd, &fst) != 0 || lstat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_dev != fst.st_dev || st.st_ino != fst.st_ino)
		return "changed while it was checked";
	if (fst.st_uid != 0 || (fst.st_mode & 022)) {
		snprintf(buf, cap,
		         "owned by uid %ju with mode %04o: a user other than root could change it "
		         "before dpkg reads it",
		         (uintmax_t)fst.st_uid, (unsigned)(fst.st_mode & 07777));
		return buf;
	}
	return NULL;
}

/* The JSON line of one package's result (@result: "allowed", "refused", "error"). */
static void json_package(const char *label, const char *path, const char *result, size_t files,
                         size_t denied, size_t warned)
{
	if (!json)
		return;
	fputs("{", stdout);
	tool_json_str(stdout, "package", label);
	fputs(",", stdout);
	if (path)
		tool_json_str(stdout, "deb", path);
	else
		fputs("\"deb\":null", stdout);
	printf(",\"result\":\"%s\",\"code_files\":%zu,\"denied\":%zu,\"warned\":%zu}\n", result,
	       files, denied, warned);
}

/* The JSON line of a code file refused (or warned about, in monitor mode). */
static void json_file(const char *label, const char *path, const struct vouch_manifest_entry *e,
                      const struct vouch_decision *d)
{
	char hex[2 * VOUCH_SHA256_LEN + 1];

	if (!json)
		return;
	vouch_hex_encode(e->sha256, VOUCH_SHA256_LEN, hex);
	fputs("{", stdout);
	tool_json_str(stdout, "package", label);
	fputs(",", stdout);
	tool_json_str(stdout, "deb", path);
	fputs(",", stdout);
	tool_json_str(stdout, "file", e->path);
	printf(",\"sha256\":\"%s\",\"size\":%llu,\"decision\":\"%s\",\"rule\":\"%s\",", hex,
	       (unsigned long long)e->size, vouch_verdict_name(d->allow, d->would_deny),
	       vouch_rule_name(d->rule));
	tool_json_str(stdout, "reason", d->reason);
	fputs(",", stdout);
	if (d->message)
		tool_json_str(stdout, "message", d->message);
	else
		fputs("\"message\":null", stdout);
	fputs("}\n", stdout);
}

struct tally {
	unsigned checked, refused, errors, warned;
};

/*
 * Check one package file: EXIT_OK (allowed, or only warned in monitor mode),
 * EXIT_DENIED (a code file refused: each said in one line) or EXIT_ERROR.
 * @label: how the package is named in messages ("hello 2.10-3" or the path).
 */
static int check_deb(struct tool_policy *src, const char *path, const char *label, struct tally *t)
{
	struct vouch_debfile_info info;
	struct vouch_deb_problem pb;
	struct vouch_manifest m;
	const uint64_t max = vouch_cpolicy_max_size(src->cp);
	char why[PATH_MAX + 200];
	const char *bad;
	int fd, ret, rc = EXIT_OK;
	size_t denied = 0, warned = 0;

	t->checked++;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		tool_err(CMD, path, "%s", strerror(errno));
		json_package(label, path, "error", 0, 0, 0);
		t->errors++;
		return EXIT_ERROR;
	}
	bad = unsafe(path, fd, why, sizeof(why));
	if (bad) {
		tool_err(CMD, path, "refused: %s", bad);
		json_package(label, path, "error", 0, 0, 0);
		close(fd);
		t->errors++;
		return EXIT_ERROR;
	}
	vouch_manifest_init(&m);
	ret = vouch_debfile_manifest(fd, &m, &info, &pb);
	close(fd);
	if (ret) {
		tool_deb_problem(CMD, path, ret, &pb);
		json_package(label, path, "error", 0, 0, 0);
		vouch_manifest_free(&m);
		t->errors++;
		return EXIT_ERROR;
	}
	for (size_t i = 0; i < m.count; i++) {
		const struct vouch_manifest_entry *e = &m.entries[i];
		struct vouch_decision d;

		/* As vouchd and 'vouch check': larger than max-size is decided unread. */
		ret = tool_policy_decide(src, e->size <= max ? e->sha256 : NULL, e->size, e->path,
		                         &d);
		if (ret) {
			tool_err(CMD, src->where, "%s", vouch_strerror(ret));
			rc = EXIT_ERROR;
			t->errors++;
			break;
		}
		if (d.allow && !d.would_deny)
			continue;
		if (d.message)
			tool_err(CMD, label, "%s: %s (%s): %s; message: %s", e->path,
			         d.allow ? "would be denied in enforce mode" : "deny",
			         vouch_rule_name(d.rule), d.reason, d.message);
		else
			tool_err(CMD, label, "%s: %s (%s): %s", e->path,
			         d.allow ? "would be denied in enforce mode" : "deny",
			         vouch_rule_name(d.rule), d.reason);
		json_file(label, path, e, &d);
		if (d.allow) {
			t->warned++;
			warned++;
		} else {
			denied++;
		}
	}
	if (rc == EXIT_OK && denied) {
		tool_err(CMD, label, "refused: %zu of its %zu code files not vouched for", denied,
		         m.count);
		t->refused++;
		rc = EXIT_DENIED;
	}
	json_package(label, path,
	             rc == EXIT_OK       ? "allowed"
	             : rc == EXIT_DENIED ? "refused"
	                                 : "error",
	             m.count, denied, warned);
	vouch_manifest_free(&m);
	return rc;
}

/* Read all of descriptor @fd, at most VOUCH_APT_INPUT_MAX bytes. EXIT_* */
static int read_input(int fd, char **out, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);

	*out = NULL;
	*len = 0;
	if (!buf)
		goto nomem;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			if (cap >= VOUCH_APT_INPUT_MAX) {
				tool_err(CMD, "apt's hook input", "%s",
				         vouch_strerror(VOUCH_E_TOOBIG));
				free(buf);
				return EXIT_ERROR;
			}
			nb = realloc(buf, cap * 2);
			if (!nb)
				goto nomem;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			tool_err(CMD, "apt's hook input", "%s", strerror(errno));
			free(buf);
			return EXIT_ERROR;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*out = buf;
	*len = n;
	return EXIT_OK;
nomem:
	free(buf);
	tool_err(CMD, NULL, "%s", vouch_strerror(-ENOMEM));
	return EXIT_ERROR;
}

static int worse(int a, int b)
{
	return a == EXIT_ERROR || b == EXIT_ERROR ? EXIT_ERROR : a > b ? a : b;
}

/* The packages apt is about to unpack, from its hook protocol on @fd. EXIT_* */
static int from_apt(struct tool_policy *src, int fd, struct tally *t)
{
	struct vouch_apt_cursor c;
	struct vouch_apt_action a;
	char *text;
	size_t len;
	int rc = read_input(fd, &text, &len), ret;

	if (rc)
		return rc;
	ret = vouch_apt_begin(&c, text, len);
	if (ret == VOUCH_E_CTL_VERSION) {
		tool_err(
		    CMD, "apt's hook input",
		    "not protocol version 3 or 2 (set DPkg::Tools::Options::<command>::Version "
		    "\"3\")");
		free(text);
		return EXIT_ERROR;
	}
	while (!ret && (ret = vouch_apt_next(&c, &a)) == 1) {
		char *name, *path, *label;

		ret = 0;
		if (a.op == VOUCH_APT_CONFIGURE || a.op == VOUCH_APT_REMOVE)
			continue; /* nothing is unpacked */
		name = dup_n(a.name, a.name_len);
		path = a.deb ? dup_n(a.deb, a.deb_len) : NULL;
		label = malloc(a.name_len + a.newver_len + 2);
		if (!name || (a.deb && !path) || !label) {
			free(name);
			free(path);
			free(label);
			ret = -ENOMEM;
			break;
		}
		snprintf(label, a.name_len + a.newver_len + 2, "%.*s %.*s", (int)a.name_len, a.name,
		         (int)a.newver_len, a.newver);
		if (a.op == VOUCH_APT_ERROR) {
			tool_err(CMD, label, "refused: apt gave no path of the package to check");
			json_package(label, NULL, "error", 0, 0, 0);
			t->checked++;
			t->errors++;
			rc = EXIT_ERROR;
		} else {
			rc = worse(rc, check_deb(src, path, label, t));
		}
		free(name);
		free(path);
		free(label);
	}
	if (ret < 0) {
		if (ret == VOUCH_E_MANIFEST_LINE)
			tool_err(CMD, "apt's hook input", "line %zu: not as apt writes it", c.line);
		else
			tool_err(CMD, "apt's hook input", "%s", vouch_strerror(ret));
		rc = EXIT_ERROR;
	}
	free(text);
	return rc;
}

int cmd_apt_check(int argc, char **argv)
{
	static const struct option lopts[] = {
	    {"bundle", required_argument, NULL, 'b'},
	    {"public", required_argument, NULL, 'p'},
	    {"key", required_argument, NULL, 'P'},
	    {"state", required_argument, NULL, 'S'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const char *bundle = NULL, *pub = NULL, *b64 = NULL, *state = NULL, *env;
	struct tool_policy src;
	struct tally t = {0};
	int c, rc = EXIT_OK, fd = STDIN_FILENO;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:P:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bundle = optarg;
			break;
		case 'p':
			pub = optarg;
			break;
		case 'P':
			b64 = optarg;
			break;
		case 'S':
			state = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			help();
			return EXIT_OK;
		default:
			return tool_bad_option(CMD, c, argc, argv);
		}
	}
	if ((pub || b64) && !bundle)
		return tool_usage(CMD, "-p/-P verify a --bundle");
	if (pub && b64)
		return tool_usage(CMD, "give only one of -p and -P");
	if (bundle && state)
		return tool_usage(CMD, "give only one of --bundle and --state");
	env = getenv("APT_HOOK_INFO_FD");
	if (optind == argc && env && env[0]) {
		char *end;
		long v = strtol(env, &end, 10);

		if (*end || v < 0 || v > INT_MAX)
			return tool_usage(CMD, "APT_HOOK_INFO_FD is not a descriptor number");
		fd = (int)v;
	}
	if (optind == argc && isatty(fd))
		return tool_usage(CMD, "no PKG.deb given, and apt's hook input is a terminal");
	if (tool_policy_open(CMD, bundle, pub, b64, state, true, &src)) {
		tool_policy_close(&src);
		return EXIT_ERROR;
	}
	if (!src.cp) {
		/* Nothing enforces a policy that is not there: apt goes on, told why. */
		tool_err(CMD, src.where, "no policy installed: packages not checked");
		tool_policy_close(&src);
		return EXIT_OK;
	}
	if (optind == argc)
		rc = from_apt(&src, fd, &t);
	for (int i = optind; i < argc; i++)
		rc = worse(rc, check_deb(&src, argv[i], argv[i], &t));
	/* One package that could not be checked has said why in its one line. */
	if (t.refused || (t.errors && t.checked > 1))
		tool_err(CMD, NULL,
		         "%u of %u packages refused (%u not vouched for, %u not readable or not "
		         "safe to check): nothing was unpacked",
		         t.refused + t.errors, t.checked, t.refused, t.errors);
	else if (t.warned)
		tool_err(CMD, NULL,
		         "monitor mode: %u code files would be denied in enforce mode; %u packages "
		         "allowed",
		         t.warned, t.checked);
	tool_policy_close(&src);
	if (json && fflush(stdout) != 0) {
		tool_err(CMD, "standard output", "%s", strerror(errno));
		rc = EXIT_ERROR;
	}
	return rc;
}
