/* SPDX-License-Identifier: Apache-2.0 */
/* Hex encoding and strict decoding, for every caller. */
#include "vouch/error.h"
#include "vouch/hex.h"

void vouch_hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

/* The value of one digit, or -1. */
static int digit(char c, unsigned flags)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if ((flags & VOUCH_HEX_ANY_CASE) && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int vouch_hex_decode(uint8_t *out, size_t outlen, const char *in, size_t inlen, unsigned flags,
                     size_t *bad)
{
	/* Written as a division: 2 * outlen could wrap. */
	if (inlen % 2 != 0 || inlen / 2 != outlen)
		return VOUCH_E_LENGTH;
	for (size_t i = 0; i < outlen; i++) {
		int hi = digit(in[2 * i], flags), lo = digit(in[2 * i + 1], flags);

		if (hi < 0 || lo < 0) {
			if (bad)
				*bad = 2 * i + (hi < 0 ? 0 : 1);
			return VOUCH_E_RANGE;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
