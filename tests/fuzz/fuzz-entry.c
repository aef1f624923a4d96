/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for log entries: whatever parses re-formats and parses back the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vouch_entry e, b;
	char *scratch, *again, *scratch2;
	int n;

	if (size > VOUCH_ENTRY_MAX)
		return 0;
	scratch = malloc(size + 8);
	if (!scratch)
		return 0;
	if (vouch_entry_parse(&e, (const char *)data, size, scratch, size + 8) == 0) {
		again = malloc(VOUCH_ENTRY_MAX);
		scratch2 = malloc(VOUCH_ENTRY_MAX + 8);
		if (!again || !scratch2)
			abort();
		n = vouch_entry_format(&e, again, VOUCH_ENTRY_MAX);
		/* A parsed entry has strings with NULs cut short, so it can only be shorter. */
		if (n >= 0) {
			if (vouch_entry_parse(&b, again, (size_t)n, scratch2, VOUCH_ENTRY_MAX + 8))
				abort();
			if (b.time_us != e.time_us || strcmp(b.path, e.path) ||
			    strcmp(b.reason, e.reason) || b.pid != e.pid || b.uid != e.uid ||
			    memcmp(b.sha256, e.sha256, 32))
				abort();
		}
		free(again);
		free(scratch2);
	}
	free(scratch);
	return 0;
}
