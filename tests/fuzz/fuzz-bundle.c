/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for policy bundles and compiled-policy headers: parse, re-serialize, compare. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/bundle.h"
#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The seed corpus is sealed with tests/data/test-vouch.key; this is its public key. */
static const char key_b64[] = "RWT7arae41HzW6uUGJQLwUIS45Ig4P15T/wN1R0NqogUlGhqXxQmWzJ6";
static struct vouch_pubkey key;

static void require(int cond, const char *what)
{
	if (cond)
		return;
	fprintf(stderr, "fuzz-bundle: %s\n", what);
	abort();
}

static void setup(void)
{
	static int done;

	if (done)
		return;
	require(vouch_pubkey_parse_base64(&key, key_b64, strlen(key_b64)) == 0,
	        "fixed key does not parse");
	done = 1;
}

/* What parsed must serialize to the very bytes it came from. */
static void bundle_round_trip(const struct vouch_bundle *b, const struct vouch_sig *sig,
                              const uint8_t *data, size_t size)
{
	struct vouch_trust_entry *e;
	struct vouch_trust_rec rec;
	static char text[VOUCH_SIGFILE_MAX + 1];
	uint8_t *out = NULL;
	size_t olen = 0, tlen = 0;

	require(b->payload_len < size, "payload covers the whole input");
	require(b->nentries <= size / VOUCH_BUNDLE_ENTRY_LEN, "more entries than bytes");
	require(b->entries >= data && b->entries < data + size, "entries not in the input");
	e = calloc(b->nentries ? b->nentries : 1, sizeof(*e));
	require(e != NULL, "out of memory");
	for (uint64_t i = 0; i < b->nentries; i++) {
		vouch_bundle_entry(b, i, &e[i]);
		require(vouch_trust_rec_check(&b->policy, &e[i].rec) == 0,
		        "parsed an invalid record");
		require(vouch_bundle_lookup(b, e[i].sha256, &rec) == 0,
		        "entry not found by lookup");
		require(memcmp(&rec, &e[i].rec, sizeof(rec)) == 0, "lookup gave another record");
	}
	require(vouch_bundle_serialize(&b->policy, e, b->nentries, &out, &olen) == 0,
	        "parsed bundle does not serialize");
	require(olen == b->payload_len, "re-serialized payload has another length");
	require(memcmp(out, data, olen) == 0, "re-serialized payload differs");
	free(out);
	free(e);

	require(vouch_sig_format(sig, text, sizeof(text), &tlen) == 0, "signature does not format");
	require(b->payload_len + tlen + 12 == size, "trailer length differs");
	require(memcmp(text, data + b->payload_len, tlen) == 0, "re-formatted trailer differs");
}

static void cpolicy_round_trip(const struct vouch_cpolicy *cp, const uint8_t *data, size_t size)
{
	uint8_t *out = NULL;
	size_t olen = 0;

	for (uint32_t i = 0; i < cp->nstrings; i++)
		require(vouch_cpolicy_string(cp, i) != NULL, "string missing");
	require(vouch_cpolicy_string(cp, cp->nstrings) == NULL, "string past the table");
	require(cp->source != NULL, "parsed policy has no source");
	require(vouch_cpolicy_serialize(cp, &out, &olen) == 0, "parsed policy does not serialize");
	require(olen == size && memcmp(out, data, size) == 0, "re-serialized policy differs");
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vouch_sig sig;
	struct vouch_bundle b;
	struct vouch_cpolicy cp;
	int ret;

	setup();
	ret = vouch_bundle_parse(&b, &sig, data, size);
	require(ret <= 0, "bundle parse returned a positive value");
	if (ret == 0) {
		bundle_round_trip(&b, &sig, data, size);
		ret = vouch_bundle_verify(&b, &sig, data, &key);
		require(ret == 0 || ret == VOUCH_E_WRONGKEY || ret == VOUCH_E_BADSIG ||
		            ret == VOUCH_E_BADCOMMENT,
		        "verify returned an undocumented code");
		/* The header inside a valid bundle is a valid header on its own. */
		{
			size_t hlen = (size_t)data[12] << 24 | (size_t)data[13] << 16 |
			              (size_t)data[14] << 8 | data[15];

			require(vouch_cpolicy_parse(&cp, data + 16, hlen) == 0,
			        "bundle header does not parse alone");
			cpolicy_round_trip(&cp, data + 16, hlen);
			vouch_cpolicy_free(&cp);
		}
	} else {
		require(b.nentries == 0 && b.policy.nstrings == 0 && b.policy.strings == NULL,
		        "failed parse left a bundle behind");
	}
	vouch_bundle_free(&b);

	ret = vouch_cpolicy_parse(&cp, data, size);
	require(ret <= 0, "policy parse returned a positive value");
	if (ret == 0)
		cpolicy_round_trip(&cp, data, size);
	else
		require(cp.strings == NULL && cp.source == NULL,
		        "failed parse left a policy behind");
	vouch_cpolicy_free(&cp);
	return 0;
}
