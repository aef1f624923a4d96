/* SPDX-License-Identifier: Apache-2.0 */
/* vouch reload: make vouchd load the installed policy again, with no gap in enforcement. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "tool.h"

static const char *const CMD = "reload";

static void help(void)
{
	printf("Usage: vouch reload [--state DIR]\n"
	       "\n"
	       "Make the running vouchd load the policy installed in its state directory\n"
	       "(by 'vouch policy install'). The old policy stays in force until the new one\n"
	       "is open, so there is no gap; if the new one cannot be opened, the old one\n"
	       "stays and the reason is printed. Only root may reload.\n"
	       "\n"
	       "  --state DIR      vouchd's state directory (default $VOUCH_STATE_DIR or %s)\n"
	       "  -h, --help       show this help\n"
	       "\n"
	       "Exit status: 0 reloaded, 1 refused (not root), 2 vouchd is not running or the\n"
	       "policy could not be loaded.\n",
	       VOUCH_STATE_DIR_DEFAULT);
}

int cmd_reload(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"state", required_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const struct vouch_ctl_request req = {.verb = VOUCH_CTL_RELOAD};
	const char *state = NULL, *mode, *hashes, *compiled;
	struct vouch_ctl_answer a;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			state = optarg;
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
	rc = tool_daemon_ask(CMD, tool_state_dir(state), &req, -1, &a);
	if (rc == EXIT_OK) {
		char when[21];

		mode = vouch_ctl_answer_get(&a, "mode");
		hashes = vouch_ctl_answer_get(&a, "policy_hashes");
		compiled = vouch_ctl_answer_get(&a, "policy_compiled");
		vouch_time_format(compiled ? strtoll(compiled, NULL, 10) : 0, when);
		tool_print("reloaded: mode %s, policy compiled %s, %s hashes\n", mode ? mode : "?",
		           when, hashes ? hashes : "?");
	}
	vouch_ctl_answer_release(&a);
	return rc;
}
