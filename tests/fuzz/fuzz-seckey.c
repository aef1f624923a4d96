/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for secret key files: parse, and decrypt-check-reformat unencrypted keys. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond, const char *what)
{
	if (cond)
		return;
	fprintf(stderr, "fuzz-seckey: %s\n", what);
	abort();
}

/*
 * A key that decrypts must format (unencrypted: no scrypt) and come back as
 * the same key. Encrypted keys are only parsed: scrypt at the limits a key
 * may ask for would take seconds and a gigabyte per input.
 */
static void round_trip(const struct vouch_seckey *sk)
{
	struct vouch_seckey_file f;
	struct vouch_seckey *again = NULL;
	struct vouch_pubkey pk;
	char text[VOUCH_KEYFILE_MAX];
	size_t len = 0;

	require(vouch_seckey_format(sk, NULL, 0, 0, 0, text, sizeof(text), &len) == 0,
	        "format failed");
	memset(&f, 0, sizeof(f));
	require(vouch_seckey_parse(&f, text, len) == 0, "formatted key does not parse");
	require(!f.encrypted, "formatted key without password is encrypted");
	require(vouch_seckey_decrypt(&f, NULL, 0, &again) == 0, "formatted key does not decrypt");
	require(memcmp(again, sk, sizeof(*again)) == 0, "round trip changed the key");
	vouch_seckey_public(again, &pk);
	require(memcmp(pk.keyid, sk->keyid, VOUCH_KEYID_LEN) == 0 &&
	            memcmp(pk.pk, sk->pk, VOUCH_PK_LEN) == 0,
	        "public half differs");
	vouch_seckey_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vouch_seckey_file f;
	struct vouch_seckey *sk = NULL;
	int ret;

	ret = vouch_seckey_parse(&f, (const char *)data, size);
	require(ret <= 0, "parse returned a positive value");
	if (ret != 0 || f.encrypted)
		return 0;
	ret = vouch_seckey_decrypt(&f, NULL, 0, &sk);
	require(ret <= 0, "decrypt returned a positive value");
	require(ret == 0 || !sk, "decrypt failed but handed out a key");
	if (ret == 0) {
		round_trip(sk);
		vouch_seckey_free(sk);
	}
	return 0;
}
