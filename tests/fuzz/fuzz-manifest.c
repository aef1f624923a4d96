/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for manifest text: parse, and format→parse giving back the same bytes. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"
#include "vouch/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond, const char *what)
{
	if (cond)
		return;
	fprintf(stderr, "fuzz-manifest: %s\n", what);
	abort();
}

static void same_entries(const struct vouch_manifest *a, const struct vouch_manifest *b)
{
	require(a->count == b->count, "round trip changed the number of entries");
	for (size_t i = 0; i < a->count; i++) {
		const struct vouch_manifest_entry *x = &a->entries[i], *y = &b->entries[i];

		require(memcmp(x->sha256, y->sha256, VOUCH_SHA256_LEN) == 0,
		        "round trip changed a hash");
		require(x->size == y->size, "round trip changed a size");
		require(strcmp(x->path, y->path) == 0, "round trip changed a path");
	}
}

/* Parsed text is canonical: it formats back byte for byte and re-parses the same. */
static void round_trip(const struct vouch_manifest *m, const uint8_t *data, size_t size)
{
	struct vouch_manifest again;
	char *text = NULL;
	size_t len = 0, line = 0;

	require(vouch_manifest_format(m, &text, &len) == 0, "format failed");
	require(len == size && memcmp(text, data, size) == 0, "format(parse(x)) differs from x");
	vouch_manifest_init(&again);
	require(vouch_manifest_parse(&again, text, len, &line) == 0 && line == 0,
	        "formatted manifest does not parse");
	same_entries(m, &again);
	/* Already in canonical order without duplicates: sorting changes nothing. */
	require(vouch_manifest_sort(&again) == 0, "sort failed");
	same_entries(m, &again);
	vouch_manifest_free(&again);
	free(text);
}

/* Any NUL-free byte string escapes to one line and unescapes back to itself. */
static void escape_round_trip(const uint8_t *data, size_t size)
{
	char *path = malloc(size + 1), *esc = malloc(2 * size + 1), *back = malloc(size + 1);
	size_t elen, blen = 0;

	require(path && esc && back, "out of memory");
	memcpy(path, data, size);
	path[size] = '\0';
	elen = vouch_manifest_escape(path, esc);
	require(elen == strlen(esc), "escape length wrong");
	require(!memchr(esc, '\n', elen) && !memchr(esc, '\r', elen), "escape left a line break");
	require(vouch_manifest_unescape(esc, elen, back, strlen(path) + 1, &blen) == 0,
	        "escaped path does not unescape");
	require(blen == strlen(path) && strcmp(back, path) == 0, "unescape(escape(x)) != x");
	free(path);
	free(esc);
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vouch_manifest m;
	size_t line = 0;
	enum vouch_code_kind kind;
	int ret;

	kind = vouch_code_classify(data, size < VOUCH_CODE_HEAD ? size : VOUCH_CODE_HEAD);
	require(kind >= VOUCH_CODE_NONE && kind <= VOUCH_CODE_SCRIPT, "classify out of range");
	escape_round_trip(data, size);

	vouch_manifest_init(&m);
	ret = vouch_manifest_parse(&m, (const char *)data, size, &line);
	require(ret == 0 || ret == VOUCH_E_MANIFEST_LINE || ret == VOUCH_E_MANIFEST_ORDER ||
	            ret == VOUCH_E_TOOBIG || ret == -ENOMEM,
	        "parse returned an undocumented code");
	if (ret == 0) {
		require(line == 0, "error line set on success");
		round_trip(&m, data, size);
	} else {
		require(ret == VOUCH_E_TOOBIG || ret == -ENOMEM || line >= 1,
		        "no error line for a malformed manifest");
		require(m.count == 0, "failed parse left entries");
	}
	vouch_manifest_free(&m);
	return 0;
}
