/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for public key files and inline keys: parse, and format→parse round trip. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant is a bug: abort() so libFuzzer saves the input. */
static void require(int cond, const char *what)
{
	if (cond)
		return;
	fprintf(stderr, "fuzz-pubkey: %s\n", what);
	abort();
}

/* Whatever parsed must survive being written out and read back unchanged. */
static void round_trip(const struct vouch_pubkey *pk)
{
	struct vouch_pubkey again;
	char text[VOUCH_KEYFILE_MAX];
	size_t len = 0;
	const char *nl;

	require(vouch_pubkey_format(pk, text, sizeof(text), &len) == 0, "format failed");
	require(len < sizeof(text) && text[len] == '\0', "format length wrong");
	memset(&again, 0, sizeof(again));
	require(vouch_pubkey_parse(&again, text, len) == 0, "formatted key does not parse");
	require(memcmp(&again, pk, sizeof(again)) == 0, "round trip changed the key");

	/* The second line alone is what minisign -P takes. */
	nl = memchr(text, '\n', len);
	require(nl != NULL && text[len - 1] == '\n', "formatted key is not two lines");
	memset(&again, 0, sizeof(again));
	require(vouch_pubkey_parse_base64(&again, nl + 1, (size_t)(text + len - 1 - (nl + 1))) == 0,
	        "formatted base64 line does not parse");
	require(memcmp(&again, pk, sizeof(again)) == 0, "base64 round trip changed the key");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct vouch_pubkey pk;
	int ret;

	ret = vouch_pubkey_parse(&pk, text, size);
	require(ret <= 0, "parse returned a positive value");
	if (ret == 0)
		round_trip(&pk);

	ret = vouch_pubkey_parse_base64(&pk, text, size);
	require(ret <= 0, "parse_base64 returned a positive value");
	if (ret == 0)
		round_trip(&pk);
	return 0;
}
