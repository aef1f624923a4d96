/* SPDX-License-Identifier: Apache-2.0 */
/* vouch sign: minisign signatures (prehashed by default) written next to each file. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

static const char *const CMD = "sign";

#define STR_(x) #x
#define STR(x)  STR_(x)

static void help(void)
{
	printf("Usage: vouch sign -s SECKEY [-t COMMENT] [-c COMMENT] [-x SIGFILE] [-l]\n"
	       "                  [--password-fd N] FILE...\n"
	       "\n"
	       "Sign each FILE with a minisign secret key and write FILE.minisig.\n"
	       "\n"
	       "  -s, --secret PATH      secret key (minisign format)\n"
	       "  -t, --trusted TEXT     trusted comment, covered by the signature\n"
	       "                         (default: timestamp:<unix time>, file:<name>, hashed)\n"
	       "  -c, --untrusted TEXT   untrusted comment (not signed)\n"
	       "  -x, --sig PATH         signature file to write (one FILE only)\n"
	       "  -l, --legacy           legacy \"Ed\" signature of the whole file, not prehashed\n"
	       "      --password-fd N    read the password from descriptor N, not the terminal\n"
	       "  -h, --help             show this help\n");
}

struct input {
	const char *path;
	int fd;
	bool staged; /* its signature is written to tmp, not yet in place */
	char sigpath[PATH_MAX], tmp[PATH_MAX];
};

int tool_sig_make(const char *cmd, const char *path, int fd, const struct tool_key *k, bool legacy,
                  const char *untrusted, const char *trusted, char *text, size_t cap, size_t *len)
{
	uint8_t hash[VOUCH_BLAKE2B512_LEN];
	struct vouch_sig sig;
	char comment[VOUCH_TCOMMENT_MAX + 1], namebuf[PATH_MAX];
	const uint8_t *msg = hash;
	void *map = NULL;
	size_t msglen = sizeof(hash);
	struct stat st;
	int ret;

	if (!trusted) {
		snprintf(namebuf, sizeof(namebuf), "%s", path);
		int n =
		    snprintf(comment, sizeof(comment), "timestamp:%lld\tfile:%s%s",
		             (long long)time(NULL), basename(namebuf), legacy ? "" : "\thashed");
		if (n < 0 || (size_t)n >= sizeof(comment)) {
			tool_err(cmd, path, "file name too long for a trusted comment");
			return EXIT_ERROR;
		}
		if (vouch_comment_check(comment, (size_t)n, true)) {
			tool_err(cmd, path,
			         "file name has control characters; give a comment with -t");
			return EXIT_ERROR;
		}
		trusted = comment;
	}
	if (legacy) {
		if (fstat(fd, &st) != 0) {
			ret = -errno;
			goto ioerr;
		}
		msglen = (size_t)st.st_size;
		msg = (const uint8_t *)"";
		if (msglen > 0) {
			map = mmap(NULL, msglen, PROT_READ, MAP_PRIVATE, fd, 0);
			if (map == MAP_FAILED) {
				ret = -errno;
				goto ioerr;
			}
			msg = map;
		}
	} else {
		ret = vouch_fd_blake2b512(fd, hash);
		if (ret)
			goto ioerr;
	}
	ret = vouch_sig_sign(&sig, &k->signer, k->keyid,
	                     legacy ? VOUCH_SIG_LEGACY : VOUCH_SIG_PREHASHED, msg, msglen,
	                     untrusted, trusted);
	if (map)
		munmap(map, msglen);
	if (!ret)
		ret = vouch_sig_format(&sig, text, cap, len);
	if (ret) {
		tool_err(cmd, path, "cannot sign: %s", vouch_strerror(ret));
		return EXIT_ERROR;
	}
	return EXIT_OK;
ioerr:
	tool_err(cmd, path, "cannot read: %s", vouch_strerror(ret));
	return EXIT_ERROR;
}

/* One signature, staged beside its place (in->tmp), to be committed with the others. */
static int sign_one(struct input *in, const struct tool_key *k, bool legacy, const char *untrusted,
                    const char *trusted)
{
	char text[VOUCH_SIGFILE_MAX];
	size_t len;
	int ret;

	if (tool_sig_make(CMD, in->path, in->fd, k, legacy, untrusted, trusted, text, sizeof(text),
	                  &len))
		return EXIT_ERROR;
	ret = vouch_file_stage(in->sigpath, text, len, 0644, in->tmp);
	in->staged = !ret;
	if (ret) {
		tool_err(CMD, in->sigpath, "cannot write: %s", vouch_strerror(ret));
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

static const char *comment_problem(int err, bool trusted)
{
	if (err == VOUCH_E_CONTROL)
		return "contains control characters";
	return trusted ? "is longer than " STR(VOUCH_TCOMMENT_MAX) " bytes"
	               : "is longer than " STR(VOUCH_COMMENT_MAX) " bytes";
}

/*
 * Never replace the secret key, a file being signed or another signature with a
 * signature. After the inputs are open, before the password is asked for. EXIT_*
 */
static int check_outputs(const char *sec, const struct input *in, int n)
{
	struct tool_files fs;
	int ret, rc = EXIT_ERROR;

	tool_files_init(&fs);
	ret = tool_files_add(&fs, sec, "the secret key", false);
	for (int i = 0; i < n && !ret; i++)
		ret = tool_files_add(&fs, in[i].path, "a file being signed", false);
	for (int i = 0; i < n && !ret; i++)
		ret = tool_files_add(&fs, in[i].sigpath, "a signature", true);
	if (ret)
		tool_err(CMD, NULL, "%s", vouch_strerror(ret));
	else
		rc = tool_files_check(CMD, &fs);
	tool_files_free(&fs);
	return rc;
}

int cmd_sign(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"secret", required_argument, NULL, 's'},
	    {"trusted", required_argument, NULL, 't'},
	    {"untrusted", required_argument, NULL, 'c'},
	    {"sig", required_argument, NULL, 'x'},
	    {"legacy", no_argument, NULL, 'l'},
	    {"password-fd", required_argument, NULL, 'F'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const char *sec = NULL, *trusted = NULL, *untrusted = "signature from vouch secret key";
	const char *sigpath = NULL;
	bool legacy = false;
	int pwfd = -1, c, ret, rc = EXIT_ERROR, nin = 0;
	struct input *in = NULL;
	struct tool_key key;

	memset(&key, 0, sizeof(key));
	optind = 1;
	opterr = 0; /* one-line errors: tool_bad_option() reports */
	while ((c = getopt_long(argc, argv, ":s:t:c:x:lh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sec = optarg;
			break;
		case 't':
			trusted = optarg;
			break;
		case 'c':
			untrusted = optarg;
			break;
		case 'x':
			sigpath = optarg;
			break;
		case 'l':
			legacy = true;
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
	if (!sec)
		return tool_usage(CMD, "-s SECKEY is required");
	if (optind == argc)
		return tool_usage(CMD, "no FILE to sign");
	if (sigpath && argc - optind != 1)
		return tool_usage(CMD, "-x SIGFILE takes exactly one FILE");
	if (trusted && (ret = vouch_comment_check(trusted, strlen(trusted), true)))
		return tool_usage(CMD, "-t: the trusted comment %s", comment_problem(ret, true));
	if ((ret = vouch_comment_check(untrusted, strlen(untrusted), false)))
		return tool_usage(CMD, "-c: the untrusted comment %s", comment_problem(ret, false));

	/* Open every file first: a missing one fails the run before anything is written. */
	in = calloc((size_t)(argc - optind), sizeof(*in));
	if (!in) {
		tool_err(CMD, NULL, "%s", vouch_strerror(-ENOMEM));
		return EXIT_ERROR;
	}
	for (int i = optind; i < argc; i++, nin++) {
		struct input *p = &in[nin];
		int n;

		p->path = argv[i];
		p->fd = vouch_file_open(p->path, 0);
		if (p->fd < 0) {
			tool_err(CMD, p->path, "cannot open: %s", vouch_strerror(p->fd));
			goto out;
		}
		n = snprintf(p->sigpath, sizeof(p->sigpath), "%s%s", sigpath ? sigpath : p->path,
		             sigpath ? "" : ".minisig");
		if (n < 0 || (size_t)n >= sizeof(p->sigpath)) {
			tool_err(CMD, p->path, "name too long");
			nin++;
			goto out;
		}
	}
	if (check_outputs(sec, in, nin))
		goto out;
	if (tool_load_seckey(CMD, sec, pwfd, &key))
		goto out;
	/* Every signature made and staged before any is put in place: all or none. */
	for (int i = 0; i < nin; i++)
		if (sign_one(&in[i], &key, legacy, untrusted, trusted))
			goto out;
	rc = EXIT_OK;
	for (int i = 0; i < nin; i++) {
		in[i].staged = false;
		ret = vouch_file_commit(in[i].tmp, in[i].sigpath, 0);
		if (ret) {
			tool_err(CMD, in[i].sigpath, "cannot write: %s", vouch_strerror(ret));
			rc = EXIT_ERROR;
		}
	}
out:
	tool_key_destroy(&key);
	for (int i = 0; i < nin; i++) {
		if (in[i].staged)
			vouch_file_discard(in[i].tmp);
		if (in[i].fd >= 0)
			close(in[i].fd);
	}
	free(in);
	return rc;
}
