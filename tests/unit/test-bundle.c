/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for signed policy bundles: round trip, tampering, strict parsing and lookup. */
#include <errno.h>
#include <stdint.h>

#include "test-util.h"
#include "vouch/bundle.h"

/* Offsets in a payload that the tests patch (see the layout in bundle.h). */
#define OFF_VERSION 8
#define OFF_HLEN    12
#define OFF_HEADER  16
/* Within the header: mode, gates, expires, compiled, message, source_sha256, nstrings. */
#define H_MODE     0
#define H_GATES    1
#define H_EXPIRES  5
#define H_MESSAGE  21
#define H_NSTRINGS 57

static const char *const test_strings[] = {
    "this program is blocked", /* 0: deny message */
    "vetted by IT",            /* 1: allow note */
    "alice",                   /* 2: signer name */
    "manifests/base.txt",      /* 3: manifest path */
    "ask the help desk",       /* 4: default message */
};
#define NSTRINGS 5

static void rng_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(rng() >> 32);
}

/* A compiled policy using every table, owned as vouch_cpolicy_free() expects. */
static void make_policy(struct vouch_cpolicy *cp)
{
	memset(cp, 0, sizeof(*cp));
	cp->mode = VOUCH_MODE_ENFORCE;
	cp->gates = VOUCH_GATE_DEFAULT;
	cp->expires = 2000000000;
	cp->compiled = 1700000000;
	cp->message = 4;
	for (int i = 0; i < VOUCH_SHA256_LEN; i++)
		cp->source_sha256[i] = (uint8_t)(0xa0 + i);
	cp->nstrings = NSTRINGS;
	cp->strings = calloc(NSTRINGS, sizeof(char *));
	assert_non_null(cp->strings);
	for (int i = 0; i < NSTRINGS; i++) {
		cp->strings[i] = strdup(test_strings[i]);
		assert_non_null(cp->strings[i]);
	}
	cp->nsigners = 1;
	cp->signers = calloc(1, sizeof(*cp->signers));
	assert_non_null(cp->signers);
	cp->signers[0].name = 2;
	memset(cp->signers[0].key.keyid, 0x11, VOUCH_KEYID_LEN);
	memset(cp->signers[0].key.pk, 0x22, VOUCH_PK_LEN);
	cp->nmanifests = 1;
	cp->manifests = calloc(1, sizeof(*cp->manifests));
	assert_non_null(cp->manifests);
	cp->manifests[0].path = 3;
	cp->manifests[0].signer = 0;
	memset(cp->manifests[0].sha256, 0x33, VOUCH_SHA256_LEN);
	cp->manifests[0].entries = 12345;
	cp->source = strdup("mode enforce\nsigner alice RWQ...\n");
	assert_non_null(cp->source);
}

static int cmp_entry(const void *a, const void *b)
{
	return memcmp(((const struct vouch_trust_entry *)a)->sha256,
	              ((const struct vouch_trust_entry *)b)->sha256, VOUCH_SHA256_LEN);
}

/* A valid record of each kind in turn: every flag combination and both message states. */
static void make_rec(uint64_t i, struct vouch_trust_rec *r)
{
	r->flags = (uint32_t)(i % 7) + 1;
	r->deny_msg = r->flags & VOUCH_TRUST_DENY ? (i % 2 ? 0 : VOUCH_NONE) : VOUCH_NONE;
	r->allow_msg = r->flags & VOUCH_TRUST_ALLOW ? (i % 3 ? 1 : VOUCH_NONE) : VOUCH_NONE;
	r->manifest = r->flags & VOUCH_TRUST_MANIFEST ? 0 : VOUCH_NONE;
}

/* @n entries with random, sorted, unique hashes. */
static struct vouch_trust_entry *make_entries(uint64_t n, uint64_t seed)
{
	struct vouch_trust_entry *e = calloc(n ? n : 1, sizeof(*e));

	assert_non_null(e);
	rng_state = seed;
	for (uint64_t i = 0; i < n; i++)
		rng_bytes(e[i].sha256, VOUCH_SHA256_LEN);
	qsort(e, n, sizeof(*e), cmp_entry);
	for (uint64_t i = 1; i < n; i++)
		assert_true(memcmp(e[i - 1].sha256, e[i].sha256, VOUCH_SHA256_LEN) < 0);
	for (uint64_t i = 0; i < n; i++)
		make_rec(i, &e[i].rec);
	return e;
}

static struct vouch_seckey test_sk;
static struct vouch_pubkey test_pk;

static int keys_setup(void **state)
{
	(void)state;
	return test_keypair_generate(&test_sk, &test_pk);
}

/* Serialize and seal: the sealed bundle, and the payload length. */
static uint8_t *make_bundle(const struct vouch_cpolicy *cp, const struct vouch_trust_entry *e,
                            uint64_t n, size_t *len, size_t *payload_len)
{
	uint8_t *buf = NULL;

	assert_err(vouch_bundle_serialize(cp, e, n, &buf, len), 0);
	if (payload_len)
		*payload_len = *len;
	assert_err(test_bundle_seal(&buf, len, &test_sk, "policy test"), 0);
	return buf;
}

/* Parse in a buffer of exactly @len bytes so that ASan sees any read past the end. */
static int parse_exact(const uint8_t *data, size_t len)
{
	struct vouch_bundle b;
	struct vouch_sig sig;
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	if (len)
		memcpy(copy, data, len);
	ret = vouch_bundle_parse(&b, &sig, copy, len);
	if (ret == 0)
		ret = vouch_bundle_verify(&b, &sig, copy, &test_pk);
	vouch_bundle_free(&b);
	free(copy);
	return ret;
}

/* Reseal a patched payload, so that only the parser's own rules can refuse it. */
static int parse_patched(uint8_t *payload, size_t plen)
{
	uint8_t *buf = malloc(plen);
	size_t len = plen;
	int ret;

	assert_non_null(buf);
	memcpy(buf, payload, plen);
	assert_err(test_bundle_seal(&buf, &len, &test_sk, "patched"), 0);
	ret = parse_exact(buf, len);
	free(buf);
	return ret;
}

static void assert_policy_equal(const struct vouch_cpolicy *a, const struct vouch_cpolicy *b)
{
	assert_int_equal(a->mode, b->mode);
	assert_int_equal(a->gates, b->gates);
	assert_int_equal(a->expires, b->expires);
	assert_int_equal(a->compiled, b->compiled);
	assert_int_equal(a->max_size, b->max_size);
	assert_int_equal(a->update_every, b->update_every);
	assert_int_equal(a->message, b->message);
	assert_memory_equal(a->source_sha256, b->source_sha256, VOUCH_SHA256_LEN);
	assert_int_equal(a->nstrings, b->nstrings);
	for (uint32_t i = 0; i < a->nstrings; i++)
		assert_string_equal(a->strings[i], b->strings[i]);
	assert_int_equal(a->nsigners, b->nsigners);
	for (uint32_t i = 0; i < a->nsigners; i++) {
		assert_int_equal(a->signers[i].name, b->signers[i].name);
		assert_memory_equal(&a->signers[i].key, &b->signers[i].key,
		                    sizeof(struct vouch_pubkey));
	}
	assert_int_equal(a->nmanifests, b->nmanifests);
	for (uint32_t i = 0; i < a->nmanifests; i++) {
		assert_int_equal(a->manifests[i].path, b->manifests[i].path);
		assert_int_equal(a->manifests[i].signer, b->manifests[i].signer);
		assert_memory_equal(a->manifests[i].sha256, b->manifests[i].sha256,
		                    VOUCH_SHA256_LEN);
		assert_int_equal(a->manifests[i].entries, b->manifests[i].entries);
	}
	assert_string_equal(a->source ? a->source : "", b->source ? b->source : "");
}

static void round_trip(void **state)
{
	struct vouch_cpolicy cp;
	struct vouch_trust_entry *e = make_entries(500, 1), got;
	struct vouch_bundle b;
	struct vouch_sig sig;
	size_t len, plen;
	uint8_t *buf;

	(void)state;
	make_policy(&cp);
	buf = make_bundle(&cp, e, 500, &len, &plen);
	assert_memory_equal(buf, VOUCH_BUNDLE_MAGIC, 8);
	assert_memory_equal(buf + len - 8, VOUCH_BUNDLE_SIGMAGIC, 8);
	assert_err(vouch_bundle_parse(&b, &sig, buf, len), 0);
	assert_err(vouch_bundle_verify(&b, &sig, buf, &test_pk), 0);
	assert_int_equal(b.payload_len, plen);
	assert_int_equal(b.nentries, 500);
	assert_int_equal(sig.alg, VOUCH_SIG_PREHASHED);
	assert_string_equal(sig.trusted, "policy test");
	assert_string_equal(sig.untrusted, "vouch policy bundle");
	assert_policy_equal(&cp, &b.policy);
	/* Entries are referenced in place, not copied. */
	assert_true(b.entries > buf && b.entries < buf + len);
	for (uint64_t i = 0; i < b.nentries; i++) {
		vouch_bundle_entry(&b, i, &got);
		assert_memory_equal(got.sha256, e[i].sha256, VOUCH_SHA256_LEN);
		assert_memory_equal(&got.rec, &e[i].rec, sizeof(got.rec));
	}
	vouch_bundle_free(&b);
	vouch_bundle_free(&b); /* harmless twice */
	vouch_cpolicy_free(&cp);
	free(buf);
	free(e);
}

static void empty_bundle(void **state)
{
	struct vouch_cpolicy cp = {.message = VOUCH_NONE};
	struct vouch_trust_rec rec;
	struct vouch_bundle b;
	struct vouch_sig sig;
	uint8_t key[32] = {0};
	size_t len;
	uint8_t *buf;

	(void)state;
	buf = make_bundle(&cp, NULL, 0, &len, NULL);
	assert_err(vouch_bundle_parse(&b, &sig, buf, len), 0);
	assert_err(vouch_bundle_verify(&b, &sig, buf, &test_pk), 0);
	assert_int_equal(b.nentries, 0);
	assert_int_equal(b.policy.nstrings, 0);
	assert_non_null(b.policy.source); /* parse always gives a string */
	assert_string_equal(b.policy.source, "");
	assert_err(vouch_bundle_lookup(&b, key, &rec), VOUCH_E_NOTFOUND);
	vouch_bundle_free(&b);
	free(buf);
}

static void cpolicy_round_trip(void **state)
{
	struct vouch_cpolicy cp, got;
	uint8_t *a = NULL, *b = NULL;
	size_t alen, blen;

	(void)state;
	make_policy(&cp);
	assert_err(vouch_cpolicy_serialize(&cp, &a, &alen), 0);
	assert_err(vouch_cpolicy_parse(&got, a, alen), 0);
	assert_policy_equal(&cp, &got);
	assert_err(vouch_cpolicy_serialize(&got, &b, &blen), 0);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	assert_string_equal(vouch_cpolicy_string(&got, 0), test_strings[0]);
	assert_string_equal(vouch_cpolicy_string(&got, 4), test_strings[4]);
	assert_null(vouch_cpolicy_string(&got, 5));
	assert_null(vouch_cpolicy_string(&got, VOUCH_NONE));
	vouch_cpolicy_free(&got);
	assert_null(vouch_cpolicy_string(&got, 0));
	/* Every truncation and every extension is refused. */
	for (size_t i = 0; i < alen; i++) {
		assert_err(vouch_cpolicy_parse(&got, a, i), VOUCH_E_BUNDLE);
		assert_int_equal(got.nstrings, 0); /* left empty */
	}
	b = realloc(b, alen + 1);
	assert_non_null(b);
	memcpy(b, a, alen);
	b[alen] = 0;
	assert_err(vouch_cpolicy_parse(&got, b, alen + 1), VOUCH_E_BUNDLE);
	vouch_cpolicy_free(&got);
	/* max-size: present only when set, 8 bytes at the end, at least 1024. */
	cp.max_size = 5ull << 30;
	free(b);
	b = NULL;
	assert_err(vouch_cpolicy_serialize(&cp, &b, &blen), 0);
	assert_int_equal(blen, alen + 8);
	assert_memory_equal(a, b, alen);
	assert_err(vouch_cpolicy_parse(&got, b, blen), 0);
	assert_int_equal(got.max_size, 5ull << 30);
	vouch_cpolicy_free(&got);
	for (size_t i = alen + 1; i < blen; i++)
		assert_err(vouch_cpolicy_parse(&got, b, i), VOUCH_E_BUNDLE);
	memset(b + alen, 0, 8);
	b[blen - 1] = 0xff; /* 255 bytes: below 1024 */
	assert_err(vouch_cpolicy_parse(&got, b, blen), VOUCH_E_BUNDLE);
	cp.max_size = 1000;
	free(b);
	b = NULL;
	assert_err(vouch_cpolicy_serialize(&cp, &b, &blen), VOUCH_E_BUNDLE);
	/* update-every: 16 bytes at the end, max-size (0: the default) and the seconds. */
	cp.max_size = 0;
	cp.update_every = 180 * 86400;
	assert_err(vouch_cpolicy_serialize(&cp, &b, &blen), 0);
	assert_int_equal(blen, alen + 16);
	assert_memory_equal(a, b, alen);
	assert_err(vouch_cpolicy_parse(&got, b, blen), 0);
	assert_int_equal(got.max_size, 0);
	assert_int_equal(got.update_every, 180 * 86400);
	vouch_cpolicy_free(&got);
	for (size_t i = alen + 1; i < blen; i++)
		if (i != alen + 8)
			assert_err(vouch_cpolicy_parse(&got, b, i), VOUCH_E_BUNDLE);
	/* Its first 8 bytes alone are max-size 0: not a spelling of anything. */
	assert_err(vouch_cpolicy_parse(&got, b, alen + 8), VOUCH_E_BUNDLE);
	b[blen - 1] = 0; /* 180 days less 128 s: still an hour or more */
	b[blen - 2] = 0;
	assert_err(vouch_cpolicy_parse(&got, b, blen), 0);
	vouch_cpolicy_free(&got);
	memset(b + blen - 8, 0, 8); /* update-every 0 in the long form: a second spelling */
	assert_err(vouch_cpolicy_parse(&got, b, blen), VOUCH_E_BUNDLE);
	b[blen - 1] = 60; /* a minute: below the least */
	assert_err(vouch_cpolicy_parse(&got, b, blen), VOUCH_E_BUNDLE);
	memset(b + blen - 8, 0xff, 8); /* past ten years (and negative as an i64) */
	assert_err(vouch_cpolicy_parse(&got, b, blen), VOUCH_E_BUNDLE);
	memset(b + blen - 16, 0, 16);
	b[blen - 1] = 0x10;
	b[blen - 2] = 0x0e; /* 3600 s */
	b[blen - 9] = 5;    /* max-size 5: below 1 KiB */
	assert_err(vouch_cpolicy_parse(&got, b, blen), VOUCH_E_BUNDLE);
	b[blen - 9] = 0;
	assert_err(vouch_cpolicy_parse(&got, b, blen), 0);
	assert_int_equal(got.update_every, 3600);
	vouch_cpolicy_free(&got);
	free(b);
	b = NULL;
	cp.update_every = 60;
	assert_err(vouch_cpolicy_serialize(&cp, &b, &blen), VOUCH_E_BUNDLE);
	cp.update_every = 0;
	vouch_cpolicy_free(&cp);
	vouch_cpolicy_free(NULL);
	free(a);
	free(b);
}

/*
 * Every single-byte change of a small bundle is refused by parse or by verify:
 * the payload, the signature, the trusted comment, the trailer's framing. Only
 * the untrusted comment's text is unsigned (as in minisign).
 */
static void tamper_every_byte(void **state)
{
	struct vouch_cpolicy cp;
	struct vouch_trust_entry *e = make_entries(3, 2);
	size_t len, plen, parsed = 0, ustart, uend;
	uint8_t *buf;

	(void)state;
	make_policy(&cp);
	buf = make_bundle(&cp, e, 3, &len, &plen);
	assert_err(parse_exact(buf, len), 0);
	/* "untrusted comment: " then the text, at the start of the trailer. */
	ustart = plen + 19;
	uend = ustart + strlen("vouch policy bundle");
	assert_memory_equal(buf + ustart, "vouch policy bundle\n", 20);
	for (size_t i = 0; i < len; i++) {
		static const uint8_t masks[] = {0x01, 0x80, 0xff};

		for (size_t m = 0; m < sizeof(masks); m++) {
			struct vouch_bundle b;
			struct vouch_sig sig;
			int ret;

			buf[i] ^= masks[m];
			ret = vouch_bundle_parse(&b, &sig, buf, len);
			if (ret == 0) {
				parsed++;
				ret = vouch_bundle_verify(&b, &sig, buf, &test_pk);
				if (ret == 0 && (i < ustart || i >= uend))
					fail_msg("byte %zu of %zu (payload %zu) ^ 0x%02x verified",
					         i, len, plen, masks[m]);
				/* The key id sits in the signature line too. */
				if (ret != 0 && ret != VOUCH_E_BADSIG &&
				    ret != VOUCH_E_BADCOMMENT && ret != VOUCH_E_WRONGKEY)
					fail_msg("byte %zu: %s", i, vouch_strerror(ret));
			}
			vouch_bundle_free(&b);
			buf[i] ^= masks[m];
		}
	}
	/* Changes the parser cannot see (hashes, times, text) were caught by the signature. */
	assert_true(parsed > 3 * 32);
	assert_err(parse_exact(buf, len), 0);
	vouch_cpolicy_free(&cp);
	free(buf);
	free(e);
}

static void wrong_key(void **state)
{
	struct vouch_cpolicy cp;
	struct vouch_trust_entry *e = make_entries(10, 3);
	struct vouch_seckey sk2;
	struct vouch_pubkey pk2;
	struct vouch_bundle b;
	struct vouch_sig sig;
	size_t len;
	uint8_t *buf;

	(void)state;
	make_policy(&cp);
	buf = make_bundle(&cp, e, 10, &len, NULL);
	assert_err(test_keypair_generate(&sk2, &pk2), 0);
	assert_err(vouch_bundle_parse(&b, &sig, buf, len), 0);
	assert_err(vouch_bundle_verify(&b, &sig, buf, &pk2), VOUCH_E_WRONGKEY);
	/* Another key claiming this key's id. */
	memcpy(pk2.keyid, test_pk.keyid, VOUCH_KEYID_LEN);
	assert_err(vouch_bundle_verify(&b, &sig, buf, &pk2), VOUCH_E_BADSIG);
	assert_err(vouch_bundle_verify(&b, &sig, buf, &test_pk), 0);
	vouch_bundle_free(&b);
	vouch_wipe(&sk2, sizeof(sk2));
	vouch_cpolicy_free(&cp);
	free(buf);
	free(e);
}

static void truncated_everywhere(void **state)
{
	struct vouch_cpolicy cp;
	struct vouch_trust_entry *e = make_entries(4, 4);
	size_t len, plen;
	uint8_t *buf;

	(void)state;
	make_policy(&cp);
	buf = make_bundle(&cp, e, 4, &len, &plen);
	for (size_t i = 0; i < len; i++) {
		int ret = parse_exact(buf, i);

		if (ret == 0)
			fail_msg("bundle truncated to %zu of %zu bytes accepted", i, len);
		if (i == plen)
			assert_err(ret, VOUCH_E_UNSIGNED);
	}
	assert_err(parse_exact(buf, len), 0);
	vouch_cpolicy_free(&cp);
	free(buf);
	free(e);
}

/* The 32-byte big-endian number @k plus one; false if it wrapped. */
static bool increment(uint8_t k[32])
{
	for (int i = 31; i >= 0; i--)
		if (++k[i] != 0)
			return true;
	return false;
}

static void decrement(uint8_t k[32])
{
	for (int i = 31; i >= 0; i--)
		if (k[i]-- != 0)
			return;
}

static void unsorted_refused(void **state)
{
	struct vouch_cpolicy cp;
	struct vouch_trust_entry *e = make_entries(5, 5), t;
	uint8_t *buf = NULL, tmp[VOUCH_BUNDLE_ENTRY_LEN];
	size_t len, plen, ent;

	(void)state;
	make_policy(&cp);
	buf = make_bundle(&cp, e, 5, &len, &plen);
	ent = plen - 5 * VOUCH_BUNDLE_ENTRY_LEN;
	free(buf);
	buf = NULL;

	/* serialize: swapped, duplicated. */
	t = e[1];
	e[1] = e[2];
	e[2] = t;
	assert_err(vouch_bundle_serialize(&cp, e, 5, &buf, &len), VOUCH_E_BUNDLE);
	e[2] = e[1];
	assert_err(vouch_bundle_serialize(&cp, e, 5, &buf, &len), VOUCH_E_BUNDLE);
	assert_null(buf);
	free(e);

	/* parse: the same, patched into a valid payload and signed again. */
	e = make_entries(5, 5);
	assert_err(vouch_bundle_serialize(&cp, e, 5, &buf, &len), 0);
	memcpy(tmp, buf + ent + VOUCH_BUNDLE_ENTRY_LEN, sizeof(tmp));
	memcpy(buf + ent + VOUCH_BUNDLE_ENTRY_LEN, buf + ent + 2 * VOUCH_BUNDLE_ENTRY_LEN,
	       sizeof(tmp));
	memcpy(buf + ent + 2 * VOUCH_BUNDLE_ENTRY_LEN, tmp, sizeof(tmp));
	assert_err(parse_patched(buf, len), VOUCH_E_BUNDLE);
	memcpy(buf + ent + 2 * VOUCH_BUNDLE_ENTRY_LEN, buf + ent + VOUCH_BUNDLE_ENTRY_LEN,
	       sizeof(tmp));
	assert_err(parse_patched(buf, len), VOUCH_E_BUNDLE);
	/* One less than its predecessor: out of order by the smallest step. */
	memcpy(buf + ent + 2 * VOUCH_BUNDLE_ENTRY_LEN, buf + ent + VOUCH_BUNDLE_ENTRY_LEN,
	       sizeof(tmp));
	decrement(buf + ent + 2 * VOUCH_BUNDLE_ENTRY_LEN);
	assert_err(parse_patched(buf, len), VOUCH_E_BUNDLE);
	/* And one more: in order again, accepted. */
	increment(buf + ent + 2 * VOUCH_BUNDLE_ENTRY_LEN);
	increment(buf + ent + 2 * VOUCH_BUNDLE_ENTRY_LEN);
	if (memcmp(buf + ent + 2 * VOUCH_BUNDLE_ENTRY_LEN, buf + ent + 3 * VOUCH_BUNDLE_ENTRY_LEN,
	           32) < 0)
		assert_err(parse_patched(buf, len), 0);
	vouch_cpolicy_free(&cp);
	free(buf);
	free(e);
}

/* Records that serialize refuses, each one rule of vouch_trust_rec_check(). */
static const struct vouch_trust_rec bad_recs[] = {
    {0, VOUCH_NONE, VOUCH_NONE, VOUCH_NONE},                    /* no flag */
    {8, VOUCH_NONE, VOUCH_NONE, VOUCH_NONE},                    /* unknown flag */
    {0x80000001u, VOUCH_NONE, VOUCH_NONE, VOUCH_NONE},          /* unknown high flag */
    {VOUCH_TRUST_DENY, NSTRINGS, VOUCH_NONE, VOUCH_NONE},       /* deny_msg out of range */
    {VOUCH_TRUST_ALLOW, 0, VOUCH_NONE, VOUCH_NONE},             /* deny_msg without deny */
    {VOUCH_TRUST_ALLOW, VOUCH_NONE, NSTRINGS, VOUCH_NONE},      /* allow_msg out of range */
    {VOUCH_TRUST_DENY, VOUCH_NONE, 1, VOUCH_NONE},              /* allow_msg without allow */
    {VOUCH_TRUST_MANIFEST, VOUCH_NONE, VOUCH_NONE, 1},          /* manifest out of range */
    {VOUCH_TRUST_MANIFEST, VOUCH_NONE, VOUCH_NONE, VOUCH_NONE}, /* manifest flag, none */
    {VOUCH_TRUST_DENY, VOUCH_NONE, VOUCH_NONE, 0},              /* manifest without flag */
    {VOUCH_TRUST_DENY, 0xfffffffeu, VOUCH_NONE, VOUCH_NONE},    /* far out of range */
};

static void bad_records(void **state)
{
	struct vouch_cpolicy cp;
	struct vouch_trust_entry *e = make_entries(3, 6);
	uint8_t *buf = NULL, *good = NULL;
	size_t len, glen, ent;

	(void)state;
	make_policy(&cp);
	assert_err(vouch_bundle_serialize(&cp, e, 3, &good, &glen), 0);
	ent = glen - 3 * VOUCH_BUNDLE_ENTRY_LEN;
	for (size_t i = 0; i < sizeof(bad_recs) / sizeof(bad_recs[0]); i++) {
		struct vouch_trust_entry saved = e[1];
		const struct vouch_trust_rec *r = &bad_recs[i];
		uint8_t *p;

		assert_err(vouch_trust_rec_check(&cp, r), VOUCH_E_BUNDLE);
		e[1].rec = *r;
		assert_err(vouch_bundle_serialize(&cp, e, 3, &buf, &len), VOUCH_E_BUNDLE);
		e[1] = saved;
		/* The same record patched into a signed bundle. */
		p = good + ent + VOUCH_BUNDLE_ENTRY_LEN + VOUCH_SHA256_LEN;
		for (int f = 0; f < 4; f++) {
			uint32_t v = f == 0   ? r->flags
			             : f == 1 ? r->deny_msg
			             : f == 2 ? r->allow_msg
			                      : r->manifest;

			p[4 * f] = (uint8_t)(v >> 24);
			p[4 * f + 1] = (uint8_t)(v >> 16);
			p[4 * f + 2] = (uint8_t)(v >> 8);
			p[4 * f + 3] = (uint8_t)v;
		}
		if (parse_patched(good, glen) != VOUCH_E_BUNDLE)
			fail_msg("bad record %zu accepted by parse", i);
		free(good);
		assert_err(vouch_bundle_serialize(&cp, e, 3, &good, &glen), 0);
	}
	assert_err(parse_patched(good, glen), 0);
	/* A message index is fine as VOUCH_NONE or in range, with its flag. */
	{
		struct vouch_trust_rec ok = {VOUCH_TRUST_DENY | VOUCH_TRUST_ALLOW, 4, VOUCH_NONE,
		                             VOUCH_NONE};

		assert_err(vouch_trust_rec_check(&cp, &ok), 0);
	}
	vouch_cpolicy_free(&cp);
	free(good);
	free(e);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Header fields out of range, patched into a payload: parse refuses each. */
static void bad_header(void **state)
{
	struct vouch_cpolicy cp;
	uint8_t *good = NULL, *buf;
	size_t glen, sig_off, man_off, src_off;

	(void)state;
	make_policy(&cp);
	assert_err(vouch_bundle_serialize(&cp, NULL, 0, &good, &glen), 0);
	/* Where the tables sit, from the known string lengths. */
	sig_off = OFF_HEADER + H_NSTRINGS + 4;
	for (int i = 0; i < NSTRINGS; i++)
		sig_off += 4 + strlen(test_strings[i]);
	sig_off += 4; /* nsigners */
	man_off = sig_off + 44 + 4;
	src_off = man_off + 48;
	buf = malloc(glen);
	assert_non_null(buf);

#define PATCH(stmt, want)                                                                          \
	do {                                                                                       \
		memcpy(buf, good, glen);                                                           \
		stmt;                                                                              \
		assert_err(parse_patched(buf, glen), (want));                                      \
	} while (0)

	PATCH((void)0, 0);
	PATCH(buf[0] = 'X', VOUCH_E_BUNDLE);
	PATCH(put32(buf + OFF_VERSION, 2), VOUCH_E_BUNDLE);
	PATCH(put32(buf + OFF_HLEN, (uint32_t)(glen)), VOUCH_E_BUNDLE);
	PATCH(put32(buf + OFF_HLEN, 0xffffffffu), VOUCH_E_BUNDLE);
	PATCH(buf[OFF_HEADER + H_MODE] = 2, VOUCH_E_BUNDLE);
	PATCH(buf[OFF_HEADER + H_GATES + 3] = 0x10, VOUCH_E_BUNDLE);
	PATCH(buf[OFF_HEADER + H_EXPIRES] = 0x80, VOUCH_E_BUNDLE); /* negative time */
	PATCH(put32(buf + OFF_HEADER + H_MESSAGE, NSTRINGS), VOUCH_E_BUNDLE);
	PATCH(put32(buf + OFF_HEADER + H_MESSAGE, VOUCH_NONE), 0);
	/* A string count beyond what the bytes could hold: refused before allocating. */
	PATCH(put32(buf + OFF_HEADER + H_NSTRINGS, 0xfffffffeu), VOUCH_E_BUNDLE);
	PATCH(put32(buf + OFF_HEADER + H_NSTRINGS, VOUCH_NONE), VOUCH_E_BUNDLE);
	PATCH(put32(buf + OFF_HEADER + H_NSTRINGS + 4, 0xfffffff0u), VOUCH_E_BUNDLE);
	PATCH(buf[OFF_HEADER + H_NSTRINGS + 8] = 0, VOUCH_E_BUNDLE); /* NUL in a string */
	PATCH(put32(buf + sig_off - 4, 0x10000000u), VOUCH_E_BUNDLE);
	PATCH(put32(buf + sig_off, NSTRINGS), VOUCH_E_BUNDLE); /* signer name */
	PATCH(put32(buf + sig_off, VOUCH_NONE), VOUCH_E_BUNDLE);
	PATCH(put32(buf + man_off - 4, 2), VOUCH_E_BUNDLE);    /* nmanifests */
	PATCH(put32(buf + man_off, NSTRINGS), VOUCH_E_BUNDLE); /* manifest path */
	PATCH(put32(buf + man_off + 4, 1), VOUCH_E_BUNDLE);    /* manifest signer */
	PATCH(put32(buf + src_off, 0xffffffffu), VOUCH_E_BUNDLE);
	PATCH(buf[src_off + 4] = 0, VOUCH_E_BUNDLE); /* NUL in the source */
	/* The entry count must match the bytes exactly. */
	PATCH(buf[glen - 1] = 1, VOUCH_E_BUNDLE);
	PATCH(buf[glen - 8] = 0x80, VOUCH_E_BUNDLE);
#undef PATCH

	/* serialize applies the same rules. */
	{
		uint8_t *out = NULL;
		size_t olen;
		struct vouch_cpolicy c2;

		make_policy(&c2);
		c2.mode = 2;
		assert_err(vouch_cpolicy_serialize(&c2, &out, &olen), VOUCH_E_BUNDLE);
		c2.mode = VOUCH_MODE_MONITOR;
		c2.gates = 1u << 4;
		assert_err(vouch_cpolicy_serialize(&c2, &out, &olen), VOUCH_E_BUNDLE);
		c2.gates = 0;
		c2.expires = -1;
		assert_err(vouch_cpolicy_serialize(&c2, &out, &olen), VOUCH_E_BUNDLE);
		c2.expires = 0;
		c2.message = NSTRINGS;
		assert_err(vouch_cpolicy_serialize(&c2, &out, &olen), VOUCH_E_BUNDLE);
		c2.message = VOUCH_NONE;
		c2.signers[0].name = NSTRINGS;
		assert_err(vouch_cpolicy_serialize(&c2, &out, &olen), VOUCH_E_BUNDLE);
		c2.signers[0].name = 0;
		c2.manifests[0].signer = 1;
		assert_err(vouch_cpolicy_serialize(&c2, &out, &olen), VOUCH_E_BUNDLE);
		c2.manifests[0].signer = 0;
		c2.manifests[0].path = VOUCH_NONE;
		assert_err(vouch_cpolicy_serialize(&c2, &out, &olen), VOUCH_E_BUNDLE);
		c2.manifests[0].path = 0;
		free(c2.strings[0]);
		c2.strings[0] = malloc(VOUCH_BUNDLE_STRING_MAX + 2);
		assert_non_null(c2.strings[0]);
		memset(c2.strings[0], 'a', VOUCH_BUNDLE_STRING_MAX + 1);
		c2.strings[0][VOUCH_BUNDLE_STRING_MAX + 1] = '\0';
		assert_err(vouch_cpolicy_serialize(&c2, &out, &olen), VOUCH_E_BUNDLE);
		c2.strings[0][VOUCH_BUNDLE_STRING_MAX] = '\0';
		assert_err(vouch_cpolicy_serialize(&c2, &out, &olen), 0);
		free(out);
		vouch_cpolicy_free(&c2);
	}
	vouch_cpolicy_free(&cp);
	free(good);
	free(buf);
}

static void trailer(void **state)
{
	struct vouch_cpolicy cp;
	struct vouch_trust_entry *e = make_entries(2, 7);
	uint8_t *payload = NULL, *buf, hash[64];
	struct vouch_sig sig;
	char text[VOUCH_SIGFILE_MAX];
	size_t plen, len, tlen;

	(void)state;
	make_policy(&cp);
	assert_err(vouch_bundle_serialize(&cp, e, 2, &payload, &plen), 0);
	assert_err(parse_exact(payload, plen), VOUCH_E_UNSIGNED);
	buf = malloc(plen + 20000);
	assert_non_null(buf);
	memcpy(buf, payload, plen);

	/* Junk after the payload, a short trailer, a wrong length, a wrong magic. */
	memcpy(buf + plen, "VOUCHSIG", 8);
	assert_err(parse_exact(buf, plen + 8), VOUCH_E_BUNDLE);
	put32(buf + plen, 0);
	memcpy(buf + plen + 4, "VOUCHSIG", 8);
	assert_err(parse_exact(buf, plen + 12), VOUCH_E_EMPTY);

	/* A well-formed trailer... */
	assert_err(vouch_blake2b(payload, plen, hash, 64), 0);
	assert_err(test_sig_sign(&sig, &test_sk, VOUCH_SIG_PREHASHED, hash, 64, "u", "t"), 0);
	assert_err(vouch_sig_format(&sig, text, sizeof(text), &tlen), 0);
	memcpy(buf + plen, text, tlen);
	put32(buf + plen + tlen, (uint32_t)tlen);
	memcpy(buf + plen + tlen + 4, "VOUCHSIG", 8);
	len = plen + tlen + 12;
	assert_err(parse_exact(buf, len), 0);
	/* ...with its length off by one either way, its magic changed, or one byte more. */
	put32(buf + plen + tlen, (uint32_t)tlen + 1);
	assert_err(parse_exact(buf, len), VOUCH_E_BUNDLE);
	put32(buf + plen + tlen, (uint32_t)tlen - 1);
	assert_err(parse_exact(buf, len), VOUCH_E_BUNDLE);
	put32(buf + plen + tlen, (uint32_t)tlen);
	buf[len - 1] = 'g';
	assert_err(parse_exact(buf, len), VOUCH_E_BUNDLE);
	buf[len - 1] = 'G';
	buf[len] = 0;
	assert_err(parse_exact(buf, len + 1), VOUCH_E_BUNDLE);

	/* The same signature written another way (CRLF; a byte base64 decoders may accept). */
	{
		char *crlf = malloc(tlen + 8), *slash;
		size_t cl = 0;

		assert_non_null(crlf);
		for (size_t i = 0; i < tlen; i++) {
			if (text[i] == '\n')
				crlf[cl++] = '\r';
			crlf[cl++] = text[i];
		}
		memcpy(buf + plen, crlf, cl);
		put32(buf + plen + cl, (uint32_t)cl);
		memcpy(buf + plen + cl + 4, "VOUCHSIG", 8);
		assert_err(parse_exact(buf, plen + cl + 12), VOUCH_E_BUNDLE);
		/* Without the last newline. */
		memcpy(buf + plen, text, tlen - 1);
		put32(buf + plen + tlen - 1, (uint32_t)tlen - 1);
		memcpy(buf + plen + tlen + 3, "VOUCHSIG", 8);
		assert_err(parse_exact(buf, plen + tlen + 11), VOUCH_E_BUNDLE);
		/* libsodium 1.0.18 decodes any byte >= 0x80 as '/'. */
		slash = memchr(text, '/', tlen);
		if (slash) {
			memcpy(buf + plen, text, tlen);
			buf[plen + (size_t)(slash - text)] = (uint8_t)('/' | 0x80);
			put32(buf + plen + tlen, (uint32_t)tlen);
			memcpy(buf + plen + tlen + 4, "VOUCHSIG", 8);
			assert_int_not_equal(parse_exact(buf, plen + tlen + 12), 0);
		}
		free(crlf);
	}

	/* Legacy ("Ed") signatures are not accepted for bundles. */
	assert_err(test_sig_sign(&sig, &test_sk, VOUCH_SIG_LEGACY, payload, plen, "u", "t"), 0);
	assert_err(vouch_sig_format(&sig, text, sizeof(text), &tlen), 0);
	memcpy(buf + plen, text, tlen);
	put32(buf + plen + tlen, (uint32_t)tlen);
	memcpy(buf + plen + tlen + 4, "VOUCHSIG", 8);
	assert_err(parse_exact(buf, plen + tlen + 12), VOUCH_E_ALG);

	/* Seal checks its comment; a bundle too big to parse is refused before reading. */
	{
		uint8_t *p2 = malloc(plen);
		size_t l2 = plen;
		struct vouch_bundle b;

		assert_non_null(p2);
		memcpy(p2, payload, plen);
		assert_err(test_bundle_seal(&p2, &l2, &test_sk, "bad\ncomment"), VOUCH_E_CONTROL);
		assert_int_equal(l2, plen);
		assert_err(test_bundle_seal(&p2, &l2, &test_sk, NULL), 0);
		assert_err(parse_exact(p2, l2), 0);
		assert_err(vouch_bundle_parse(&b, &sig, p2, VOUCH_BUNDLE_MAX + 1), VOUCH_E_TOOBIG);
		free(p2);
	}
	vouch_cpolicy_free(&cp);
	free(payload);
	free(buf);
	free(e);
}

static void lookup(void **state)
{
	struct vouch_cpolicy cp;
	const uint64_t n = 2000;
	struct vouch_trust_entry *e = make_entries(n, 8);
	struct vouch_trust_rec rec;
	struct vouch_bundle b;
	struct vouch_sig sig;
	uint8_t key[32], *buf;
	size_t len, misses = 0;

	(void)state;
	make_policy(&cp);
	buf = make_bundle(&cp, e, n, &len, NULL);
	assert_err(vouch_bundle_parse(&b, &sig, buf, len), 0);
	for (uint64_t i = 0; i < n; i++) {
		memset(&rec, 0xee, sizeof(rec));
		assert_err(vouch_bundle_lookup(&b, e[i].sha256, &rec), 0);
		assert_memory_equal(&rec, &e[i].rec, sizeof(rec));
		/* Just above each entry: between it and the next, or past the last. */
		memcpy(key, e[i].sha256, 32);
		if (increment(key) && (i + 1 == n || memcmp(key, e[i + 1].sha256, 32) != 0)) {
			assert_err(vouch_bundle_lookup(&b, key, &rec), VOUCH_E_NOTFOUND);
			misses++;
		}
		/* A neighbour differing in the last bit. */
		memcpy(key, e[i].sha256, 32);
		key[31] ^= 1;
		if ((i == 0 || memcmp(key, e[i - 1].sha256, 32) != 0) &&
		    (i + 1 == n || memcmp(key, e[i + 1].sha256, 32) != 0))
			assert_err(vouch_bundle_lookup(&b, key, &rec), VOUCH_E_NOTFOUND);
	}
	assert_true(misses >= n - 1);
	memset(key, 0, 32); /* before the first */
	assert_true(memcmp(key, e[0].sha256, 32) < 0);
	assert_err(vouch_bundle_lookup(&b, key, &rec), VOUCH_E_NOTFOUND);
	memset(key, 0xff, 32); /* after the last */
	assert_true(memcmp(key, e[n - 1].sha256, 32) > 0);
	assert_err(vouch_bundle_lookup(&b, key, &rec), VOUCH_E_NOTFOUND);
	vouch_bundle_free(&b);

	/* One entry, and two: the edges of the search. */
	for (uint64_t m = 1; m <= 2; m++) {
		free(buf);
		buf = make_bundle(&cp, e, m, &len, NULL);
		assert_err(vouch_bundle_parse(&b, &sig, buf, len), 0);
		for (uint64_t i = 0; i < m; i++)
			assert_err(vouch_bundle_lookup(&b, e[i].sha256, &rec), 0);
		assert_err(vouch_bundle_lookup(&b, e[m].sha256, &rec), VOUCH_E_NOTFOUND);
		vouch_bundle_free(&b);
	}
	vouch_cpolicy_free(&cp);
	free(buf);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(round_trip),
	    cmocka_unit_test(empty_bundle),
	    cmocka_unit_test(cpolicy_round_trip),
	    cmocka_unit_test(tamper_every_byte),
	    cmocka_unit_test(wrong_key),
	    cmocka_unit_test(truncated_everywhere),
	    cmocka_unit_test(unsorted_refused),
	    cmocka_unit_test(bad_records),
	    cmocka_unit_test(bad_header),
	    cmocka_unit_test(trailer),
	    cmocka_unit_test(lookup),
	};

	return cmocka_run_group_tests(tests, keys_setup, NULL);
}
