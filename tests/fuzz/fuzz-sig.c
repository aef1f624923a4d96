/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for signature files: parse, format→parse round trip, and verification. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The seed corpus signs MESSAGE with these keys (minisign -GW, vouch keygen -W,
 * signify -G -n), so mutated seeds reach every verification outcome.
 */
#define MESSAGE "vouch fuzz message\n"
static const char *const key_b64[] = {
    "RWTuWH9CH8so0RoCDgdnY5n/6CVaktSszFlLeg/9TTEzLXhrQiWnLBSY", /* minisign */
    "RWSZB7Q6uM8fpYw5HZcS033ePuVv4YaC9tLSqU5aI44855dwooIZCINd", /* vouch */
    "RWR1Y3ONmgYMox+XHje7oDWuJJBnLDrav3Crf/Il2TRSps1v8YtOiM+O", /* signify */
};
#define NKEYS (sizeof(key_b64) / sizeof(key_b64[0]))

static struct vouch_pubkey keys[NKEYS];
static uint8_t prehash[VOUCH_BLAKE2B512_LEN];

static void require(int cond, const char *what)
{
	if (cond)
		return;
	fprintf(stderr, "fuzz-sig: %s\n", what);
	abort();
}

static void setup(void)
{
	static int done;

	if (done)
		return;
	for (size_t i = 0; i < NKEYS; i++)
		require(vouch_pubkey_parse_base64(&keys[i], key_b64[i], strlen(key_b64[i])) == 0,
		        "fixed key does not parse");
	require(vouch_blake2b(MESSAGE, strlen(MESSAGE), prehash, sizeof(prehash)) == 0,
	        "BLAKE2b failed");
	done = 1;
}

static void same_sig(const struct vouch_sig *a, const struct vouch_sig *b)
{
	require(a->alg == b->alg, "round trip changed the algorithm");
	require(memcmp(a->keyid, b->keyid, VOUCH_KEYID_LEN) == 0, "round trip changed the key id");
	require(memcmp(a->sig, b->sig, VOUCH_SIG_LEN) == 0, "round trip changed the signature");
	require(a->has_trusted == b->has_trusted, "round trip lost the trusted comment");
	require(memcmp(a->global_sig, b->global_sig, VOUCH_SIG_LEN) == 0,
	        "round trip changed the global signature");
	require(strcmp(a->untrusted, b->untrusted) == 0,
	        "round trip changed the untrusted comment");
	require(strcmp(a->trusted, b->trusted) == 0, "round trip changed the trusted comment");
}

static void round_trip(const struct vouch_sig *sig)
{
	static struct vouch_sig again;
	static char text[VOUCH_SIGFILE_MAX + 1];
	size_t len = 0;

	require(vouch_sig_format(sig, text, sizeof(text), &len) == 0, "format failed");
	require(len <= VOUCH_SIGFILE_MAX, "formatted signature is larger than the parser accepts");
	require(vouch_sig_parse(&again, text, len) == 0, "formatted signature does not parse");
	same_sig(sig, &again);
}

/* A signature that verified must stop verifying when what it covers changes. */
static void tamper(const struct vouch_sig *sig, const struct vouch_pubkey *pk, const uint8_t *msg,
                   size_t len)
{
	static struct vouch_sig t;
	size_t tlen;

	t = *sig;
	t.sig[0] ^= 1;
	require(vouch_sig_verify(&t, pk, msg, len) == VOUCH_E_BADSIG, "altered signature verified");
	if (!sig->has_trusted)
		return;
	t = *sig;
	tlen = strlen(t.trusted);
	if (tlen < VOUCH_TCOMMENT_MAX) {
		t.trusted[tlen] = 'x';
		t.trusted[tlen + 1] = '\0';
	} else {
		t.trusted[0] ^= 1;
	}
	require(vouch_sig_verify(&t, pk, msg, len) == VOUCH_E_BADCOMMENT,
	        "altered trusted comment verified");
	t = *sig;
	t.global_sig[63] ^= 0x40;
	require(vouch_sig_verify(&t, pk, msg, len) == VOUCH_E_BADCOMMENT,
	        "altered global signature verified");
}

static void verify(const struct vouch_sig *sig, const struct vouch_pubkey *pk)
{
	const uint8_t *msg = (const uint8_t *)MESSAGE;
	size_t len = strlen(MESSAGE);
	int ret;

	if (sig->alg == VOUCH_SIG_PREHASHED) {
		msg = prehash;
		len = sizeof(prehash);
		/* The prehashed form takes exactly a BLAKE2b-512 digest. */
		require(vouch_sig_verify(sig, pk, msg, len - 1) ==
		            (memcmp(sig->keyid, pk->keyid, VOUCH_KEYID_LEN) ? VOUCH_E_WRONGKEY
		                                                            : VOUCH_E_LENGTH),
		        "prehashed signature accepted a short digest");
	}
	ret = vouch_sig_verify(sig, pk, msg, len);
	require(ret == 0 || ret == VOUCH_E_WRONGKEY || ret == VOUCH_E_BADSIG ||
	            ret == VOUCH_E_BADCOMMENT,
	        "verify returned an undocumented code");
	if (memcmp(sig->keyid, pk->keyid, VOUCH_KEYID_LEN) != 0)
		require(ret == VOUCH_E_WRONGKEY, "key id mismatch not reported");
	if (ret == 0)
		tamper(sig, pk, msg, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vouch_sig sig;
	struct vouch_pubkey forged;
	int ret;

	setup();
	ret = vouch_sig_parse(&sig, (const char *)data, size);
	require(ret <= 0, "parse returned a positive value");
	if (ret != 0)
		return 0;
	require(sig.has_trusted || sig.alg == VOUCH_SIG_LEGACY,
	        "prehashed signature without a trusted comment");
	if (sig.has_trusted)
		round_trip(&sig);
	for (size_t i = 0; i < NKEYS; i++)
		verify(&sig, &keys[i]);
	/* Past the key id check with any id: the Ed25519 paths see every signature. */
	forged = keys[0];
	memcpy(forged.keyid, sig.keyid, VOUCH_KEYID_LEN);
	verify(&sig, &forged);
	return 0;
}
