/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for TUF metadata: the JSON parser, the checks of all four roles, canonical JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tuf-internal.h"
#include "vouch/error.h"
#include "vouch/tuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[256];
	json_t *v = NULL;

	for (int t = TUF_ROOT; t <= TUF_TARGETS; t++) {
		struct tuf_meta *m = NULL;
		int ret = vouch_tuf_meta_parse(&m, data, size, (enum tuf_type)t, why, sizeof(why));

		if (ret && m)
			abort();
		if (ret == VOUCH_E_TUF && !why[0])
			abort(); /* every refusal says why */
		if (!ret) {
			/* The signed bytes are canonical: canonicalizing them again changes
			 * nothing. */
			json_t *again = NULL;
			char *c = NULL;
			size_t n = 0;

			if (vouch_tuf_parse(&again, (const uint8_t *)m->canon, m->canon_len) ||
			    vouch_tuf_canonical(again, &c, &n) || n != m->canon_len ||
			    memcmp(c, m->canon, n))
				abort();
			free(c);
			json_decref(again);
			for (size_t i = 0; i < m->ndele; i++)
				(void)vouch_tuf_role_covers(&m->dele[i], "a/b/c.txt");
		}
		vouch_tuf_meta_free(m);
	}
	/* Any JSON value: canonical form, and keys from it. */
	if (vouch_tuf_parse(&v, data, size) == 0) {
		struct vouch_tuf_key *k = NULL;
		char *c = NULL;
		size_t n = 0;

		if (vouch_tuf_canonical(v, &c, &n) == 0 && strlen(c) != n)
			abort();
		free(c);
		if (vouch_tuf_key_parse(&k, v, "id") == 0)
			(void)vouch_tuf_key_verify(k, data, size, "00");
		vouch_tuf_key_destroy(k);
		json_decref(v);
	}
	return 0;
}
