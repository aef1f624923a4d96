/* SPDX-License-Identifier: Apache-2.0 */
/* Reference responder for bench/vouchd.sh: the least any fanotify enforcer does; allows all. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Usage: fan-floor PATH
 * Marks the filesystem holding PATH exactly as vouchd does (same class, same mask, same
 * event-file flags), prints "ready", then answers FAN_ALLOW to every permission event
 * without looking at the file: one read() per batch, one write() per event, one close()
 * per event descriptor. What vouchd spends beyond this is its own work.
 * SIGTERM or SIGINT: prints "fan-floor: N events" on stderr and exits 0. Closing the
 * fanotify descriptor (at exit, or if killed) makes the kernel allow whatever is pending.
 */

static volatile unsigned long events;

/* Async-signal-safe: no stdio; the exit closes the group, allowing anything pending. */
static void on_stop(int sig)
{
	char msg[48] = "fan-floor: ", num[24];
	unsigned long v = events;
	size_t len = strlen(msg), n = 0;

	(void)sig;
	do {
		num[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < sizeof(num));
	while (n)
		msg[len++] = num[--n];
	memcpy(msg + len, " events\n", 8);
	len += 8;
	(void)!write(STDERR_FILENO, msg, len);
	_exit(0);
}

int main(int argc, char **argv)
{
	static char buf[64 * 1024]
	    __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	struct sigaction sa = {.sa_handler = on_stop};
	struct stat st, rootst;
	int fan;

	if (argc != 2) {
		fprintf(stderr, "usage: fan-floor PATH\n");
		return 2;
	}
	/* As vouchd: never the machine's own root filesystem (a stuck answer freezes it). */
	if (stat(argv[1], &st) != 0 || stat("/", &rootst) != 0) {
		fprintf(stderr, "fan-floor: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (st.st_dev == rootst.st_dev) {
		fprintf(stderr, "fan-floor: %s: is on the root filesystem; refused\n", argv[1]);
		return 2;
	}
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0) {
		perror("fan-floor: sigaction");
		return 2;
	}
	/* Blocking descriptor: no poll() between batches, the fewest system calls possible. */
	fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, O_RDONLY | O_LARGEFILE | O_CLOEXEC);
	if (fan < 0) {
		perror("fan-floor: fanotify_init");
		return 2;
	}
	if (fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_FILESYSTEM,
	                  FAN_OPEN_EXEC_PERM | FAN_OPEN_PERM, AT_FDCWD, argv[1]) != 0) {
		fprintf(stderr, "fan-floor: %s: cannot mark its filesystem: %s\n", argv[1],
		        strerror(errno));
		return 2;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		ssize_t len = read(fan, buf, sizeof(buf));
		const struct fanotify_event_metadata *md = (const void *)buf;

		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0) {
			perror("fan-floor: read");
			return 1;
		}
		for (; FAN_EVENT_OK(md, len); md = FAN_EVENT_NEXT(md, len)) {
			struct fanotify_response r = {.fd = md->fd, .response = FAN_ALLOW};

			if (md->vers != FANOTIFY_METADATA_VERSION) {
				fprintf(stderr, "fan-floor: unknown fanotify metadata version\n");
				return 1;
			}
			if (md->fd < 0)
				continue; /* queue overflow: no permission event is ever dropped */
			if ((md->mask & (FAN_OPEN_EXEC_PERM | FAN_OPEN_PERM)) &&
			    write(fan, &r, sizeof(r)) != sizeof(r))
				perror("fan-floor: cannot answer the kernel");
			close(md->fd);
			events++;
		}
	}
}
