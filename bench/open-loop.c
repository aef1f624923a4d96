/* SPDX-License-Identifier: Apache-2.0 */
/* Probe for bench/vouchd.sh: opens one file back to back, timed (each open is one event). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: open-loop FILE COUNT
 * Opens FILE read-only COUNT times, reading its first 64 bytes each time (as a program
 * reading a header would), and closes it. Prints "COUNT wall_s us_per_open".
 * Exit status: 0, or 1 if an open or read failed, 2 on usage.
 */
int main(int argc, char **argv)
{
	struct timespec a, b;
	char buf[64];
	long n;
	double s;

	if (argc != 3 || (n = strtol(argv[2], NULL, 10)) < 1 || n > 100000000) {
		fprintf(stderr, "usage: open-loop FILE COUNT\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		int fd = open(argv[1], O_RDONLY | O_CLOEXEC);

		if (fd < 0 || read(fd, buf, sizeof(buf)) < 0) {
			perror(argv[1]);
			return 1;
		}
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	printf("%ld %.6f %.3f\n", n, s, s * 1e6 / (double)n);
	return 0;
}
