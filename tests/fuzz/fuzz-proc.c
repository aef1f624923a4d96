/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the /proc text vouchd reads: every input as /proc/PID/stat and as status. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond, const char *what)
{
	if (cond)
		return;
	fprintf(stderr, "fuzz-proc: %s\n", what);
	abort();
}

/*
 * The field found a second way, by a plain reading of the format: after the
 * last ')', the fifth space-separated word. Whatever the parser accepts, this
 * finds the same number.
 */
static void stat_agrees(const char *text, size_t len, uint32_t tty)
{
	const char *p = NULL, *end = text + len;
	long long v = 0;
	int neg = 0;

	for (const char *q = text; q < end; q++)
		if (*q == ')')
			p = q;
	require(p != NULL, "accepted without a ')'");
	for (int spaces = 0; spaces < 5; p++) {
		require(p < end, "accepted with fewer than 5 fields after the name");
		if (*p == ' ')
			spaces++;
	}
	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	for (; p < end && *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	require((uint32_t)(neg ? -v : v) == tty, "tty differs from a plain reading");
}

static void status_agrees(const char *text, size_t len, uint32_t uid)
{
	const char *end = text + len, *p = NULL;
	unsigned long long v = 0;

	for (const char *s = text; s + 4 <= end; s++)
		if ((s == text || s[-1] == '\n') && memcmp(s, "Uid:\t", 4) == 0) {
			require(p == NULL, "accepted with two Uid lines");
			p = s + 5;
		}
	require(p != NULL, "accepted without a Uid line");
	for (; p < end && *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (unsigned long long)(*p - '0');
	require(v == uid, "uid differs from a plain reading");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	uint32_t v = 7;
	int ret;

	ret = vouch_proc_stat_tty(text, size, &v);
	require(ret == 0 || ret == -EINVAL, "stat: undocumented return");
	if (ret == 0)
		stat_agrees(text, size, v);
	else
		require(v == 0, "stat: tty set on error");

	v = 7;
	ret = vouch_proc_status_ruid(text, size, &v);
	require(ret == 0 || ret == -EINVAL, "status: undocumented return");
	if (ret == 0)
		status_agrees(text, size, v);
	else
		require(v == 0, "status: uid set on error");
	return 0;
}
