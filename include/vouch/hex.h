/* SPDX-License-Identifier: Apache-2.0 */
/* Hex: the one encoder and the one decoder every format, message and command uses. */
#ifndef VOUCH_HEX_H
#define VOUCH_HEX_H

#include <stddef.h>
#include <stdint.h>

/*
 * vouch_hex_encode() - @len bytes of @in as lower-case hex into @out, which
 * must hold 2 * @len + 1 bytes; NUL-terminated. No allocation, thread-safe.
 */
void vouch_hex_encode(const uint8_t *in, size_t len, char *out);

enum {
	/* vouch_hex_decode(): also accept 'A'-'F'. Only for text people type (policy
	 * text); the formats vouch writes have one spelling, lower case. */
	VOUCH_HEX_ANY_CASE = 1 << 0,
};

/*
 * vouch_hex_decode() - exactly @inlen hex digits of @in into @outlen bytes at @out.
 * @inlen: must be 2 * @outlen (an odd count, or any other, is refused).
 * @flags: 0 (lower case only) or VOUCH_HEX_ANY_CASE.
 * @bad: may be NULL; on VOUCH_E_RANGE receives the offset in @in of the first
 *   character refused.
 * @out is written only as far as the digits were good; on failure its content is
 * undefined. No allocation, thread-safe; @in need not be NUL-terminated.
 * Return: 0; VOUCH_E_LENGTH (@inlen is not 2 * @outlen); VOUCH_E_RANGE (a
 * character that is not a hex digit of the accepted case).
 */
int vouch_hex_decode(uint8_t *out, size_t outlen, const char *in, size_t inlen, unsigned flags,
                     size_t *bad);

#endif
