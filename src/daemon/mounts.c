/* SPDX-License-Identifier: Apache-2.0 */
/* vouchd's mount watcher: new filesystems are marked as they appear, vanished ones forgotten. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "daemon.h"

#define SCAN_PERIOD 1 /* default mode: seconds between scans for new mount namespaces */

/*
 * Forget what is gone before marking what is new: the kernel gives a new
 * filesystem the device number of one unmounted a moment ago, and a device
 * vouchd still believed marked would be left unmarked. Only this thread marks
 * and forgets (after start-up), so the two never race.
 */
static void rescan(struct daemon *d, bool namespaces)
{
	int gone[GROUPS_MAX];
	unsigned n;

	marks_refresh(&d->marks);
	/* Only this thread makes groups: a number closed here is no new group's yet. */
	n = fan_groups_reap(d, gone);
	for (unsigned i = 0; i < n; i++)
		marks_forget_group(&d->marks, gone[i]);
	if (namespaces)
		marks_scan_namespaces(&d->marks);
	else
		marks_scan(&d->marks, "/proc/self/mountinfo", "");
}

/*
 * Its own thread, so that no client of the socket can hold up the marking of a
 * new filesystem. Stops when the shared group's wake eventfd is written.
 */
void *mounts_main(void *arg)
{
	struct daemon *d = arg;
	struct itimerspec period = {{SCAN_PERIOD, 0}, {SCAN_PERIOD, 0}};
	int mi = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	int timer = d->marks.all ? timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK) : -1;

	self_add(d);
	pthread_setname_np(pthread_self(), "vouchd-mounts");
	if (mi < 0)
		logf_("vouchd: /proc/self/mountinfo: %s: new mounts will not be marked",
		      strerror(errno));
	if (timer >= 0)
		timerfd_settime(timer, 0, &period, NULL);
	for (;;) {
		struct pollfd p[3] = {{mi, POLLPRI, 0}, /* mountinfo: POLLPRI on any mount change */
		                      {timer, POLLIN, 0},
		                      {d->main.wake, POLLIN, 0}};
		uint64_t ticks;

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			logf_("vouchd: mounts: poll: %s", strerror(errno));
			break;
		}
		if (p[2].revents & POLLIN)
			break;
		if (p[0].revents & (POLLPRI | POLLERR))
			rescan(d, d->marks.all);
		/* New mount namespaces have no event of their own: looked for every second. */
		if ((p[1].revents & POLLIN) && read(timer, &ticks, sizeof(ticks)) > 0)
			rescan(d, true);
	}
	if (mi >= 0)
		close(mi);
	if (timer >= 0)
		close(timer);
	return NULL;
}
