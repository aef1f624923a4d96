/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of manifests: escaping, strict parsing, canonical order, code classification. */
#include "test-util.h"
#include "vouch/manifest.h"

#define H0 "0000000000000000000000000000000000000000000000000000000000000000"
#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define HA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/* ---- escaping ------------------------------------------------------------------------ */

static void escape_round_trip(void **state)
{
	char path[256], esc[512], back[256];
	size_t n = 0;

	(void)state;
	/* Every byte value but NUL, backslash, LF and CR around them. */
	for (int i = 1; i < 256; i++)
		path[i - 1] = (char)i;
	path[255] = '\0';
	n = vouch_manifest_escape(path, esc);
	assert_int_equal(n, 255 + 3);
	assert_int_equal(strlen(esc), n);
	assert_null(memchr(esc, '\n', n));
	assert_null(memchr(esc, '\r', n));
	assert_err(vouch_manifest_unescape(esc, n, back, sizeof(back), &n), 0);
	assert_int_equal(n, 255);
	assert_string_equal(back, path);
}

static void escape_known(void **state)
{
	char esc[64], back[64];
	size_t n = 0;

	(void)state;
	assert_int_equal(vouch_manifest_escape("a\\b\nc\rd e", esc), 12);
	assert_string_equal(esc, "a\\\\b\\nc\\rd e");
	assert_int_equal(vouch_manifest_escape("plain", esc), 5);
	assert_string_equal(esc, "plain");
	assert_err(vouch_manifest_unescape("\\\\\\n\\r", 6, back, sizeof(back), &n), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(back, "\\\n\r", 4);
}

static void unescape_rejects(void **state)
{
	char out[8];
	size_t n = 0;

	(void)state;
	assert_err(vouch_manifest_unescape("a\\tb", 4, out, sizeof(out), &n),
	           VOUCH_E_MANIFEST_LINE);
	assert_err(vouch_manifest_unescape("a\\N", 3, out, sizeof(out), &n), VOUCH_E_MANIFEST_LINE);
	assert_err(vouch_manifest_unescape("ab\\", 3, out, sizeof(out), &n), VOUCH_E_MANIFEST_LINE);
	assert_err(vouch_manifest_unescape("a\nb", 3, out, sizeof(out), &n), VOUCH_E_MANIFEST_LINE);
	assert_err(vouch_manifest_unescape("a\rb", 3, out, sizeof(out), &n), VOUCH_E_MANIFEST_LINE);
	assert_err(vouch_manifest_unescape("a\0b", 3, out, sizeof(out), &n), VOUCH_E_MANIFEST_LINE);
	/* Room for 7 bytes and the NUL, no more. */
	assert_err(vouch_manifest_unescape("1234567", 7, out, sizeof(out), &n), 0);
	assert_err(vouch_manifest_unescape("12345678", 8, out, sizeof(out), &n), VOUCH_E_RANGE);
	assert_err(vouch_manifest_unescape("123456\\n", 8, out, sizeof(out), &n), 0);
	assert_int_equal(n, 7);
}

/* ---- parsing ------------------------------------------------------------------------- */

static int parse_str(struct vouch_manifest *m, const char *text, size_t *line)
{
	return vouch_manifest_parse(m, text, strlen(text), line);
}

static void parse_valid(void **state)
{
	struct vouch_manifest m;
	size_t line = 99;

	(void)state;
	vouch_manifest_init(&m);
	assert_err(parse_str(&m,
	                     H0 " 0 /zero\n" H1 " 18446744073709551615 /big\n" HA
	                        " 42 /a\\\\b\\nc\\rd e\tf\n",
	                     &line),
	           0);
	assert_int_equal(line, 0);
	assert_int_equal(m.count, 3);
	assert_hex_equal(m.entries[0].sha256, 32, H0);
	assert_int_equal(m.entries[0].size, 0);
	assert_string_equal(m.entries[0].path, "/zero");
	assert_hex_equal(m.entries[1].sha256, 32, H1);
	assert_true(m.entries[1].size == UINT64_MAX);
	assert_hex_equal(m.entries[2].sha256, 32, HA);
	assert_int_equal(m.entries[2].size, 42);
	assert_string_equal(m.entries[2].path, "/a\\b\nc\rd e\tf");
	vouch_manifest_free(&m);
	assert_int_equal(m.count, 0);
	assert_null(m.entries);
	vouch_manifest_free(NULL);
}

static void parse_empty(void **state)
{
	struct vouch_manifest m;
	size_t line = 99;

	(void)state;
	vouch_manifest_init(&m);
	assert_err(vouch_manifest_parse(&m, "", 0, &line), 0);
	assert_int_equal(line, 0);
	assert_int_equal(m.count, 0);
	vouch_manifest_free(&m);
}

struct bad {
	const char *text;
	int err;
	size_t line;
	const char *why;
};

static void parse_strict(void **state)
{
	static const struct bad cases[] = {
	    {"g" H0 " 1 /x\n", VOUCH_E_MANIFEST_LINE, 1, "65 characters of hash"},
	    {"000000000000000000000000000000000000000000000000000000000000000g 1 /x\n",
	     VOUCH_E_MANIFEST_LINE, 1, "non-hex digit"},
	    {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA 1 /x\n",
	     VOUCH_E_MANIFEST_LINE, 1, "upper-case hex"},
	    {"000000000000000000000000000000000000000000000000000000000000000 1 /x\n",
	     VOUCH_E_MANIFEST_LINE, 1, "63 hex digits"},
	    {H0 " 01 /x\n", VOUCH_E_MANIFEST_LINE, 1, "leading zero"},
	    {H0 " 00 /x\n", VOUCH_E_MANIFEST_LINE, 1, "zero spelled twice"},
	    {H0 " +1 /x\n", VOUCH_E_MANIFEST_LINE, 1, "sign"},
	    {H0 " 18446744073709551616 /x\n", VOUCH_E_MANIFEST_LINE, 1, "size over 2^64-1"},
	    {H0 "  1 /x\n", VOUCH_E_MANIFEST_LINE, 1, "two spaces"},
	    {H0 "\t1 /x\n", VOUCH_E_MANIFEST_LINE, 1, "tab"},
	    {H0 " 1 \n", VOUCH_E_MANIFEST_LINE, 1, "missing path"},
	    {H0 " 1\n", VOUCH_E_MANIFEST_LINE, 1, "missing path and space"},
	    {H0 "\n", VOUCH_E_MANIFEST_LINE, 1, "hash only"},
	    {"\n", VOUCH_E_MANIFEST_LINE, 1, "empty line"},
	    {H0 " 1 /x\r\n", VOUCH_E_MANIFEST_LINE, 1, "CRLF"},
	    {H0 " 1 /a\rb\n", VOUCH_E_MANIFEST_LINE, 1, "raw CR"},
	    {H0 " 1 /a\\tb\n", VOUCH_E_MANIFEST_LINE, 1, "unknown escape"},
	    {H0 " 1 /a\\\n", VOUCH_E_MANIFEST_LINE, 1, "cut escape"},
	    {H0 " 1 /x", VOUCH_E_MANIFEST_LINE, 1, "no final newline"},
	    {H0 " 1 /x\n" H1 " 1 /y", VOUCH_E_MANIFEST_LINE, 2, "trailing data without newline"},
	    {H0 " 1 /x\n\n", VOUCH_E_MANIFEST_LINE, 2, "trailing empty line"},
	    {H1 " 1 /x\n" H0 " 1 /x\n", VOUCH_E_MANIFEST_ORDER, 2, "hashes out of order"},
	    {H0 " 1 /x\n" H0 " 1 /x\n", VOUCH_E_MANIFEST_ORDER, 2, "duplicate line"},
	    {H0 " 1 /y\n" H0 " 1 /x\n", VOUCH_E_MANIFEST_ORDER, 2, "paths out of order"},
	    {H0 " 1 /x\n" H0 " 9 /x\n" H0 " 10 /x\n", VOUCH_E_MANIFEST_ORDER, 3,
	     "sizes in numeric, not byte order"},
	    {H0 " 1 /x/y\n" H0 " 1 /x\n", VOUCH_E_MANIFEST_ORDER, 2, "longer line first"},
	    {H0 " 1 /x\n" H1 " 1 /x\n" H1 " 1 /x\n", VOUCH_E_MANIFEST_ORDER, 3, "third line"},
	    {H0 " 1 /x\n" H1 " 1 /\\tx\n", VOUCH_E_MANIFEST_LINE, 2, "second line malformed"},
	};
	struct vouch_manifest m;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t line = 0;
		int ret;

		vouch_manifest_init(&m);
		ret = parse_str(&m, cases[i].text, &line);
		if (ret != cases[i].err || line != cases[i].line)
			fail_msg("%s: got %d (%s) at line %zu, expected %d at line %zu",
			         cases[i].why, ret, vouch_strerror(ret), line, cases[i].err,
			         cases[i].line);
		/* A failed parse adds nothing. */
		assert_int_equal(m.count, 0);
		vouch_manifest_free(&m);
	}
}

static void parse_keeps_on_failure(void **state)
{
	struct vouch_manifest m;
	size_t line = 0;

	(void)state;
	vouch_manifest_init(&m);
	assert_err(parse_str(&m, H0 " 1 /x\n", &line), 0);
	assert_err(parse_str(&m, H0 " 1 /a\n" H0 " 1 /b\n" H0 " 1 /a\n", &line),
	           VOUCH_E_MANIFEST_ORDER);
	assert_int_equal(line, 3);
	assert_int_equal(m.count, 1);
	assert_string_equal(m.entries[0].path, "/x");
	vouch_manifest_free(&m);
}

static void parse_limits(void **state)
{
	struct vouch_manifest m;
	char *text, *p;
	size_t line = 0, plen = VOUCH_MANIFEST_PATH_MAX;

	(void)state;
	vouch_manifest_init(&m);
	/* parse refuses by length before reading a byte. */
	assert_err(vouch_manifest_parse(&m, "", (size_t)VOUCH_MANIFEST_MAX + 1, &line),
	           VOUCH_E_TOOBIG);
	text = malloc(64 + 3 + 1 + plen + 2);
	assert_non_null(text);
	p = text + sprintf(text, "%s 1 ", H0);
	memset(p, 'a', plen);
	p[0] = '/';
	strcpy(p + plen, "\n");
	assert_err(parse_str(&m, text, &line), 0);
	assert_int_equal(strlen(m.entries[0].path), plen);
	vouch_manifest_free(&m);
	/* One byte more is a too-long line. */
	strcpy(p + plen, "a\n");
	assert_err(parse_str(&m, text, &line), VOUCH_E_MANIFEST_LINE);
	assert_int_equal(line, 1);
	free(text);
	vouch_manifest_free(&m);
}

/* ---- add, sort, format ----------------------------------------------------------------- */

static void add_limits(void **state)
{
	struct vouch_manifest m;
	uint8_t h[32] = {0};
	char *path = malloc(VOUCH_MANIFEST_PATH_MAX + 2);

	(void)state;
	assert_non_null(path);
	vouch_manifest_init(&m);
	assert_err(vouch_manifest_add(&m, h, 1, ""), VOUCH_E_RANGE);
	memset(path, 'p', VOUCH_MANIFEST_PATH_MAX + 1);
	path[VOUCH_MANIFEST_PATH_MAX + 1] = '\0';
	assert_err(vouch_manifest_add(&m, h, 1, path), VOUCH_E_RANGE);
	path[VOUCH_MANIFEST_PATH_MAX] = '\0';
	assert_err(vouch_manifest_add(&m, h, 1, path), 0);
	assert_int_equal(m.count, 1);
	free(path);
	vouch_manifest_free(&m);
}

static void format_empty(void **state)
{
	struct vouch_manifest m;
	char *text = NULL;
	size_t len = 99;

	(void)state;
	vouch_manifest_init(&m);
	assert_err(vouch_manifest_sort(&m), 0);
	assert_err(vouch_manifest_format(&m, &text, &len), 0);
	assert_non_null(text);
	assert_int_equal(len, 0);
	assert_string_equal(text, "");
	free(text);
}

static void add_hex(struct vouch_manifest *m, const char *hex, uint64_t size, const char *path)
{
	uint8_t h[32];

	unhex(hex, h, 32);
	assert_err(vouch_manifest_add(m, h, size, path), 0);
}

static void sort_known_order(void **state)
{
	/* The order LC_ALL=C sort gives these lines (worked out byte by byte). */
	static const char want[] = H0 " 1 /x\n" /* ' ' < '0' */
	    H0 " 10 /x\n"                       /* "10" < "9": bytes, not numbers */
	    H0 " 9 /a\n"                        /* end of line first */
	    H0 " 9 /a b\n"                      /* ' ' (0x20) */
	    H0 " 9 /a\\\\b\n"                   /* '\\' (0x5c) escaped backslash */
	    H0 " 9 /a\\nb\n"                    /* '\\' then 'n' > '\\' then '\\' */
	    H0 " 9 /z\n"                        /* 'z' (0x7a) */
	    H0 " 9 /\xc3\xa9\n"                 /* bytes above 0x7f sort last */
	    H1 " 5 /b\n" HA " 2 /a\n";
	struct vouch_manifest m;
	char *text = NULL;
	size_t len = 0, line = 0;

	(void)state;
	vouch_manifest_init(&m);
	add_hex(&m, HA, 2, "/a");
	add_hex(&m, H0, 9, "/\xc3\xa9");
	add_hex(&m, H0, 9, "/z");
	add_hex(&m, H1, 5, "/b");
	add_hex(&m, H0, 9, "/a\nb");
	add_hex(&m, H0, 10, "/x");
	add_hex(&m, H0, 9, "/a\\b");
	add_hex(&m, H0, 9, "/a b");
	add_hex(&m, H0, 1, "/x");
	add_hex(&m, H0, 9, "/a");
	add_hex(&m, H0, 9, "/z"); /* exact duplicate: dropped */
	assert_err(vouch_manifest_sort(&m), 0);
	assert_int_equal(m.count, 10);
	assert_err(vouch_manifest_format(&m, &text, &len), 0);
	assert_int_equal(len, strlen(want));
	assert_string_equal(text, want);
	vouch_manifest_free(&m);
	/* What sort writes, parse accepts, and formats back byte for byte. */
	assert_err(vouch_manifest_parse(&m, text, len, &line), 0);
	assert_int_equal(m.count, 10);
	free(text);
	assert_err(vouch_manifest_format(&m, &text, &len), 0);
	assert_string_equal(text, want);
	free(text);
	vouch_manifest_free(&m);
}

/* A small deterministic generator (xorshift64*), so failures reproduce. */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 2685821657736338717ull;
}

static int line_cmp(const void *a, const void *b)
{
	/* strcmp compares as unsigned char, as LC_ALL=C sort does. */
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sort() agrees with sorting the formatted lines as strings, over many random entries. */
static void sort_matches_line_sort(void **state)
{
	static const char alphabet[] = "ab/ \\\n\r\t\x7f\x80\xff"
	                               "0";
	enum { N = 3000 };
	struct vouch_manifest m, one;
	char **lines = calloc(N, sizeof(char *)), *text = NULL, *joined, *p;
	size_t len = 0, total = 0, kept = 0, line = 0;

	(void)state;
	assert_non_null(lines);
	vouch_manifest_init(&m);
	for (size_t i = 0; i < N; i++) {
		uint8_t h[32] = {0};
		char path[12];
		size_t plen = 1 + rnd() % 8;

		/* Few distinct hashes and sizes, so that paths and sizes decide often. */
		h[0] = (uint8_t)(rnd() % 3);
		for (size_t k = 0; k < plen; k++)
			path[k] = alphabet[rnd() % (sizeof(alphabet) - 1)];
		path[plen] = '\0';
		assert_err(vouch_manifest_add(&m, h, rnd() % 3 ? rnd() % 12 : rnd(), path), 0);
		vouch_manifest_init(&one);
		assert_err(vouch_manifest_add(&one, h, m.entries[i].size, path), 0);
		assert_err(vouch_manifest_format(&one, &lines[i], &len), 0);
		/* sort(1) compares lines without their LF ('\t' sorts before it). */
		lines[i][len - 1] = '\0';
		vouch_manifest_free(&one);
	}
	qsort(lines, N, sizeof(char *), line_cmp);
	for (size_t i = 0; i < N; i++)
		total += strlen(lines[i]) + 1;
	joined = malloc(total + 1);
	assert_non_null(joined);
	p = joined;
	for (size_t i = 0; i < N; i++) {
		if (i > 0 && strcmp(lines[i], lines[i - 1]) == 0)
			continue;
		kept++;
		p = stpcpy(stpcpy(p, lines[i]), "\n");
	}
	assert_err(vouch_manifest_sort(&m), 0);
	assert_int_equal(m.count, kept);
	assert_err(vouch_manifest_format(&m, &text, &len), 0);
	assert_string_equal(text, joined);
	vouch_manifest_free(&m);
	assert_err(vouch_manifest_parse(&m, text, len, &line), 0);
	assert_int_equal(m.count, kept);
	vouch_manifest_free(&m);
	for (size_t i = 0; i < N; i++)
		free(lines[i]);
	free(lines);
	free(joined);
	free(text);
}

/* ---- classification ----------------------------------------------------------------- */

static size_t elf(uint8_t *b, uint8_t cls, uint8_t data, uint8_t version, unsigned type)
{
	memset(b, 0, VOUCH_CODE_HEAD);
	b[0] = 0x7f;
	b[1] = 'E';
	b[2] = 'L';
	b[3] = 'F';
	b[4] = cls;
	b[5] = data;
	b[6] = version;
	if (data == 2) {
		b[16] = (uint8_t)(type >> 8);
		b[17] = (uint8_t)type;
	} else {
		b[16] = (uint8_t)type;
		b[17] = (uint8_t)(type >> 8);
	}
	b[20] = 1; /* e_version, little-endian 1 (not looked at) */
	return VOUCH_CODE_HEAD;
}

static void classify_elf(void **state)
{
	uint8_t b[VOUCH_CODE_HEAD];
	size_t n;

	(void)state;
	for (uint8_t cls = 1; cls <= 2; cls++) {
		for (uint8_t data = 1; data <= 2; data++) {
			n = elf(b, cls, data, 1, 2);
			assert_int_equal(vouch_code_classify(b, n), VOUCH_CODE_ELF_EXEC);
			n = elf(b, cls, data, 1, 3);
			assert_int_equal(vouch_code_classify(b, n), VOUCH_CODE_ELF_DYN);
			n = elf(b, cls, data, 1, 1); /* ET_REL: a .o file */
			assert_int_equal(vouch_code_classify(b, n), VOUCH_CODE_NONE);
			n = elf(b, cls, data, 1, 4); /* ET_CORE */
			assert_int_equal(vouch_code_classify(b, n), VOUCH_CODE_NONE);
			n = elf(b, cls, data, 1, 0); /* ET_NONE */
			assert_int_equal(vouch_code_classify(b, n), VOUCH_CODE_NONE);
			n = elf(b, cls, data, 1, 0xfe00); /* OS-specific */
			assert_int_equal(vouch_code_classify(b, n), VOUCH_CODE_NONE);
		}
	}
	/* e_type read in the file's own byte order: 0x0200 and 0x0300 are not EXEC/DYN. */
	n = elf(b, 2, 1, 1, 0x0200);
	assert_int_equal(vouch_code_classify(b, n), VOUCH_CODE_NONE);
	n = elf(b, 2, 2, 1, 0x0300);
	assert_int_equal(vouch_code_classify(b, n), VOUCH_CODE_NONE);
}

static void classify_elf_bad(void **state)
{
	uint8_t b[VOUCH_CODE_HEAD];
	size_t n;

	(void)state;
	n = elf(b, 2, 1, 0, 2); /* EI_VERSION 0 */
	assert_int_equal(vouch_code_classify(b, n), VOUCH_CODE_NONE);
	n = elf(b, 2, 1, 2, 3); /* EI_VERSION 2 */
	assert_int_equal(vouch_code_classify(b, n), VOUCH_CODE_NONE);
	n = elf(b, 0, 1, 1, 2); /* ELFCLASSNONE */
	assert_int_equal(vouch_code_classify(b, n), VOUCH_CODE_NONE);
	n = elf(b, 3, 1, 1, 2);
	assert_int_equal(vouch_code_classify(b, n), VOUCH_CODE_NONE);
	n = elf(b, 2, 0, 1, 2); /* ELFDATANONE */
	assert_int_equal(vouch_code_classify(b, n), VOUCH_CODE_NONE);
	n = elf(b, 2, 3, 1, 2);
	assert_int_equal(vouch_code_classify(b, n), VOUCH_CODE_NONE);
	n = elf(b, 2, 1, 1, 2);
	b[1] = 'e'; /* magic */
	assert_int_equal(vouch_code_classify(b, n), VOUCH_CODE_NONE);
	/* Truncated: e_type ends at byte 18. */
	n = elf(b, 2, 1, 1, 2);
	assert_int_equal(vouch_code_classify(b, 18), VOUCH_CODE_ELF_EXEC);
	assert_int_equal(vouch_code_classify(b, 17), VOUCH_CODE_NONE);
	assert_int_equal(vouch_code_classify(b, 4), VOUCH_CODE_NONE);
	assert_int_equal(vouch_code_classify(b, 0), VOUCH_CODE_NONE);
}

static void classify_scripts(void **state)
{
	const uint8_t *s;

	(void)state;
	s = (const uint8_t *)"#!/bin/sh\necho hi\n";
	assert_int_equal(vouch_code_classify(s, strlen((const char *)s)), VOUCH_CODE_SCRIPT);
	assert_int_equal(vouch_code_classify((const uint8_t *)"#!", 2), VOUCH_CODE_SCRIPT);
	assert_int_equal(vouch_code_classify((const uint8_t *)"#!", 1), VOUCH_CODE_NONE);
	assert_int_equal(vouch_code_classify((const uint8_t *)"#", 1), VOUCH_CODE_NONE);
	assert_int_equal(vouch_code_classify((const uint8_t *)"# not a script\n", 15),
	                 VOUCH_CODE_NONE);
	assert_int_equal(vouch_code_classify((const uint8_t *)" #!/bin/sh\n", 11), VOUCH_CODE_NONE);
	assert_int_equal(vouch_code_classify((const uint8_t *)"\xef\xbb\xbf#!/bin/sh\n", 13),
	                 VOUCH_CODE_NONE);
	assert_int_equal(vouch_code_classify((const uint8_t *)"", 0), VOUCH_CODE_NONE);
	assert_int_equal(vouch_code_classify(NULL, 0), VOUCH_CODE_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(escape_round_trip),
	    cmocka_unit_test(escape_known),
	    cmocka_unit_test(unescape_rejects),
	    cmocka_unit_test(parse_valid),
	    cmocka_unit_test(parse_empty),
	    cmocka_unit_test(parse_strict),
	    cmocka_unit_test(parse_keeps_on_failure),
	    cmocka_unit_test(parse_limits),
	    cmocka_unit_test(add_limits),
	    cmocka_unit_test(format_empty),
	    cmocka_unit_test(sort_known_order),
	    cmocka_unit_test(sort_matches_line_sort),
	    cmocka_unit_test(classify_elf),
	    cmocka_unit_test(classify_elf_bad),
	    cmocka_unit_test(classify_scripts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
