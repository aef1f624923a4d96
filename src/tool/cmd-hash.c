/* SPDX-License-Identifier: Apache-2.0 */
/* vouch hash: SHA-256 of files, printed exactly as sha256sum prints it. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

static const char *const CMD = "hash";

static void help(void)
{
	printf("Usage: vouch hash FILE...\n"
	       "\n"
	       "Print the SHA-256 of each FILE (\"-\" for standard input) in sha256sum's\n"
	       "format, so that 'sha256sum -c' accepts the output. Files are streamed in\n"
	       "fixed-size chunks: memory use does not grow with file size.\n"
	       "\n"
	       "  -h, --help   show this help\n");
}

/* sha256sum escapes \, LF and CR in names and then marks the line with a leading \. */
static void print_line(const uint8_t hash[static 32], const char *name)
{
	char hex[65];
	bool esc = strpbrk(name, "\\\n\r") != NULL;

	vouch_hex_encode(hash, 32, hex);
	/*
	 * On a terminal every other byte that could command it is escaped too (\xHH),
	 * the line marked the same way; a pipe or file gets sha256sum's bytes exactly.
	 */
	if (isatty(STDOUT_FILENO)) {
		esc = tool_escape(NULL, name, strlen(name), TOOL_ESC_SUM) > 0;
		printf("%s%s  ", esc ? "\\" : "", hex);
		tool_escape(stdout, name, strlen(name), TOOL_ESC_SUM);
		putchar('\n');
		return;
	}
	printf("%s%s  ", esc ? "\\" : "", hex);
	for (const char *p = name; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", stdout);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p == '\r')
			fputs("\\r", stdout);
		else
			putchar(*p);
	}
	putchar('\n');
}

int cmd_hash(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c, rc = EXIT_OK;

	optind = 1;
	opterr = 0; /* one-line errors: tool_bad_option() reports */
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			help();
			return EXIT_OK;
		}
		return tool_bad_option(CMD, c, argc, argv);
	}
	if (optind == argc)
		return tool_usage(CMD, "no FILE to hash");
	for (int i = optind; i < argc; i++) {
		const char *path = argv[i];
		uint8_t hash[32];
		struct stat st;
		int fd, ret;

		/* Only "-" may be a pipe: a named FIFO is refused, not waited on for a writer. */
		if (strcmp(path, "-") != 0)
			fd = vouch_file_open(path, VOUCH_OPEN_DEVICES);
		else if ((fd = dup(STDIN_FILENO)) < 0)
			fd = -errno;
		if (fd < 0) {
			tool_err(CMD, path, "%s", vouch_strerror(fd));
			rc = EXIT_ERROR;
			continue;
		}
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
			ret = -EISDIR;
		else
			ret = vouch_fd_sha256(fd, hash);
		close(fd);
		if (ret) {
			tool_err(CMD, path, "%s", vouch_strerror(ret));
			rc = EXIT_ERROR;
			continue;
		}
		print_line(hash, path);
	}
	if (fflush(stdout) != 0) {
		tool_err(CMD, "standard output", "%s", strerror(errno));
		rc = EXIT_ERROR;
	}
	return rc;
}
