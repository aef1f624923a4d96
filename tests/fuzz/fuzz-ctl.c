/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the control protocol: answers and requests parsed, re-encoded, compared. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What parsed encodes back to the very same bytes: the codec has one spelling of each answer. */
static void answer_again(const struct vouch_ctl_answer *a, const uint8_t *data, size_t size)
{
	struct vouch_ctl_out *o;
	const char *text;
	size_t len;

	/* A code this version does not know has no encoder; a reason with a NUL no printf. */
	if (a->status > VOUCH_CTL_STATUS_LAST || strlen(a->reason) != a->reason_len ||
	    vouch_ctl_out_create(&o) != 0)
		return;
	if (a->status != VOUCH_CTL_OK && vouch_ctl_out_fail(o, a->status, "%s", a->reason) != 0)
		abort();
	for (size_t i = 0; i < a->npairs; i++)
		if (vouch_ctl_out_put(o, a->pair[i].key, a->pair[i].value, a->pair[i].len) != 0)
			abort();
	if (vouch_ctl_out_text(o, &text, &len) != 0 || len != size || memcmp(text, data, size))
		abort();
	vouch_ctl_out_destroy(o);
}

/* The input's bytes as pairs of hostile values: encoded, they parse back to themselves. */
static void encode_bytes(const uint8_t *data, size_t size)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789_";
	struct vouch_ctl_out *o;
	struct vouch_ctl_answer a;
	const char *text;
	size_t len, at = 1, n = 0, starts[64], lens[64];
	char keys[64][8];

	if (size == 0 || vouch_ctl_out_create(&o) != 0)
		return;
	/* The first byte: how long each value is (the rest of the input, cut in pieces). */
	for (; at < size && n < 64; n++) {
		size_t l = (size_t)(data[0] % 17) + (size_t)(data[at] & 3);

		if (l > size - at)
			l = size - at;
		keys[n][0] = (char)('a' + n % 26);
		for (size_t k = 1; k < 7; k++)
			keys[n][k] = alpha[(n + k * data[at]) % (sizeof(alpha) - 1)];
		keys[n][(data[at] % 7) + 1] = '\0';
		if (!strcmp(keys[n], "end"))
			keys[n][1] = 'x';
		starts[n] = at;
		lens[n] = l;
		if (vouch_ctl_out_put(o, keys[n], (const char *)data + at, l) != 0)
			abort();
		at += l ? l : 1;
	}
	if (vouch_ctl_out_text(o, &text, &len) != 0 || vouch_ctl_answer_parse(&a, text, len) != 0)
		abort();
	if (a.status != VOUCH_CTL_OK || a.npairs != n)
		abort();
	for (size_t i = 0; i < n; i++)
		if (strcmp(a.pair[i].key, keys[i]) || a.pair[i].len != lens[i] ||
		    memcmp(a.pair[i].value, data + starts[i], lens[i]) || a.pair[i].value[lens[i]])
			abort();
	vouch_ctl_answer_release(&a);
	vouch_ctl_out_destroy(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct vouch_ctl_answer a;
	struct vouch_ctl_request r;
	int ret;

	ret = vouch_ctl_answer_parse(&a, text, size);
	if (ret == 0) {
		if (a.status > VOUCH_CTL_STATUS_MAX || a.version != VOUCH_CTL_VERSION ||
		    a.reason[a.reason_len] != '\0' || a.npairs > VOUCH_CTL_PAIRS_MAX)
			abort();
		for (size_t i = 0; i < a.npairs; i++)
			if (!a.pair[i].key[0] || strlen(a.pair[i].key) > VOUCH_CTL_KEY_MAX ||
			    a.pair[i].value[a.pair[i].len] != '\0')
				abort();
		answer_again(&a, data, size);
		vouch_ctl_answer_release(&a);
	} else if (a.mem || a.npairs) {
		abort(); /* a failed parse leaves nothing to release */
	}
	ret = vouch_ctl_request_parse(&r, text, size);
	if (ret == 0) {
		char again[VOUCH_CTL_REQUEST_MAX];
		size_t len;

		if (vouch_ctl_request_format(&r, again, &len) != 0 || len != size ||
		    memcmp(again, data, size))
			abort();
	}
	encode_bytes(data, size);
	return 0;
}
