/* SPDX-License-Identifier: Apache-2.0 */
/* UTF-8 and JSON strings: the one validity check, the one string encoder and its decoder (no I/O).
 */
#ifndef VOUCH_JSON_H
#define VOUCH_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A Linux path is bytes, JSON text is Unicode. vouch writes a string field so that any
 * standard JSON decoder gets the exact bytes back (docs/formats.md, "Strings in JSON"):
 *
 *   "KEY":"TEXT"                          the bytes are valid UTF-8: TEXT is them
 *   "KEY":"TEXT","KEY_b64":"BASE64"       they are not: TEXT is them with each byte that
 *                                         is not part of a valid UTF-8 sequence replaced by
 *                                         U+FFFD, and BASE64 (RFC 4648, padded) is the bytes
 *
 * Inside TEXT, '"' and '\\' are written \" and \\, the C0 controls U+0000..U+001F and
 * DEL U+007F as \u00XX (lower-case hex), everything else as its UTF-8 (C1 controls
 * U+0080..U+009F too, unless VOUCH_JSON_C1). A companion appears only when it is needed,
 * so every byte string has one spelling, and a reader refuses any other.
 */

/*
 * vouch_utf8_len() - the length (1-4) of the valid UTF-8 sequence that starts at @s,
 * looking at no more than @n bytes; 0 if none does (@n == 0, a continuation or
 * invalid lead byte, a sequence cut short, an overlong form, a surrogate U+D800..U+DFFF,
 * a code point past U+10FFFF). Pure; any thread.
 */
size_t vouch_utf8_len(const void *s, size_t n);

/* vouch_utf8_valid() - whether the @n bytes at @s are all valid UTF-8 (NUL is: U+0000). */
bool vouch_utf8_valid(const void *s, size_t n);

/* Flags of the encoder and the decoder. */
#define VOUCH_JSON_C1 1u /* C1 controls as \u0080..\u009f: text a terminal may show */
/*
 * Decoding only, a field without a companion: also accept the log's first spelling
 * (entries written before the companion existed), where \u0080..\u00ff stood for the
 * byte 0x80..0xff that was not part of valid UTF-8 at that place. Not with VOUCH_JSON_C1.
 */
#define VOUCH_JSON_LEGACY 2u

/*
 * vouch_json_field_max() - an upper bound of what vouch_json_field() writes for a key
 * of @keylen bytes and @n bytes of value (SIZE_MAX if that does not fit in a size_t).
 */
size_t vouch_json_field_max(size_t keylen, size_t n);

/*
 * vouch_json_field() - the member "KEY":"TEXT", and ,"KEY_b64":"BASE64" after it when
 * @s is not valid UTF-8, into @out (no NUL added).
 * @key: NUL-terminated, written as it is: the caller's own name, [a-z0-9_]; @s, @n:
 * the value's bytes (any, NUL too); @flags: 0 or VOUCH_JSON_C1.
 * Return: 0 with *@len set; VOUCH_E_TOOBIG if it needs more than @cap bytes (then
 * @out holds nothing usable).
 */
int vouch_json_field(char *out, size_t cap, size_t *len, const char *key, const void *s, size_t n,
                     unsigned flags);

/*
 * vouch_json_field_decode() - the bytes of a field as vouch_json_field() wrote it.
 * @text, @tlen: the field's string as it stands in the JSON text, between its quotes;
 * @b64, @blen: the same of its companion "KEY_b64", or @b64 NULL when there is none;
 * @flags: those it was written with, and VOUCH_JSON_LEGACY to read the log's first
 * spelling.
 * @out: receives the bytes and a NUL after them; it needs @tlen + 1 bytes without a
 * companion, @blen / 4 * 3 + 1 with one.
 * Only the encoder's spelling is accepted: no other escape, no raw control byte, no
 * companion on valid UTF-8 (nor none on bytes that are not), and with a companion
 * TEXT must be exactly what the encoder writes for its bytes.
 * Return: 0 with *@outlen the bytes' length (NUL not counted; they may hold NUL);
 * VOUCH_E_JSON for a string spelled otherwise; VOUCH_E_BASE64 for a companion that is
 * not strict base64; VOUCH_E_LENGTH if @cap is too small.
 */
int vouch_json_field_decode(char *out, size_t cap, size_t *outlen, const char *text, size_t tlen,
                            const char *b64, size_t blen, unsigned flags);

/*
 * vouch_json_string_end() - where the JSON string whose text starts at @s (just after its
 * opening quote) ends: the offset of its closing quote, or @n if there is none in the @n
 * bytes. Escapes are stepped over, not checked (vouch_json_field_decode() checks them).
 */
size_t vouch_json_string_end(const char *s, size_t n);

#endif
