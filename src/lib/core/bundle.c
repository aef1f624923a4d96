/* SPDX-License-Identifier: Apache-2.0 */
/* Signed policy bundles: explicit big-endian serialization, strict parsing, sealing (no I/O). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "vouch/bundle.h"
#include "vouch/digest.h"
#include "vouch/error.h"

#define KNOWN_GATES                                                                                \
	(VOUCH_GATE_EXEC | VOUCH_GATE_ELF | VOUCH_GATE_SHEBANG | VOUCH_GATE_INTERP | VOUCH_LOG_MASK)
#define KNOWN_FLAGS (VOUCH_TRUST_DENY | VOUCH_TRUST_ALLOW | VOUCH_TRUST_MANIFEST)
/* mode, gates, expires, compiled, message, source_sha256 */
#define HEADER_FIXED   (1 + 4 + 8 + 8 + 4 + VOUCH_SHA256_LEN)
#define SIGNER_LEN     (4 + VOUCH_KEYID_LEN + VOUCH_PK_LEN)
#define MANIFEST_LEN   (4 + 4 + VOUCH_SHA256_LEN + 8)
#define PREFIX_LEN     (8 + 4 + 4) /* magic, version, header length */
#define TRAILER_FIXED  (4 + 8)     /* signature length, "VOUCHSIG" */
#define UNTRUSTED_TEXT "vouch policy bundle"

/* A bounded writer: the size is computed first, so running out is a bug, not input. */
struct writer {
	uint8_t *p;
	size_t off;
};

static void put_u8(struct writer *w, uint8_t v)
{
	w->p[w->off++] = v;
}

static void put_u32(struct writer *w, uint32_t v)
{
	vouch_store32_be(w->p + w->off, v);
	w->off += 4;
}

static void put_u64(struct writer *w, uint64_t v)
{
	vouch_store64_be(w->p + w->off, v);
	w->off += 8;
}

static void put_bytes(struct writer *w, const void *b, size_t n)
{
	if (n)
		memcpy(w->p + w->off, b, n);
	w->off += n;
}

/* A reader over untrusted bytes: every take checks what remains first. */
struct reader {
	const uint8_t *p;
	size_t len, off;
};

static size_t remaining(const struct reader *r)
{
	return r->len - r->off;
}

static bool take(struct reader *r, size_t n, const uint8_t **out)
{
	if (n > remaining(r))
		return false;
	*out = r->p + r->off;
	r->off += n;
	return true;
}

static bool get_u32(struct reader *r, uint32_t *v)
{
	const uint8_t *b;

	if (!take(r, 4, &b))
		return false;
	*v = vouch_load32_be(b);
	return true;
}

static bool get_u64(struct reader *r, uint64_t *v)
{
	const uint8_t *b;

	if (!take(r, 8, &b))
		return false;
	*v = vouch_load64_be(b);
	return true;
}

/* An index that must name an entry of a table of @n, or be VOUCH_NONE if @none_ok. */
static bool index_ok(uint32_t idx, uint32_t n, bool none_ok)
{
	return idx < n || (none_ok && idx == VOUCH_NONE);
}

int vouch_trust_rec_check(const struct vouch_cpolicy *cp, const struct vouch_trust_rec *rec)
{
	uint32_t f = rec->flags;

	if (f == 0 || (f & ~(uint32_t)KNOWN_FLAGS))
		return VOUCH_E_BUNDLE;
	/* A field is set exactly when the flag that gives it meaning is. */
	if (f & VOUCH_TRUST_DENY ? !index_ok(rec->deny_msg, cp->nstrings, true)
	                         : rec->deny_msg != VOUCH_NONE)
		return VOUCH_E_BUNDLE;
	if (f & VOUCH_TRUST_ALLOW ? !index_ok(rec->allow_msg, cp->nstrings, true)
	                          : rec->allow_msg != VOUCH_NONE)
		return VOUCH_E_BUNDLE;
	if (f & VOUCH_TRUST_MANIFEST ? !index_ok(rec->manifest, cp->nmanifests, false)
	                             : rec->manifest != VOUCH_NONE)
		return VOUCH_E_BUNDLE;
	return 0;
}

/*
 * Everything about a compiled policy that both serialize and parse insist on;
 * @hlen receives its serialized size. Return: 0 or VOUCH_E_BUNDLE.
 */
static int cpolicy_check(const struct vouch_cpolicy *cp, size_t *hlen)
{
	size_t n = HEADER_FIXED + 4 + 4 + 4 + 4, slen;

	if (cp->mode != VOUCH_MODE_MONITOR && cp->mode != VOUCH_MODE_ENFORCE)
		return VOUCH_E_BUNDLE;
	if ((cp->gates & ~(uint32_t)KNOWN_GATES) || (cp->gates & VOUCH_LOG_MASK) == VOUCH_LOG_MASK)
		return VOUCH_E_BUNDLE;
	if (cp->expires < 0 || cp->compiled < 0)
		return VOUCH_E_BUNDLE;
	if (cp->max_size && cp->max_size < 1024)
		return VOUCH_E_BUNDLE;
	if (cp->update_every && (cp->update_every < VOUCH_UPDATE_EVERY_MIN ||
	                         cp->update_every > VOUCH_UPDATE_EVERY_MAX))
		return VOUCH_E_BUNDLE;
	if (cp->update_every)
		n += 16;
	else if (cp->max_size)
		n += 8;
	if (cp->nstrings == VOUCH_NONE || cp->nsigners == VOUCH_NONE ||
	    cp->nmanifests == VOUCH_NONE)
		return VOUCH_E_BUNDLE;
	if ((cp->nstrings && !cp->strings) || (cp->nsigners && !cp->signers) ||
	    (cp->nmanifests && !cp->manifests))
		return VOUCH_E_BUNDLE;
	if (!index_ok(cp->message, cp->nstrings, true))
		return VOUCH_E_BUNDLE;
	for (uint32_t i = 0; i < cp->nstrings; i++) {
		if (!cp->strings[i])
			return VOUCH_E_BUNDLE;
		slen = strnlen(cp->strings[i], VOUCH_BUNDLE_STRING_MAX + 1);
		if (slen > VOUCH_BUNDLE_STRING_MAX)
			return VOUCH_E_BUNDLE;
		n += 4 + slen;
		/* Caps on every table keep @n far from overflow; check as it grows. */
		if (n > VOUCH_BUNDLE_HEADER_MAX)
			return VOUCH_E_BUNDLE;
	}
	for (uint32_t i = 0; i < cp->nsigners; i++)
		if (!index_ok(cp->signers[i].name, cp->nstrings, false))
			return VOUCH_E_BUNDLE;
	for (uint32_t i = 0; i < cp->nmanifests; i++)
		if (!index_ok(cp->manifests[i].path, cp->nstrings, false) ||
		    !index_ok(cp->manifests[i].signer, cp->nsigners, false))
			return VOUCH_E_BUNDLE;
	slen = cp->source ? strnlen(cp->source, VOUCH_POLICY_MAX + 1) : 0;
	if (slen > VOUCH_POLICY_MAX)
		return VOUCH_E_BUNDLE;
	n += (size_t)cp->nsigners * SIGNER_LEN + (size_t)cp->nmanifests * MANIFEST_LEN + slen;
	if (n > VOUCH_BUNDLE_HEADER_MAX)
		return VOUCH_E_BUNDLE;
	*hlen = n;
	return 0;
}

/* Write the header; @w has room for exactly what cpolicy_check() measured. */
static void put_header(struct writer *w, const struct vouch_cpolicy *cp)
{
	size_t slen = cp->source ? strlen(cp->source) : 0;

	put_u8(w, (uint8_t)cp->mode);
	put_u32(w, cp->gates);
	put_u64(w, (uint64_t)cp->expires);
	put_u64(w, (uint64_t)cp->compiled);
	put_u32(w, cp->message);
	put_bytes(w, cp->source_sha256, VOUCH_SHA256_LEN);
	put_u32(w, cp->nstrings);
	for (uint32_t i = 0; i < cp->nstrings; i++) {
		size_t len = strlen(cp->strings[i]);

		put_u32(w, (uint32_t)len);
		put_bytes(w, cp->strings[i], len);
	}
	put_u32(w, cp->nsigners);
	for (uint32_t i = 0; i < cp->nsigners; i++) {
		put_u32(w, cp->signers[i].name);
		put_bytes(w, cp->signers[i].key.keyid, VOUCH_KEYID_LEN);
		put_bytes(w, cp->signers[i].key.pk, VOUCH_PK_LEN);
	}
	put_u32(w, cp->nmanifests);
	for (uint32_t i = 0; i < cp->nmanifests; i++) {
		const struct vouch_cmanifest *m = &cp->manifests[i];

		put_u32(w, m->path);
		put_u32(w, m->signer);
		put_bytes(w, m->sha256, VOUCH_SHA256_LEN);
		put_u64(w, m->entries);
	}
	put_u32(w, (uint32_t)slen);
	put_bytes(w, cp->source, slen);
	/* The optional tail: max-size alone, or max-size (0: the default) and update-every. */
	if (cp->max_size || cp->update_every)
		put_u64(w, cp->max_size);
	if (cp->update_every)
		put_u64(w, (uint64_t)cp->update_every);
}

int vouch_cpolicy_serialize(const struct vouch_cpolicy *cp, uint8_t **out, size_t *len)
{
	struct writer w = {0};
	size_t hlen = 0;
	int ret = cpolicy_check(cp, &hlen);

	if (ret)
		return ret;
	w.p = malloc(hlen);
	if (!w.p)
		return -ENOMEM;
	put_header(&w, cp);
	*out = w.p;
	*len = w.off;
	return 0;
}

/* A string of @len bytes without NUL, copied into a fresh NUL-terminated buffer. */
static int get_string(struct reader *r, size_t len, size_t max, char **out)
{
	const uint8_t *b;
	char *s;

	if (len > max || !take(r, len, &b) || memchr(b, '\0', len))
		return VOUCH_E_BUNDLE;
	s = malloc(len + 1);
	if (!s)
		return -ENOMEM;
	if (len)
		memcpy(s, b, len);
	s[len] = '\0';
	*out = s;
	return 0;
}

/* Parse a header from @r, which must hold it exactly. @cp is zeroed first. */
static int get_header(struct reader *r, struct vouch_cpolicy *cp)
{
	const uint8_t *b;
	uint32_t v, slen;
	uint64_t t;
	size_t hlen;
	int ret = VOUCH_E_BUNDLE;

	memset(cp, 0, sizeof(*cp));
	if (!take(r, 1, &b) || b[0] > VOUCH_MODE_ENFORCE)
		goto out;
	cp->mode = b[0] == VOUCH_MODE_ENFORCE ? VOUCH_MODE_ENFORCE : VOUCH_MODE_MONITOR;
	if (!get_u32(r, &cp->gates) || !get_u64(r, &t))
		goto out;
	cp->expires = t > INT64_MAX ? -1 : (int64_t)t;
	if (!get_u64(r, &t))
		goto out;
	cp->compiled = t > INT64_MAX ? -1 : (int64_t)t;
	if (!get_u32(r, &cp->message) || !take(r, VOUCH_SHA256_LEN, &b))
		goto out;
	memcpy(cp->source_sha256, b, VOUCH_SHA256_LEN);

	/* Each count is checked against the bytes left before anything is allocated. */
	if (!get_u32(r, &v) || v == VOUCH_NONE || v > remaining(r) / 4)
		goto out;
	ret = -ENOMEM;
	if (v && !(cp->strings = calloc(v, sizeof(*cp->strings))))
		goto out;
	cp->nstrings = v;
	for (uint32_t i = 0; i < cp->nstrings; i++) {
		ret = VOUCH_E_BUNDLE;
		if (!get_u32(r, &slen))
			goto out;
		ret = get_string(r, slen, VOUCH_BUNDLE_STRING_MAX, &cp->strings[i]);
		if (ret)
			goto out;
	}

	ret = VOUCH_E_BUNDLE;
	if (!get_u32(r, &v) || v == VOUCH_NONE || v > remaining(r) / SIGNER_LEN)
		goto out;
	ret = -ENOMEM;
	if (v && !(cp->signers = calloc(v, sizeof(*cp->signers))))
		goto out;
	cp->nsigners = v;
	ret = VOUCH_E_BUNDLE;
	for (uint32_t i = 0; i < cp->nsigners; i++) {
		struct vouch_csigner *s = &cp->signers[i];

		if (!get_u32(r, &s->name) || !take(r, VOUCH_KEYID_LEN, &b))
			goto out;
		memcpy(s->key.keyid, b, VOUCH_KEYID_LEN);
		if (!take(r, VOUCH_PK_LEN, &b))
			goto out;
		memcpy(s->key.pk, b, VOUCH_PK_LEN);
	}

	if (!get_u32(r, &v) || v == VOUCH_NONE || v > remaining(r) / MANIFEST_LEN)
		goto out;
	ret = -ENOMEM;
	if (v && !(cp->manifests = calloc(v, sizeof(*cp->manifests))))
		goto out;
	cp->nmanifests = v;
	ret = VOUCH_E_BUNDLE;
	for (uint32_t i = 0; i < cp->nmanifests; i++) {
		struct vouch_cmanifest *m = &cp->manifests[i];

		if (!get_u32(r, &m->path) || !get_u32(r, &m->signer) ||
		    !take(r, VOUCH_SHA256_LEN, &b))
			goto out;
		memcpy(m->sha256, b, VOUCH_SHA256_LEN);
		if (!get_u64(r, &m->entries))
			goto out;
	}

	if (!get_u32(r, &slen))
		goto out;
	ret = get_string(r, slen, VOUCH_POLICY_MAX, &cp->source);
	if (ret)
		goto out;
	ret = VOUCH_E_BUNDLE;
	/*
	 * Then the optional tail: nothing; max-size alone (u64, at least 1 KiB), when the
	 * policy sets only it; or max-size (0 for the default) and update-every (u64
	 * seconds, VOUCH_UPDATE_EVERY_MIN..MAX), when the policy sets update-every.
	 * cpolicy_check() below refuses every other spelling of the same policy.
	 */
	if (remaining(r) == 8 && (!get_u64(r, &cp->max_size) || cp->max_size < 1024))
		goto out;
	if (remaining(r) == 16) {
		uint64_t every;

		if (!get_u64(r, &cp->max_size) || !get_u64(r, &every) || every == 0 ||
		    every > (uint64_t)VOUCH_UPDATE_EVERY_MAX)
			goto out;
		cp->update_every = (int64_t)every;
	}
	if (remaining(r) != 0)
		goto out;
	/* The same rules serialize applies: what parses re-serializes to the same bytes. */
	ret = cpolicy_check(cp, &hlen);
	if (!ret && hlen != r->len)
		ret = VOUCH_E_BUNDLE;
out:
	if (ret)
		vouch_cpolicy_free(cp);
	return ret;
}

int vouch_cpolicy_parse(struct vouch_cpolicy *cp, const uint8_t *data, size_t len)
{
	struct reader r = {data, len, 0};

	if (len > VOUCH_BUNDLE_HEADER_MAX) {
		memset(cp, 0, sizeof(*cp));
		return VOUCH_E_BUNDLE;
	}
	return get_header(&r, cp);
}

const char *vouch_cpolicy_string(const struct vouch_cpolicy *cp, uint32_t idx)
{
	return idx < cp->nstrings && cp->strings ? cp->strings[idx] : NULL;
}

void vouch_cpolicy_free(struct vouch_cpolicy *cp)
{
	if (!cp)
		return;
	if (cp->strings)
		for (uint32_t i = 0; i < cp->nstrings; i++)
			free(cp->strings[i]);
	free(cp->strings);
	free(cp->signers);
	free(cp->manifests);
	free(cp->source);
	memset(cp, 0, sizeof(*cp));
}

void vouch_trust_rec_decode(const uint8_t *p, struct vouch_trust_rec *rec)
{
	rec->flags = vouch_load32_be(p);
	rec->deny_msg = vouch_load32_be(p + 4);
	rec->allow_msg = vouch_load32_be(p + 8);
	rec->manifest = vouch_load32_be(p + 12);
}

int vouch_bundle_serialize(const struct vouch_cpolicy *cp, const struct vouch_trust_entry *entries,
                           uint64_t n, uint8_t **out, size_t *len)
{
	struct writer w = {0};
	size_t hlen = 0, total;
	int ret = cpolicy_check(cp, &hlen);

	if (ret)
		return ret;
	if (n > VOUCH_BUNDLE_MAX_ENTRIES || (n && !entries))
		return VOUCH_E_BUNDLE;
	for (uint64_t i = 0; i < n; i++) {
		if (i > 0 &&
		    memcmp(entries[i - 1].sha256, entries[i].sha256, VOUCH_SHA256_LEN) >= 0)
			return VOUCH_E_BUNDLE;
		ret = vouch_trust_rec_check(cp, &entries[i].rec);
		if (ret)
			return ret;
	}
	/* Both terms are capped far below SIZE_MAX. */
	total = PREFIX_LEN + hlen + 8 + (size_t)n * VOUCH_BUNDLE_ENTRY_LEN;
	w.p = malloc(total);
	if (!w.p)
		return -ENOMEM;
	put_bytes(&w, VOUCH_BUNDLE_MAGIC, 8);
	put_u32(&w, VOUCH_BUNDLE_VERSION);
	put_u32(&w, (uint32_t)hlen);
	put_header(&w, cp);
	put_u64(&w, n);
	for (uint64_t i = 0; i < n; i++) {
		const struct vouch_trust_rec *rec = &entries[i].rec;

		put_bytes(&w, entries[i].sha256, VOUCH_SHA256_LEN);
		put_u32(&w, rec->flags);
		put_u32(&w, rec->deny_msg);
		put_u32(&w, rec->allow_msg);
		put_u32(&w, rec->manifest);
	}
	*out = w.p;
	*len = w.off;
	return 0;
}

int vouch_bundle_seal(uint8_t **buf, size_t *len, const struct vouch_signer *s,
                      const uint8_t keyid[static VOUCH_KEYID_LEN], const char *trusted_comment)
{
	uint8_t hash[VOUCH_BLAKE2B512_LEN], *nb;
	struct vouch_sig *sig;
	char *text = NULL;
	size_t tlen = 0, total;
	int ret = -ENOMEM;

	/* Large (the comments' buffers): kept off the stack of daemon threads. */
	sig = malloc(sizeof(*sig));
	text = malloc(VOUCH_SIGFILE_MAX + 1);
	if (!sig || !text)
		goto out;
	ret = vouch_blake2b(*buf, *len, hash, sizeof(hash));
	if (ret)
		goto out;
	ret = vouch_sig_sign(sig, s, keyid, VOUCH_SIG_PREHASHED, hash, sizeof(hash), UNTRUSTED_TEXT,
	                     trusted_comment ? trusted_comment : "");
	if (ret)
		goto out;
	ret = vouch_sig_format(sig, text, VOUCH_SIGFILE_MAX + 1, &tlen);
	if (ret)
		goto out;
	ret = VOUCH_E_TOOBIG;
	if (tlen > VOUCH_SIGFILE_MAX ||
	    __builtin_add_overflow(*len, tlen + TRAILER_FIXED, &total) || total > VOUCH_BUNDLE_MAX)
		goto out;
	ret = -ENOMEM;
	nb = realloc(*buf, total);
	if (!nb)
		goto out;
	memcpy(nb + *len, text, tlen);
	vouch_store32_be(nb + *len + tlen, (uint32_t)tlen);
	memcpy(nb + *len + tlen + 4, VOUCH_BUNDLE_SIGMAGIC, 8);
	*buf = nb;
	*len = total;
	ret = 0;
out:
	free(sig);
	free(text);
	return ret;
}

int vouch_bundle_parse(struct vouch_bundle *b, struct vouch_sig *sig, const uint8_t *data,
                       size_t len)
{
	struct reader r = {data, len, 0}, hr;
	const uint8_t *p, *prev = NULL;
	struct vouch_trust_rec rec;
	uint32_t version, hlen, siglen;
	char *canon = NULL;
	uint64_t n;
	size_t rest, clen = 0;
	int ret;

	memset(b, 0, sizeof(*b));
	if (len > VOUCH_BUNDLE_MAX)
		return VOUCH_E_TOOBIG;
	if (!take(&r, 8, &p) || memcmp(p, VOUCH_BUNDLE_MAGIC, 8) != 0)
		return VOUCH_E_BUNDLE;
	if (!get_u32(&r, &version) || version != VOUCH_BUNDLE_VERSION)
		return VOUCH_E_BUNDLE;
	if (!get_u32(&r, &hlen) || hlen > VOUCH_BUNDLE_HEADER_MAX || !take(&r, hlen, &p))
		return VOUCH_E_BUNDLE;
	hr = (struct reader){p, hlen, 0};
	ret = get_header(&hr, &b->policy);
	if (ret)
		return ret;

	ret = VOUCH_E_BUNDLE;
	if (!get_u64(&r, &n) || n > VOUCH_BUNDLE_MAX_ENTRIES ||
	    n > remaining(&r) / VOUCH_BUNDLE_ENTRY_LEN)
		goto out;
	b->entries = data + r.off;
	b->nentries = n;
	for (uint64_t i = 0; i < n; i++) {
		take(&r, VOUCH_BUNDLE_ENTRY_LEN, &p);
		if (prev && memcmp(prev, p, VOUCH_SHA256_LEN) >= 0)
			goto out;
		vouch_trust_rec_decode(p + VOUCH_SHA256_LEN, &rec);
		if (vouch_trust_rec_check(&b->policy, &rec))
			goto out;
		prev = p;
	}
	b->payload_len = r.off;

	/* The trailer: signature text, its length, the magic; nothing else. */
	rest = remaining(&r);
	ret = VOUCH_E_UNSIGNED;
	if (rest == 0)
		goto out;
	ret = VOUCH_E_BUNDLE;
	if (rest < TRAILER_FIXED || memcmp(data + len - 8, VOUCH_BUNDLE_SIGMAGIC, 8) != 0)
		goto out;
	siglen = vouch_load32_be(data + len - TRAILER_FIXED);
	if (siglen != rest - TRAILER_FIXED)
		goto out;
	ret = vouch_sig_parse(sig, (const char *)data + b->payload_len, siglen);
	if (ret)
		goto out;
	/* Bundles are signed one way only: prehashed, with a trusted comment. */
	ret = VOUCH_E_ALG;
	if (sig->alg != VOUCH_SIG_PREHASHED || !sig->has_trusted)
		goto out;
	/*
	 * Written only by vouch_bundle_seal(): the text must be exactly what
	 * vouch_sig_format() makes of what was parsed. One encoding per signature,
	 * so no byte of the trailer can change unnoticed (CR, base64 variants).
	 */
	ret = -ENOMEM;
	canon = malloc(VOUCH_SIGFILE_MAX + 1);
	if (!canon)
		goto out;
	ret = vouch_sig_format(sig, canon, VOUCH_SIGFILE_MAX + 1, &clen);
	if (!ret && (clen != siglen || memcmp(canon, data + b->payload_len, clen) != 0))
		ret = VOUCH_E_BUNDLE;
out:
	free(canon);
	if (ret) {
		vouch_cpolicy_free(&b->policy);
		memset(b, 0, sizeof(*b));
	}
	return ret;
}

int vouch_bundle_verify(const struct vouch_bundle *b, const struct vouch_sig *sig,
                        const uint8_t *data, const struct vouch_pubkey *pk)
{
	uint8_t hash[VOUCH_BLAKE2B512_LEN];
	int ret;

	if (sig->alg != VOUCH_SIG_PREHASHED)
		return VOUCH_E_ALG;
	ret = vouch_blake2b(data, b->payload_len, hash, sizeof(hash));
	if (ret)
		return ret;
	return vouch_sig_verify(sig, pk, hash, sizeof(hash));
}

void vouch_bundle_entry(const struct vouch_bundle *b, uint64_t i, struct vouch_trust_entry *e)
{
	const uint8_t *p = b->entries + (size_t)i * VOUCH_BUNDLE_ENTRY_LEN;

	memcpy(e->sha256, p, VOUCH_SHA256_LEN);
	vouch_trust_rec_decode(p + VOUCH_SHA256_LEN, &e->rec);
}

int vouch_entries_find(const uint8_t *table, uint64_t lo, uint64_t hi, const uint8_t *sha256,
                       struct vouch_trust_rec *rec)
{
	/* Invariant: the entry, if present, lies in [lo, hi). */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		const uint8_t *p = table + (size_t)mid * VOUCH_BUNDLE_ENTRY_LEN;
		int c = memcmp(sha256, p, VOUCH_SHA256_LEN);

		if (c == 0) {
			vouch_trust_rec_decode(p + VOUCH_SHA256_LEN, rec);
			return 0;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return VOUCH_E_NOTFOUND;
}

int vouch_bundle_lookup(const struct vouch_bundle *b, const uint8_t sha256[static 32],
                        struct vouch_trust_rec *rec)
{
	return vouch_entries_find(b->entries, 0, b->nentries, sha256, rec);
}

void vouch_bundle_free(struct vouch_bundle *b)
{
	if (!b)
		return;
	vouch_cpolicy_free(&b->policy);
	memset(b, 0, sizeof(*b));
}
