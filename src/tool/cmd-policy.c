/* SPDX-License-Identifier: Apache-2.0 */
/* Placeholder: being written. */
#include "tool.h"

int cmd_policy(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	tool_err("policy", NULL, "not implemented yet");
	return EXIT_ERROR;
}
