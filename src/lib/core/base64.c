/* SPDX-License-Identifier: Apache-2.0 */
/* Strict, padded base64 as used by minisign, signify and C2SP notes (libsodium's codec). */
#include <errno.h>
#include <sodium.h>

#include "internal.h"
#include "vouch/error.h"

size_t vouch_b64_enclen(size_t binlen)
{
	return sodium_base64_ENCODED_LEN(binlen, sodium_base64_VARIANT_ORIGINAL);
}

void vouch_b64_encode(char *out, size_t cap, const uint8_t *in, size_t len)
{
	sodium_bin2base64(out, cap, in, len, sodium_base64_VARIANT_ORIGINAL);
}

int vouch_b64_decode(uint8_t *out, size_t cap, size_t *outlen, const char *in, size_t len)
{
	const char *end = NULL;

	/*
	 * libsodium 1.0.18 classifies characters as signed char, so bytes >= 0x80
	 * decode as '/': check the alphabet ourselves first.
	 */
	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/' || c == '='))
			return VOUCH_E_BASE64;
	}
	errno = 0;
	if (sodium_base642bin(out, cap, in, len, NULL, outlen, &end,
	                      sodium_base64_VARIANT_ORIGINAL) != 0)
		return errno == ERANGE ? VOUCH_E_LENGTH : VOUCH_E_BASE64;
	/* Everything must be consumed: no trailing characters after the padding. */
	if (end != in + len)
		return VOUCH_E_BASE64;
	return 0;
}
