/* SPDX-License-Identifier: Apache-2.0 */
/* Strict base64 (RFC 4648 section 4: padded, no whitespace), the one codec every format uses. */
#ifndef VOUCH_BASE64_H
#define VOUCH_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* vouch_b64_enclen() - bytes vouch_b64_encode() writes for @binlen bytes, the NUL included. */
size_t vouch_b64_enclen(size_t binlen);
/* vouch_b64_encode() - @len bytes of @in as base64 into @out (@cap >= vouch_b64_enclen()). */
void vouch_b64_encode(char *out, size_t cap, const uint8_t *in, size_t len);
/*
 * vouch_b64_decode() - @len characters of @in into @out.
 * Return: 0 with *@outlen set; VOUCH_E_BASE64 for a character outside the
 * alphabet, bad padding or trailing data; VOUCH_E_LENGTH if the decoded data
 * would exceed @cap or the input stops inside its padding. No allocation.
 */
int vouch_b64_decode(uint8_t *out, size_t cap, size_t *outlen, const char *in, size_t len);

#endif
