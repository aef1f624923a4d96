/* SPDX-License-Identifier: Apache-2.0 */
/* vouch verify: check minisign ("ED" and legacy "Ed") and signify signatures. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

static const char *const CMD = "verify";

static void help(void)
{
	printf("Usage: vouch verify (-p PUBKEY | -P KEY) [-x SIGFILE] [-q] [--json] FILE...\n"
	       "\n"
	       "Verify FILE against FILE.minisig (or SIGFILE). Accepts minisign's prehashed\n"
	       "(\"ED\") and legacy (\"Ed\") signatures, and signify's signatures and keys.\n"
	       "Prints the trusted comment of each verified file.\n"
	       "\n"
	       "  -p, --public PATH   public key file (minisign or signify)\n"
	       "  -P, --key BASE64    public key given inline\n"
	       "  -x, --sig PATH      signature file (one FILE only)\n"
	       "  -q, --quiet         print nothing on success\n"
	       "      --json          one JSON object per FILE on standard output\n"
	       "  -h, --help          show this help\n"
	       "\n"
	       "Exit status: 0 all verified; 1 a signature did not verify (wrong key,\n"
	       "modified file, modified comment, malformed signature); 2 usage or I/O error.\n");
}

struct result {
	const char *file;
	int rc;
	const char *reason; /* NULL when verified */
	char detail[PATH_MAX + 256];
	const struct vouch_sig *sig;
};

static void report(const struct result *r, bool quiet, bool json)
{
	char id[17] = "";

	if (r->sig)
		vouch_keyid_hex(r->sig->keyid, id);
	if (json) {
		fputs("{", stdout);
		tool_json_str(stdout, "file", r->file);
		printf(",\"verified\":%s", r->rc == EXIT_OK ? "true" : "false");
		if (r->sig) {
			printf(",\"key_id\":\"%s\",\"algorithm\":\"%s\"", id,
			       r->sig->alg == VOUCH_SIG_PREHASHED ? "ED" : "Ed");
			if (r->rc == EXIT_OK && r->sig->has_trusted) {
				fputs(",", stdout);
				tool_json_str(stdout, "trusted_comment", r->sig->trusted);
			}
		}
		if (r->reason) {
			fputs(",", stdout);
			tool_json_str(stdout, "reason", r->reason);
			fputs(",", stdout);
			tool_json_str(stdout, "detail", r->detail);
		}
		fputs("}\n", stdout);
	}
	if (r->reason) {
		tool_err(CMD, r->file, "%s%s%s", r->reason, r->detail[0] ? ": " : "", r->detail);
		return;
	}
	if (quiet || json)
		return;
	/* The file name and the comment are another's bytes: escaped. */
	tool_print("%s: verified (key %s%s)\n", r->file, id,
	           r->sig->alg == VOUCH_SIG_LEGACY ? ", legacy signature" : "");
	if (r->sig->has_trusted)
		tool_print("trusted comment: %s\n", r->sig->trusted);
}

/* Hash or map the file as the signature's algorithm wants, and verify. */
static int check_data(struct result *r, const struct vouch_sig *sig, const struct vouch_pubkey *pk)
{
	uint8_t hash[VOUCH_BLAKE2B512_LEN];
	const uint8_t *msg = hash;
	size_t len = sizeof(hash);
	void *map = NULL;
	struct stat st;
	int fd, ret;

	fd = tool_open_regular(r->file);
	if (fd < 0) {
		ret = fd;
		goto ioerr;
	}
	if (fstat(fd, &st) != 0) {
		ret = -errno;
		goto ioerr;
	}
	if (sig->alg == VOUCH_SIG_PREHASHED) {
		ret = vouch_fd_blake2b512(fd, hash);
		if (ret)
			goto ioerr;
	} else {
		len = (size_t)st.st_size;
		msg = (const uint8_t *)"";
		if (len > 0) {
			map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
			if (map == MAP_FAILED) {
				ret = -errno;
				goto ioerr;
			}
			msg = map;
		}
	}
	close(fd);
	ret = vouch_sig_verify(sig, pk, msg, len);
	if (map)
		munmap(map, len);
	switch (ret) {
	case 0:
		return EXIT_OK;
	case VOUCH_E_WRONGKEY: {
		char a[17], b[17];

		vouch_keyid_hex(sig->keyid, a);
		vouch_keyid_hex(pk->keyid, b);
		r->reason = "wrong key";
		snprintf(r->detail, sizeof(r->detail), "signed by key %s, not by key %s", a, b);
		return EXIT_DENIED;
	}
	case VOUCH_E_BADSIG:
		r->reason = "modified file";
		snprintf(r->detail, sizeof(r->detail),
		         "the signature does not match the file's contents");
		return EXIT_DENIED;
	case VOUCH_E_BADCOMMENT:
		r->reason = "modified comment";
		snprintf(r->detail, sizeof(r->detail),
		         "the trusted comment was changed after signing");
		return EXIT_DENIED;
	default:
		r->reason = "cannot verify";
		snprintf(r->detail, sizeof(r->detail), "%s", vouch_strerror(ret));
		return EXIT_ERROR;
	}
ioerr:
	if (fd >= 0)
		close(fd);
	r->reason = "cannot read";
	snprintf(r->detail, sizeof(r->detail), "%s", vouch_strerror(ret));
	return EXIT_ERROR;
}

static int verify_one(const char *file, const char *sigpath, const struct vouch_pubkey *pk,
                      bool quiet, bool json)
{
	struct result r = {.file = file};
	struct vouch_sig *sig = calloc(1, sizeof(*sig));
	char path[PATH_MAX], *text = NULL;
	size_t len;
	int ret, n;

	if (!sig) {
		tool_err(CMD, file, "%s", vouch_strerror(-ENOMEM));
		return EXIT_ERROR;
	}
	if (!sigpath) {
		n = snprintf(path, sizeof(path), "%s.minisig", file);
		sigpath = path;
		if (n < 0 || (size_t)n >= sizeof(path)) {
			r.rc = EXIT_ERROR;
			r.reason = "cannot read signature";
			snprintf(r.detail, sizeof(r.detail), "name too long");
			goto out;
		}
	}
	ret = vouch_file_read(sigpath, VOUCH_SIGFILE_MAX, &text, &len);
	if (ret == VOUCH_E_TOOBIG) {
		r.rc = EXIT_DENIED;
		r.reason = "malformed signature";
		snprintf(r.detail, sizeof(r.detail), "%s: larger than %d bytes", sigpath,
		         VOUCH_SIGFILE_MAX);
		goto out;
	}
	if (ret) {
		r.rc = EXIT_ERROR;
		r.reason = "cannot read signature";
		snprintf(r.detail, sizeof(r.detail), "%s: %s", sigpath, vouch_strerror(ret));
		goto out;
	}
	ret = vouch_sig_parse(sig, text, len);
	if (ret) {
		r.rc = EXIT_DENIED;
		r.reason = "malformed signature";
		snprintf(r.detail, sizeof(r.detail), "%s: %s", sigpath, vouch_strerror(ret));
		goto out;
	}
	r.sig = sig;
	r.rc = check_data(&r, sig, pk);
out:
	report(&r, quiet, json);
	free(text);
	free(sig);
	return r.rc;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"public", required_argument, NULL, 'p'},
	    {"key", required_argument, NULL, 'P'},
	    {"sig", required_argument, NULL, 'x'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const char *pub = NULL, *b64 = NULL, *sigpath = NULL;
	bool quiet = false, json = false;
	int c, rc = EXIT_OK;
	struct vouch_pubkey pk;

	optind = 1;
	opterr = 0; /* one-line errors: tool_bad_option() reports */
	while ((c = getopt_long(argc, argv, ":p:P:x:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pub = optarg;
			break;
		case 'P':
			b64 = optarg;
			break;
		case 'x':
			sigpath = optarg;
			break;
		case 'q':
			quiet = true;
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
	if (!pub == !b64)
		return tool_usage(CMD, "give exactly one of -p PUBKEY and -P KEY");
	if (optind == argc)
		return tool_usage(CMD, "no FILE to verify");
	if (sigpath && argc - optind != 1)
		return tool_usage(CMD, "-x SIGFILE takes exactly one FILE");
	if (tool_load_pubkey(CMD, pub, b64, &pk))
		return EXIT_ERROR;
	for (int i = optind; i < argc; i++) {
		int r = verify_one(argv[i], sigpath, &pk, quiet, json);

		if (r > rc)
			rc = r;
	}
	return rc;
}
