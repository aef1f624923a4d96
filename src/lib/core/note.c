/* SPDX-License-Identifier: Apache-2.0 */
/* C2SP signed notes (signed through the signer interface), and the checkpoints carried in them. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "vouch/digest.h"
#include "vouch/error.h"
#include "vouch/hex.h"
#include "vouch/note.h"

#define ALG_ED25519 0x01
#define ALG_ECDSA   0x02 /* vouch's stamps: ECDSA P-256 (docs/formats.md) */
#define SKEY_PREFIX "PRIVATE+KEY+"
/* U+2014 EM DASH, then a space: how every signature line begins. */
#define SIG_PREFIX     "\xe2\x80\x94 "
#define SIG_PREFIX_LEN 4

int vouch_note_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > VOUCH_NOTE_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (name[i] <= ' ' || name[i] > '~' || name[i] == '+')
			return 0;
	return 1;
}

/* The first 4 bytes of SHA-256(name "\n" type pk): a key's ID. */
static int key_id(const char *name, uint8_t type, const uint8_t *pk, size_t pklen, uint32_t *id)
{
	uint8_t buf[VOUCH_NOTE_NAME_MAX + 2 + VOUCH_SIGNER_PK_MAX], d[VOUCH_SHA256_LEN];
	size_t n = strlen(name);
	int ret;

	if (pklen > VOUCH_SIGNER_PK_MAX)
		return VOUCH_E_RANGE;
	memcpy(buf, name, n);
	buf[n] = '\n';
	buf[n + 1] = type;
	memcpy(buf + n + 2, pk, pklen);
	ret = vouch_sha256(buf, n + 2 + pklen, d);
	if (ret)
		return ret;
	*id = vouch_load32_be(d);
	return 0;
}

/* The signature type byte of a note key for each signer algorithm; 0 for none. */
static uint8_t note_type(enum vouch_signer_alg alg)
{
	switch (alg) {
	case VOUCH_SIGNER_ED25519:
		return ALG_ED25519;
	case VOUCH_SIGNER_ECDSA_P256:
		return ALG_ECDSA;
	default:
		return 0;
	}
}

int vouch_note_skey_init(struct vouch_note_skey *k, const char *name, struct vouch_signer *s)
{
	uint8_t type = note_type(s->alg);
	int ret;

	memset(k, 0, sizeof(*k));
	if (!vouch_note_name_ok(name))
		return VOUCH_E_RANGE;
	if (!type || (type == ALG_ED25519 && s->pklen != 32))
		return VOUCH_E_ALG;
	ret = key_id(name, type, s->pk, s->pklen, &k->v.id);
	if (ret)
		return ret;
	memcpy(k->v.name, name, strlen(name) + 1);
	if (type == ALG_ED25519)
		memcpy(k->v.pk, s->pk, 32);
	k->signer = *s;
	memset(s, 0, sizeof(*s));
	return 0;
}

int vouch_note_skey_from_seed(struct vouch_note_skey *k, const char *name,
                              const uint8_t seed[static 32])
{
	struct vouch_signer s;
	int ret;

	memset(k, 0, sizeof(*k));
	if (!vouch_note_name_ok(name))
		return VOUCH_E_RANGE;
	ret = vouch_signer_ed25519(&s, seed);
	if (!ret)
		ret = vouch_note_skey_init(k, name, &s);
	if (ret)
		vouch_signer_destroy(&s);
	return ret;
}

void vouch_note_skey_destroy(struct vouch_note_skey *k)
{
	if (!k)
		return;
	vouch_signer_destroy(&k->signer);
	memset(k, 0, sizeof(*k));
}

/* "name+hhhhhhhh+base64(0x01 key)" of a 32-byte key (public or seed). */
static void key_format(const char *name, uint32_t id, const uint8_t key[static 32], char *out,
                       size_t cap)
{
	uint8_t raw[33], idb[4];
	char b64[64], idhex[9];

	raw[0] = ALG_ED25519;
	memcpy(raw + 1, key, 32);
	vouch_b64_encode(b64, sizeof(b64), raw, sizeof(raw));
	vouch_store32_be(idb, id);
	vouch_hex_encode(idb, sizeof(idb), idhex);
	snprintf(out, cap, "%s+%s+%s", name, idhex, b64);
	vouch_wipe(raw, sizeof(raw));
	vouch_wipe(b64, sizeof(b64));
}

void vouch_note_vkey_format(const struct vouch_note_vkey *k, char out[static VOUCH_NOTE_VKEY_MAX])
{
	key_format(k->name, k->id, k->pk, out, VOUCH_NOTE_VKEY_MAX);
}

int vouch_note_skey_format(const struct vouch_note_skey *k, char out[static VOUCH_NOTE_SKEY_MAX])
{
	uint8_t seed[32];
	int ret = vouch_signer_ed25519_seed(&k->signer, seed);

	out[0] = '\0';
	if (ret)
		return ret;
	memcpy(out, SKEY_PREFIX, sizeof(SKEY_PREFIX) - 1);
	key_format(k->v.name, k->v.id, seed, out + sizeof(SKEY_PREFIX) - 1,
	           VOUCH_NOTE_SKEY_MAX - (sizeof(SKEY_PREFIX) - 1));
	vouch_wipe(seed, sizeof(seed));
	return 0;
}

/* Split "name+hhhhhhhh+base64" into its parts: name, ID and 32 key bytes. */
static int key_parse(const char *text, size_t len, char name[static VOUCH_NOTE_NAME_MAX + 1],
                     uint32_t *id, uint8_t key[static 32])
{
	const char *p1 = memchr(text, '+', len), *p2;
	uint8_t raw[33], idb[4];
	size_t rawlen = 0, nlen;
	uint32_t v = 0;
	int ret;

	if (!p1)
		return VOUCH_E_KEYTYPE;
	p2 = memchr(p1 + 1, '+', len - (size_t)(p1 + 1 - text));
	if (!p2 || p2 - p1 != 9)
		return VOUCH_E_KEYTYPE;
	nlen = (size_t)(p1 - text);
	if (nlen == 0 || nlen > VOUCH_NOTE_NAME_MAX)
		return VOUCH_E_RANGE;
	memcpy(name, text, nlen);
	name[nlen] = '\0';
	/* strlen() too: a NUL inside the text would cut the name short unseen. */
	if (strlen(name) != nlen || !vouch_note_name_ok(name))
		return VOUCH_E_RANGE;
	/* Lower-case only: one spelling per key. */
	if (vouch_hex_decode(idb, 4, p1 + 1, 8, 0, NULL))
		return VOUCH_E_KEYTYPE;
	v = vouch_load32_be(idb);
	ret = vouch_b64_decode(raw, sizeof(raw), &rawlen, p2 + 1, len - (size_t)(p2 + 1 - text));
	if (ret)
		return ret;
	if (rawlen < 1)
		return VOUCH_E_LENGTH;
	if (raw[0] != ALG_ED25519) {
		vouch_wipe(raw, sizeof(raw));
		return VOUCH_E_ALG;
	}
	if (rawlen != 33) {
		vouch_wipe(raw, sizeof(raw));
		return VOUCH_E_LENGTH;
	}
	memcpy(key, raw + 1, 32);
	vouch_wipe(raw, sizeof(raw));
	*id = v;
	return 0;
}

int vouch_note_vkey_parse(struct vouch_note_vkey *k, const char *text, size_t len)
{
	uint32_t want;
	int ret;

	memset(k, 0, sizeof(*k));
	if (len >= sizeof(SKEY_PREFIX) - 1 && !memcmp(text, SKEY_PREFIX, sizeof(SKEY_PREFIX) - 1))
		return VOUCH_E_KEYTYPE;
	ret = key_parse(text, len, k->name, &k->id, k->pk);
	if (ret)
		return ret;
	ret = key_id(k->name, ALG_ED25519, k->pk, 32, &want);
	if (ret)
		return ret;
	return want == k->id ? 0 : VOUCH_E_KEYPAIR;
}

int vouch_note_skey_parse(struct vouch_note_skey *k, const char *text, size_t len)
{
	char name[VOUCH_NOTE_NAME_MAX + 1];
	uint8_t seed[32];
	uint32_t id;
	int ret;

	memset(k, 0, sizeof(*k));
	if (len < sizeof(SKEY_PREFIX) - 1 || memcmp(text, SKEY_PREFIX, sizeof(SKEY_PREFIX) - 1))
		return VOUCH_E_KEYTYPE;
	ret = key_parse(text + sizeof(SKEY_PREFIX) - 1, len - (sizeof(SKEY_PREFIX) - 1), name, &id,
	                seed);
	if (!ret)
		ret = vouch_note_skey_from_seed(k, name, seed);
	vouch_wipe(seed, sizeof(seed));
	if (!ret && k->v.id != id)
		ret = VOUCH_E_KEYPAIR;
	if (ret)
		vouch_note_skey_destroy(k);
	return ret;
}

/* Note text: non-empty lines of printable bytes (UTF-8 passes), each ending in a newline. */
static int text_ok(const char *t, size_t len)
{
	if (len == 0 || t[len - 1] != '\n')
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t[i];

		if (c == '\n' && (i == 0 || t[i - 1] == '\n'))
			return 0;
		if (c < 0x20 && c != '\n')
			return 0;
		if (c == 0x7f)
			return 0;
	}
	return 1;
}

int vouch_note_sign(const struct vouch_note_skey *k, const char *text, size_t len, char *out,
                    size_t cap, size_t *outlen)
{
	uint8_t raw[4 + VOUCH_SIGNER_SIG_MAX];
	char b64[4 * ((sizeof(raw) + 2) / 3) + 1];
	size_t nlen = strlen(k->v.name), need, siglen = 0;
	int ret;

	if (!text_ok(text, len))
		return VOUCH_E_NOTE;
	vouch_store32_be(raw, k->v.id);
	ret = vouch_signer_sign(&k->signer, (const uint8_t *)text, len, raw + 4, sizeof(raw) - 4,
	                        &siglen);
	if (ret)
		return ret;
	vouch_b64_encode(b64, sizeof(b64), raw, 4 + siglen);
	need = len + 1 + SIG_PREFIX_LEN + nlen + 1 + strlen(b64) + 1;
	if (need > cap || need > VOUCH_NOTE_MAX)
		return VOUCH_E_TOOBIG;
	memcpy(out, text, len);
	out[len] = '\n';
	memcpy(out + len + 1, SIG_PREFIX, SIG_PREFIX_LEN);
	memcpy(out + len + 1 + SIG_PREFIX_LEN, k->v.name, nlen);
	out[len + 1 + SIG_PREFIX_LEN + nlen] = ' ';
	memcpy(out + len + 2 + SIG_PREFIX_LEN + nlen, b64, strlen(b64));
	out[need - 1] = '\n';
	*outlen = need;
	return 0;
}

int vouch_note_open(const struct vouch_note_vkey *k, const char *note, size_t len, size_t *textlen)
{
	const char *sigs = NULL, *p, *end = note + len;
	size_t tlen, nlen = strlen(k->name);
	unsigned nsig = 0;
	int found = 0, bad = 0;

	if (len == 0 || len > VOUCH_NOTE_MAX || note[len - 1] != '\n')
		return VOUCH_E_NOTE;
	/* The signatures follow the last blank line. */
	for (size_t i = len - 1; i-- > 0;)
		if (note[i] == '\n' && note[i + 1] == '\n') {
			sigs = note + i + 2;
			break;
		}
	if (!sigs || sigs == end)
		return VOUCH_E_NOTE;
	tlen = (size_t)(sigs - note) - 1;
	if (!text_ok(note, tlen))
		return VOUCH_E_NOTE;
	for (p = sigs; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *name = p + SIG_PREFIX_LEN,
		           *sp;
		uint8_t raw[4 + 64 + 1];
		size_t rawlen = 0;

		if (++nsig > VOUCH_NOTE_SIG_MAX)
			return VOUCH_E_NOTE;
		if ((size_t)(eol - p) < SIG_PREFIX_LEN || memcmp(p, SIG_PREFIX, SIG_PREFIX_LEN))
			return VOUCH_E_NOTE;
		sp = memchr(name, ' ', (size_t)(eol - name));
		if (!sp || sp == name || memchr(sp + 1, ' ', (size_t)(eol - sp - 1)))
			return VOUCH_E_NOTE;
		for (const char *c = name; c < sp; c++)
			if ((unsigned char)*c < 0x21 || *c == '+' || *c == 0x7f)
				return VOUCH_E_NOTE;
		/* Signatures of other algorithms may be longer: parse, then skip. */
		if (vouch_b64_decode(raw, sizeof(raw), &rawlen, sp + 1, (size_t)(eol - sp - 1)) ==
		    VOUCH_E_BASE64)
			return VOUCH_E_NOTE;
		if ((size_t)(sp - name) == nlen && !memcmp(name, k->name, nlen) && rawlen >= 4 &&
		    vouch_load32_be(raw) == k->id) {
			if (rawlen != 4 + 64)
				bad = 1;
			else if (vouch_ed25519_verify(k->pk, (const uint8_t *)note, tlen,
			                              raw + 4) == 0)
				found = 1;
			else
				bad = 1;
		}
		p = eol + 1;
	}
	if (bad)
		return VOUCH_E_BADSIG;
	if (!found)
		return VOUCH_E_WRONGKEY;
	*textlen = tlen;
	return 0;
}

int vouch_checkpoint_format(const struct vouch_checkpoint *c, char *out, size_t cap)
{
	char b64[48];
	int n;

	vouch_b64_encode(b64, sizeof(b64), c->root, VOUCH_TLOG_HASH);
	n = snprintf(out, cap, "%s\n%" PRIu64 "\n%s\n", c->origin, c->size, b64);
	if (n < 0 || (size_t)n >= cap)
		return VOUCH_E_RANGE;
	return n;
}

int vouch_checkpoint_parse(struct vouch_checkpoint *c, const char *text, size_t len)
{
	const char *end = text + len, *l1, *l2, *l3;
	size_t rootlen = 0, n;
	uint64_t size = 0;

	memset(c, 0, sizeof(*c));
	if (len == 0 || text[len - 1] != '\n')
		return VOUCH_E_CHECKPOINT;
	l1 = memchr(text, '\n', len);
	l2 = memchr(l1 + 1, '\n', (size_t)(end - l1 - 1));
	if (!l2)
		return VOUCH_E_CHECKPOINT;
	l3 = memchr(l2 + 1, '\n', (size_t)(end - l2 - 1));
	if (!l3)
		return VOUCH_E_CHECKPOINT;
	n = (size_t)(l1 - text);
	if (n == 0 || n > VOUCH_NOTE_NAME_MAX)
		return VOUCH_E_CHECKPOINT;
	memcpy(c->origin, text, n);
	c->origin[n] = '\0';
	if (strlen(c->origin) != n)
		return VOUCH_E_CHECKPOINT;
	/* Decimal, no sign, no leading zero (but "0" itself). */
	if (!vouch_dec_parse(l1 + 1, (size_t)(l2 - l1 - 1), &size))
		return VOUCH_E_CHECKPOINT;
	if (vouch_b64_decode(c->root, sizeof(c->root), &rootlen, l2 + 1, (size_t)(l3 - l2 - 1)) ||
	    rootlen != VOUCH_TLOG_HASH)
		return VOUCH_E_CHECKPOINT;
	c->size = size;
	return 0;
}
