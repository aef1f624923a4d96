/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The base every vouchd module stands on: its one way of saying something (a
 * line on standard error, the journal under systemd) and the list of its own
 * threads, whose events are allowed unseen. It calls no other module.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "daemon.h"

void logf_(const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line); /* one write per line: threads do not interleave */
}

void logf_pow2(uint64_t n, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	if (n == 0 || (n & (n - 1)) != 0)
		return; /* said at 1, 2, 4, 8...: loud, not a flood */
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}


int self_add(struct daemon *d)
{
	pid_t me = gettid();

	for (unsigned i = 0; i < SELF_MAX; i++) {
		pid_t zero = 0;

		if (atomic_compare_exchange_strong(&d->tids[i], &zero, me)) {
			atomic_fetch_add(&d->nself, 1);
			return 0;
		}
	}
	/* Sized from the list of threads: cannot happen. Said, and the thread is judged. */
	logf_("vouchd: internal error: no slot for thread %d among %d", (int)me, SELF_MAX);
	return -ENOSPC;
}

void self_remove(struct daemon *d)
{
	pid_t me = gettid();

	for (unsigned i = 0; i < SELF_MAX; i++) {
		pid_t t = me;

		if (atomic_compare_exchange_strong(&d->tids[i], &t, 0)) {
			atomic_fetch_sub(&d->nself, 1);
			return;
		}
	}
}

bool is_self(struct daemon *d, pid_t tid)
{
	if (tid == d->self)
		return true;
	for (unsigned i = 0; i < SELF_MAX; i++)
		if (atomic_load_explicit(&d->tids[i], memory_order_relaxed) == tid)
			return true;
	return false;
}

unsigned self_unregistered(struct daemon *d)
{
	DIR *dir = opendir("/proc/self/task");
	struct dirent *de;
	unsigned n = 0;

	if (!dir)
		return 0;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.' && !is_self(d, (pid_t)atoi(de->d_name))) {
			/* A control handler exits just after removing itself: look again. */
			char p[300];

			snprintf(p, sizeof(p), "/proc/self/task/%s", de->d_name);
			if (access(p, F_OK) == 0)
				n++;
		}
	closedir(dir);
	return n;
}
