/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for JSON strings: any bytes round trip; what decodes has one spelling. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* "k":"TEXT"[,"k_b64":"B64"]: where TEXT and B64 are in @f (the encoder's own output). */
static void split(const char *f, size_t len, const char **t, size_t *tn, const char **b, size_t *bn)
{
	size_t end;

	if (len < 6 || memcmp(f, "\"k\":\"", 5))
		abort();
	*t = f + 5;
	end = vouch_json_string_end(*t, len - 5);
	if (end == len - 5)
		abort();
	*tn = end;
	*b = NULL;
	*bn = 0;
	if (5 + end + 1 == len)
		return;
	if (len < 5 + end + 1 + 11 || memcmp(*t + end + 1, ",\"k_b64\":\"", 10) ||
	    f[len - 1] != '"')
		abort();
	*b = *t + end + 11;
	*bn = len - 1 - (size_t)(*b - f);
}

/* Encode @n bytes with @flags, decode them back: the same bytes, and valid UTF-8 JSON. */
static void roundtrip(const uint8_t *s, size_t n, unsigned flags)
{
	size_t cap = vouch_json_field_max(1, n), len, tn, bn, got;
	char *f = malloc(cap), *out;
	const char *t, *b;

	if (!f)
		abort();
	if (vouch_json_field(f, cap, &len, "k", s, n, flags) != 0 || len > cap)
		abort();
	if (!vouch_utf8_valid(f, len))
		abort();
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)f[i] < 0x20 || f[i] == 0x7f)
			abort();
	split(f, len, &t, &tn, &b, &bn);
	if ((b == NULL) != vouch_utf8_valid(s, n))
		abort();
	out = malloc(tn + bn + 1);
	if (!out)
		abort();
	if (vouch_json_field_decode(out, tn + bn + 1, &got, t, tn, b, bn, flags) != 0 || got != n ||
	    memcmp(out, s, n))
		abort();
	free(out);
	free(f);
}

/*
 * Input as a text and a companion to decode: whatever decodes is the encoder's spelling
 * of the bytes it gives (the very same text, and companion), or, in the log's first
 * spelling, bytes that round trip.
 */
static void decode_any(const uint8_t *data, size_t size, unsigned flags)
{
	const uint8_t *zero = memchr(data, 0, size);
	const char *text = (const char *)data, *b64 = NULL;
	size_t tn = size, bn = 0, got, cap = size + 1, len;
	char *out = malloc(cap), *again;

	if (!out)
		abort();
	if (zero) {
		tn = (size_t)(zero - data);
		b64 = (const char *)zero + 1;
		bn = size - tn - 1;
	}
	if (vouch_json_field_decode(out, cap, &got, text, tn, b64, bn, flags) != 0) {
		free(out);
		return;
	}
	if (out[got] != '\0')
		abort();
	roundtrip((const uint8_t *)out, got, flags & VOUCH_JSON_C1);
	if (!(flags & VOUCH_JSON_LEGACY) || b64 || vouch_utf8_valid(out, got)) {
		size_t fcap = vouch_json_field_max(1, got), t2n, b2n;
		const char *t2, *b2;

		again = malloc(fcap);
		if (!again || vouch_json_field(again, fcap, &len, "k", out, got, flags & VOUCH_JSON_C1))
			abort();
		split(again, len, &t2, &t2n, &b2, &b2n);
		if (t2n != tn || memcmp(t2, text, tn) || (b2 == NULL) != (b64 == NULL) ||
		    (b64 && (b2n != bn || memcmp(b2, b64, bn))))
			abort();
		free(again);
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned mode;

	if (size == 0 || size > 20000)
		return 0;
	mode = data[0];
	data++;
	size--;
	roundtrip(data, size, mode & 1 ? VOUCH_JSON_C1 : 0);
	decode_any(data, size, mode & 2 ? VOUCH_JSON_LEGACY : mode & 1 ? VOUCH_JSON_C1 : 0);
	/* The length check, alone, over every prefix's end. */
	if (size && vouch_utf8_len(data, size) > size)
		abort();
	return 0;
}
