/* SPDX-License-Identifier: Apache-2.0 */
/* UTF-8 validity and JSON strings in vouch's one spelling: written, compared and read back. */
#include <string.h>

#include "internal.h"
#include "vouch/error.h"
#include "vouch/hex.h"
#include "vouch/json.h"

size_t vouch_utf8_len(const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t len;
	uint32_t cp;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07u;
	else
		return 0; /* a continuation byte, C0/C1 (overlong two-byte forms), F5..FF */
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	/* No overlong forms, no surrogates, nothing past U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

bool vouch_utf8_valid(const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n;) {
		size_t l;

		if (s[i] < 0x80) {
			i++;
			continue;
		}
		l = vouch_utf8_len(s + i, n - i);
		if (l == 0)
			return false;
		i += l;
	}
	return true;
}

/*
 * Where encoded text goes: into @out, or, with @want, compared with the text a reader
 * holds, so that the one encoder also decides what a reader accepts. @bad: it did not
 * fit (or did not match).
 */
struct sink {
	char *out;
	const char *want;
	size_t n, cap;
	bool bad;
};

static void emit(struct sink *k, const void *s, size_t len)
{
	if (k->bad || len > k->cap - k->n) {
		k->bad = true;
		return;
	}
	if (k->want) {
		if (memcmp(k->want + k->n, s, len) != 0) {
			k->bad = true;
			return;
		}
	} else if (len) {
		memcpy(k->out + k->n, s, len);
	}
	k->n += len;
}

static void emit_u00(struct sink *k, unsigned c)
{
	static const char hex[] = "0123456789abcdef";
	const char e[6] = {'\\', 'u', '0', '0', hex[(c >> 4) & 15], hex[c & 15]};

	emit(k, e, sizeof(e));
}

/*
 * How text is encoded, besides VOUCH_JSON_C1: a byte that is not part of valid UTF-8
 * becomes U+FFFD, or with ENC_LEGACY \u00XX, as the log's first writer wrote it (and
 * only a reader of that spelling asks for it).
 */
#define ENC_LEGACY 0x100u

static void put_text(struct sink *k, const unsigned char *s, size_t n, unsigned mode)
{
	size_t i = 0;

	while (i < n && !k->bad) {
		size_t run = i, l;
		unsigned char c;

		/* Plain runs in one go: paths are mostly plain. */
		while (run < n && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '"' &&
		       s[run] != '\\')
			run++;
		emit(k, s + i, run - i);
		i = run;
		if (i >= n)
			break;
		c = s[i];
		if (c == '"' || c == '\\') {
			const char e[2] = {'\\', (char)c};

			emit(k, e, 2);
			i++;
		} else if (c < 0x80) {
			emit_u00(k, c); /* C0 controls and DEL */
			i++;
		} else if ((l = vouch_utf8_len(s + i, n - i)) == 0) {
			if (mode & ENC_LEGACY)
				emit_u00(k, c);
			else
				emit(k, "\xef\xbf\xbd", 3);
			i++;
		} else if ((mode & VOUCH_JSON_C1) && l == 2 && c == 0xc2 && s[i + 1] <= 0x9f) {
			emit_u00(k, s[i + 1]);
			i += 2;
		} else {
			emit(k, s + i, l);
			i += l;
		}
	}
}

size_t vouch_json_field_max(size_t keylen, size_t n)
{
	size_t text, b64, total;

	/* "KEY":"TEXT","KEY_b64":"BASE64": six bytes of text at most for each byte (\u00XX). */
	if (__builtin_mul_overflow(n, 6, &text) || n > SIZE_MAX / 2 ||
	    __builtin_mul_overflow(keylen, 2, &total) ||
	    __builtin_add_overflow(total, text, &total))
		return SIZE_MAX;
	b64 = vouch_b64_enclen(n);
	if (__builtin_add_overflow(total, b64, &total) ||
	    __builtin_add_overflow(total, sizeof("\"\":\"\",\"_b64\":\"\""), &total))
		return SIZE_MAX;
	return total;
}

int vouch_json_field(char *out, size_t cap, size_t *len, const char *key, const void *s, size_t n,
                     unsigned flags)
{
	struct sink k = {out, NULL, 0, cap, false};
	size_t klen = strlen(key);

	emit(&k, "\"", 1);
	emit(&k, key, klen);
	emit(&k, "\":\"", 3);
	put_text(&k, s, n, flags & VOUCH_JSON_C1);
	emit(&k, "\"", 1);
	if (!vouch_utf8_valid(s, n)) {
		size_t e = vouch_b64_enclen(n); /* with its NUL, which the quote replaces */

		emit(&k, ",\"", 2);
		emit(&k, key, klen);
		emit(&k, "_b64\":\"", 7);
		if (k.bad || e > k.cap - k.n) {
			k.bad = true;
		} else {
			vouch_b64_encode(k.out + k.n, e, s, n);
			k.n += e - 1;
		}
		emit(&k, "\"", 1);
	}
	if (k.bad)
		return VOUCH_E_TOOBIG;
	*len = k.n;
	return 0;
}

int vouch_json_field_decode(char *out, size_t cap, size_t *outlen, const char *text, size_t tlen,
                            const char *b64, size_t blen, unsigned flags)
{
	const unsigned char *t = (const unsigned char *)text;
	struct sink k = {NULL, text, 0, tlen, false};
	size_t n = 0;
	bool valid;
	int ret;

	if ((flags & VOUCH_JSON_C1) && (flags & VOUCH_JSON_LEGACY))
		return VOUCH_E_RANGE;
	if (b64) {
		if (cap < blen / 4 * 3 + 1)
			return VOUCH_E_LENGTH;
		if (blen % 4)
			return VOUCH_E_BASE64;
		ret = vouch_b64_decode((uint8_t *)out, cap - 1, &n, b64, blen);
		if (ret)
			return ret == VOUCH_E_LENGTH ? VOUCH_E_BASE64 : ret;
		out[n] = '\0';
		/* One spelling: valid UTF-8 never has a companion. */
		if (vouch_utf8_valid(out, n))
			return VOUCH_E_JSON;
		/* The text is the encoder's, for these bytes, or the entry is not one. */
		put_text(&k, (const unsigned char *)out, n, flags & VOUCH_JSON_C1);
		if (k.bad || k.n != tlen)
			return VOUCH_E_JSON;
		*outlen = n;
		return 0;
	}
	if (cap < tlen + 1)
		return VOUCH_E_LENGTH;
	/* Every spelling the encoder has, read; whether it is the one it writes, below. */
	for (size_t i = 0; i < tlen;) {
		unsigned char c = t[i];
		uint8_t byte;

		if (c == '"' || c < 0x20)
			return VOUCH_E_JSON;
		if (c != '\\') {
			out[n++] = (char)c;
			i++;
			continue;
		}
		if (tlen - i >= 2 && (t[i + 1] == '"' || t[i + 1] == '\\')) {
			out[n++] = (char)t[i + 1];
			i += 2;
			continue;
		}
		if (tlen - i < 6 || t[i + 1] != 'u' || t[i + 2] != '0' || t[i + 3] != '0' ||
		    vouch_hex_decode(&byte, 1, (const char *)t + i + 4, 2, 0, NULL))
			return VOUCH_E_JSON;
		c = byte;
		if (c >= 0x80 && !(flags & VOUCH_JSON_LEGACY)) {
			/* U+0080..U+009F, a C1 control; in the first spelling, the byte itself. */
			if (!(flags & VOUCH_JSON_C1) || c > 0x9f)
				return VOUCH_E_JSON;
			out[n++] = (char)0xc2;
		}
		out[n++] = (char)c;
		i += 6;
	}
	out[n] = '\0';
	valid = vouch_utf8_valid(out, n);
	if (!valid && !(flags & VOUCH_JSON_LEGACY))
		return VOUCH_E_JSON; /* bytes that are not UTF-8 come with a companion */
	put_text(&k, (const unsigned char *)out, n,
	         (flags & VOUCH_JSON_C1) | (valid ? 0 : ENC_LEGACY));
	if (k.bad || k.n != tlen)
		return VOUCH_E_JSON;
	*outlen = n;
	return 0;
}

size_t vouch_json_string_end(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i;
	}
	return n;
}
