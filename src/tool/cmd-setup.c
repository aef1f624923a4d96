/* SPDX-License-Identifier: Apache-2.0 */
/* vouch setup: one machine's first run: the owner's key, the dpkg manifest, a policy, installed. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

static const char *const CMD = "setup";

#define DIR_DEFAULT   "/etc/vouch"
#define SINCE_DEFAULT "24h"
/* The names setup gives the owner's files in its directory (vouch-setup(1)). */
#define F_PUB      "owner.pub"
#define F_SEC      "owner.key"
#define F_MANIFEST "system.manifest"
#define F_SIG      "system.manifest.minisig"
#define F_POLICY   "policy"
#define F_BUNDLE   "policy.bundle"

extern char **environ;

static void help(void)
{
	printf("Usage: vouch setup [--dir DIR] [--state DIR] [--secret-key FILE | --owner-key "
	       "PUBKEY]\n"
	       "                   [--no-password | --password-fd N] [--message TEXT]\n"
	       "                   [--admindir DIR] [--root DIR] [--enforce | --monitor]\n"
	       "                   [--since AGE] [-y] [--no-start] [--json]\n"
	       "\n"
	       "Set this machine up to run only what its owner vouched for: make the owner's\n"
	       "key pair in DIR (or use --secret-key), list every code file dpkg installed\n"
	       "(checked against dpkg's MD5s), sign that manifest, write a policy that trusts\n"
	       "it in monitor mode, compile and sign it, install it in the state directory,\n"
	       "and start or reload vouchd under systemd. Run again after installing software:\n"
	       "the manifest is made again; an existing key and policy are kept as they are.\n"
	       "\n"
	       "  --dir DIR            the owner's files: key pair, manifest, policy, bundle\n"
	       "                       (default " DIR_DEFAULT ")\n"
	       "  --state DIR          where the policy is installed (default $VOUCH_STATE_DIR\n"
	       "                       or %s)\n"
	       "  --secret-key FILE    sign with this existing minisign secret key\n"
	       "  --owner-key PUBKEY   fleets: the owner signs elsewhere; write the manifest\n"
	       "                       and policy for the owner to sign, install nothing\n"
	       "  --no-password        make the new secret key unencrypted\n"
	       "  --password-fd N      read the password from descriptor N, not the terminal\n"
	       "  --message TEXT       what a denied person is told (a new policy only)\n"
	       "  --admindir DIR       dpkg's database (default /var/lib/dpkg)\n"
	       "  --root DIR           where the packages are installed (default /)\n"
	       "  --enforce            switch the policy to enforce mode; refused if the log has\n"
	       "                       would-deny decisions since AGE, unless -y\n"
	       "  --monitor            switch the policy back to monitor mode\n"
	       "  --since AGE          how far back --enforce looks (default " SINCE_DEFAULT ")\n"
	       "  -y, --yes            enforce even so\n"
	       "      --no-start       do not start or reload vouchd through systemctl\n"
	       "      --json           print what was done as one JSON object\n"
	       "  -h, --help           show this help\n"
	       "\n"
	       "Exit status: 0 done; 1 --enforce refused (would-deny decisions, or no log to\n"
	       "read); 2 usage or system error, with nothing left behind by this run.\n",
	       VOUCH_STATE_DIR_DEFAULT);
}

enum mode_change { KEEP, TO_MONITOR, TO_ENFORCE };

struct setup {
	const char *dir, *state, *seckey, *ownerkey, *admindir, *root, *message, *since;
	bool nopw, yes, nostart, json;
	int pwfd;
	enum mode_change change;
	char pub[PATH_MAX], sec[PATH_MAX], manifest[PATH_MAX], sig[PATH_MAX];
	char policy[PATH_MAX], bundle[PATH_MAX];
	/* What this run made, removed again if it fails (in reverse order). */
	const char *made[8];
	size_t nmade;
	bool made_dir;
	/* Results, for the summary. */
	bool key_made, policy_kept, installed, checked_log;
	char *policy_old; /* the owner's policy before set_mode(), put back if the run fails */
	size_t policy_old_len;
	uint64_t would_deny;
	enum vouch_mode mode;
	const char *vouchd;
	struct vouch_scan_stats st;
	char keyid[17];
};

static int join(char out[PATH_MAX], const char *dir, const char *name)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);

	if (n < 0 || n >= PATH_MAX) {
		tool_err(CMD, dir, "name too long");
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Undo what this run made: its files, then its directory. */
static void undo(struct setup *s)
{
	while (s->nmade)
		unlink(s->made[--s->nmade]);
	if (s->made_dir)
		rmdir(s->dir);
}

static void made(struct setup *s, const char *path)
{
	if (s->nmade < sizeof(s->made) / sizeof(s->made[0]))
		s->made[s->nmade++] = path;
}

/*
 * The state directory must be one, or be makeable, before anything is written:
 * a run that cannot install leaves nothing. (vouch_policy_install() checks again.)
 */
static int check_state(const struct setup *s)
{
	struct stat st;
	char parent[PATH_MAX], *slash;

	if (stat(s->state, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			tool_err(CMD, s->state, "the state directory is not a directory");
			return EXIT_ERROR;
		}
		if (access(s->state, W_OK) != 0) {
			tool_err(CMD, s->state, "cannot write the state directory: %s",
			         strerror(errno));
			return EXIT_ERROR;
		}
		return EXIT_OK;
	}
	if (errno != ENOENT) {
		tool_err(CMD, s->state, "%s", strerror(errno));
		return EXIT_ERROR;
	}
	snprintf(parent, sizeof(parent), "%s", s->state);
	slash = strrchr(parent, '/');
	if (slash == parent)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		snprintf(parent, sizeof(parent), ".");
	if (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode) || access(parent, W_OK) != 0) {
		tool_err(CMD, s->state, "cannot create the state directory: %s",
		         stat(parent, &st) != 0 ? strerror(errno)
		         : !S_ISDIR(st.st_mode) ? "its parent is not a directory"
		                                : strerror(EACCES));
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

/* The owner's directory: made (0755) if missing, and remembered for undo(). */
static int make_dir(struct setup *s)
{
	struct stat st;

	if (mkdir(s->dir, 0755) == 0) {
		s->made_dir = true;
		return EXIT_OK;
	}
	if (errno == EEXIST && stat(s->dir, &st) == 0 && S_ISDIR(st.st_mode))
		return EXIT_OK;
	tool_err(CMD, s->dir, "cannot create: %s",
	         errno == EEXIST ? "exists and is not a directory" : strerror(errno));
	return EXIT_ERROR;
}

/* The public half of an unlocked key, as a minisign public key. */
static void key_pub(const struct tool_key *k, struct vouch_pubkey *pk)
{
	memcpy(pk->keyid, k->keyid, VOUCH_KEYID_LEN);
	memcpy(pk->pk, k->signer.pk, VOUCH_PK_LEN);
}

static bool same_key(const struct vouch_pubkey *a, const struct vouch_pubkey *b)
{
	return !memcmp(a->keyid, b->keyid, VOUCH_KEYID_LEN) && !memcmp(a->pk, b->pk, VOUCH_PK_LEN);
}

/* Write @pk to DIR/owner.pub if it is not there; refuse if another key is. EXIT_* */
static int keep_pub(struct setup *s, const struct vouch_pubkey *pk)
{
	struct vouch_pubkey have;
	char text[256], a[17], b[17];
	size_t len;
	int ret;

	if (exists(s->pub)) {
		if (tool_load_pubkey(CMD, s->pub, NULL, &have))
			return EXIT_ERROR;
		if (!same_key(&have, pk)) {
			vouch_keyid_hex(have.keyid, a);
			vouch_keyid_hex(pk->keyid, b);
			tool_err(CMD, s->pub,
			         "the owner's key here is key %s, not key %s; not replacing it", a,
			         b);
			return EXIT_ERROR;
		}
		return EXIT_OK;
	}
	ret = vouch_pubkey_format(pk, text, sizeof(text), &len);
	if (!ret)
		ret = vouch_file_write_atomic(s->pub, text, len, 0644, VOUCH_WRITE_EXCL);
	if (ret) {
		tool_err(CMD, s->pub, "cannot write: %s", vouch_strerror(ret));
		return EXIT_ERROR;
	}
	made(s, s->pub);
	return EXIT_OK;
}

/*
 * The owner's key: --secret-key's, DIR/owner.key, or a new pair in DIR. An existing
 * key is never replaced, and a public key without its secret half is never paired
 * with a new one: that owner moved the secret key away on purpose.
 */
static int get_key(struct setup *s, struct tool_key *k, struct vouch_pubkey *pk)
{
	char pw[PASSWORD_MAX + 1];
	size_t pwlen = 0;
	int rc;

	if (s->seckey || exists(s->sec)) {
		const char *path = s->seckey ? s->seckey : s->sec;

		if (tool_load_seckey(CMD, path, s->pwfd, k))
			return EXIT_ERROR;
		key_pub(k, pk);
		return keep_pub(s, pk);
	}
	if (exists(s->pub)) {
		tool_err(CMD, s->pub,
		         "the owner's public key is here but not " F_SEC
		         " (moved off this device?): give --secret-key FILE to sign here, or "
		         "--owner-key %s to prepare a manifest the owner signs elsewhere",
		         s->pub);
		return EXIT_ERROR;
	}
	if (!s->nopw) {
		if (tool_password(CMD, s->pwfd, s->pwfd < 0, pw, &pwlen))
			return EXIT_ERROR;
		if (pwlen == 0) {
			vouch_wipe(pw, sizeof(pw));
			tool_err(CMD, "password",
			         "empty password (use --no-password for an unencrypted key)");
			return EXIT_ERROR;
		}
	}
	rc = tool_keypair_write(CMD, s->pub, s->sec, s->nopw ? NULL : pw, pwlen, false, k, pk);
	vouch_wipe(pw, sizeof(pw));
	if (rc)
		return rc;
	made(s, s->sec);
	made(s, s->pub);
	s->key_made = true;
	return EXIT_OK;
}

/* DIR/system.manifest made again from dpkg's database; remembered for undo() if new. */
static int make_manifest(struct setup *s)
{
	bool was = exists(s->manifest);

	if (tool_manifest_from_dpkg(CMD, s->manifest, s->admindir, s->root, &s->st))
		return EXIT_ERROR;
	if (!was)
		made(s, s->manifest);
	return EXIT_OK;
}

/* Sign DIR/system.manifest into its .minisig, replacing an older one. EXIT_* */
static int sign_manifest(struct setup *s, const struct tool_key *k)
{
	char text[VOUCH_SIGFILE_MAX];
	size_t len;
	bool was = exists(s->sig);
	int fd = vouch_file_open(s->manifest, 0), rc, ret;

	if (fd < 0) {
		tool_err(CMD, s->manifest, "cannot open: %s", vouch_strerror(fd));
		return EXIT_ERROR;
	}
	rc = tool_sig_make(CMD, s->manifest, fd, k, false, "signature from vouch secret key", NULL,
	                   text, sizeof(text), &len);
	close(fd);
	if (rc)
		return rc;
	ret = vouch_file_write_atomic(s->sig, text, len, 0644, 0);
	if (ret) {
		tool_err(CMD, s->sig, "cannot write: %s", vouch_strerror(ret));
		return EXIT_ERROR;
	}
	if (!was)
		made(s, s->sig);
	return EXIT_OK;
}

/* @text as a policy string: quotes and backslashes escaped, no control bytes. EXIT_* */
static int policy_string(FILE *f, const char *text)
{
	size_t len = strlen(text);

	if (len == 0 || len > VOUCH_MESSAGE_MAX) {
		tool_usage(CMD, "--message: 1 to %d bytes", VOUCH_MESSAGE_MAX);
		return EXIT_ERROR;
	}
	for (const char *p = text; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			tool_usage(CMD, "--message: no control characters");
			return EXIT_ERROR;
		}
	fputc('"', f);
	for (const char *p = text; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		fputc(*p, f);
	}
	fputc('"', f);
	return EXIT_OK;
}

/* A new policy: monitor mode, the owner's key, the manifest, whom to ask. EXIT_* */
static int write_policy(struct setup *s, const struct vouch_pubkey *pk)
{
	char host[256] = "this machine", when[21], msg[600], keytext[256], *text = NULL;
	const char *b64;
	size_t len = 0, klen;
	FILE *f;
	int ret, rc = EXIT_ERROR;

	if (gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "this machine");
	host[sizeof(host) - 1] = '\0';
	vouch_time_format((int64_t)time(NULL), when);
	/* The key as the policy gives it: the second line of the public key file. */
	ret = vouch_pubkey_format(pk, keytext, sizeof(keytext), &klen);
	b64 = ret || klen >= sizeof(keytext) ? NULL : memchr(keytext, '\n', klen);
	if (!b64) {
		tool_err(CMD, s->pub, "cannot format the key: %s",
		         vouch_strerror(ret ? ret : VOUCH_E_TOOBIG));
		return EXIT_ERROR;
	}
	keytext[klen] = '\0';
	b64++;
	keytext[(size_t)(b64 - keytext) + strcspn(b64, "\n")] = '\0';
	snprintf(msg, sizeof(msg),
	         "Not vouched for on %.200s: ask its administrator to vouch for it.", host);
	f = open_memstream(&text, &len);
	if (!f) {
		tool_err(CMD, s->policy, "%s", strerror(errno));
		return EXIT_ERROR;
	}
	fprintf(f,
	        "# The policy of this machine, written by 'vouch setup' at %s (vouch-policy(5)).\n"
	        "# Yours to edit: 'vouch setup' compiles and installs it again as it is,\n"
	        "# 'vouch setup --enforce' changes only the mode line.\n"
	        "mode monitor\n"
	        "message ",
	        when);
	rc = policy_string(f, s->message ? s->message : msg);
	fprintf(f,
	        "\n"
	        "signer owner %s\n"
	        "# Every code file dpkg installed, made again by each 'vouch setup'.\n"
	        "manifest " F_MANIFEST " signer owner\n",
	        b64);
	if (fclose(f) != 0 && !rc) {
		tool_err(CMD, s->policy, "%s", strerror(errno));
		rc = EXIT_ERROR;
	}
	if (!rc) {
		ret = vouch_file_write_atomic(s->policy, text, len, 0644, VOUCH_WRITE_EXCL);
		if (ret) {
			tool_err(CMD, s->policy, "cannot write: %s", vouch_strerror(ret));
			rc = EXIT_ERROR;
		} else {
			made(s, s->policy);
		}
	}
	free(text);
	return rc;
}

/*
 * Change the one mode line of the owner's policy, keeping every other byte: the
 * line whose first word is "mode" (a rule is one line; strings and comments cannot
 * begin one). The result is parsed before it replaces the file. EXIT_*
 */
static int set_mode(struct setup *s, enum vouch_mode want)
{
	struct vouch_policy pol;
	struct vouch_policy_error err;
	char *text = NULL, *out = NULL, *line = NULL;
	size_t len = 0, n = 0;
	const char *word = want == VOUCH_MODE_ENFORCE ? "mode enforce" : "mode monitor";
	int ret, rc = EXIT_ERROR;

	ret = vouch_file_read(s->policy, VOUCH_POLICY_MAX, &text, &len);
	if (ret) {
		tool_err(CMD, s->policy, "cannot read: %s", vouch_strerror(ret));
		return EXIT_ERROR;
	}
	for (char *p = text; p < text + len;) {
		char *q = p, *eol = memchr(p, '\n', (size_t)(text + len - p));

		while (q < text + len && (*q == ' ' || *q == '\t'))
			q++;
		if (text + len - q > 4 && !memcmp(q, "mode", 4) && (q[4] == ' ' || q[4] == '\t')) {
			line = p;
			n = (size_t)((eol ? eol : text + len) - p);
			if (n && p[n - 1] == '\r')
				n--;
			break;
		}
		p = eol ? eol + 1 : text + len;
	}
	if (!line) {
		tool_err(CMD, s->policy, "no mode line to change; edit it and run 'vouch setup'");
		goto out;
	}
	out = malloc(len + 16);
	if (!out) {
		tool_err(CMD, s->policy, "%s", vouch_strerror(-ENOMEM));
		goto out;
	}
	{
		size_t pre = (size_t)(line - text), wl = strlen(word);

		memcpy(out, text, pre);
		memcpy(out + pre, word, wl);
		memcpy(out + pre + wl, line + n, len - pre - n);
		n = len - n + wl;
	}
	memset(&err, 0, sizeof(err));
	ret = vouch_policy_parse(&pol, out, n, &err);
	if (!ret && pol.mode != want) {
		ret = VOUCH_E_POLICY;
		snprintf(err.msg, sizeof(err.msg), "another mode line follows");
	}
	vouch_policy_free(&pol);
	if (ret) {
		tool_err(CMD, s->policy, "cannot change its mode line: line %u: %s", err.line,
		         ret == VOUCH_E_POLICY ? err.msg : vouch_strerror(ret));
		goto out;
	}
	ret = vouch_file_write_atomic(s->policy, out, n, 0644, 0);
	if (ret) {
		tool_err(CMD, s->policy, "cannot write: %s", vouch_strerror(ret));
		goto out;
	}
	s->policy_old = text;
	s->policy_old_len = len;
	text = NULL;
	rc = EXIT_OK;
out:
	free(text);
	free(out);
	return rc;
}

/* Compile DIR/policy, seal it with @k into DIR/policy.bundle, install it. EXIT_* */
static int build_install(struct setup *s, const struct tool_key *k, const struct vouch_pubkey *pk)
{
	struct vouch_compiled comp;
	struct tool_files files;
	struct tool_bundle tb;
	bool was = exists(s->bundle);
	int ret, rc = EXIT_ERROR;

	memset(&comp, 0, sizeof(comp));
	memset(&tb, 0, sizeof(tb));
	tool_files_init(&files);
	ret = tool_files_add(&files, s->policy, "the policy", false);
	if (!ret && (s->seckey || exists(s->sec)))
		ret =
		    tool_files_add(&files, s->seckey ? s->seckey : s->sec, "the secret key", false);
	if (!ret)
		ret = tool_files_add(&files, s->bundle, "the bundle", true);
	if (ret) {
		tool_err(CMD, NULL, "%s", vouch_strerror(ret));
		goto out;
	}
	if (tool_files_check(CMD, &files) || tool_policy_compile(CMD, s->policy, &files, &comp))
		goto out;
	s->mode = comp.policy.mode;
	if (tool_policy_seal(CMD, &comp, k, s->bundle, true))
		goto out;
	if (!was)
		made(s, s->bundle);
	if (tool_load_bundle(CMD, s->bundle, &tb))
		goto out;
	rc = tool_policy_install(CMD, s->state, s->bundle, &tb, pk, false, true);
	s->installed = rc == EXIT_OK;
out:
	tool_bundle_free(&tb);
	vouch_compiled_free(&comp);
	tool_files_free(&files);
	return rc;
}

/* systemctl ARGS..., waited for; its output is the user's to see (stderr only). */
static int systemctl(const char *verb, const char *arg)
{
	char *argv[] = {"systemctl", (char *)verb, (char *)arg, "vouchd.service", NULL};
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, ret;

	if (!arg) {
		argv[2] = "vouchd.service";
		argv[3] = NULL;
	}
	posix_spawn_file_actions_init(&fa);
	/* stdout stays ours (--json): systemctl's words go to stderr. */
	posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
	ret = posix_spawnp(&pid, "systemctl", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (ret)
		return -ret;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

/*
 * vouchd: reloaded already by the install if it runs from this state directory;
 * otherwise enabled and started through systemd, whose unit uses the default one.
 * EXIT_ERROR only if systemctl was run and failed (said).
 */
static int start_vouchd(struct setup *s)
{
	int ret;

	if (s->installed && tool_daemon_running(s->state)) {
		s->vouchd = "reloaded";
		return EXIT_OK;
	}
	if (s->nostart) {
		s->vouchd = "not started (--no-start)";
		return EXIT_OK;
	}
	if (access("/run/systemd/system", F_OK) != 0) {
		s->vouchd = "not started (systemd is not running)";
		return EXIT_OK;
	}
	if (strcmp(s->state, VOUCH_STATE_DIR_DEFAULT) != 0) {
		s->vouchd = "not started (its unit uses " VOUCH_STATE_DIR_DEFAULT ")";
		return EXIT_OK;
	}
	ret = systemctl("enable", "--now");
	if (ret == 0) {
		s->vouchd = "enabled and started";
		return EXIT_OK;
	}
	s->vouchd = "not started (systemctl failed)";
	tool_err(CMD, "systemctl",
	         "enable --now vouchd.service: %s; %s; start it with 'systemctl enable --now "
	         "vouchd'",
	         ret < 0 ? strerror(-ret) : "failed (see above)",
	         s->ownerkey ? "the manifest is written" : "the policy is installed");
	return EXIT_ERROR;
}

static void json_summary(const struct setup *s, bool fleet)
{
	fputs("{", stdout);
	tool_json_str(stdout, "dir", s->dir);
	fputs(",", stdout);
	tool_json_str(stdout, "state", s->state);
	printf(",\"key_id\":\"%s\",\"key_made\":%s,", s->keyid, s->key_made ? "true" : "false");
	if (fleet)
		fputs("\"secret_key\":null", stdout);
	else
		tool_json_str(stdout, "secret_key", s->seckey ? s->seckey : s->sec);
	fputs(",", stdout);
	tool_json_str(stdout, "manifest", s->manifest);
	printf(",\"signed\":%s,\"packages\":%" PRIu64 ",\"files\":%" PRIu64 ",\"elf\":%" PRIu64
	       ",\"scripts\":%" PRIu64 ",\"changed\":%" PRIu64 ",\"missing\":%" PRIu64
	       ",\"unreadable\":%" PRIu64 ",",
	       fleet ? "false" : "true", s->st.packages, s->st.files, s->st.elf, s->st.scripts,
	       s->st.changed, s->st.missing, s->st.unreadable);
	tool_json_str(stdout, "policy", s->policy);
	printf(",\"policy_kept\":%s,", s->policy_kept ? "true" : "false");
	if (fleet) {
		fputs("\"mode\":null,\"bundle\":null,\"installed\":false,", stdout);
	} else {
		printf("\"mode\":\"%s\",", vouch_mode_name(s->mode));
		tool_json_str(stdout, "bundle", s->bundle);
		printf(",\"installed\":%s,", s->installed ? "true" : "false");
	}
	tool_json_str(stdout, "vouchd", s->vouchd ? s->vouchd : "");
	if (s->checked_log)
		printf(",\"would_deny\":%" PRIu64, s->would_deny);
	else
		fputs(",\"would_deny\":null", stdout);
	fputs("}\n", stdout);
}

/* What to do next, in the exact commands. */
static void next_steps(const struct setup *s)
{
	const char *st = s->state, *def = tool_state_dir(NULL);
	bool other = strcmp(st, def) != 0;

	tool_print("vouch: policy installed in %s: mode %s, trusting %" PRIu64
	           " code files dpkg installed (%s)\n",
	           st, vouch_mode_name(s->mode), s->st.files, s->manifest);
	tool_print("vouchd: %s\n", s->vouchd);
	if (s->mode == VOUCH_MODE_MONITOR) {
		printf("\nNothing is refused yet: vouchd records what enforce mode would refuse.\n"
		       "Use the machine as usual for a while, then read what would be refused:\n");
		tool_print("  vouch log summary --since 24h%s%s\n", other ? " --state " : "",
		           other ? st : "");
		printf(
		    "Vouch for what should run (a manifest in the policy, or 'allow SHA256'),\n"
		    "then switch to enforce mode (refused while would-deny decisions remain):\n");
		tool_print("  vouch setup --enforce%s%s%s%s\n",
		           strcmp(s->dir, DIR_DEFAULT) ? " --dir " : "",
		           strcmp(s->dir, DIR_DEFAULT) ? s->dir : "", other ? " --state " : "",
		           other ? st : "");
	} else {
		printf("\nWhat is not vouched for is refused now. What was refused:\n");
		tool_print("  vouch log summary --since 1h%s%s\n", other ? " --state " : "",
		           other ? st : "");
		tool_print("Back to monitor mode: vouch setup --monitor%s%s%s%s\n",
		           strcmp(s->dir, DIR_DEFAULT) ? " --dir " : "",
		           strcmp(s->dir, DIR_DEFAULT) ? s->dir : "", other ? " --state " : "",
		           other ? st : "");
	}
	printf("After installing or upgrading software, run 'vouch setup' again (same options)\n"
	       "to vouch for it.\n");
}

/* --owner-key: the owner's secret key never reaches this device. */
static int run_fleet(struct setup *s)
{
	struct vouch_pubkey pk;
	char host[256] = "DEVICE";
	int rc;

	if (tool_load_pubkey(CMD, s->ownerkey, NULL, &pk))
		return EXIT_ERROR;
	vouch_keyid_hex(pk.keyid, s->keyid);
	if (make_dir(s) || keep_pub(s, &pk))
		goto fail;
	if (exists(s->policy)) {
		s->policy_kept = true;
	} else if (write_policy(s, &pk)) {
		goto fail;
	}
	if (make_manifest(s))
		goto fail;
	rc = start_vouchd(s);
	if (s->json) {
		json_summary(s, true);
		return rc;
	}
	if (gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "DEVICE");
	host[sizeof(host) - 1] = '\0';
	tool_print("vouch: %s: %" PRIu64 " code files dpkg installed, not signed (key %s signs "
	           "elsewhere)\n",
	           s->manifest, s->st.files, s->keyid);
	tool_print("vouch: %s: the policy to compile%s\n", s->policy,
	           s->policy_kept ? " (kept as it was)" : "");
	{
		char inst[PATH_MAX];

		snprintf(inst, sizeof(inst), "%s/" VOUCH_STATE_BUNDLE, s->state);
		tool_print("vouchd: %s; %s\n", s->vouchd,
		           exists(inst) ? "the policy installed stays in force until the owner's "
		                          "new one is installed"
		                        : "with no policy installed it refuses nothing");
	}
	printf("\nOn the owner's machine, with the owner's secret key:\n");
	tool_print("  scp root@%s:%s/{" F_MANIFEST "," F_POLICY "} .\n", host, s->dir);
	printf("  less " F_MANIFEST "                 # review what this device runs\n"
	       "  vouch sign -s owner.key " F_MANIFEST "\n"
	       "  vouch policy compile " F_POLICY " -s owner.key -o " F_BUNDLE "\n");
	tool_print("  scp " F_BUNDLE " root@%s:%s/\n", host, s->dir);
	printf("Then on this device:\n");
	tool_print("  vouch policy install -p %s --state %s %s\n", s->pub, s->state, s->bundle);
	printf("(Or publish the bundle as a signed update, when devices take them.)\n");
	return rc;
fail:
	undo(s);
	return EXIT_ERROR;
}

/*
 * --enforce: the log's would-deny decisions since --since, shown; any of them, or no
 * log to read, refuses the switch unless -y. EXIT_*
 */
static int enforce_check(struct setup *s)
{
	uint64_t wd = 0, d = 0;
	int rc;

	if (!s->json)
		printf("Deny and would-deny decisions in the log since %s:\n", s->since);
	/* Under --json stdout holds only the one object: the counts go into it. */
	rc = tool_log_summary(CMD, s->state, s->since, s->json ? -1 : 0, &wd, &d);
	s->would_deny = wd;
	s->checked_log = rc == EXIT_OK;
	if (rc) {
		if (s->yes) {
			tool_err(CMD, s->state, "note: no log read (above); enforcing anyway (-y)");
			return EXIT_OK;
		}
		tool_err(CMD, s->state,
		         "not switching to enforce mode: the log could not be read (above), so "
		         "what enforce mode would refuse is unknown; give -y to switch anyway");
		return EXIT_DENIED;
	}
	if (wd == 0)
		return EXIT_OK;
	if (s->yes) {
		tool_err(CMD, s->state,
		         "note: %" PRIu64 " would-deny decisions since %s%s will be refused; "
		         "enforcing (-y)",
		         wd, s->since, s->json ? " (see 'vouch log summary')" : " (above)");
		return EXIT_OK;
	}
	tool_err(CMD, s->state,
	         "not switching to enforce mode: %" PRIu64
	         " would-deny decisions since %s%s would be refused; vouch for them, or "
	         "give -y to enforce anyway",
	         wd, s->since, s->json ? " (see 'vouch log summary')" : " (above)");
	return EXIT_DENIED;
}

static int run(struct setup *s)
{
	struct tool_key key;
	struct vouch_pubkey pk;
	bool had_policy;
	int rc = EXIT_ERROR;

	memset(&key, 0, sizeof(key));
	if (join(s->pub, s->dir, F_PUB) || join(s->sec, s->dir, F_SEC) ||
	    join(s->manifest, s->dir, F_MANIFEST) || join(s->sig, s->dir, F_SIG) ||
	    join(s->policy, s->dir, F_POLICY) || join(s->bundle, s->dir, F_BUNDLE))
		return EXIT_ERROR;
	had_policy = exists(s->policy);
	if (s->change != KEEP && !had_policy) {
		tool_err(CMD, s->policy, "no policy to switch: run 'vouch setup' first");
		return EXIT_ERROR;
	}
	if (s->ownerkey)
		return run_fleet(s);
	if (check_state(s))
		return EXIT_ERROR;
	/* Before the key is unlocked or made: a refusal asks for no password. */
	if (s->change == TO_ENFORCE) {
		rc = enforce_check(s);
		if (rc)
			return rc;
		rc = EXIT_ERROR;
	}
	if (make_dir(s) || get_key(s, &key, &pk))
		goto out;
	vouch_keyid_hex(pk.keyid, s->keyid);
	if (make_manifest(s) || sign_manifest(s, &key))
		goto out;
	if (!had_policy) {
		if (write_policy(s, &pk))
			goto out;
	} else {
		s->policy_kept = true;
		if (s->change != KEEP &&
		    set_mode(s, s->change == TO_ENFORCE ? VOUCH_MODE_ENFORCE : VOUCH_MODE_MONITOR))
			goto out;
	}
	if (build_install(s, &key, &pk))
		goto out;
	rc = start_vouchd(s);
	if (s->json) {
		json_summary(s, false);
	} else {
		if (s->policy_kept && s->change == KEEP)
			tool_print(
			    "vouch: %s: kept as it is (to start again from a new one, move it "
			    "away and run 'vouch setup')\n",
			    s->policy);
		next_steps(s);
	}
	/* Last, so that it is what the administrator sees. */
	if (s->key_made || (!s->seckey && exists(s->sec))) {
		fflush(stdout);
		tool_err(CMD, s->sec,
		         "note: the owner's SECRET key is on this device%s: move it off (a USB "
		         "stick, the owner's machine) and give --secret-key FILE when you sign "
		         "again",
		         s->key_made && s->nopw ? " (UNENCRYPTED)" : "");
	}
out:
	tool_key_destroy(&key);
	if (rc && !s->installed) {
		/* The mode line changed, but nothing was installed: the owner's text as it was. */
		if (s->policy_old)
			vouch_file_write_atomic(s->policy, s->policy_old, s->policy_old_len, 0644,
			                        0);
		undo(s);
	}
	free(s->policy_old);
	return rc;
}

enum {
	OPT_DIR = 256,
	OPT_STATE,
	OPT_SECKEY,
	OPT_OWNERKEY,
	OPT_NOPW,
	OPT_PWFD,
	OPT_MESSAGE,
	OPT_ADMINDIR,
	OPT_ROOT,
	OPT_ENFORCE,
	OPT_MONITOR,
	OPT_SINCE,
	OPT_NOSTART,
	OPT_JSON,
};

int cmd_setup(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dir", required_argument, NULL, OPT_DIR},
	    {"state", required_argument, NULL, OPT_STATE},
	    {"secret-key", required_argument, NULL, OPT_SECKEY},
	    {"owner-key", required_argument, NULL, OPT_OWNERKEY},
	    {"no-password", no_argument, NULL, OPT_NOPW},
	    {"password-fd", required_argument, NULL, OPT_PWFD},
	    {"message", required_argument, NULL, OPT_MESSAGE},
	    {"admindir", required_argument, NULL, OPT_ADMINDIR},
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"enforce", no_argument, NULL, OPT_ENFORCE},
	    {"monitor", no_argument, NULL, OPT_MONITOR},
	    {"since", required_argument, NULL, OPT_SINCE},
	    {"yes", no_argument, NULL, 'y'},
	    {"no-start", no_argument, NULL, OPT_NOSTART},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	static const char since_default[] = SINCE_DEFAULT;
	struct setup s;
	int64_t since_us;
	int c;

	memset(&s, 0, sizeof(s));
	s.dir = DIR_DEFAULT;
	s.pwfd = -1;
	s.since = since_default;
	optind = 1;
	opterr = 0; /* one-line errors: tool_bad_option() reports */
	while ((c = getopt_long(argc, argv, ":yh", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DIR:
			s.dir = optarg;
			break;
		case OPT_STATE:
			s.state = optarg;
			break;
		case OPT_SECKEY:
			s.seckey = optarg;
			break;
		case OPT_OWNERKEY:
			s.ownerkey = optarg;
			break;
		case OPT_NOPW:
			s.nopw = true;
			break;
		case OPT_PWFD:
			s.pwfd = tool_parse_fd(CMD, optarg);
			if (s.pwfd < 0)
				return EXIT_ERROR;
			break;
		case OPT_MESSAGE:
			s.message = optarg;
			break;
		case OPT_ADMINDIR:
			s.admindir = optarg;
			break;
		case OPT_ROOT:
			s.root = optarg;
			break;
		case OPT_ENFORCE:
		case OPT_MONITOR:
			if (s.change != KEEP)
				return tool_usage(CMD,
				                  "--enforce and --monitor exclude each other");
			s.change = c == OPT_ENFORCE ? TO_ENFORCE : TO_MONITOR;
			break;
		case OPT_SINCE:
			s.since = optarg;
			break;
		case 'y':
			s.yes = true;
			break;
		case OPT_NOSTART:
			s.nostart = true;
			break;
		case OPT_JSON:
			s.json = true;
			break;
		case 'h':
			help();
			return EXIT_OK;
		default:
			return tool_bad_option(CMD, c, argc, argv);
		}
	}
	if (optind != argc)
		return tool_usage(CMD, "unexpected argument '%s'", argv[optind]);
	if (!*s.dir)
		return tool_usage(CMD, "--dir is empty");
	if (s.state && !*s.state)
		return tool_usage(CMD, "--state is empty");
	s.state = tool_state_dir(s.state);
	if (s.seckey && s.ownerkey)
		return tool_usage(CMD, "--secret-key and --owner-key exclude each other");
	if (s.nopw && s.pwfd >= 0)
		return tool_usage(CMD, "--no-password and --password-fd exclude each other");
	if ((s.yes || s.since != since_default) && s.change != TO_ENFORCE)
		return tool_usage(CMD, "--since and -y go with --enforce");
	if (tool_since_parse(s.since, &since_us))
		return tool_usage(CMD,
		                  "--since %s: not a time like 2026-11-21T10:00:00Z or an age "
		                  "like 24h",
		                  s.since);
	if (s.ownerkey && s.change != KEEP)
		return tool_usage(CMD, "--owner-key installs no policy: the mode is the owner's to "
		                       "set, in the policy");
	if (s.message) {
		FILE *f = fopen("/dev/null", "w");
		int rc = f ? policy_string(f, s.message) : EXIT_OK;

		if (f)
			fclose(f);
		if (rc)
			return rc;
	}
	return run(&s);
}
