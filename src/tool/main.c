/* SPDX-License-Identifier: Apache-2.0 */
/* vouch: the command-line tool; dispatches to one file per subcommand. */
#include <stdio.h>
#include <string.h>

#include "tool.h"
#include "vouch-config.h"

static const struct command commands[] = {
    {"keygen", cmd_keygen, "make an Ed25519 key pair in minisign's format"},
    {"sign", cmd_sign, "sign files (writes FILE.minisig)"},
    {"verify", cmd_verify, "verify minisign or signify signatures"},
    {"hash", cmd_hash, "print SHA-256 of files in sha256sum's format"},
    {"manifest", cmd_manifest, "list code files and their hashes (create, from-dpkg, from-deb)"},
    {"policy", cmd_policy, "compile, show, verify and install signed policy bundles"},
    {"check", cmd_check, "decide whether files may run, and by which rule"},
    {"why", cmd_why, "explain in words whether a file may run"},
    {"status", cmd_status, "what vouchd is doing: mode, policy, filesystems, counters"},
    {"log", cmd_log, "the decision log: show, tail, verify, prove, check proofs"},
    {"reload", cmd_reload, "make vouchd load the installed policy again (root)"},
    {"setup", cmd_setup, "first run: owner's key, dpkg manifest, policy, installed (root)"},
    {"apt-check", cmd_apt_check, "apt's hook: refuse packages whose code is not vouched for"},
    {"doctor", cmd_doctor, "what this machine leaves open around vouchd, and the fixes"},
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: vouch COMMAND [OPTIONS] [ARGS]\n"
	           "       vouch COMMAND --help\n"
	           "\n"
	           "Signed-software control for Linux.\n"
	           "\n"
	           "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n"
	           "Exit status: 0 success, 1 not verified or denied, 2 usage or system error.\n"
	           "See vouch(1) and vouch-COMMAND(1).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("vouch %s\n", VOUCH_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fputs("vouch: unknown command '", stderr);
	tool_escape(stderr, argv[1], strlen(argv[1]), 0);
	fputs("' (see 'vouch --help')\n", stderr);
	return EXIT_ERROR;
}
