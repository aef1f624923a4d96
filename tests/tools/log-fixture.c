/* SPDX-License-Identifier: Apache-2.0 */
/* For the log tool tests: a log of N known entries, some with hostile bytes, written by the
 * library (no daemon), optionally with retention; or a log of the entries in a file, one a
 * line, appended as they are (entries of an older spelling). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"

/*
 * Entry @i: ordinary, except entry 1, whose path, executable and reason carry
 * terminal controls (ESC, BEL, CR, LF), a C1 control (U+009B, CSI), a lone byte
 * that is not UTF-8 and a backslash, as other users' file names can; and entry 2,
 * which is not an entry at all but bytes with an escape sequence.
 */
static int entry(uint64_t i, char *buf, size_t cap)
{
	char path[96];
	struct vouch_entry e = {
	    .time_us = INT64_C(1763719200000000) + (int64_t)i * 1000000,
	    .decision = i % 3 ? "allow" : "deny",
	    .mode = "enforce",
	    .event = "exec",
	    .rule = i % 3 ? "manifest" : "default",
	    .reason = "fixture",
	    .path = path,
	    .pid = (int64_t)i + 1,
	    .uid = 1000,
	};

	if (i == 2) {
		static const char junk[] = "\x1b[31mnot an entry\r\n\x07";

		memcpy(buf, junk, sizeof(junk) - 1);
		return (int)sizeof(junk) - 1;
	}
	if (i == 1) {
		snprintf(path, sizeof(path), "/tmp/evil\x1b]0;owned\x07\x1b[2J\r\n#99 fake\\\xff");
		e.exe = "/tmp/x\xc2\x9b"
		        "31m";
		e.reason = "bad\x1b[1m reason\x7f";
	} else {
		snprintf(path, sizeof(path), "/fixture/%" PRIu64, i);
	}
	memset(e.sha256, (int)(i & 0xff), 32);
	return vouch_entry_format(&e, buf, cap);
}

int main(int argc, char **argv)
{
	struct vouch_note_skey key;
	struct vouch_log *log;
	uint8_t seed[32];
	char vk[VOUCH_NOTE_VKEY_MAX], buf[4096];
	uint64_t count, max_bytes = 0;
	FILE *f, *lines = NULL;
	int ret;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: log-fixture DIR PUBFILE COUNT [MAX_BYTES]\n"
		                "       log-fixture DIR PUBFILE --lines FILE\n");
		return 2;
	}
	if (!strcmp(argv[3], "--lines")) {
		lines = argc == 5 ? fopen(argv[4], "rb") : NULL;
		if (!lines) {
			fprintf(stderr, "log-fixture: %s: cannot open\n", argc == 5 ? argv[4] : "");
			return 2;
		}
		count = 0;
	} else {
		count = strtoull(argv[3], NULL, 10);
		if (argc == 5)
			max_bytes = strtoull(argv[4], NULL, 10);
	}
	memset(seed, 0x22, sizeof(seed));
	if (vouch_note_skey_from_seed(&key, "fixture.test/log", seed))
		return 2;
	vouch_note_vkey_format(&key.v, vk);
	f = fopen(argv[2], "w");
	if (!f || fprintf(f, "%s\n", vk) < 0 || fclose(f))
		return 2;
	ret = vouch_log_open(&log, argv[1], &key, max_bytes);
	if (ret) {
		fprintf(stderr, "log-fixture: %s: %s\n", argv[1], vouch_strerror(ret));
		return 1;
	}
	while (lines && fgets(buf, sizeof(buf), lines)) {
		size_t n = strlen(buf);

		if (n == 0 || buf[n - 1] != '\n' || vouch_log_append(log, buf, n - 1, NULL))
			return 1;
	}
	if (lines && (ferror(lines) || fclose(lines)))
		return 1;
	for (uint64_t i = vouch_log_size(log); i < count; i++) {
		int n = entry(i, buf, sizeof(buf));

		if (n < 0 || vouch_log_append(log, buf, (size_t)n, NULL))
			return 1;
		/* Commits of 100: retention runs after each. */
		if ((i + 1) % 100 == 0 && vouch_log_commit(log))
			return 1;
	}
	ret = vouch_log_commit(log);
	vouch_log_close(log);
	if (ret) {
		fprintf(stderr, "log-fixture: commit: %s\n", vouch_strerror(ret));
		return 1;
	}
	return 0;
}
