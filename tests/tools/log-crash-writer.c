/* SPDX-License-Identifier: Apache-2.0 */
/* For the crash test: appends to a log as fast as it can, committing in random batches, until
 * killed. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vouch/vouch.h"

/* Entry @i's content is a function of @i alone: the test checks it after each kill. */
static int entry(uint64_t i, char *buf, size_t cap)
{
	char path[64];
	struct vouch_entry e = {
	    .time_us = INT64_C(1763719200000000) + (int64_t)i,
	    .decision = i % 3 ? "allow" : "deny",
	    .mode = "enforce",
	    .event = "exec",
	    .rule = i % 3 ? "manifest" : "default",
	    .reason = "crash test",
	    .path = path,
	    .pid = (int64_t)(i % 100000) + 1,
	    .uid = 1000,
	};

	snprintf(path, sizeof(path), "/crash/%" PRIu64, i);
	memset(e.sha256, (int)(i & 0xff), 32);
	return vouch_entry_format(&e, buf, cap);
}

int main(int argc, char **argv)
{
	struct vouch_note_skey key;
	struct vouch_log *log;
	uint8_t seed[32];
	char vk[VOUCH_NOTE_VKEY_MAX], line[VOUCH_NOTE_VKEY_MAX + 2], buf[1024];
	time_t start = time(NULL);
	int klen, ret;

	if (argc != 3) {
		fprintf(stderr, "usage: log-crash-writer DIR PUBFILE\n");
		return 2;
	}
	memset(seed, 0x11, sizeof(seed));
	if (vouch_note_skey_from_seed(&key, "crash.test/log", seed))
		return 2;
	vouch_note_vkey_format(&key.v, vk);
	/* Replaced whole or not at all: a kill at any point leaves the key the log verifies with
	 * (written in place, a kill in its first milliseconds left an empty file: 3 of 300 tries). */
	klen = snprintf(line, sizeof(line), "%s\n", vk);
	if (klen < 0 || (size_t)klen >= sizeof(line) ||
	    vouch_file_write_atomic(argv[2], line, (size_t)klen, 0644, 0))
		return 2;
	ret = vouch_log_open(&log, argv[1], &key, 0);
	if (ret) {
		fprintf(stderr, "log-crash-writer: %s: %s\n", argv[1], vouch_strerror(ret));
		return 1;
	}
	srand((unsigned)getpid());
	/* Bounded: 20 s or 5M entries, whichever comes first; the test kills it long before. */
	while (time(NULL) - start < 20 && vouch_log_size(log) < 5000000) {
		int batch = 1 + rand() % 300;

		for (int i = 0; i < batch; i++) {
			int n = entry(vouch_log_size(log), buf, sizeof(buf));

			if (n < 0 || vouch_log_append(log, buf, (size_t)n, NULL))
				return 1;
		}
		ret = vouch_log_commit(log);
		if (ret) {
			fprintf(stderr, "log-crash-writer: commit: %s\n", vouch_strerror(ret));
			return 1;
		}
		/* Only now is the entry acknowledged: the test holds the log to this. */
		printf("committed %" PRIu64 "\n", vouch_log_committed(log));
		fflush(stdout);
	}
	vouch_log_close(log);
	return 0;
}
