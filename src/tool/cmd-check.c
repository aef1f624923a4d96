/* SPDX-License-Identifier: Apache-2.0 */
/* Placeholder: being written. */
#include "tool.h"

int cmd_check(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	tool_err("check", NULL, "not implemented yet");
	return EXIT_ERROR;
}

int cmd_why(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	tool_err("why", NULL, "not implemented yet");
	return EXIT_ERROR;
}
