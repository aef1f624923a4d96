/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the update journal: what parses formats back to the same bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/error.h"
#include "vouch/journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vouch_journal j;
	char *out = NULL;
	size_t len = 0;
	int ret = vouch_journal_parse(&j, (const char *)data, size);

	if (ret != 0 && ret != VOUCH_E_JOURNAL && ret != -12 /* ENOMEM */)
		abort();
	if (ret == 0) {
		/* One spelling: the journal formats back to exactly its input. */
		if (vouch_journal_format(&j, &out, &len) != 0 || len != size ||
		    memcmp(out, data, size) != 0) {
			fprintf(stderr, "fuzz-journal: parsed, but formats to other bytes\n");
			abort();
		}
		for (size_t i = 0; i < j.nfiles; i++)
			if (j.files[i].dest[0] != '/' ||
			    (j.phase == VOUCH_JOURNAL_COMMIT) != (j.files[i].tmp != NULL))
				abort();
		free(out);
	}
	vouch_journal_free(&j);
	return 0;
}
