/* SPDX-License-Identifier: Apache-2.0 */
/* vouch check / vouch why: hash a file and give the policy's decision, the rule, and why. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"
#include "vouch/manifest.h"
#include "vouch/store.h"

struct opts {
	const char *bundle, *pub, *b64, *state;
	bool json;
};

static void help(const char *cmd)
{
	bool why = !strcmp(cmd, "why");

	printf("Usage: vouch %s [--bundle BUNDLE [-p PUBKEY | -P KEY]] [--state DIR]%s FILE...\n"
	       "\n",
	       cmd, why ? "" : " [--json]");
	if (why)
		printf("Explain in words whether each FILE may run under the policy, which\n"
		       "rule decides, and the policy owner's message: the answer a person\n"
		       "whose program was denied gets.\n");
	else
		printf(
		    "Hash each FILE and print the policy's decision and the rule that made it.\n");
	printf("\n"
	       "  --bundle PATH    decide by this policy bundle instead of the installed policy\n"
	       "  -p, --public PATH, -P, --key BASE64\n"
	       "                   verify the bundle's signature with this key first\n"
	       "  --state DIR      the installed policy's directory (default %s)\n"
	       "%s"
	       "  -h, --help       show this help\n"
	       "\n"
	       "Exit status: 0 every FILE allowed; 1 a FILE denied; 2 usage or I/O error.\n",
	       VOUCH_STATE_DIR_DEFAULT,
	       why ? "" : "  --json           one JSON object per FILE on standard output\n");
}

static int parse_opts(const char *cmd, int argc, char **argv, struct opts *o)
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
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:P:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->bundle = optarg;
			break;
		case 'p':
			o->pub = optarg;
			break;
		case 'P':
			o->b64 = optarg;
			break;
		case 'S':
			o->state = optarg;
			break;
		case 'j':
			if (!strcmp(cmd, "why"))
				return tool_usage(cmd, "--json goes with 'vouch check'");
			o->json = true;
			break;
		case 'h':
			help(cmd);
			return -1;
		default:
			return tool_bad_option(cmd, c, argc, argv);
		}
	}
	if (optind == argc)
		return tool_usage(cmd, "no FILE given");
	if ((o->pub || o->b64) && !o->bundle)
		return tool_usage(cmd, "-p/-P verify a --bundle; the installed policy was verified "
		                       "when it was installed");
	if (o->pub && o->b64)
		return tool_usage(cmd, "give only one of -p and -P");
	if (o->bundle && o->state)
		return tool_usage(cmd, "give only one of --bundle and --state");
	return EXIT_OK;
}

static const char *kind_name(enum vouch_code_kind k)
{
	switch (k) {
	case VOUCH_CODE_ELF_EXEC:
		return "elf-exec";
	case VOUCH_CODE_ELF_DYN:
		return "elf-dyn"; /* shared objects and PIE programs */
	case VOUCH_CODE_SCRIPT:
		return "script";
	default:
		return "other";
	}
}

struct fileinfo {
	uint8_t sha256[32];
	bool hashed; /* false: larger than the policy's max-size, not read past its head */
	uint64_t size;
	enum vouch_code_kind kind;
};

/* Open once (never blocking on a FIFO), classify from the head, hash through the same fd. */
static int examine(const char *path, struct fileinfo *fi, uint64_t max_size)
{
	uint8_t head[VOUCH_CODE_HEAD];
	struct stat st;
	size_t n = 0;
	int fd, ret;

	fd = tool_open_regular(path);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) != 0) {
		ret = -errno;
		goto out;
	}
	ret = vouch_pread_full(fd, head, sizeof(head), 0, &n);
	if (ret)
		goto out;
	fi->kind = vouch_code_classify(head, n);
	fi->size = (uint64_t)st.st_size;
	/* As vouchd: a file larger than the policy's max-size is decided unread. */
	fi->hashed = fi->size <= max_size;
	memset(fi->sha256, 0, sizeof(fi->sha256));
	ret = fi->hashed ? vouch_fd_sha256(fd, fi->sha256) : 0;
out:
	close(fd);
	return ret;
}

static void print_json(const char *path, const struct fileinfo *fi, const struct tool_policy *src,
                       const struct vouch_decision *d)
{
	const struct vouch_cpolicy *cp = src->cp;
	char hex[65];

	char shaj[68];

	vouch_hex_encode(fi->sha256, 32, hex);
	/* null when not read (larger than max-size) */
	snprintf(shaj, sizeof(shaj), fi->hashed ? "\"%s\"" : "null", hex);
	fputs("{", stdout);
	tool_json_str(stdout, "file", path);
	printf(",\"sha256\":%s,\"size\":%llu,\"kind\":\"%s\",\"decision\":\"%s\","
	       "\"would_deny\":%s,\"rule\":\"%s\",\"mode\":\"%s\",",
	       shaj, (unsigned long long)fi->size, kind_name(fi->kind), d->allow ? "allow" : "deny",
	       d->would_deny ? "true" : "false", vouch_rule_name(d->rule),
	       vouch_mode_name(cp->mode));
	if (d->manifest != VOUCH_NONE) {
		const struct vouch_cmanifest *m = &cp->manifests[d->manifest];

		tool_json_str(stdout, "manifest", vouch_cpolicy_string(cp, m->path));
		fputs(",", stdout);
		tool_json_str(stdout, "signer",
		              vouch_cpolicy_string(cp, cp->signers[m->signer].name));
	} else {
		fputs("\"manifest\":null,\"signer\":null", stdout);
	}
	fputs(",", stdout);
	tool_json_str(stdout, "reason", d->reason);
	fputs(",", stdout);
	if (d->message)
		tool_json_str(stdout, "message", d->message);
	else
		fputs("\"message\":null", stdout);
	fputs(",", stdout);
	tool_json_str(stdout, "policy", src->where);
	printf(",\"policy_verified\":%s}\n", src->verified ? "true" : "false");
}

static void print_text(const char *path, const struct vouch_decision *d)
{
	/* File names and the policy's words are not this tool's: escaped. */
	tool_print("%s: %s (%s): %s\n", path,
	           !d->allow       ? "deny"
	           : d->would_deny ? "allow, but enforce mode would deny"
	                           : "allow",
	           vouch_rule_name(d->rule), d->reason);
	if (d->message)
		tool_print("%s: message: %s\n", path, d->message);
}

static const char *rule_words(enum vouch_rule r)
{
	switch (r) {
	case VOUCH_RULE_NOT_GATED:
		return "the policy does not gate this kind of access";
	case VOUCH_RULE_EXPIRED:
		return "an expired policy vouches for nothing";
	case VOUCH_RULE_DENY_HASH:
		return "an explicit deny rule, which beats every allow";
	case VOUCH_RULE_WRITABLE:
		return "a library that users can write could change while it is loaded";
	case VOUCH_RULE_ALLOW_HASH:
		return "an explicit allow rule for this file's content";
	case VOUCH_RULE_MANIFEST:
		return "a manifest signed by a signer the policy trusts";
	default:
		return "anything not vouched for is denied";
	}
}

static void print_why(const char *path, const struct fileinfo *fi, const struct tool_policy *src,
                      const struct vouch_decision *d)
{
	const struct vouch_cpolicy *cp = src->cp;
	char hex[65], when[21];

	vouch_hex_encode(fi->sha256, 32, hex);
	if (!fi->hashed)
		snprintf(hex, sizeof(hex), "not hashed");
	vouch_time_format(cp->compiled, when);
	if (!d->allow)
		tool_print("%s may not run: vouch denies it.\n", path);
	else if (d->would_deny)
		tool_print("%s may run only because the policy is in monitor mode; in enforce mode "
		           "vouch would deny it.\n",
		           path);
	else
		tool_print("%s may run.\n", path);
	tool_print("  why:     %s\n", d->reason);
	printf("  rule:    %s (%s)\n", vouch_rule_name(d->rule), rule_words(d->rule));
	if (d->message)
		tool_print("  message from the policy's owner: %s\n", d->message);
	printf("  file:    sha256 %s, %llu bytes, %s\n", hex, (unsigned long long)fi->size,
	       kind_name(fi->kind));
	tool_print("  policy:  %s, %s mode, compiled %s%s\n", src->where, vouch_mode_name(cp->mode),
	           when, src->verified ? "" : " (signature not checked)");
	if (!d->allow || d->would_deny)
		printf(
		    "  what to do: ask the policy's owner to vouch for this file (by its sha256),"
		    " or use a version they have vouched for.\n");
}

static enum vouch_rule rule_by_name(const char *name)
{
	for (int r = VOUCH_RULE_NOT_GATED; r <= VOUCH_RULE_DEFAULT; r++)
		if (name && !strcmp(name, vouch_rule_name((enum vouch_rule)r)))
			return (enum vouch_rule)r;
	return VOUCH_RULE_DEFAULT;
}

/*
 * vouchd refused our own read of @path (an ELF object it does not trust), so
 * the explanation comes from vouchd: it is sent a descriptor that reads
 * nothing (O_PATH) and answers with the verdict it gave that very file.
 */
static int why_from_daemon(const char *path, const char *state)
{
	const struct vouch_ctl_request req = {.verb = VOUCH_CTL_WHY};
	const char *deny = vouch_verdict_name(false, false);
	struct vouch_ctl_answer a;
	const char *v, *msg;
	int fd = open(path, O_PATH | O_CLOEXEC), rc;

	if (fd < 0) {
		tool_err("why", path, "%s", strerror(errno));
		return EXIT_ERROR;
	}
	rc = tool_daemon_ask("why", state, &req, fd, &a);
	close(fd);
	if (rc != EXIT_OK) {
		vouch_ctl_answer_release(&a);
		return EXIT_ERROR;
	}
	/* The verdict is one of the log's words (vouch_verdict_name()), not text to read. */
	v = vouch_ctl_answer_get(&a, "verdict");
	/* vouchd's answer is shown escaped, as the file name is. */
	if (v && !strcmp(v, deny))
		tool_print("%s may not run: vouchd denied it.\n", path);
	else if (v && !strcmp(v, vouch_verdict_name(true, true)))
		tool_print("%s may run only because the policy is in monitor mode; in enforce mode "
		           "vouch would deny it.\n",
		           path);
	else
		tool_print("%s may run.\n", path);
	tool_print("  why:     %s\n",
	           vouch_ctl_answer_get(&a, "reason") ? vouch_ctl_answer_get(&a, "reason") : "?");
	tool_print("  rule:    %s (%s)\n",
	           vouch_ctl_answer_get(&a, "rule") ? vouch_ctl_answer_get(&a, "rule") : "?",
	           rule_words(rule_by_name(vouch_ctl_answer_get(&a, "rule"))));
	msg = vouch_ctl_answer_get(&a, "message");
	if (msg)
		tool_print("  message from the policy's owner: %s\n", msg);
	tool_print("  file:    sha256 %s (as vouchd read it; it refused to let this command read "
	           "it)\n",
	           vouch_ctl_answer_get(&a, "sha256") ? vouch_ctl_answer_get(&a, "sha256") : "?");
	tool_print("  policy:  %s (enforced by vouchd), %s mode\n", state,
	           vouch_ctl_answer_get(&a, "mode") ? vouch_ctl_answer_get(&a, "mode") : "?");
	if (!v || strcmp(v, vouch_verdict_name(true, false)) != 0)
		printf(
		    "  what to do: ask the policy's owner to vouch for this file (by its sha256),"
		    " or use a version they have vouched for.\n");
	rc = v && !strcmp(v, deny) ? EXIT_DENIED : EXIT_OK;
	vouch_ctl_answer_release(&a);
	return rc;
}

static int run(const char *cmd, int argc, char **argv)
{
	struct opts o;
	struct tool_policy src;
	int rc = parse_opts(cmd, argc, argv, &o);
	bool why = !strcmp(cmd, "why");

	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (tool_policy_open(cmd, o.bundle, o.pub, o.b64, o.state, false, &src)) {
		tool_policy_close(&src);
		return EXIT_ERROR;
	}
	for (int i = optind; i < argc; i++) {
		struct vouch_decision d;
		struct fileinfo fi;
		int ret = examine(argv[i], &fi, vouch_cpolicy_max_size(src.cp));

		/* As vouchd: a file larger than the policy's max-size is decided unread. */
		if (ret == 0)
			ret = tool_policy_decide(&src, fi.hashed ? fi.sha256 : NULL, fi.size,
			                         argv[i], &d);
		if (ret == -EPERM && why && !src.from_bundle) {
			int r = why_from_daemon(argv[i], tool_state_dir(o.state));

			if (r != EXIT_OK && (rc == EXIT_OK || r == EXIT_ERROR))
				rc = r;
			continue;
		}
		if (ret) {
			tool_err(cmd, argv[i], "%s", vouch_strerror(ret));
			rc = EXIT_ERROR;
			continue;
		}
		if (why)
			print_why(argv[i], &fi, &src, &d);
		else if (o.json)
			print_json(argv[i], &fi, &src, &d);
		else
			print_text(argv[i], &d);
		if (!d.allow && rc == EXIT_OK)
			rc = EXIT_DENIED;
	}
	tool_policy_close(&src);
	return rc;
}

int cmd_check(int argc, char **argv)
{
	return run("check", argc, argv);
}

int cmd_why(int argc, char **argv)
{
	return run("why", argc, argv);
}
