/* SPDX-License-Identifier: Apache-2.0 */
/* Known-answer tests: minisign's (rust-minisign-verify) and signify's (regress/) public vectors. */
#include <openssl/evp.h>

#include "test-util.h"

/* jedisct1/rust-minisign-verify src/lib.rs tests (see /work/shared/VECTORS.md). */
static const char MS_PK_B64[] = "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3";
static const char MS_PK_FILE[] = "untrusted comment: minisign public key E7620F1842B4E81F\n"
                                 "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3\n";
static const char MS_SIG_LEGACY[] =
    "untrusted comment: signature from minisign secret key\n"
    "RWQf6LRCGA9i59SLOFxz6NxvASXDJeRtuZykwQepbDEGt87ig1BNpWaVWuNrm73YiIiJbq71Wi+dP9eKL8OC351vwIa"
    "sSSbXxwA=\n"
    "trusted comment: timestamp:1555779966\tfile:test\n"
    "QtKMXWyYcwdpZAlPF7tE2ENJkRd1ujvKjlj1m9RtHTBnZPa5WKU5uWRs5GoP5M/VqE81QFuMKI5k/SfNQUaOAA==\n";
static const char MS_SIG_PREHASHED[] =
    "untrusted comment: signature from minisign secret key\n"
    "RUQf6LRCGA9i559r3g7V1qNyJDApGip8MfqcadIgT9CuhV3EMhHoN1mGTkUidF/z7SrlQgXdy8ofjb7bNJJylDOocrC"
    "o8KLzZwo=\n"
    "trusted comment: timestamp:1556193335\tfile:test\n"
    "y/rUw2y8/hOUYjZU71eHp/Wo1KZ40fGy2VJEDl34XMJM+TX48Ss/17u3IvIfbVR1FkZZSNCisQbuQY+bHwhEBg==\n";
/* The crate's doc comment: the same signature line under another trusted comment. */
static const char MS_SIG_PREHASHED_DOC[] =
    "untrusted comment: signature from minisign secret key\n"
    "RUQf6LRCGA9i559r3g7V1qNyJDApGip8MfqcadIgT9CuhV3EMhHoN1mGTkUidF/z7SrlQgXdy8ofjb7bNJJylDOocrC"
    "o8KLzZwo=\n"
    "trusted comment: timestamp:1633700835\tfile:test\tprehashed\n"
    "wLMDjy9FLAuxZ3q4NlEvkgtyhrr0gtTu6KC4KBJdITbbOeAi1zBIYo0v4iTgt8jJpIidRJnp94ABQkJAgAooBQ==\n";

/* OpenBSD signify regress/ (regresskey.pub, regresskey.sec, orders.txt.sig). */
static const char SF_PUB[] = "untrusted comment: signify public key\n"
                             "RWTAeKJJ1MTF3YCo0ivtKH8kuiFWJuLpNoUmpDd6iTFYhn6/tRu5qKJe\n";
static const char SF_SEC_B64[] =
    "RWRCSwAAAAASS6/J8yiU/PaMmMhlV4zqjMh4FlqOsG3AeKJJ1MTF3UpTLTAaUkS15G97BU/C+X2UCcR2fNfG68/1NpK"
    "0bh0pgKjSK+0ofyS6IVYm4uk2hSakN3qJMViGfr+1G7mool4=";
static const char SF_SIG[] = "untrusted comment: signature from signify secret key\n"
                             "RWTAeKJJ1MTF3UpxzBCu6NaM6HPJNTj5CZ+M5XNJKNeEHBLQSsstzHGbSo8rPYNgw3Z9"
                             "8pN7WKiIwBIyRrKuIdKBRA6qlaci6wI=\n";
static const char ORDERS[] = "Attack at dawn!\n";
static const char FORGERY[] = "Attack at dusk!\n";

static void ms_pubkey(struct vouch_pubkey *pk)
{
	assert_err(vouch_pubkey_parse_base64(pk, MS_PK_B64, strlen(MS_PK_B64)), 0);
}

static void minisign_public_key(void **state)
{
	struct vouch_pubkey a, b;
	char id[17], out[256];
	size_t len = 0;

	(void)state;
	ms_pubkey(&a);
	assert_hex_equal(a.keyid, 8, "1fe8b442180f62e7");
	vouch_keyid_hex(a.keyid, id);
	assert_string_equal(id, "E7620F1842B4E81F");
	assert_err(vouch_pubkey_parse(&b, MS_PK_FILE, strlen(MS_PK_FILE)), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	/* What minisign itself writes for this key. */
	assert_err(vouch_pubkey_format(&a, out, sizeof(out), &len), 0);
	assert_int_equal(len, strlen(MS_PK_FILE));
	assert_string_equal(out, MS_PK_FILE);
}

/* Parse @text, check its fields, verify it over @msg; re-formatting must reproduce it. */
static void check_ms_sig(const char *text, enum vouch_sig_alg alg, const char *trusted,
                         const uint8_t *msg, size_t mlen)
{
	struct vouch_pubkey pk;
	struct vouch_sig sig;
	char out[1024];
	size_t len = 0;

	ms_pubkey(&pk);
	assert_err(vouch_sig_parse(&sig, text, strlen(text)), 0);
	assert_int_equal(sig.alg, alg);
	assert_memory_equal(sig.keyid, pk.keyid, 8);
	assert_true(sig.has_trusted);
	assert_string_equal(sig.untrusted, "signature from minisign secret key");
	assert_string_equal(sig.trusted, trusted);
	assert_err(vouch_sig_verify(&sig, &pk, msg, mlen), 0);
	assert_err(vouch_sig_format(&sig, out, sizeof(out), &len), 0);
	assert_string_equal(out, text);
	/* The trusted comment is covered: one digit of the timestamp changed. */
	sig.trusted[strlen("timestamp:155")] ^= 1;
	assert_err(vouch_sig_verify(&sig, &pk, msg, mlen), VOUCH_E_BADCOMMENT);
}

static void minisign_legacy(void **state)
{
	struct vouch_pubkey pk;
	struct vouch_sig sig;
	uint8_t h[64];

	(void)state;
	check_ms_sig(MS_SIG_LEGACY, VOUCH_SIG_LEGACY, "timestamp:1555779966\tfile:test",
	             (const uint8_t *)"test", 4);
	ms_pubkey(&pk);
	assert_err(vouch_sig_parse(&sig, MS_SIG_LEGACY, strlen(MS_SIG_LEGACY)), 0);
	assert_err(vouch_sig_verify(&sig, &pk, (const uint8_t *)"Test", 4), VOUCH_E_BADSIG);
	assert_err(vouch_sig_verify(&sig, &pk, (const uint8_t *)"test\n", 5), VOUCH_E_BADSIG);
	assert_err(vouch_sig_verify(&sig, &pk, (const uint8_t *)"tes", 3), VOUCH_E_BADSIG);
	/* A legacy signature is not over the hash. */
	assert_err(vouch_blake2b("test", 4, h, 64), 0);
	assert_err(vouch_sig_verify(&sig, &pk, h, 64), VOUCH_E_BADSIG);
}

static void minisign_prehashed(void **state)
{
	struct vouch_pubkey pk;
	struct vouch_sig sig;
	uint8_t h[64];

	(void)state;
	assert_err(vouch_blake2b("test", 4, h, 64), 0);
	check_ms_sig(MS_SIG_PREHASHED, VOUCH_SIG_PREHASHED, "timestamp:1556193335\tfile:test", h,
	             64);
	ms_pubkey(&pk);
	assert_err(vouch_sig_parse(&sig, MS_SIG_PREHASHED, strlen(MS_SIG_PREHASHED)), 0);
	/* The raw message is the wrong input for "ED". */
	assert_err(vouch_sig_verify(&sig, &pk, (const uint8_t *)"test", 4), VOUCH_E_LENGTH);
	assert_err(vouch_blake2b("Test", 4, h, 64), 0);
	assert_err(vouch_sig_verify(&sig, &pk, h, 64), VOUCH_E_BADSIG);
	/* BLAKE2b-256 padded to 64 bytes is not the prehash. */
	memset(h, 0, sizeof(h));
	assert_err(vouch_blake2b("test", 4, h, 32), 0);
	assert_err(vouch_sig_verify(&sig, &pk, h, 64), VOUCH_E_BADSIG);
}

static void minisign_prehashed_doc_comment(void **state)
{
	struct vouch_pubkey pk;
	struct vouch_sig a, b;
	uint8_t h[64];

	(void)state;
	assert_err(vouch_blake2b("test", 4, h, 64), 0);
	check_ms_sig(MS_SIG_PREHASHED_DOC, VOUCH_SIG_PREHASHED,
	             "timestamp:1633700835\tfile:test\tprehashed", h, 64);
	/* Each global signature belongs to its own comment only. */
	ms_pubkey(&pk);
	assert_err(vouch_sig_parse(&a, MS_SIG_PREHASHED, strlen(MS_SIG_PREHASHED)), 0);
	assert_err(vouch_sig_parse(&b, MS_SIG_PREHASHED_DOC, strlen(MS_SIG_PREHASHED_DOC)), 0);
	assert_memory_equal(a.sig, b.sig, 64);
	memcpy(a.global_sig, b.global_sig, 64);
	assert_err(vouch_sig_verify(&a, &pk, h, 64), VOUCH_E_BADCOMMENT);
	/* TABs are part of the signed comment: spaces instead do not verify. */
	for (char *p = b.trusted; *p; p++)
		if (*p == '\t')
			*p = ' ';
	assert_err(vouch_sig_verify(&b, &pk, h, 64), VOUCH_E_BADCOMMENT);
}

/*
 * Regression (fixed): a byte 0x80..0xFF in place of a '/' in the base64 line is
 * accepted (libsodium 1.0.18 decodes every such byte as '/'; see test-base64),
 * so a non-canonical signature file parses and even verifies.
 */
static void minisign_non_ascii_base64_rejected(void **state)
{
	char text[sizeof(MS_SIG_PREHASHED)];
	char *slash;
	struct vouch_sig sig;
	int ret;

	(void)state;
	memcpy(text, MS_SIG_PREHASHED, sizeof(text));
	slash = strchr(strchr(text, '\n') + 1, '/');
	assert_non_null(slash);
	*slash = (char)0x80;
	ret = vouch_sig_parse(&sig, text, strlen(text));
	if (ret == 0) {
		struct vouch_pubkey pk;
		uint8_t h[64];

		ms_pubkey(&pk);
		assert_err(vouch_blake2b("test", 4, h, 64), 0);
		fail_msg("byte 0x80 in the base64 line accepted; the file then verifies: %s",
		         vouch_strerror(vouch_sig_verify(&sig, &pk, h, 64)));
	}
	assert_err(ret, VOUCH_E_BASE64);
}

static void signify_public_key(void **state)
{
	struct vouch_pubkey pk;
	char id[17];

	(void)state;
	assert_err(vouch_pubkey_parse(&pk, SF_PUB, strlen(SF_PUB)), 0);
	assert_hex_equal(pk.keyid, 8, "c078a249d4c4c5dd");
	vouch_keyid_hex(pk.keyid, id);
	assert_string_equal(id, "DDC5C4D449A278C0");
}

static void signify_signature(void **state)
{
	struct vouch_pubkey pk, ms;
	struct vouch_sig sig;

	(void)state;
	assert_err(vouch_pubkey_parse(&pk, SF_PUB, strlen(SF_PUB)), 0);
	assert_err(vouch_sig_parse(&sig, SF_SIG, strlen(SF_SIG)), 0);
	assert_int_equal(sig.alg, VOUCH_SIG_LEGACY);
	assert_false(sig.has_trusted);
	assert_string_equal(sig.untrusted, "signature from signify secret key");
	assert_string_equal(sig.trusted, "");
	assert_memory_equal(sig.keyid, pk.keyid, 8);
	assert_err(vouch_sig_verify(&sig, &pk, (const uint8_t *)ORDERS, strlen(ORDERS)), 0);
	assert_err(vouch_sig_verify(&sig, &pk, (const uint8_t *)FORGERY, strlen(FORGERY)),
	           VOUCH_E_BADSIG);
	ms_pubkey(&ms);
	assert_err(vouch_sig_verify(&sig, &ms, (const uint8_t *)ORDERS, strlen(ORDERS)),
	           VOUCH_E_WRONGKEY);
}

/*
 * signify's secret key: "Ed" "BK" rounds(4) salt(16) checksum(8) keynum(8) seckey(64),
 * seckey = seed || pk, unencrypted when rounds is 0. Re-signing orders.txt with the
 * seed reproduces the published signature byte for byte.
 */
static void signify_secret_key_resign(void **state)
{
	uint8_t sec[104], sig_blob[74], md[EVP_MAX_MD_SIZE], sig[64];
	unsigned int mdlen = 0;
	struct vouch_pubkey pk;
	struct vouch_seckey sk;
	struct vouch_sig made;
	size_t l;
	const char *line = nth_line(SF_SIG, 1, &l);
	char b64[128];
	uint8_t derived[32];

	(void)state;
	b64_exact(SF_SEC_B64, sec, sizeof(sec));
	assert_memory_equal(sec, "EdBK", 4);
	assert_hex_equal(sec + 4, 4, "00000000"); /* rounds: no passphrase */
	assert_err(vouch_pubkey_parse(&pk, SF_PUB, strlen(SF_PUB)), 0);
	assert_memory_equal(sec + 32, pk.keyid, 8);
	assert_memory_equal(sec + 40 + 32, pk.pk, 32);
	/* signify's checksum: the first 8 bytes of SHA-512 of the 64-byte secret key. */
	assert_int_equal(EVP_Digest(sec + 40, 64, md, &mdlen, EVP_sha512(), NULL), 1);
	assert_int_equal(mdlen, 64);
	assert_memory_equal(sec + 24, md, 8);
	assert_err(vouch_ed25519_public(sec + 40, derived), 0);
	assert_memory_equal(derived, pk.pk, 32);

	memcpy(b64, line, l);
	b64[l] = '\0';
	b64_exact(b64, sig_blob, sizeof(sig_blob));
	{
		struct vouch_signer s;
		size_t siglen = 0;

		assert_err(vouch_signer_ed25519(&s, sec + 40), 0);
		assert_memory_equal(s.pk, pk.pk, 32);
		assert_err(vouch_signer_sign(&s, (const uint8_t *)ORDERS, strlen(ORDERS), sig,
		                             sizeof(sig), &siglen),
		           0);
		assert_int_equal(siglen, 64);
		vouch_signer_destroy(&s);
	}
	assert_memory_equal(sig, sig_blob + 10, 64);
	/* And through the minisign layer, with signify's key number as key id. */
	memcpy(sk.keyid, pk.keyid, 8);
	memcpy(sk.seed, sec + 40, 32);
	memcpy(sk.pk, pk.pk, 32);
	assert_err(test_sig_sign(&made, &sk, VOUCH_SIG_LEGACY, (const uint8_t *)ORDERS,
	                         strlen(ORDERS), "signature from signify secret key", ""),
	           0);
	assert_memory_equal(made.sig, sig_blob + 10, 64);
	assert_memory_equal(made.keyid, sig_blob + 2, 8);
	assert_err(vouch_sig_verify(&made, &pk, (const uint8_t *)ORDERS, strlen(ORDERS)), 0);
	vouch_wipe(&sk, sizeof(sk));
}

/* Neither signify's secret key nor its signature is a public key, and vice versa. */
static void signify_kinds(void **state)
{
	char text[512];
	struct vouch_pubkey pk;
	struct vouch_seckey_file f;
	struct vouch_sig sig;

	(void)state;
	snprintf(text, sizeof(text), "untrusted comment: signify secret key\n%s\n", SF_SEC_B64);
	assert_err(vouch_pubkey_parse(&pk, text, strlen(text)), VOUCH_E_KEYTYPE);
	assert_err(vouch_seckey_parse(&f, text, strlen(text)), VOUCH_E_KEYTYPE);
	assert_err(vouch_sig_parse(&sig, text, strlen(text)), VOUCH_E_KEYTYPE);
	assert_err(vouch_pubkey_parse(&pk, SF_SIG, strlen(SF_SIG)), VOUCH_E_KEYTYPE);
	assert_err(vouch_sig_parse(&sig, SF_PUB, strlen(SF_PUB)), VOUCH_E_KEYTYPE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(minisign_public_key),
	    cmocka_unit_test(minisign_legacy),
	    cmocka_unit_test(minisign_prehashed),
	    cmocka_unit_test(minisign_prehashed_doc_comment),
	    cmocka_unit_test(minisign_non_ascii_base64_rejected),
	    cmocka_unit_test(signify_public_key),
	    cmocka_unit_test(signify_signature),
	    cmocka_unit_test(signify_secret_key_resign),
	    cmocka_unit_test(signify_kinds),
	};

	return cmocka_run_group_tests_name("vectors", tests, NULL, NULL);
}
