/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the log's text that others send: proof texts (read, and written again)
 * and the pruned record. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *end = text + size;
	struct vouch_proof p;
	uint64_t b, t;

	if (vouch_proof_parse(&p, text, size) == 0) {
		/* What it points at lies inside the input; the checkpoint ends it. */
		if (p.note < text || p.note_len == 0 || p.note + p.note_len != end ||
		    p.n > VOUCH_TLOG_PROOF_MAX)
			abort();
		if (p.extra && (!p.inclusion || p.extra < text || p.extra + p.extra_len > p.note))
			abort();
		/* Written again, it reads back to the same fields. */
		{
			struct vouch_proof q;
			char *again;
			size_t alen;
			int ret = vouch_proof_format(&p, &again, &alen);

			if (ret == 0) {
				if (vouch_proof_parse(&q, again, alen) || q.inclusion != p.inclusion ||
				    q.num != p.num || q.n != p.n ||
				    memcmp(q.hash, p.hash, (size_t)p.n * sizeof(p.hash[0])) ||
				    !q.extra != !p.extra || q.extra_len != p.extra_len ||
				    (p.extra && memcmp(q.extra, p.extra, p.extra_len)) ||
				    q.note_len != p.note_len || memcmp(q.note, p.note, p.note_len))
					abort();
				free(again);
			} else if (ret != VOUCH_E_RANGE || !p.extra) {
				/* Only an extra line outside base64 is refused by the writer. */
				abort();
			}
		}
	} else if (!p.why || p.line == 0) {
		abort();
	}
	if (vouch_log_pruned_parse(text, size, &b, &t) == 0) {
		char again[64];
		int n = snprintf(again, sizeof(again), "entries %llu\ntiles %llu\n",
		                 (unsigned long long)b, (unsigned long long)t);

		/* Only the one spelling of a record parses. */
		if (n < 0 || (size_t)n != size || memcmp(again, data, size))
			abort();
		if (vouch_log_pruned_check(b, t, UINT64_MAX) == 0 && t > b)
			abort();
	}
	return 0;
}
