/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for log entries, both spellings: what parses re-formats and parses back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vouch_entry e, b;
	char *scratch, *again, *again2, *scratch2;
	int n;

	if (size > VOUCH_ENTRY_MAX)
		return 0;
	scratch = malloc(size + 8);
	if (!scratch)
		return 0;
	if (vouch_entry_parse(&e, (const char *)data, size, scratch, size + 8) == 0) {
		again = malloc(VOUCH_ENTRY_MAX);
		again2 = malloc(VOUCH_ENTRY_MAX);
		scratch2 = malloc(VOUCH_ENTRY_MAX + 8);
		if (!again || !again2 || !scratch2)
			abort();
		n = vouch_entry_format(&e, again, VOUCH_ENTRY_MAX);
		/* An entry of the first spelling may grow (companions), past the cap: skipped. */
		if (n >= 0) {
			if (vouch_entry_parse(&b, again, (size_t)n, scratch2, VOUCH_ENTRY_MAX + 8))
				abort();
			if (b.time_us != e.time_us || strcmp(b.path, e.path) ||
			    strcmp(b.reason, e.reason) || strcmp(b.decision, e.decision) ||
			    strcmp(b.mode, e.mode) || strcmp(b.event, e.event) ||
			    strcmp(b.rule, e.rule) || (b.exe == NULL) != (e.exe == NULL) ||
			    (b.exe && strcmp(b.exe, e.exe)) || b.pid != e.pid || b.uid != e.uid ||
			    b.no_sha256 != e.no_sha256 || memcmp(b.sha256, e.sha256, 32) ||
			    b.summary != e.summary || b.allowed != e.allowed ||
			    b.denied != e.denied)
				abort();
			/* Written again, the same bytes: the writer's spelling is a fixed point. */
			if (vouch_entry_format(&b, again2, VOUCH_ENTRY_MAX) != n ||
			    memcmp(again, again2, (size_t)n))
				abort();
		}
		free(again);
		free(again2);
		free(scratch2);
	}
	free(scratch);
	return 0;
}
