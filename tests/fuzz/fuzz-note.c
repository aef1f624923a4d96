/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for signed notes, verifier keys and checkpoints (the log's formats). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* C2SP signed-note.md's example key: some inputs will carry its name and key ID. */
static const char VKEY[] = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vouch_note_vkey k, any;
	struct vouch_note_skey sk;
	struct vouch_checkpoint cp;
	char out[VOUCH_NOTE_VKEY_MAX];
	size_t tlen = 0;

	if (vouch_note_vkey_parse(&k, VKEY, strlen(VKEY)))
		abort();
	if (vouch_note_open(&k, (const char *)data, size, &tlen) == 0 && tlen >= size)
		abort();
	if (vouch_checkpoint_parse(&cp, (const char *)data, size) == 0 &&
	    strlen(cp.origin) > VOUCH_NOTE_NAME_MAX)
		abort();
	/* A verifier key that parses formats back to the same text. */
	if (size < VOUCH_NOTE_VKEY_MAX &&
	    vouch_note_vkey_parse(&any, (const char *)data, size) == 0) {
		vouch_note_vkey_format(&any, out);
		if (strlen(out) != size || memcmp(out, data, size))
			abort();
	}
	/* A parsed signer key holds guarded memory (mapped pages): release it every run. */
	if (vouch_note_skey_parse(&sk, (const char *)data, size) == 0)
		vouch_note_skey_destroy(&sk);
	return 0;
}
