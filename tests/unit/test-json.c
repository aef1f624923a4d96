/* SPDX-License-Identifier: Apache-2.0 */
/* UTF-8 and JSON strings (vouch/json.h): the check, the encoder, its decoder, one spelling. */
#include "test-util.h"

/* ---- Oracles, written from the definitions, independent of json.c. ---------------------- */

/* Code point @cp as UTF-8 into @out; its length. */
static size_t enc_cp(uint32_t cp, uint8_t *out)
{
	if (cp < 0x80) {
		out[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (uint8_t)(0xc0 | cp >> 6);
		out[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (uint8_t)(0xe0 | cp >> 12);
		out[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (uint8_t)(0xf0 | cp >> 18);
	out[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return 4;
}

static int hexdig(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int hex4(const uint8_t *p, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		int d = hexdig(p[i]);

		if (d < 0)
			return -1;
		*v = *v << 4 | (uint32_t)d;
	}
	return 0;
}

/*
 * A standard JSON decoder's reading of a string's text (RFC 8259 section 7), as UTF-8
 * into @out; its length, or (size_t)-1 if a decoder would refuse it. Lone surrogates are
 * refused (decoders differ on them; vouch never writes one).
 */
static size_t std_decode(const uint8_t *t, size_t n, uint8_t *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		uint32_t cp;

		if (t[i] < 0x20 || t[i] == '"')
			return (size_t)-1;
		if (t[i] != '\\') {
			out[o++] = t[i++];
			continue;
		}
		if (i + 1 >= n)
			return (size_t)-1;
		switch (t[i + 1]) {
		case '"':
		case '\\':
		case '/':
			out[o++] = t[i + 1];
			i += 2;
			continue;
		case 'b':
			cp = 8;
			break;
		case 'f':
			cp = 12;
			break;
		case 'n':
			cp = 10;
			break;
		case 'r':
			cp = 13;
			break;
		case 't':
			cp = 9;
			break;
		case 'u':
			if (i + 6 > n || hex4(t + i + 2, &cp))
				return (size_t)-1;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return (size_t)-1;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				uint32_t lo;

				if (i + 12 > n || t[i + 6] != '\\' || t[i + 7] != 'u' ||
				    hex4(t + i + 8, &lo) || lo < 0xdc00 || lo > 0xdfff)
					return (size_t)-1;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i += 6;
			}
			i += 6;
			o += enc_cp(cp, out + o);
			continue;
		default:
			return (size_t)-1;
		}
		out[o++] = (uint8_t)cp;
		i += 2;
	}
	return o;
}

/* Is the byte string valid UTF-8, by the definition: a sequence of encoded scalar values. */
static bool ref_valid(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t len = s[i] < 0x80 ? 1 : s[i] >= 0xf0 ? 4 : s[i] >= 0xe0 ? 3 : 2;
		uint32_t cp;
		uint8_t again[4];

		if (s[i] >= 0x80 && s[i] < 0xc0)
			return false;
		if (len > n - i)
			return false;
		cp = len == 1   ? s[i]
		     : len == 2 ? (uint32_t)(s[i] & 0x1f)
		     : len == 3 ? (uint32_t)(s[i] & 0x0f)
		                : (uint32_t)(s[i] & 0x07);
		for (size_t j = 1; j < len; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3fu);
		}
		/* A scalar value, encoded in its one (shortest) form. */
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || enc_cp(cp, again) != len ||
		    memcmp(again, s + i, len))
			return false;
		i += len;
	}
	return true;
}

/* The length of the valid sequence at @s (of @n bytes), by the definition, or 0. */
static size_t ref_len(const uint8_t *s, size_t n)
{
	size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;

	return len && len <= n && ref_valid(s, len) ? len : 0;
}

/* The lossy form the format defines: each byte not part of a valid sequence is U+FFFD. */
static size_t ref_lossy(const uint8_t *s, size_t n, uint8_t *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		size_t len = ref_len(s + i, n - i);

		if (len == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		} else {
			memcpy(out + o, s + i, len);
			o += len;
			i += len;
		}
	}
	return o;
}

/* The log's first writer's spelling of a string (entry.c at 21b11ad), for old entries. */
static size_t old_writer(const uint8_t *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		size_t len = s[i] >= 0x80 ? ref_len(s + i, n - i) : 0;

		if (s[i] == '"' || s[i] == '\\') {
			out[o++] = '\\';
			out[o++] = (char)s[i++];
		} else if (s[i] >= 0x20 && s[i] < 0x7f) {
			out[o++] = (char)s[i++];
		} else if (len) {
			memcpy(out + o, s + i, len);
			o += len;
			i += len;
		} else {
			o += (size_t)sprintf(out + o, "\\u%04x", s[i++]);
		}
	}
	return o;
}

/* ---- Helpers. ----------------------------------------------------------------------------- */

struct field {
	char *buf;
	size_t len;
	const char *text, *b64;
	size_t tlen, blen;
};

/* Where a string's text ends: its closing quote (written here, not json.c's). */
static size_t str_end(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] != '"')
		i += s[i] == '\\' ? 2 : 1;
	assert_true(i < n);
	return i;
}

/* vouch_json_field() of @s under "k", split into its text and its companion's text. */
static struct field encode(const void *s, size_t n, unsigned flags)
{
	struct field f = {0};
	size_t cap = vouch_json_field_max(1, n);

	f.buf = malloc(cap);
	assert_non_null(f.buf);
	assert_err(vouch_json_field(f.buf, cap, &f.len, "k", s, n, flags), 0);
	assert_true(f.len <= cap);
	assert_memory_equal(f.buf, "\"k\":\"", 5);
	f.text = f.buf + 5;
	f.tlen = str_end(f.text, f.len - 5);
	if (f.text + f.tlen + 1 == f.buf + f.len)
		return f;
	assert_memory_equal(f.text + f.tlen + 1, ",\"k_b64\":\"", 10);
	f.b64 = f.text + f.tlen + 11;
	f.blen = f.len - (size_t)(f.b64 - f.buf) - 1;
	assert_int_equal(f.b64[f.blen], '"');
	return f;
}

/*
 * The round trip and what a standard decoder sees: the text is the bytes when they are
 * UTF-8 (no companion), else their lossy form, with the bytes in the companion.
 */
static void roundtrip(const void *s, size_t n, unsigned flags)
{
	struct field f = encode(s, n, flags);
	size_t cap = n * 6 + 16, got;
	uint8_t *std = malloc(cap), *lossy = malloc(cap);
	char *out = malloc(cap);
	bool valid = ref_valid(s, n);

	assert_non_null(std);
	assert_non_null(lossy);
	assert_non_null(out);
	assert_int_equal(vouch_utf8_valid(s, n), valid);
	assert_err(vouch_json_field_decode(out, cap, &got, f.text, f.tlen, f.b64, f.blen, flags),
	           0);
	assert_int_equal(got, n);
	assert_memory_equal(out, s, n);
	assert_int_equal(out[n], '\0');
	/* The text is JSON and valid UTF-8, and reads as what the format says. */
	assert_true(ref_valid((const uint8_t *)f.buf, f.len));
	got = std_decode((const uint8_t *)f.text, f.tlen, std);
	assert_true(got != (size_t)-1);
	if (valid) {
		assert_null(f.b64);
		assert_int_equal(got, n);
		assert_memory_equal(std, s, n);
	} else {
		size_t ln = ref_lossy(s, n, lossy), bn;

		assert_non_null(f.b64);
		assert_int_equal(got, ln);
		assert_memory_equal(std, lossy, ln);
		assert_err(vouch_b64_decode(lossy, cap, &bn, f.b64, f.blen), 0);
		assert_int_equal(bn, n);
		assert_memory_equal(lossy, s, n);
	}
	/* Controls and C1 (when asked) never appear raw. */
	for (size_t i = 0; i < f.len; i++) {
		uint8_t c = (uint8_t)f.buf[i];

		assert_true(c >= 0x20 && c != 0x7f);
		if (flags & VOUCH_JSON_C1)
			assert_false(c == 0xc2 && i + 1 < f.len && (uint8_t)f.buf[i + 1] <= 0x9f);
	}
	/* Too little room is an error at every size. */
	for (size_t c = f.len > 64 ? f.len - 64 : 0; c < f.len; c++) {
		size_t len;

		assert_err(vouch_json_field(f.buf, c, &len, "k", s, n, flags), VOUCH_E_TOOBIG);
	}
	free(std);
	free(lossy);
	free(out);
	free(f.buf);
}

static void both(const void *s, size_t n)
{
	roundtrip(s, n, 0);
	roundtrip(s, n, VOUCH_JSON_C1);
}

/* decode() of a text and companion given as C strings (companion NULL: none). */
static int decode(const char *text, const char *b64, unsigned flags, char *out, size_t cap,
                  size_t *n)
{
	return vouch_json_field_decode(out, cap, n, text, strlen(text), b64, b64 ? strlen(b64) : 0,
	                               flags);
}

/* ---- Tests. ------------------------------------------------------------------------------- */

static void utf8_len(void **state)
{
	static const struct {
		const char *s;
		size_t n, want;
	} cases[] = {
	    {"a", 1, 1},
	    {"\x7f", 1, 1},
	    {"\xc2\x80", 2, 2},
	    {"\xdf\xbf", 2, 2},
	    {"\xe0\xa0\x80", 3, 3},
	    {"\xef\xbf\xbf", 3, 3},
	    {"\xf0\x90\x80\x80", 4, 4},
	    {"\xf4\x8f\xbf\xbf", 4, 4},
	    {"\xc0\x80", 2, 0}, /* overlong NUL */
	    {"\xc1\xbf", 2, 0},
	    {"\xe0\x80\x80", 3, 0},
	    {"\xe0\x9f\xbf", 3, 0},
	    {"\xf0\x80\x80\x80", 4, 0},
	    {"\xf0\x8f\xbf\xbf", 4, 0},
	    {"\xed\xa0\x80", 3, 0}, /* surrogates */
	    {"\xed\xbf\xbf", 3, 0},
	    {"\xed\x9f\xbf", 3, 3},     /* U+D7FF */
	    {"\xf4\x90\x80\x80", 4, 0}, /* past U+10FFFF */
	    {"\xf5\x80\x80\x80", 4, 0},
	    {"\xff", 1, 0},
	    {"\x80", 1, 0},
	    {"\xbf", 1, 0},
	    {"\xe2\x82", 2, 0},     /* cut short */
	    {"\xe2\x82\xac", 2, 0}, /* within @n only */
	    {"\xe2\x28\xac", 3, 0},
	    {"", 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(vouch_utf8_len(cases[i].s, cases[i].n), cases[i].want);
	/* Every scalar value, in its one form; every surrogate refused. */
	for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
		uint8_t b[4];
		size_t n = enc_cp(cp, b);

		assert_int_equal(vouch_utf8_len(b, n), cp >= 0xd800 && cp <= 0xdfff ? 0 : n);
	}
	/* Every two-byte string against the definition. */
	for (unsigned a = 0; a < 256; a++)
		for (unsigned c = 0; c < 256; c++) {
			uint8_t b[2] = {(uint8_t)a, (uint8_t)c};

			assert_int_equal(vouch_utf8_valid(b, 2), ref_valid(b, 2));
		}
}

static void known_answers(void **state)
{
	static const struct {
		const char *s;
		size_t n;
		unsigned flags;
		const char *want;
	} cases[] = {
	    {"/usr/bin/true", 13, 0, "\"k\":\"/usr/bin/true\""},
	    {"", 0, 0, "\"k\":\"\""},
	    {"a\"b\\c/", 6, 0, "\"k\":\"a\\\"b\\\\c/\""},
	    {"\x01\x1f\n\t\r\x7f", 6, 0, "\"k\":\"\\u0001\\u001f\\u000a\\u0009\\u000d\\u007f\""},
	    {"a\0b", 3, 0, "\"k\":\"a\\u0000b\""},
	    {"\xc3\xa9t\xc3\xa9", 5, 0, "\"k\":\"\xc3\xa9t\xc3\xa9\""},
	    {"\xc2\x9b\xc2\x80\xc2\xa0", 6, 0, "\"k\":\"\xc2\x9b\xc2\x80\xc2\xa0\""},
	    {"\xc2\x9b\xc2\x80\xc2\xa0", 6, VOUCH_JSON_C1, "\"k\":\"\\u009b\\u0080\xc2\xa0\""},
	    {"\xe2\x80\xa8\xef\xbf\xbd", 6, 0, "\"k\":\"\xe2\x80\xa8\xef\xbf\xbd\""},
	    {"\xff", 1, 0, "\"k\":\"\xef\xbf\xbd\",\"k_b64\":\"/w==\""},
	    {"caf\xe9", 4, 0, "\"k\":\"caf\xef\xbf\xbd\",\"k_b64\":\"Y2Fm6Q==\""},
	    {"\xe2\x82", 2, 0, "\"k\":\"\xef\xbf\xbd\xef\xbf\xbd\",\"k_b64\":\"4oI=\""},
	    {"\xc0\xaf\x01", 3, VOUCH_JSON_C1,
	     "\"k\":\"\xef\xbf\xbd\xef\xbf\xbd\\u0001\",\"k_b64\":\"wK8B\""},
	};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;

		assert_err(vouch_json_field(buf, sizeof(buf), &len, "k", cases[i].s, cases[i].n,
		                            cases[i].flags),
		           0);
		buf[len] = '\0';
		assert_string_equal(buf, cases[i].want);
		assert_true(len <= vouch_json_field_max(1, cases[i].n));
	}
	assert_int_equal(vouch_json_field_max(1, SIZE_MAX / 4), SIZE_MAX);
}

/* Every byte alone, every pair, C0, DEL, C1, overlong forms, surrogates. */
static void every_byte(void **state)
{
	(void)state;
	for (unsigned a = 0; a < 256; a++) {
		uint8_t b = (uint8_t)a;

		both(&b, 1);
	}
	for (unsigned a = 0; a < 256; a++)
		for (unsigned c = 0; c < 256; c++) {
			uint8_t b[2] = {(uint8_t)a, (uint8_t)c};

			roundtrip(b, 2, (a ^ c) & 1 ? VOUCH_JSON_C1 : 0);
		}
	{
		static const char *const s[] = {
		    "\xc0\x80",
		    "\xc1\xbf",
		    "\xe0\x80\xaf",
		    "\xf0\x80\x80\xaf",
		    "\xf8\x88\x80\x80\x80",
		    "\xed\xa0\x80",
		    "\xed\xbf\xbf",
		    "\xed\xa0\xbd\xed\xb2\xa9", /* CESU-8 pair */
		    "\xf4\x90\x80\x80",
		    "\xe2\x82",
		    "\xe2",
		    "\xf0\x9f\x98",
		    "\x80\x81\xbf",
		    "a\xc2",
		    "\xc2\x9b[2J\xc2\x85",
		    "\x1b]0;x\x07\x1b[2J\r\n",
		    "\xef\xbb\xbf bom",
		};
		uint8_t c0[32], b80[128];

		for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
			both(s[i], strlen(s[i]));
		for (int i = 0; i < 31; i++)
			c0[i] = (uint8_t)(i + 1);
		c0[31] = 0x7f;
		both(c0, sizeof(c0));
		for (int i = 0; i < 128; i++)
			b80[i] = (uint8_t)(0x80 + i);
		both(b80, sizeof(b80));
	}
}

/* Names as long as Linux allows: 255-byte components, 4095-byte paths, of every kind. */
static void long_names(void **state)
{
	static uint8_t path[4095];
	uint32_t x = 12345;

	(void)state;
	for (int kind = 0; kind < 5; kind++) {
		for (size_t i = 0; i < sizeof(path); i++) {
			x = x * 1103515245u + 12345u;
			switch (kind) {
			case 0: /* stray bytes */
				path[i] = (uint8_t)(0x80 | (x >> 16));
				break;
			case 1: /* controls */
				path[i] = (uint8_t)(1 + (x >> 16) % 31);
				break;
			case 2: /* C1 controls, whole */
				path[i] = i % 2 ? (uint8_t)(0x80 + (x >> 16) % 32) : 0xc2;
				break;
			case 3: /* valid three-byte characters, the last cut short */
				path[i] = i % 3 == 0 ? 0xe2 : i % 3 == 1 ? 0x82 : 0xac;
				break;
			default: /* anything but NUL */
				path[i] = (uint8_t)(1 + (x >> 16) % 255);
			}
			if (i % 256 == 0)
				path[i] = '/';
		}
		both(path, sizeof(path));
		both(path + 1, 255);
	}
}

/* Random strings over an alphabet that makes trouble, against the oracles. */
static void random_strings(void **state)
{
	static const uint8_t alpha[] = {'a',  '"',  '\\', 0x01, 0x1f, 0x7f, 0x80, 0x9b, 0xbf,
	                                0xc0, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0,
	                                0xf4, 0xf5, 0xff, 0xa0, 0x8f, 0x90, '/',  0x00};
	uint32_t x = 99;
	uint8_t s[40];

	(void)state;
	for (int round = 0; round < 20000; round++) {
		size_t n;

		x = x * 1103515245u + 12345u;
		n = (x >> 16) % sizeof(s);
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			s[i] = alpha[(x >> 16) % sizeof(alpha)];
		}
		roundtrip(s, n, round & 1 ? VOUCH_JSON_C1 : 0);
	}
}

/* One spelling: everything the encoder would not write is refused. */
static void refusals(void **state)
{
	static const struct {
		const char *text, *b64;
		unsigned flags;
		int want;
	} cases[] = {
	    /* A companion on valid UTF-8 (and the empty string). */
	    {"abc", "YWJj", 0, VOUCH_E_JSON},
	    {"", "", 0, VOUCH_E_JSON},
	    {"\xc3\xa9", "w6k=", 0, VOUCH_E_JSON},
	    /* The text is not the lossy form of the companion's bytes. */
	    {"x\xef\xbf\xbd", "/w==", 0, VOUCH_E_JSON},
	    {"\xef\xbf\xbd\xef\xbf\xbd", "/w==", 0, VOUCH_E_JSON},
	    {"\\ufffd", "/w==", 0, VOUCH_E_JSON},
	    {"\\u00ff", "/w==", 0, VOUCH_E_JSON},
	    {"\xff", "/w==", 0, VOUCH_E_JSON},
	    {"caf\xef\xbf\xbd", "Y2Fm6Q==", VOUCH_JSON_C1, 0},
	    {"\xc2\x9b\xef\xbf\xbd", "wpv/", 0, 0},
	    {"\xc2\x9b\xef\xbf\xbd", "wpv/", VOUCH_JSON_C1, VOUCH_E_JSON},
	    {"\\u009b\xef\xbf\xbd", "wpv/", VOUCH_JSON_C1, 0},
	    /* Bad base64. */
	    {"\xef\xbf\xbd", "/w=", 0, VOUCH_E_BASE64},
	    {"\xef\xbf\xbd", "/w", 0, VOUCH_E_BASE64},
	    {"\xef\xbf\xbd", "/w==/w==", 0, VOUCH_E_BASE64},
	    {"\xef\xbf\xbd", "/x==", 0, VOUCH_E_BASE64}, /* bits after the byte */
	    {"\xef\xbf\xbd", "/w==\n", 0, VOUCH_E_BASE64},
	    {"\xef\xbf\xbd", " /w=", 0, VOUCH_E_BASE64},
	    {"\xef\xbf\xbd", "_w==", 0, VOUCH_E_BASE64}, /* base64url */
	    {"\xef\xbf\xbd", "\\/w==", 0, VOUCH_E_BASE64},
	    /* Bytes that are not UTF-8 without a companion, raw or escaped. */
	    {"caf\xe9", NULL, 0, VOUCH_E_JSON},
	    {"caf\xe9", NULL, VOUCH_JSON_LEGACY, VOUCH_E_JSON},
	    {"caf\\u00e9", NULL, 0, VOUCH_E_JSON},
	    {"caf\\u00e9", NULL, VOUCH_JSON_C1, VOUCH_E_JSON},
	    /* Escapes vouch does not write. */
	    {"\\/", NULL, 0, VOUCH_E_JSON},
	    {"\\n", NULL, 0, VOUCH_E_JSON},
	    {"\\t", NULL, 0, VOUCH_E_JSON},
	    {"\\b", NULL, 0, VOUCH_E_JSON},
	    {"\\u0041", NULL, 0, VOUCH_E_JSON},
	    {"\\u001F", NULL, 0, VOUCH_E_JSON},
	    {"\\u007F", NULL, 0, VOUCH_E_JSON},
	    {"\\u0100", NULL, 0, VOUCH_E_JSON},
	    {"\\u00e9", NULL, VOUCH_JSON_C1, VOUCH_E_JSON},
	    {"\\u00a0", NULL, VOUCH_JSON_C1, VOUCH_E_JSON},
	    {"\\ud800\\udc00", NULL, 0, VOUCH_E_JSON},
	    {"\\u00", NULL, 0, VOUCH_E_JSON},
	    {"\\", NULL, 0, VOUCH_E_JSON},
	    {"\\x41", NULL, 0, VOUCH_E_JSON},
	    /* Raw controls, DEL, a raw quote; C1 raw when it is escaped, escaped when not. */
	    {"\x01", NULL, 0, VOUCH_E_JSON},
	    {"a\nb", NULL, 0, VOUCH_E_JSON},
	    {"\x7f", NULL, 0, VOUCH_E_JSON},
	    {"a\"b", NULL, 0, VOUCH_E_JSON},
	    {"\xc2\x9b", NULL, VOUCH_JSON_C1, VOUCH_E_JSON},
	    {"\\u009b", NULL, 0, VOUCH_E_JSON},
	    {"\\u009b", NULL, VOUCH_JSON_C1, 0},
	    {"\xc2\x9b", NULL, 0, 0},
	    /* The first spelling: \u00XX for a byte the old writer found was not UTF-8. */
	    {"caf\\u00e9", NULL, VOUCH_JSON_LEGACY, 0},
	    {"\\u00c3\\u00a9", NULL, VOUCH_JSON_LEGACY, VOUCH_E_JSON}, /* it wrote é raw */
	    {"\\u00e2\\u0082\\u00ac", NULL, VOUCH_JSON_LEGACY, VOUCH_E_JSON},
	    {"\\u00e2\\u0082", NULL, VOUCH_JSON_LEGACY, 0},
	    {"\\u00e2\xc2\x82", NULL, VOUCH_JSON_LEGACY, 0}, /* E2, then U+0082 whole */
	    {"\\u00c2\\u0082", NULL, VOUCH_JSON_LEGACY, VOUCH_E_JSON},
	    {"\\u00ff\\u00fe", NULL, VOUCH_JSON_LEGACY, 0},
	    {"\\u00FF", NULL, VOUCH_JSON_LEGACY, VOUCH_E_JSON},
	    {"\\u0100", NULL, VOUCH_JSON_LEGACY, VOUCH_E_JSON},
	    {"\\u0001\\u007f", NULL, VOUCH_JSON_LEGACY, 0},
	    {"\\u00e9", "6Q==", VOUCH_JSON_LEGACY, VOUCH_E_JSON}, /* not with a companion */
	    {"x", NULL, VOUCH_JSON_LEGACY | VOUCH_JSON_C1, VOUCH_E_RANGE},
	};
	char out[64];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = decode(cases[i].text, cases[i].b64, cases[i].flags, out, sizeof(out), &n);

		if (got != cases[i].want)
			print_error("case %zu: %s\n", i, cases[i].text);
		assert_err(got, cases[i].want);
	}
	/* What the first spelling's escapes stand for. */
	assert_err(decode("caf\\u00e9", NULL, VOUCH_JSON_LEGACY, out, sizeof(out), &n), 0);
	assert_int_equal(n, 4);
	assert_memory_equal(out, "caf\xe9", 5);
	/* Room: the text's length and a NUL; a companion's three quarters and a NUL. */
	assert_err(decode("abc", NULL, 0, out, 4, &n), 0);
	assert_err(decode("abc", NULL, 0, out, 3, &n), VOUCH_E_LENGTH);
	assert_err(decode("\xef\xbf\xbd", "/w==", 0, out, 4, &n), 0);
	assert_err(decode("\xef\xbf\xbd", "/w==", 0, out, 3, &n), VOUCH_E_LENGTH);
}

/* The old writer's spelling of every byte and every pair reads back as those bytes. */
static void legacy(void **state)
{
	char text[64], out[64];
	size_t n, tn;

	(void)state;
	for (unsigned a = 1; a < 256; a++)
		for (unsigned c = 0; c < 256; c++) {
			uint8_t b[2] = {(uint8_t)a, (uint8_t)c};
			size_t len = c ? 2 : 1;

			tn = old_writer(b, len, text);
			assert_err(vouch_json_field_decode(out, sizeof(out), &n, text, tn, NULL, 0,
			                                   VOUCH_JSON_LEGACY),
			           0);
			assert_int_equal(n, len);
			assert_memory_equal(out, b, len);
			/* Valid UTF-8: the old writer's spelling is the new one. */
			if (ref_valid(b, len)) {
				struct field f = encode(b, len, 0);

				assert_int_equal(f.tlen, tn);
				assert_memory_equal(f.text, text, tn);
				free(f.buf);
			}
		}
}

static void string_end(void **state)
{
	(void)state;
	assert_int_equal(vouch_json_string_end("abc\"x", 5), 3);
	assert_int_equal(vouch_json_string_end("a\\\"b\"", 5), 4);
	assert_int_equal(vouch_json_string_end("a\\\\\"", 4), 3);
	assert_int_equal(vouch_json_string_end("abc", 3), 3);
	assert_int_equal(vouch_json_string_end("ab\\", 3), 3);
	assert_int_equal(vouch_json_string_end("", 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(utf8_len),       cmocka_unit_test(known_answers),
	    cmocka_unit_test(every_byte),     cmocka_unit_test(long_names),
	    cmocka_unit_test(random_strings), cmocka_unit_test(refusals),
	    cmocka_unit_test(legacy),         cmocka_unit_test(string_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
