/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the one hex codec: encoding, round trips, the refusals, and its callers' cases. */
#include "test-util.h"

static void hex_encoding(void **state)
{
	static const uint8_t in[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xcd, 0xef, 0xff, 0x10};
	char out[2 * sizeof(in) + 2];

	(void)state;
	memset(out, 'X', sizeof(out));
	vouch_hex_encode(in, sizeof(in), out);
	assert_string_equal(out, "00017f80abcdefff10");
	assert_int_equal(out[sizeof(out) - 1], 'X');
	memset(out, 'X', sizeof(out));
	vouch_hex_encode(in, 0, out);
	assert_string_equal(out, "");
	vouch_hex_encode(in + 4, 1, out);
	assert_string_equal(out, "ab");
}

/* Every byte value, and random buffers of every length up to 80, come back as they went. */
static void round_trip(void **state)
{
	uint8_t all[256], back[256], buf[80], got[80];
	char text[2 * 256 + 1], upper[2 * 256 + 1];

	(void)state;
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	vouch_hex_encode(all, sizeof(all), text);
	assert_int_equal(strlen(text), 512);
	assert_err(vouch_hex_decode(back, sizeof(back), text, 512, 0, NULL), 0);
	assert_memory_equal(back, all, sizeof(all));
	/* Any case: the upper-case spelling decodes to the same bytes. */
	for (size_t i = 0; i <= 512; i++)
		upper[i] = text[i] >= 'a' && text[i] <= 'f' ? (char)(text[i] - 'a' + 'A') : text[i];
	memset(back, 0, sizeof(back));
	assert_err(vouch_hex_decode(back, sizeof(back), upper, 512, VOUCH_HEX_ANY_CASE, NULL), 0);
	assert_memory_equal(back, all, sizeof(all));
	rng_state = 7;
	for (size_t len = 0; len <= sizeof(buf); len++) {
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rng();
		vouch_hex_encode(buf, len, text);
		assert_int_equal(strlen(text), 2 * len);
		assert_err(vouch_hex_decode(got, len, text, 2 * len, 0, NULL), 0);
		assert_memory_equal(got, buf, len);
	}
}

/* Exact lengths only: odd, short, long and empty-but-expected are refused. */
static void length_refusals(void **state)
{
	uint8_t out[4];

	(void)state;
	assert_err(vouch_hex_decode(out, 4, "0011223", 7, 0, NULL), VOUCH_E_LENGTH);
	assert_err(vouch_hex_decode(out, 4, "001122334", 9, 0, NULL), VOUCH_E_LENGTH);
	assert_err(vouch_hex_decode(out, 4, "001122", 6, 0, NULL), VOUCH_E_LENGTH);
	assert_err(vouch_hex_decode(out, 4, "0011223344", 10, 0, NULL), VOUCH_E_LENGTH);
	assert_err(vouch_hex_decode(out, 4, "", 0, 0, NULL), VOUCH_E_LENGTH);
	assert_err(vouch_hex_decode(out, 0, "0", 1, 0, NULL), VOUCH_E_LENGTH);
	/* 2 * outlen would wrap: still refused, nothing read. */
	assert_err(vouch_hex_decode(out, SIZE_MAX / 2 + 1, "00", 0, 0, NULL), VOUCH_E_LENGTH);
	assert_err(vouch_hex_decode(out, 0, "", 0, 0, NULL), 0);
}

/* A character that is not a digit, at each position, with its offset; upper case refused
 * unless asked for. */
static void digit_refusals(void **state)
{
	static const char bad[] = {'g', 'G', 'x', ' ', '-',        '+',        '\0',      '\n',
	                           '/', ':', '@', '`', (char)0x80, (char)0xff, (char)0xe6};
	uint8_t out[4];
	size_t at;

	(void)state;
	for (size_t b = 0; b < sizeof(bad); b++)
		for (size_t pos = 0; pos < 8; pos++) {
			char text[9] = "0a1b2c3d";

			text[pos] = bad[b];
			at = 99;
			assert_err(vouch_hex_decode(out, 4, text, 8, 0, &at), VOUCH_E_RANGE);
			assert_int_equal(at, pos);
			at = 99;
			assert_err(vouch_hex_decode(out, 4, text, 8, VOUCH_HEX_ANY_CASE, &at),
			           VOUCH_E_RANGE);
			assert_int_equal(at, pos);
			/* No place to say where: still refused. */
			assert_err(vouch_hex_decode(out, 4, text, 8, 0, NULL), VOUCH_E_RANGE);
		}
	for (size_t pos = 0; pos < 8; pos++) {
		char text[9] = "0a1b2c3d";

		text[pos] = "ABCDEF"[pos % 6];
		at = 99;
		assert_err(vouch_hex_decode(out, 4, text, 8, 0, &at), VOUCH_E_RANGE);
		assert_int_equal(at, pos);
		assert_err(vouch_hex_decode(out, 4, text, 8, VOUCH_HEX_ANY_CASE, NULL), 0);
	}
	/* The first bad character is named, high digit before low. */
	assert_err(vouch_hex_decode(out, 4, "00zzzz00", 8, 0, &at), VOUCH_E_RANGE);
	assert_int_equal(at, 2);
	assert_err(vouch_hex_decode(out, 4, "000z0z00", 8, 0, &at), VOUCH_E_RANGE);
	assert_int_equal(at, 3);
}

/* The callers kept their own rules: lower case only where vouch writes the format. */
static void callers_keep_their_case(void **state)
{
	static const char vk[] =
	    "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
	char upper[sizeof(vk)], line[128], text[VOUCH_NOTE_VKEY_MAX];
	struct vouch_note_vkey k;
	struct vouch_dpkg_cursor c;
	struct vouch_dpkg_md5sum m;

	(void)state;
	assert_err(vouch_note_vkey_parse(&k, vk, strlen(vk)), 0);
	assert_int_equal(k.id, 0x530d903au);
	memcpy(upper, vk, sizeof(vk));
	upper[19] = 'D'; /* 530D903a */
	assert_err(vouch_note_vkey_parse(&k, upper, strlen(upper)), VOUCH_E_KEYTYPE);
	/* A verifier key's ID comes out as it went in. */
	assert_err(vouch_note_vkey_parse(&k, vk, strlen(vk)), 0);
	vouch_note_vkey_format(&k, text);
	assert_string_equal(text, vk);

	snprintf(line, sizeof(line), "%s  usr/bin/x\n", "d41d8cd98f00b204e9800998ecf8427e");
	vouch_dpkg_cursor_init(&c, line, strlen(line));
	assert_int_equal(vouch_dpkg_md5sums_next(&c, &m), 1); /* one record */
	assert_int_equal(m.md5[0], 0xd4);
	snprintf(line, sizeof(line), "%s  usr/bin/x\n", "D41D8CD98F00B204E9800998ECF8427E");
	vouch_dpkg_cursor_init(&c, line, strlen(line));
	assert_err(vouch_dpkg_md5sums_next(&c, &m), VOUCH_E_MANIFEST_LINE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(hex_encoding),
	    cmocka_unit_test(round_trip),
	    cmocka_unit_test(length_refusals),
	    cmocka_unit_test(digit_refusals),
	    cmocka_unit_test(callers_keep_their_case),
	};

	return cmocka_run_group_tests_name("hex", tests, NULL, NULL);
}
