/* SPDX-License-Identifier: Apache-2.0 */
/* vouch keygen: an Ed25519 key pair in minisign's public and secret key formats. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

static const char *const CMD = "keygen";

static void help(void)
{
	printf("Usage: vouch keygen -p PUBKEY -s SECKEY [-W] [-f] [--password-fd N]\n"
	       "\n"
	       "Make an Ed25519 key pair in minisign's formats. The secret key is encrypted\n"
	       "with a password (scrypt, as minisign does) read from the terminal, unless -W.\n"
	       "\n"
	       "  -p, --public PATH     public key file to create\n"
	       "  -s, --secret PATH     secret key file to create (mode 0600)\n"
	       "  -W, --no-password     store the secret key unencrypted\n"
	       "  -f, --force           replace existing key files\n"
	       "      --password-fd N   read the password from descriptor N, not the terminal\n"
	       "  -h, --help            show this help\n");
}

/* -p and -s must be two files (however spelt), and no FIFO or device. EXIT_* */
static int check_outputs(const char *pub, const char *sec)
{
	struct tool_files fs;
	int ret, rc = EXIT_ERROR;

	tool_files_init(&fs);
	ret = tool_files_add(&fs, pub, "the public key", true);
	if (!ret)
		ret = tool_files_add(&fs, sec, "the secret key", true);
	if (ret)
		tool_err(CMD, NULL, "%s", vouch_strerror(ret));
	else
		rc = tool_files_check(CMD, &fs);
	tool_files_free(&fs);
	return rc;
}

int tool_keypair_write(const char *cmd, const char *pub, const char *sec, const char *pw,
                       size_t pwlen, bool force, struct tool_key *k, struct vouch_pubkey *pk)
{
	char sectext[512], pubtext[256], sectmp[PATH_MAX], pubtmp[PATH_MAX];
	struct vouch_seckey *sk = NULL;
	size_t seclen, publen;
	int ret, flags, rc = EXIT_ERROR;

	if (k)
		memset(k, 0, sizeof(*k));
	ret = vouch_keypair_generate(&sk, pk);
	if (!ret)
		ret = vouch_seckey_format(sk, pw, pwlen, VOUCH_KDF_OPSLIMIT_DEFAULT,
		                          VOUCH_KDF_MEMLIMIT_DEFAULT, sectext, sizeof(sectext),
		                          &seclen);
	if (!ret)
		ret = vouch_pubkey_format(pk, pubtext, sizeof(pubtext), &publen);
	/* The signer before any file: a pair on disk is never one this call cannot use. */
	if (!ret && k)
		ret = vouch_seckey_signer(sk, &k->signer);
	if (ret) {
		tool_err(cmd, NULL, "cannot make the key pair: %s", vouch_strerror(ret));
		goto out;
	}
	if (k)
		memcpy(k->keyid, sk->keyid, VOUCH_KEYID_LEN);
	/* Stage both files first: a failure then leaves any existing pair untouched. */
	flags = force ? 0 : VOUCH_WRITE_EXCL;
	ret = vouch_file_stage(sec, sectext, seclen, 0600, sectmp);
	if (ret) {
		tool_err(cmd, sec, "cannot write: %s", vouch_strerror(ret));
		goto out;
	}
	ret = vouch_file_stage(pub, pubtext, publen, 0644, pubtmp);
	if (ret) {
		vouch_file_discard(sectmp);
		tool_err(cmd, pub, "cannot write: %s", vouch_strerror(ret));
		goto out;
	}
	ret = vouch_file_commit(sectmp, sec, flags);
	if (ret) {
		vouch_file_discard(pubtmp);
		tool_err(cmd, sec, "cannot write: %s", vouch_strerror(ret));
		goto out;
	}
	ret = vouch_file_commit(pubtmp, pub, flags);
	if (ret) {
		tool_err(cmd, pub, "cannot write: %s", vouch_strerror(ret));
		/* A new secret key without its public half is useless; do not leave it. */
		if (!force)
			unlink(sec);
		goto out;
	}
	rc = EXIT_OK;
out:
	if (rc && k)
		tool_key_destroy(k);
	vouch_seckey_free(sk);
	vouch_wipe(sectext, sizeof(sectext));
	return rc;
}

int cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"public", required_argument, NULL, 'p'},
	    {"secret", required_argument, NULL, 's'},
	    {"no-password", no_argument, NULL, 'W'},
	    {"force", no_argument, NULL, 'f'},
	    {"password-fd", required_argument, NULL, 'F'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const char *pub = NULL, *sec = NULL;
	bool nopw = false, force = false;
	int pwfd = -1, c, rc = EXIT_ERROR;
	char pw[PASSWORD_MAX + 1], id[17];
	size_t pwlen = 0;
	struct vouch_pubkey pk;

	optind = 1;
	opterr = 0; /* one-line errors: tool_bad_option() reports */
	while ((c = getopt_long(argc, argv, ":p:s:Wfh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pub = optarg;
			break;
		case 's':
			sec = optarg;
			break;
		case 'W':
			nopw = true;
			break;
		case 'f':
			force = true;
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
	if (optind != argc)
		return tool_usage(CMD, "unexpected argument '%s'", argv[optind]);
	if (!pub || !sec)
		return tool_usage(CMD, "both -p PUBKEY and -s SECKEY are required");
	if (nopw && pwfd >= 0)
		return tool_usage(CMD, "-W and --password-fd exclude each other");
	if (check_outputs(pub, sec))
		return EXIT_ERROR;
	/* Refuse before asking for a password, so nothing is typed in vain. */
	if (!force) {
		if (access(sec, F_OK) == 0) {
			tool_err(CMD, sec, "already exists (use -f to replace it)");
			return EXIT_ERROR;
		}
		if (access(pub, F_OK) == 0) {
			tool_err(CMD, pub, "already exists (use -f to replace it)");
			return EXIT_ERROR;
		}
	}
	if (!nopw) {
		if (tool_password(CMD, pwfd, pwfd < 0, pw, &pwlen))
			goto out;
		if (pwlen == 0) {
			tool_err(CMD, "password", "empty password (use -W for an unencrypted key)");
			goto out;
		}
	}
	if (tool_keypair_write(CMD, pub, sec, nopw ? NULL : pw, pwlen, force, NULL, &pk))
		goto out;
	vouch_keyid_hex(pk.keyid, id);
	printf("key id %s\n", id);
	tool_print("public key: %s\n", pub);
	tool_print("secret key: %s (%s)\n", sec, nopw ? "unencrypted" : "encrypted");
	rc = EXIT_OK;
out:
	vouch_wipe(pw, sizeof(pw));
	return rc;
}
