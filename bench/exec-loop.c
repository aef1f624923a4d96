/* SPDX-License-Identifier: Apache-2.0 */
/* Probe for bench/vouchd.sh: runs one program back to back, timed, from one or more processes. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/*
 * Usage: exec-loop PROGRAM COUNT [PROCS [ARG...]]
 * PROCS processes (default 1) each run PROGRAM (with the ARGs, if any) COUNT times, one
 * after another: posix_spawn() then waitpid(), and every run must exit 0. The runs' standard
 * output goes to /dev/null, so that this program's own line is the only one. The workers are forked
 * first and released together, so the time covers the runs only (plus one fork's exit).
 * Prints "PROCS COUNT wall_s execs_per_s us_per_exec", where execs_per_s counts the runs of
 * all processes and us_per_exec is wall time over one process's COUNT.
 * Exit status: 0 all runs exited 0, 1 a run failed (its status on stderr), 2 usage or system.
 *
 * Usage: exec-loop -w SECONDS PROGRAM
 * Watches for a gap in enforcement: runs PROGRAM (one that must be refused) back to back for
 * SECONDS and prints "runs ran window_s": how many runs there were, how many got to run and
 * exit 0, and the time from the end of the first of those to the end of the last (the gap in
 * enforcement, to within one run).
 */

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static char *noargs[2];
static char **args = noargs;                  /* argv of every run: PROGRAM, then the ARGs */
static posix_spawn_file_actions_t quiet, *fa; /* standard output to /dev/null, or NULL */

/* One run of @prog; 0 if it ran and exited 0, 1 if refused or failed, -1 on a system error. */
static int run(char *prog, int *st)
{
	pid_t pid;
	int err = posix_spawn(&pid, prog, fa, NULL, args, environ);

	*st = -err; /* a refused exec fails posix_spawn itself (EPERM) */
	if (err == EPERM || err == EACCES)
		return 1;
	if (err) {
		errno = err;
		return -1;
	}
	while (waitpid(pid, st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(*st) && WEXITSTATUS(*st) == 0 ? 0 : 1;
}

/* One worker: COUNT runs of @prog; 0 if every run exited 0. */
static int worker(char *prog, unsigned long count)
{
	for (unsigned long i = 0; i < count; i++) {
		int st, ret = run(prog, &st);

		if (ret < 0) {
			perror("exec-loop: spawn or wait");
			return 1;
		}
		if (ret && st < 0)
			fprintf(stderr, "exec-loop: %s: run %lu: %s\n", prog, i + 1, strerror(-st));
		else if (ret)
			fprintf(stderr, "exec-loop: %s: run %lu: wait status 0x%x\n", prog, i + 1,
			        (unsigned)st);
		if (ret)
			return 1;
	}
	return 0;
}

/* exec-loop -w: 0, or 2 on a system error. */
static int watch(char *prog, double seconds)
{
	double end = now() + seconds, first = 0, last = 0;
	unsigned long runs = 0, ran = 0;

	while (now() < end) {
		int st, ret = run(prog, &st);

		if (ret < 0) {
			perror("exec-loop: spawn or wait");
			return 2;
		}
		runs++;
		if (ret == 0) {
			/* Ends, not starts: a run held by a dying listener began before the gap. */
			last = now();
			if (ran++ == 0)
				first = last;
		}
	}
	printf("%lu %lu %.6f\n", runs, ran, ran ? last - first : 0.0);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long count, procs = 1;
	pid_t pids[256];
	int gate[2], failed = 0;
	char *end, go;
	double s, t0;

	if (argc == 4 && strcmp(argv[1], "-w") == 0) {
		s = strtod(argv[2], &end);
		if (*end || !(s > 0 && s <= 3600)) {
			fprintf(stderr, "exec-loop: SECONDS must be in (0, 3600]\n");
			return 2;
		}
		noargs[0] = argv[3];
		return watch(argv[3], s);
	}
	if (argc < 3) {
		fprintf(stderr, "usage: exec-loop PROGRAM COUNT [PROCS [ARG...]]\n"
		                "       exec-loop -w SECONDS PROGRAM\n");
		return 2;
	}
	count = strtoul(argv[2], &end, 10);
	if (*end || count == 0) {
		fprintf(stderr, "exec-loop: COUNT must be a positive integer\n");
		return 2;
	}
	if (posix_spawn_file_actions_init(&quiet) != 0 ||
	    posix_spawn_file_actions_addopen(&quiet, STDOUT_FILENO, "/dev/null", O_WRONLY, 0) !=
	        0) {
		fprintf(stderr, "exec-loop: cannot set up /dev/null for the runs\n");
		return 2;
	}
	fa = &quiet;
	if (argc >= 4) {
		procs = strtoul(argv[3], &end, 10);
		if (*end || procs == 0 || procs > sizeof(pids) / sizeof(pids[0])) {
			fprintf(stderr, "exec-loop: PROCS must be 1-256\n");
			return 2;
		}
	}
	noargs[0] = argv[1];
	if (argc > 4) {
		/* PROGRAM and its ARGs, contiguous in argv: argv[4..] moved down by two (PROCS is
		 * read). */
		args = argv + 2;
		args[0] = argv[1];
		memmove(args + 1, argv + 4, (size_t)(argc - 4 + 1) * sizeof(*args));
	}
	if (pipe(gate) != 0) {
		perror("exec-loop: pipe");
		return 2;
	}
	for (unsigned long i = 0; i < procs; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("exec-loop: fork");
			return 2; /* workers still waiting see EOF on the gate and run: bounded */
		}
		if (pids[i] == 0) {
			close(gate[1]);
			/* The gate opens (EOF) when the parent closes its end: all at once. */
			while (read(gate[0], &go, 1) < 0 && errno == EINTR)
				;
			_exit(worker(argv[1], count));
		}
	}
	close(gate[0]);
	t0 = now();
	close(gate[1]);
	for (unsigned long i = 0; i < procs; i++) {
		int st;

		while (waitpid(pids[i], &st, 0) < 0)
			if (errno != EINTR) {
				perror("exec-loop: waitpid");
				return 2;
			}
		failed |= !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	}
	s = now() - t0;
	if (failed)
		return 1;
	printf("%lu %lu %.6f %.1f %.3f\n", procs, count, s, (double)(procs * count) / s,
	       s * 1e6 / (double)count);
	return 0;
}
