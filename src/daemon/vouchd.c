/* SPDX-License-Identifier: Apache-2.0 */
/* vouchd: the enforcing daemon. Only its command line exists yet; enforcement is issue 4. */
#include <stdio.h>
#include <string.h>

#include "vouch-config.h"

int main(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: vouchd [--help] [--version]\n"
		       "\n"
		       "The vouch enforcement daemon. This build does not enforce anything yet:\n"
		       "the fanotify loop, decision cache and control socket are still to come.\n");
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("vouchd %s\n", VOUCH_VERSION);
		return 0;
	}
	fprintf(stderr, "vouchd: enforcement is not implemented in this build\n");
	return 2;
}
