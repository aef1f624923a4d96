/* SPDX-License-Identifier: Apache-2.0 */
/* /proc/PID/stat's terminal and /proc/PID/status's real uid, parsed from bytes (no I/O). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "vouch/procfs.h"

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Decimal digits at *@p (at least one) up to @max; *@p moves past them. Return: 0 or -1. */
static int number(const char **p, const char *end, uint64_t max, uint64_t *v)
{
	const char *s = *p;

	*v = 0;
	if (s == end || !digit(*s))
		return -1;
	for (; s < end && digit(*s); s++)
		if (__builtin_mul_overflow(*v, 10, v) ||
		    __builtin_add_overflow(*v, (uint64_t)(*s - '0'), v) || *v > max)
			return -1;
	*p = s;
	return 0;
}

int vouch_proc_stat_tty(const char *text, size_t len, uint32_t *tty)
{
	const char *p = text, *end = text + len, *close = NULL;
	uint64_t v;
	bool neg;

	*tty = 0;
	/* "PID (": then the name, to the last ')' there is. */
	if (number(&p, end, UINT32_MAX, &v) || end - p < 2 || p[0] != ' ' || p[1] != '(')
		return -EINVAL;
	for (const char *q = p + 2; q < end; q++)
		if (*q == ')')
			close = q;
	if (!close)
		return -EINVAL;
	/* " STATE " */
	p = close + 1;
	if (end - p < 3 || p[0] != ' ' || p[1] == ' ' || p[2] != ' ')
		return -EINVAL;
	p += 3;
	/* "PPID PGRP SESSION " */
	for (int f = 0; f < 3; f++)
		if (number(&p, end, UINT32_MAX, &v) || p == end || *p++ != ' ')
			return -EINVAL;
	neg = p < end && *p == '-';
	if (neg)
		p++;
	if (number(&p, end, neg ? (uint64_t)INT32_MAX + 1 : INT32_MAX, &v))
		return -EINVAL;
	/* The field ends at a space, or where the text does (a line cut short). */
	if (p < end && *p != ' ' && *p != '\n')
		return -EINVAL;
	/* The kernel's int, as the unsigned encoding it stands for. */
	*tty = neg ? (uint32_t)(0u - (uint32_t)v) : (uint32_t)v;
	return 0;
}

int vouch_proc_status_ruid(const char *text, size_t len, uint32_t *uid)
{
	const char *end = text + len, *line = NULL;
	uint64_t v;

	*uid = 0;
	for (const char *s = text; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));

		if (end - s >= 4 && memcmp(s, "Uid:", 4) == 0) {
			if (line)
				return -EINVAL; /* two: one was written by someone else */
			line = s;
		}
		if (!nl)
			break;
		s = nl + 1;
	}
	if (!line)
		return -EINVAL;
	line += 4;
	if (line == end || *line != '\t')
		return -EINVAL;
	line++;
	if (number(&line, end, UINT32_MAX, &v) || line == end || *line != '\t')
		return -EINVAL;
	*uid = (uint32_t)v;
	return 0;
}
