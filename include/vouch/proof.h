/* SPDX-License-Identifier: Apache-2.0 */
/* Proof texts: an inclusion or consistency proof with its checkpoint, as text (no I/O). */
#ifndef VOUCH_PROOF_H
#define VOUCH_PROOF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlog.h"

/*
 * A proof text is what `vouch log prove` and `vouch log consistency` print and
 * what anyone may send back to be checked: it comes from outside, so it is
 * parsed here, strictly, and written by the same module (docs/formats.md).
 *
 *   header              "c2sp.org/tlog-proof@v1" or VOUCH_CONSISTENCY_HEADER
 *   extra BASE64        inclusion only, optional: the entry itself
 *   index N | old N     the entry's index, or the old tree's size
 *   BASE64              0..VOUCH_TLOG_PROOF_MAX lines, one SHA-256 hash each
 *   (blank line)
 *   the signed checkpoint, to the end of the text
 */

/* The first line of an inclusion proof (C2SP tlog-proof@v1) and of a consistency proof. */
#define VOUCH_PROOF_HEADER       "c2sp.org/tlog-proof@v1"
#define VOUCH_CONSISTENCY_HEADER "vouch/tlog-consistency@v1"

struct vouch_proof {
	bool inclusion;    /* VOUCH_PROOF_HEADER; false: VOUCH_CONSISTENCY_HEADER */
	uint64_t num;      /* the entry's index, or the old tree's size */
	const char *extra; /* inclusion: the "extra" line's base64 (not NUL-terminated), or NULL */
	size_t extra_len;
	uint8_t hash[VOUCH_TLOG_PROOF_MAX][VOUCH_TLOG_HASH];
	unsigned n;
	const char *note; /* the signed checkpoint, the rest of the text: not checked here */
	size_t note_len;
	unsigned line;   /* with an error: the line (from 1) that is wrong, 0 for the whole */
	const char *why; /* with an error: what is wrong, a static English phrase */
};

/*
 * vouch_proof_parse() - split @text (@len bytes, any bytes) into @p. Numbers are
 * decimal without sign or leading zero; hashes standard base64 of 32 bytes;
 * the extra line's base64 is not decoded here. Nothing is verified. Pointers
 * point into @text.
 * Return: 0; VOUCH_E_PROOF with @p->line and @p->why.
 */
int vouch_proof_parse(struct vouch_proof *p, const char *text, size_t len);

/*
 * vouch_proof_format() - the text of @p (its inclusion, num, extra, hash[0..n)
 * and note; line and why are ignored), which vouch_proof_parse() reads back to
 * the same fields.
 * @out: receives a malloc'd text, NUL-terminated, owned by the caller; @len its length.
 * Return: 0; -ENOMEM; VOUCH_E_RANGE if @p->n is over VOUCH_TLOG_PROOF_MAX, the
 * note is empty, or extra is given for a consistency proof or holds a character
 * outside base64 (a newline would end the line).
 */
int vouch_proof_format(const struct vouch_proof *p, char **out, size_t *len);

#endif
