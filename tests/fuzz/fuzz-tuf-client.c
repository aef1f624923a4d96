/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the TUF client: fuzzer bytes as the fetched files, signed by the right keys
 * or not. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/error.h"
#include "vouch/tuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The files a refresh and a lookup fetch; the input holds their "signed" parts (or raw files),
 * separated by "\n--\n", in this order. */
static const char *const NAMES[] = {"2.root.json", "timestamp.json", "1.snapshot.json",
                                    "1.targets.json", "1.d.json"};
#define NPART (sizeof(NAMES) / sizeof(NAMES[0]))

static struct vouch_signer key;
static char keyid[65];
static char *root1;
static size_t root1_len;
static uint8_t *part[NPART];
static size_t part_len[NPART];

static char *signed_doc(json_t *signed_, size_t *len)
{
	json_t *sigs = json_array(), *doc;
	char *t = NULL;

	if (vouch_tuf_sign(signed_, &key, keyid, sigs) == 0) {
		doc = json_pack("{s:o,s:O}", "signatures", sigs, "signed", signed_);
		t = json_dumps(doc, JSON_COMPACT);
		json_decref(doc);
	} else {
		json_decref(sigs);
	}
	*len = t ? strlen(t) : 0;
	return t;
}

/* One key signs every role: the fuzzer's metadata verifies, so the workflow past it runs. */
static void setup(void)
{
	uint8_t seed[32] = {7};
	json_t *ko = NULL, *s;

	if (vouch_signer_ed25519(&key, seed) || vouch_tuf_key_object(&key, &ko) ||
	    vouch_tuf_keyid(ko, keyid))
		abort();
	s = json_pack("{s:s,s:s,s:i,s:s,s:b,s:{s:O},s:{s:{s:[s],s:i},s:{s:[s],s:i},s:{s:[s],s:i},"
	              "s:{s:[s],s:i}}}",
	              "_type", "root", "spec_version", "1.0.31", "version", 1, "expires",
	              "2040-01-01T00:00:00Z", "consistent_snapshot", 1, "keys", keyid, ko, "roles",
	              "root", "keyids", keyid, "threshold", 1, "timestamp", "keyids", keyid,
	              "threshold", 1, "snapshot", "keyids", keyid, "threshold", 1, "targets",
	              "keyids", keyid, "threshold", 1);
	root1 = signed_doc(s, &root1_len);
	json_decref(s);
	json_decref(ko);
	if (!root1)
		abort();
}

static int fetch(void *ctx, const char *name, size_t max, uint8_t **out, size_t *len)
{
	(void)ctx;
	for (size_t i = 0; i < NPART; i++) {
		if (strcmp(name, NAMES[i]) || !part[i])
			continue;
		if (part_len[i] > max)
			return VOUCH_E_TOOBIG;
		*out = malloc(part_len[i] + 1);
		if (!*out)
			return -12;
		memcpy(*out, part[i], part_len[i]);
		*len = part_len[i];
		return 0;
	}
	return VOUCH_E_NOTFOUND;
}

static int persist(void *ctx, const char *file, const uint8_t *b, size_t len)
{
	(void)ctx;
	(void)file;
	(void)b;
	(void)len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct vouch_tuf_io io = {NULL, fetch, persist, NULL};
	const struct vouch_tuf_target *t = NULL;
	struct vouch_tuf_client *c = NULL;
	const uint8_t *p = data, *end = data + size;

	if (!root1)
		setup();
	for (size_t i = 0; i < NPART; i++) {
		const uint8_t *sep = NULL;
		json_t *v = NULL;

		for (const uint8_t *q = p; q + 4 <= end; q++) {
			if (!memcmp(q, "\n--\n", 4)) {
				sep = q;
				break;
			}
		}
		if (!sep)
			sep = end;
		/* A JSON object is the "signed" part and gets signed; anything else is the file. */
		if (vouch_tuf_parse(&v, p, (size_t)(sep - p)) == 0 && json_is_object(v) &&
		    !json_object_get(v, "signed")) {
			part[i] = (uint8_t *)signed_doc(v, &part_len[i]);
		} else {
			part_len[i] = (size_t)(sep - p);
			part[i] = malloc(part_len[i] + 1);
			if (part[i])
				memcpy(part[i], p, part_len[i]);
		}
		json_decref(v);
		p = sep + 4 <= end ? sep + 4 : end;
	}
	if (vouch_tuf_client_create(&c, (const uint8_t *)root1, root1_len, 1900000000))
		abort();
	if (vouch_tuf_client_refresh(c, &io) == 0) {
		char *name = NULL;

		if (vouch_tuf_client_target(c, &io, "a/b", &t) == 0) {
			if (!t || vouch_tuf_target_name(c, t, &name))
				abort();
			(void)vouch_tuf_target_check(t, data, size);
			free(name);
		}
	} else if (!vouch_tuf_client_error(c)[0]) {
		abort(); /* every refusal says why */
	}
	vouch_tuf_client_destroy(c);
	for (size_t i = 0; i < NPART; i++) {
		free(part[i]);
		part[i] = NULL;
	}
	return 0;
}
