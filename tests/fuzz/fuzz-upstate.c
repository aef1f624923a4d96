/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the update state: what parses formats back to the same bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/error.h"
#include "vouch/upstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vouch_upstate u;
	char *out = NULL;
	size_t len = 0;
	int ret = vouch_upstate_parse(&u, (const char *)data, size);

	if (ret != 0 && ret != VOUCH_E_UPSTATE && ret != -12 /* ENOMEM */)
		abort();
	if (ret == 0) {
		/* One spelling: the state formats back to exactly its input. */
		if (vouch_upstate_format(&u, &out, &len) != 0 || len != size ||
		    memcmp(out, data, size) != 0) {
			fprintf(stderr, "fuzz-upstate: parsed, but formats to other bytes\n");
			abort();
		}
		free(out);
	}
	vouch_upstate_free(&u);
	return 0;
}
