/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the /proc/PID/mountinfo line parser and the kinds of filesystem. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/mountinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond, const char *what)
{
	if (cond)
		return;
	fprintf(stderr, "fuzz-mountinfo: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct vouch_mount m, before;
	size_t dashes = 0;
	int ret;

	memset(&m, 0x5a, sizeof(m));
	before = m;
	ret = vouch_mountinfo_parse(text, size, &m);
	require(ret == 0 || ret == -EINVAL || ret == -ENAMETOOLONG, "undocumented return");
	if (ret != 0) {
		require(memcmp(&m, &before, sizeof(m)) == 0, "changed on error");
		return 0;
	}
	/* What marks_scan() and vouch doctor rely on: an absolute, terminated path and a type. */
	require(m.point[0] == '/' && memchr(m.point, '\0', sizeof(m.point)) != NULL, "point");
	require(m.fstype[0] && memchr(m.fstype, '\0', sizeof(m.fstype)) != NULL, "type");
	require(!strchr(m.fstype, ' '), "a space in the type");
	/* The type is the field after a lone "-": the text holds " - TYPE ". */
	for (size_t i = 0; i + 3 <= size; i++)
		dashes += text[i] == ' ' && text[i + 1] == '-' && text[i + 2] == ' ';
	require(dashes >= 1, "accepted without a separator");
	require(memchr(text, '\n', size) == NULL || memchr(text, '\n', size) == text + size - 1,
	        "accepted a line break inside");
	(void)vouch_fs_kind(m.fstype);
	(void)vouch_fs_is_served(m.fstype);
	/* The same line with its final newline, or without, parses the same. */
	if (size > 0 && text[size - 1] == '\n') {
		struct vouch_mount again;

		require(vouch_mountinfo_parse(text, size - 1, &again) == 0 && again.dev == m.dev &&
		            again.noexec == m.noexec && !strcmp(again.point, m.point) &&
		            !strcmp(again.fstype, m.fstype),
		        "differs without its newline");
	}
	return 0;
}
