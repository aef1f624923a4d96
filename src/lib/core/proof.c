/* SPDX-License-Identifier: Apache-2.0 */
/* Proof texts, read and written in one place. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "vouch/base64.h"
#include "vouch/error.h"
#include "vouch/proof.h"

/* Fail at line @line for @why. */
static int bad(struct vouch_proof *p, unsigned line, const char *why)
{
	p->line = line;
	p->why = why;
	return VOUCH_E_PROOF;
}

static bool is_header(const char *s, size_t l, const char *h)
{
	return l == strlen(h) && !memcmp(s, h, l);
}

int vouch_proof_parse(struct vouch_proof *p, const char *text, size_t len)
{
	const char *s = text, *end = text + len, *nl;
	bool have_num = false;
	unsigned line = 1;

	memset(p, 0, sizeof(*p));
	nl = memchr(s, '\n', len);
	if (!nl)
		return bad(p, 1, "not a proof (no header line)");
	if (is_header(s, (size_t)(nl - s), VOUCH_PROOF_HEADER))
		p->inclusion = true;
	else if (is_header(s, (size_t)(nl - s), VOUCH_CONSISTENCY_HEADER))
		p->inclusion = false;
	else
		return bad(p, 1, "not a proof (unknown header)");
	/* Header lines, then hashes, up to the blank line before the checkpoint. */
	for (s = nl + 1; s < end; s = nl + 1) {
		const char *key = p->inclusion ? "index " : "old ";
		size_t l, klen = strlen(key), got = 0;

		line++;
		nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			return bad(p, line, "no blank line before the checkpoint");
		l = (size_t)(nl - s);
		if (l == 0) {
			if (!have_num)
				return bad(p, line, p->inclusion ? "no index line" : "no old line");
			p->note = nl + 1;
			p->note_len = (size_t)(end - p->note);
			if (p->note_len == 0)
				return bad(p, line + 1, "no checkpoint after the blank line");
			return 0;
		}
		if (p->inclusion && !have_num && !p->extra && l >= 6 && !memcmp(s, "extra ", 6)) {
			p->extra = s + 6;
			p->extra_len = l - 6;
		} else if (!have_num && l > klen && !memcmp(s, key, klen)) {
			if (!vouch_dec_parse(s + klen, (size_t)(nl - s) - klen, &p->num))
				return bad(p, line, p->inclusion ? "bad index line" : "bad old line");
			have_num = true;
		} else if (!have_num) {
			return bad(p, line,
			           p->inclusion ? "malformed line (expected extra or index)"
			                        : "malformed line (expected old)");
		} else if (p->n == VOUCH_TLOG_PROOF_MAX) {
			return bad(p, line, "too many hashes");
		} else if (vouch_b64_decode(p->hash[p->n], VOUCH_TLOG_HASH, &got, s, l) ||
		           got != VOUCH_TLOG_HASH) {
			return bad(p, line, "malformed line (not a base64 SHA-256 hash)");
		} else {
			p->n++;
		}
	}
	return bad(p, line, "incomplete proof (no checkpoint)");
}

static bool b64_chars(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", s[i]) ||
		    s[i] == '\0')
			return false;
	return true;
}

int vouch_proof_format(const struct vouch_proof *p, char **out, size_t *len)
{
	const char *head = p->inclusion ? VOUCH_PROOF_HEADER : VOUCH_CONSISTENCY_HEADER;
	/* "old " or "index " and 20 digits; each hash 44 base64 characters; newlines. */
	size_t cap, n = 0;
	char *t;

	*out = NULL;
	*len = 0;
	if (p->n > VOUCH_TLOG_PROOF_MAX || p->note_len == 0 || (p->extra && !p->inclusion) ||
	    (p->extra && !b64_chars(p->extra, p->extra_len)))
		return VOUCH_E_RANGE;
	cap = strlen(head) + 1 + 32 + (size_t)p->n * 45 + 1;
	if (p->extra) {
		if (p->extra_len > SIZE_MAX / 2 - cap)
			return VOUCH_E_RANGE;
		cap += 7 + p->extra_len;
	}
	if (p->note_len > SIZE_MAX / 2 - cap)
		return VOUCH_E_RANGE;
	cap += p->note_len + 1;
	t = malloc(cap);
	if (!t)
		return -ENOMEM;
	memcpy(t, head, strlen(head));
	n = strlen(head);
	t[n++] = '\n';
	if (p->extra) {
		memcpy(t + n, "extra ", 6);
		memcpy(t + n + 6, p->extra, p->extra_len);
		n += 6 + p->extra_len;
		t[n++] = '\n';
	}
	{
		const char *key = p->inclusion ? "index " : "old ";
		char digits[21];
		size_t d = sizeof(digits);
		uint64_t v = p->num;

		do
			digits[--d] = (char)('0' + v % 10);
		while ((v /= 10) != 0);
		memcpy(t + n, key, strlen(key));
		n += strlen(key);
		memcpy(t + n, digits + d, sizeof(digits) - d);
		n += sizeof(digits) - d;
		t[n++] = '\n';
	}
	for (unsigned i = 0; i < p->n; i++) {
		vouch_b64_encode(t + n, cap - n, p->hash[i], VOUCH_TLOG_HASH);
		n += strlen(t + n);
		t[n++] = '\n';
	}
	t[n++] = '\n';
	memcpy(t + n, p->note, p->note_len);
	n += p->note_len;
	t[n] = '\0';
	*out = t;
	*len = n;
	return 0;
}
