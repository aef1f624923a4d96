/* SPDX-License-Identifier: Apache-2.0 */
/* vouch policy: compile a policy into a signed bundle, show it, verify it, install it. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "tool.h"
#include "vouch/compile.h"
#include "vouch/store.h"

static const char *const CMD = "policy";

static void help(void)
{
	printf("Usage: vouch policy compile POLICY -s SECKEY -o BUNDLE [--password-fd N]\n"
	       "       vouch policy show [--entries] [--json] BUNDLE\n"
	       "       vouch policy verify (-p PUBKEY | -P KEY) [-q] BUNDLE\n"
	       "       vouch policy install (-p PUBKEY | -P KEY) [--state DIR] [--allow-rollback]\n"
	       "                            BUNDLE\n"
	       "\n"
	       "compile  check every line of POLICY (see vouch-policy(5)), verify every\n"
	       "         manifest's signature by a signer the policy trusts, and write one\n"
	       "         bundle holding the compiled trust set, signed with SECKEY\n"
	       "show     print a bundle back readably (its signature is not checked)\n"
	       "verify   check a bundle's signature and expiry\n"
	       "install  verify a bundle and make it the device's trust store (in DIR,\n"
	       "         default %s), replacing the previous one atomically\n"
	       "\n"
	       "Exit status: 0 success; 1 not verified (signature, expiry, rollback);\n"
	       "2 usage, policy or I/O error.\n",
	       VOUCH_STATE_DIR_DEFAULT);
}

int tool_policy_compile(const char *cmd, const char *policy, struct tool_files *files,
                        struct vouch_compiled *comp)
{
	struct vouch_policy_error err;
	int ret = vouch_policy_compile(policy, (int64_t)time(NULL), comp, &err);

	if (ret == VOUCH_E_POLICY && err.line)
		tool_err(cmd, NULL, "%s:%u:%u: %s", policy, err.line, err.column, err.msg);
	else if (ret == VOUCH_E_POLICY)
		tool_err(cmd, policy, "%s", err.msg);
	else if (ret)
		tool_err(cmd, policy, "cannot compile: %s", vouch_strerror(ret));
	if (ret)
		return EXIT_ERROR;
	for (size_t i = 0; i < comp->nfiles && !ret; i++)
		ret = tool_files_add(files, comp->files[i],
		                     i % 2 ? "the signature of a manifest of the policy"
		                           : "a manifest of the policy",
		                     false);
	if (ret) {
		tool_err(cmd, NULL, "%s", vouch_strerror(ret));
		return EXIT_ERROR;
	}
	return tool_files_check(cmd, files);
}

int tool_policy_seal(const char *cmd, const struct vouch_compiled *comp, const struct tool_key *key,
                     const char *outpath, bool quiet)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	uint64_t ndeny = 0, nallow = 0, nman = 0;
	char comment[160], hex[65], when[21], id[17];
	int ret, rc = EXIT_ERROR;

	for (uint64_t i = 0; i < comp->nentries; i++) {
		uint32_t f = comp->entries[i].rec.flags;

		ndeny += !!(f & VOUCH_TRUST_DENY);
		nallow += !!(f & VOUCH_TRUST_ALLOW);
		nman += !!(f & VOUCH_TRUST_MANIFEST);
	}
	vouch_hex_encode(comp->policy.source_sha256, 32, hex);
	vouch_time_format(comp->policy.compiled, when);
	snprintf(comment, sizeof(comment), "vouch policy bundle\tpolicy-sha256:%s\tcompiled:%s",
	         hex, when);
	ret = vouch_bundle_serialize(&comp->policy, comp->entries, comp->nentries, &buf, &len);
	if (!ret)
		ret = vouch_bundle_seal(&buf, &len, &key->signer, key->keyid, comment);
	if (ret) {
		tool_err(cmd, outpath, "cannot make the bundle: %s", vouch_strerror(ret));
		goto out;
	}
	ret = vouch_file_write_atomic(outpath, buf, len, 0644, 0);
	if (ret) {
		tool_err(cmd, outpath, "cannot write: %s", vouch_strerror(ret));
		goto out;
	}
	vouch_keyid_hex(key->keyid, id);
	if (!quiet)
		tool_print("%s: %llu hashes (%llu denied, %llu allowed by hash, %llu from %u "
		           "manifests), mode %s, signed by key %s\n",
		           outpath, (unsigned long long)comp->nentries, (unsigned long long)ndeny,
		           (unsigned long long)nallow, (unsigned long long)nman,
		           comp->policy.nmanifests, vouch_mode_name(comp->policy.mode), id);
	rc = EXIT_OK;
out:
	free(buf);
	return rc;
}

static int do_compile(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"secret", required_argument, NULL, 's'},
	    {"output", required_argument, NULL, 'o'},
	    {"password-fd", required_argument, NULL, 'F'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const char *sec = NULL, *outpath = NULL, *policy;
	struct vouch_seckey_file skf;
	struct tool_key key;
	struct vouch_compiled comp;
	struct tool_files files;
	int c, ret, pwfd = -1, rc = EXIT_ERROR;

	memset(&key, 0, sizeof(key));
	memset(&comp, 0, sizeof(comp));
	memset(&skf, 0, sizeof(skf));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sec = optarg;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'F':
			pwfd = tool_parse_fd(CMD, optarg);
			if (pwfd < 0)
				return EXIT_ERROR;
			break;
		case 'h':
			help();
			return EXIT_OK;
		default:
			return tool_bad_option(CMD, c, argc, argv);
		}
	}
	if (argc - optind != 1)
		return tool_usage(CMD, "compile takes exactly one POLICY file");
	if (!sec || !outpath)
		return tool_usage(CMD, "compile needs -s SECKEY and -o BUNDLE");
	policy = argv[optind];
	/* The bundle replaces none of what it is made from: checked once the manifests are known.
	 */
	tool_files_init(&files);
	ret = tool_files_add(&files, policy, "the policy", false);
	if (!ret)
		ret = tool_files_add(&files, sec, "the secret key", false);
	if (!ret)
		ret = tool_files_add(&files, outpath, "the bundle", true);
	if (ret) {
		tool_err(CMD, NULL, "%s", vouch_strerror(ret));
		goto out;
	}
	if (tool_files_check(CMD, &files))
		goto out;
	/* A bad key path should fail before a long compile; the password comes after it. */
	if (tool_read_seckey(CMD, sec, &skf))
		goto out;
	if (tool_policy_compile(CMD, policy, &files, &comp))
		goto out;
	if (tool_unlock_seckey(CMD, sec, &skf, pwfd, &key))
		goto out;
	rc = tool_policy_seal(CMD, &comp, &key, outpath, false);
out:
	vouch_wipe(&skf, sizeof(skf));
	tool_key_destroy(&key);
	vouch_compiled_free(&comp);
	tool_files_free(&files);
	return rc;
}

static void print_gates(FILE *f, uint32_t gates)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {{VOUCH_GATE_EXEC, "exec"},
	             {VOUCH_GATE_ELF, "elf"},
	             {VOUCH_GATE_SHEBANG, "shebang"},
	             {VOUCH_GATE_INTERP, "interpreted"}};
	const char *sep = "";

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (gates & names[i].bit) {
			fprintf(f, "%s%s", sep, names[i].name);
			sep = " ";
		}
	}
	if (!*sep)
		fputs("nothing", f);
}

static void show_json(const char *path, const struct vouch_bundle *b, const struct vouch_sig *sig,
                      bool entries)
{
	const struct vouch_cpolicy *cp = &b->policy;
	char hex[65], when[21], id[17];

	vouch_keyid_hex(sig->keyid, id);
	vouch_time_format(cp->compiled, when);
	vouch_hex_encode(cp->source_sha256, 32, hex);
	fputs("{", stdout);
	tool_json_str(stdout, "bundle", path);
	printf(",\"signed_by\":\"%s\",\"signature_verified\":false,\"compiled\":\"%s\","
	       "\"mode\":\"%s\",\"expires\":",
	       id, when, vouch_mode_name(cp->mode));
	if (cp->expires) {
		vouch_time_format(cp->expires, when);
		printf("\"%s\"", when);
	} else {
		fputs("null", stdout);
	}
	printf(",\"max_size\":%llu", (unsigned long long)vouch_cpolicy_max_size(cp));
	/* Seconds; null when the policy sets no update deadline. */
	if (cp->update_every)
		printf(",\"update_every\":%lld", (long long)cp->update_every);
	else
		fputs(",\"update_every\":null", stdout);
	fputs(",\"gates\":[", stdout);
	for (unsigned bit = 1, n = 0; bit <= VOUCH_GATE_INTERP; bit <<= 1) {
		if (!(cp->gates & bit))
			continue;
		printf("%s\"%s\"", n++ ? "," : "",
		       bit == VOUCH_GATE_EXEC      ? "exec"
		       : bit == VOUCH_GATE_ELF     ? "elf"
		       : bit == VOUCH_GATE_SHEBANG ? "shebang"
		                                   : "interpreted");
	}
	fputs("],", stdout);
	if (vouch_cpolicy_string(cp, cp->message))
		tool_json_str(stdout, "message", vouch_cpolicy_string(cp, cp->message));
	else
		fputs("\"message\":null", stdout);
	fputs(",\"signers\":[", stdout);
	for (uint32_t i = 0; i < cp->nsigners; i++) {
		vouch_keyid_hex(cp->signers[i].key.keyid, id);
		fputs(i ? ",{" : "{", stdout);
		tool_json_str(stdout, "name", vouch_cpolicy_string(cp, cp->signers[i].name));
		printf(",\"key_id\":\"%s\"}", id);
	}
	fputs("],\"manifests\":[", stdout);
	for (uint32_t i = 0; i < cp->nmanifests; i++) {
		const struct vouch_cmanifest *m = &cp->manifests[i];

		vouch_hex_encode(m->sha256, 32, hex);
		fputs(i ? ",{" : "{", stdout);
		tool_json_str(stdout, "path", vouch_cpolicy_string(cp, m->path));
		fputs(",", stdout);
		tool_json_str(stdout, "signer",
		              vouch_cpolicy_string(cp, cp->signers[m->signer].name));
		printf(",\"sha256\":\"%s\",\"entries\":%llu}", hex, (unsigned long long)m->entries);
	}
	printf("],\"hashes\":%llu", (unsigned long long)b->nentries);
	if (entries) {
		fputs(",\"entries\":[", stdout);
		for (uint64_t i = 0; i < b->nentries; i++) {
			struct vouch_trust_entry e;

			vouch_bundle_entry(b, i, &e);
			vouch_hex_encode(e.sha256, 32, hex);
			printf("%s{\"sha256\":\"%s\",\"deny\":%s,\"allow\":%s,", i ? "," : "", hex,
			       e.rec.flags & VOUCH_TRUST_DENY ? "true" : "false",
			       e.rec.flags & VOUCH_TRUST_ALLOW ? "true" : "false");
			if (e.rec.flags & VOUCH_TRUST_MANIFEST)
				tool_json_str(
				    stdout, "manifest",
				    vouch_cpolicy_string(cp, cp->manifests[e.rec.manifest].path));
			else
				fputs("\"manifest\":null", stdout);
			fputs("}", stdout);
		}
		fputs("]", stdout);
	}
	fputs(",", stdout);
	tool_json_str(stdout, "source", cp->source ? cp->source : "");
	fputs("}\n", stdout);
}

static void show_text(const char *path, const struct vouch_bundle *b, const struct vouch_sig *sig,
                      bool entries)
{
	const struct vouch_cpolicy *cp = &b->policy;
	uint64_t nd = 0, na = 0, nm = 0;
	char hex[65], when[21], id[17];
	const char *msg = vouch_cpolicy_string(cp, cp->message);

	for (uint64_t i = 0; i < b->nentries; i++) {
		struct vouch_trust_entry e;

		vouch_bundle_entry(b, i, &e);
		nd += !!(e.rec.flags & VOUCH_TRUST_DENY);
		na += !!(e.rec.flags & VOUCH_TRUST_ALLOW);
		nm += !!(e.rec.flags & VOUCH_TRUST_MANIFEST);
	}
	vouch_keyid_hex(sig->keyid, id);
	vouch_time_format(cp->compiled, when);
	tool_print("bundle:     %s\n", path);
	printf("signed by:  key %s (not checked here: use 'vouch policy verify')\n", id);
	printf("compiled:   %s\n", when);
	printf("mode:       %s\n", vouch_mode_name(cp->mode));
	if (cp->expires)
		vouch_time_format(cp->expires, when);
	printf("expires:    %s\n", cp->expires ? when : "never");
	printf("max-size:   %llu bytes%s (larger files are denied unread)\n",
	       (unsigned long long)vouch_cpolicy_max_size(cp), cp->max_size ? "" : ", the default");
	if (cp->update_every % 86400 == 0 && cp->update_every)
		printf("updates:    at least every %lld days\n",
		       (long long)(cp->update_every / 86400));
	else if (cp->update_every)
		printf("updates:    at least every %lld hours\n",
		       (long long)(cp->update_every / 3600));
	else
		printf("updates:    no deadline\n");
	fputs("gates:      ", stdout);
	print_gates(stdout, cp->gates);
	putchar('\n');
	tool_print("message:    %s\n", msg ? msg : "(none)");
	for (uint32_t i = 0; i < cp->nsigners; i++) {
		vouch_keyid_hex(cp->signers[i].key.keyid, id);
		tool_print("signer:     %s (key %s)\n",
		           vouch_cpolicy_string(cp, cp->signers[i].name), id);
	}
	for (uint32_t i = 0; i < cp->nmanifests; i++) {
		const struct vouch_cmanifest *m = &cp->manifests[i];

		vouch_hex_encode(m->sha256, 32, hex);
		tool_print("manifest:   %s, signed by %s, %llu file%s, sha256 %s\n",
		           vouch_cpolicy_string(cp, m->path),
		           vouch_cpolicy_string(cp, cp->signers[m->signer].name),
		           (unsigned long long)m->entries, m->entries == 1 ? "" : "s", hex);
	}
	printf("trust set:  %llu hashes: %llu denied, %llu allowed by hash, %llu from manifests\n",
	       (unsigned long long)b->nentries, (unsigned long long)nd, (unsigned long long)na,
	       (unsigned long long)nm);
	if (entries) {
		for (uint64_t i = 0; i < b->nentries; i++) {
			struct vouch_trust_entry e;
			const char *note;

			vouch_bundle_entry(b, i, &e);
			vouch_hex_encode(e.sha256, 32, hex);
			printf("  %s", hex);
			if (e.rec.flags & VOUCH_TRUST_DENY) {
				note = vouch_cpolicy_string(cp, e.rec.deny_msg);
				tool_print(" deny%s%s%s", note ? " \"" : "", note ? note : "",
				           note ? "\"" : "");
			}
			if (e.rec.flags & VOUCH_TRUST_ALLOW) {
				note = vouch_cpolicy_string(cp, e.rec.allow_msg);
				tool_print(" allow%s%s%s", note ? " \"" : "", note ? note : "",
				           note ? "\"" : "");
			}
			if (e.rec.flags & VOUCH_TRUST_MANIFEST)
				tool_print(
				    " manifest %s",
				    vouch_cpolicy_string(cp, cp->manifests[e.rec.manifest].path));
			putchar('\n');
		}
	}
	vouch_hex_encode(cp->source_sha256, 32, hex);
	printf("policy (sha256 %s):\n", hex);
	for (const char *p = cp->source ? cp->source : ""; *p;) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);

		fputs("  | ", stdout);
		tool_escape(stdout, p, (size_t)n, 0);
		putchar('\n');
		p += n + (nl ? 1 : 0);
	}
}

static int do_show(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"entries", no_argument, NULL, 'e'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct tool_bundle tb;
	bool json = false, entries = false;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":eh", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			entries = true;
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
	if (argc - optind != 1)
		return tool_usage(CMD, "show takes exactly one BUNDLE");
	if (tool_load_bundle(CMD, argv[optind], &tb))
		return EXIT_ERROR;
	if (json)
		show_json(argv[optind], &tb.b, &tb.sig, entries);
	else
		show_text(argv[optind], &tb.b, &tb.sig, entries);
	tool_bundle_free(&tb);
	return EXIT_OK;
}

/* Shared by verify and install: options, load, signature and expiry. */
struct verify_opts {
	const char *pub, *b64, *state, *path;
	bool quiet, rollback;
	struct vouch_pubkey key; /* loaded by verify_bundle() */
};

static int parse_verify_opts(int argc, char **argv, bool install, struct verify_opts *vo)
{
	static const struct option opts[] = {
	    {"public", required_argument, NULL, 'p'},
	    {"key", required_argument, NULL, 'P'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"state", required_argument, NULL, 'S'},
	    {"allow-rollback", no_argument, NULL, 'R'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c;

	memset(vo, 0, sizeof(*vo));
	vo->state = tool_state_dir(NULL);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:P:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			vo->pub = optarg;
			break;
		case 'P':
			vo->b64 = optarg;
			break;
		case 'q':
			vo->quiet = true;
			break;
		case 'S':
			if (!install)
				return tool_usage(CMD, "--state goes with install only");
			vo->state = optarg;
			break;
		case 'R':
			if (!install)
				return tool_usage(CMD, "--allow-rollback goes with install only");
			vo->rollback = true;
			break;
		case 'h':
			help();
			return -1;
		default:
			return tool_bad_option(CMD, c, argc, argv);
		}
	}
	if (argc - optind != 1)
		return tool_usage(CMD, "%s takes exactly one BUNDLE",
		                  install ? "install" : "verify");
	if (!vo->pub == !vo->b64)
		return tool_usage(CMD, "give exactly one of -p PUBKEY and -P KEY");
	vo->path = argv[optind];
	return EXIT_OK;
}

/* Verify signature and expiry; prints the reason on failure. EXIT_* */
static int verify_bundle(struct verify_opts *vo, struct tool_bundle *tb)
{
	struct vouch_pubkey pk;
	char when[21];
	int ret;

	if (tool_load_pubkey(CMD, vo->pub, vo->b64, &pk))
		return EXIT_ERROR;
	vo->key = pk;
	if (tool_load_bundle(CMD, vo->path, tb))
		return EXIT_ERROR;
	ret = vouch_bundle_verify(&tb->b, &tb->sig, tb->data, &pk);
	if (ret == VOUCH_E_WRONGKEY) {
		char a[17], b[17];

		vouch_keyid_hex(tb->sig.keyid, a);
		vouch_keyid_hex(pk.keyid, b);
		tool_err(CMD, vo->path, "not verified: wrong key: signed by key %s, not by key %s",
		         a, b);
		return EXIT_DENIED;
	}
	if (ret == VOUCH_E_BADSIG || ret == VOUCH_E_BADCOMMENT) {
		tool_err(CMD, vo->path, "not verified: the bundle was modified after signing");
		return EXIT_DENIED;
	}
	if (ret) {
		tool_err(CMD, vo->path, "not verified: %s", vouch_strerror(ret));
		return EXIT_DENIED;
	}
	if (tb->b.policy.expires && (int64_t)time(NULL) >= tb->b.policy.expires) {
		vouch_time_format(tb->b.policy.expires, when);
		tool_err(CMD, vo->path, "not valid: the policy expired at %s", when);
		return EXIT_DENIED;
	}
	return EXIT_OK;
}

static int do_verify(int argc, char **argv)
{
	struct verify_opts vo;
	struct tool_bundle tb;
	char when[21], id[17];
	int rc = parse_verify_opts(argc, argv, false, &vo);

	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	memset(&tb, 0, sizeof(tb));
	rc = verify_bundle(&vo, &tb);
	if (rc == EXIT_OK && !vo.quiet) {
		vouch_keyid_hex(tb.sig.keyid, id);
		vouch_time_format(tb.b.policy.compiled, when);
		tool_print("%s: verified (key %s), compiled %s, mode %s, %llu hashes\n", vo.path,
		           id, when, vouch_mode_name(tb.b.policy.mode),
		           (unsigned long long)tb.b.nentries);
	}
	tool_bundle_free(&tb);
	return rc;
}

/* One line naming the file a failed install concerned (vouch_install_info.at). */
static void install_err(const char *cmd, const char *state, int at, int err)
{
	const char *name = at == VOUCH_INSTALL_AT_STORE    ? VOUCH_STATE_STORE
	                   : at == VOUCH_INSTALL_AT_BUNDLE ? VOUCH_STATE_BUNDLE
	                                                   : NULL;
	char path[PATH_MAX];

	if (name && snprintf(path, sizeof(path), "%s/%s", state, name) < (int)sizeof(path)) {
		if (err == -EISDIR || err == VOUCH_E_NOTREGULAR)
			tool_err(cmd, path, "%s; not replacing it",
			         err == -EISDIR ? "is a directory" : "is not a regular file");
		else
			tool_err(cmd, path, "cannot write: %s", vouch_strerror(err));
	} else if (at == VOUCH_INSTALL_AT_MKDIR) {
		tool_err(cmd, state, "cannot create the state directory: %s", vouch_strerror(err));
	} else if (err == -ENOTDIR) {
		tool_err(cmd, state, "not a directory");
	} else {
		tool_err(cmd, state, "cannot install: %s", vouch_strerror(err));
	}
}

int tool_policy_install(const char *cmd, const char *state, const char *path,
                        const struct tool_bundle *tb, const struct vouch_pubkey *pk, bool rollback,
                        bool quiet)
{
	struct vouch_install_info info;
	char when[21], was[21];
	int ret, rc = EXIT_ERROR;

	ret =
	    vouch_policy_install(state, &tb->b, &tb->sig, tb->data, tb->len, pk,
	                         rollback ? VOUCH_INSTALL_ROLLBACK : 0, (int64_t)time(NULL), &info);
	if (ret == VOUCH_E_ROLLBACK) {
		vouch_time_format(tb->b.policy.compiled, when);
		vouch_time_format(info.previous, was);
		tool_err(cmd, path,
		         "refused: compiled %s, older than the installed policy (%s); "
		         "use --allow-rollback to install it anyway",
		         when, was);
		return EXIT_DENIED;
	}
	if (ret) {
		install_err(cmd, state, info.at, ret);
		return EXIT_ERROR;
	}
	/* Only now true: the unreadable store was replaced. */
	if (info.warn_store)
		tool_err(cmd, NULL,
		         "%s/" VOUCH_STATE_STORE ": warning: the installed store was unreadable "
		         "(%s); replaced",
		         state, vouch_strerror(info.warn_store));
	if (!quiet)
		tool_print("%s: installed in %s: mode %s, %llu hashes\n", path, state,
		           vouch_mode_name(tb->b.policy.mode), (unsigned long long)tb->b.nentries);
	rc = EXIT_OK;
	/* A vouchd enforcing from this directory picks the new policy up now, with no gap. */
	{
		const struct vouch_ctl_request req = {.verb = VOUCH_CTL_RELOAD};
		struct vouch_ctl_answer a;

		if (tool_daemon_running(state)) {
			if (tool_daemon_ask(cmd, state, &req, -1, &a) == EXIT_OK) {
				if (!quiet)
					tool_print("%s: vouchd reloaded it\n", path);
			} else {
				tool_err(cmd, path,
				         "installed, but vouchd did not reload it (see above); run "
				         "'vouch reload'");
				rc = EXIT_ERROR;
			}
			vouch_ctl_answer_release(&a);
		}
	}
	return rc;
}

static int do_install(int argc, char **argv)
{
	struct verify_opts vo;
	struct tool_bundle tb;
	int rc = parse_verify_opts(argc, argv, true, &vo);

	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	memset(&tb, 0, sizeof(tb));
	/* Checked here first for the detailed messages; the library checks them again. */
	rc = verify_bundle(&vo, &tb);
	if (!rc)
		rc = tool_policy_install(CMD, vo.state, vo.path, &tb, &vo.key, vo.rollback,
		                         vo.quiet);
	tool_bundle_free(&tb);
	return rc;
}

int cmd_policy(int argc, char **argv)
{
	if (argc < 2)
		return tool_usage(CMD, "missing subcommand: compile, show, verify or install");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		help();
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "compile"))
		return do_compile(argc - 1, argv + 1);
	if (!strcmp(argv[1], "show"))
		return do_show(argc - 1, argv + 1);
	if (!strcmp(argv[1], "verify"))
		return do_verify(argc - 1, argv + 1);
	if (!strcmp(argv[1], "install"))
		return do_install(argc - 1, argv + 1);
	return tool_usage(CMD, "unknown subcommand '%s' (compile, show, verify or install)",
	                  argv[1]);
}
