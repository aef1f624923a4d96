/* SPDX-License-Identifier: Apache-2.0 */
/* Signed notes and checkpoints: Go sumdb/note's and C2SP's published vectors, and negatives. */
#include "test-util.h"

/* golang.org/x/mod/sumdb/note note_test.go (see /work/shared/VECTORS.md). */
static const char PN_VKEY[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char PN_SKEY[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char ER_VKEY[] = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
static const char PN_TEXT[] = "If you think cryptography is the answer to your problem,\n"
                              "then you don't know what your problem is.\n";
static const char PN_SIG[] = "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZ"
                             "InNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
static const char ER_SIG[] = "\xe2\x80\x94 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/"
                             "5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

/* C2SP signed-note.md. */
static const char C2_VKEY[] = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
static const char C2_NOTE[] = "This is an example message.\n\n"
                              "\xe2\x80\x94 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2"
                              "ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

/* VECTORS.md's self-generated checkpoint over the 8 transparency-dev leaves, with a cosignature. */
static const char CP_VKEY[] =
    "example.org/device-log+8980cee6+AdPgSH/KWo1eEN1qvW/iMdtrMFviaDgjoj/M3xYpcYNH";
static const char CP_NOTE[] =
    "example.org/device-log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n"
    "\xe2\x80\x94 example.org/device-log iYDO5qjZ3/NcRGYG7Kdq63kpLKb1XzsJt9AapgXOxaw2bUNyEqgeweYDz"
    "M3E5hpFSbks8nR3dK20d329xpK2uSggZw8=\n"
    "\xe2\x80\x94 example.org/witness JIq1PgAAAABlU/EAbQJU8pYPGgpfi1h7bmwXbbXXCqYBApN+2HOIUpUpzD07tl"
    "b6YO3G3jIKZ2r3md6RpLEi62633Eht22vxQ5YQBA==\n";

static char *cat(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = c ? strlen(c) : 0;
	char *s = malloc(la + lb + lc + 1);

	assert_non_null(s);
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	if (c)
		memcpy(s + la + lb, c, lc);
	s[la + lb + lc] = '\0';
	return s;
}

static void test_keys(void **state)
{
	struct vouch_note_vkey v;
	struct vouch_note_skey k;
	char out[VOUCH_NOTE_SKEY_MAX];

	(void)state;
	assert_int_equal(vouch_note_vkey_parse(&v, PN_VKEY, strlen(PN_VKEY)), 0);
	assert_string_equal(v.name, "PeterNeumann");
	assert_int_equal(v.id, 0xc74f20a3);
	vouch_note_vkey_format(&v, out);
	assert_string_equal(out, PN_VKEY);
	assert_int_equal(vouch_note_skey_parse(&k, PN_SKEY, strlen(PN_SKEY)), 0);
	assert_memory_equal(k.v.pk, v.pk, 32);
	assert_int_equal(k.v.id, v.id);
	vouch_note_skey_format(&k, out);
	assert_string_equal(out, PN_SKEY);
	assert_int_equal(vouch_note_vkey_parse(&v, ER_VKEY, strlen(ER_VKEY)), 0);
	assert_int_equal(v.id, 0xaf0cfe78);
	/* note_test.go's bad keys: wrong length, unknown algorithm. */
	assert_err(vouch_note_vkey_parse(&v, "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
	                                     "LDE4izWy10TWBADKEY==",
	                                 74),
	           VOUCH_E_LENGTH);
	assert_err(vouch_note_vkey_parse(&v, "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
	                                     "LDE4izWy10TW",
	                                 66),
	           VOUCH_E_ALG);
	/* A key ID that does not match the key, a name with a space, a secret key as public. */
	assert_err(vouch_note_vkey_parse(&v, "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
	                                     "LDE4izWy10TW",
	                                 66),
	           VOUCH_E_KEYPAIR);
	assert_err(vouch_note_vkey_parse(&v, "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
	                                     "LDE4izWy10TW",
	                                 67),
	           VOUCH_E_RANGE);
	/* Found by fuzz-note: a NUL inside the name must not cut it short. */
	assert_err(vouch_note_vkey_parse(&v, "PeterNeumann\0+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
	                                     "LDE4izWy10TW",
	                                 67),
	           VOUCH_E_RANGE);
	assert_err(vouch_note_vkey_parse(&v, PN_SKEY, strlen(PN_SKEY)), VOUCH_E_KEYTYPE);
	assert_err(vouch_note_skey_parse(&k, PN_VKEY, strlen(PN_VKEY)), VOUCH_E_KEYTYPE);
	assert_err(vouch_note_vkey_parse(&v, "nokey", 5), VOUCH_E_KEYTYPE);
}

static void test_open_vectors(void **state)
{
	struct vouch_note_vkey pn, er, c2, cp;
	char *both = cat(PN_TEXT, "\n", NULL), *n1, *n2;
	size_t tlen = 0;

	(void)state;
	assert_int_equal(vouch_note_vkey_parse(&pn, PN_VKEY, strlen(PN_VKEY)), 0);
	assert_int_equal(vouch_note_vkey_parse(&er, ER_VKEY, strlen(ER_VKEY)), 0);
	assert_int_equal(vouch_note_vkey_parse(&c2, C2_VKEY, strlen(C2_VKEY)), 0);
	assert_int_equal(vouch_note_vkey_parse(&cp, CP_VKEY, strlen(CP_VKEY)), 0);
	n1 = cat(both, PN_SIG, ER_SIG);
	assert_int_equal(vouch_note_open(&pn, n1, strlen(n1), &tlen), 0);
	assert_int_equal(tlen, strlen(PN_TEXT));
	assert_int_equal(vouch_note_open(&er, n1, strlen(n1), &tlen), 0);
	assert_err(vouch_note_open(&c2, n1, strlen(n1), &tlen), VOUCH_E_WRONGKEY);
	assert_int_equal(vouch_note_open(&c2, C2_NOTE, strlen(C2_NOTE), &tlen), 0);
	assert_int_equal(vouch_note_open(&cp, CP_NOTE, strlen(CP_NOTE), &tlen), 0);
	/* Every single-byte change of the text or the signature is rejected. */
	n2 = cat(C2_NOTE, "", NULL);
	for (size_t i = 0; i < strlen(C2_NOTE); i++) {
		char save = n2[i];

		n2[i] = (char)(save == 'A' ? 'B' : 'A');
		assert_int_not_equal(vouch_note_open(&c2, n2, strlen(n2), &tlen), 0);
		n2[i] = save;
	}
	free(n2);
	/* A name with a space in a signature line is malformed; over 100 signatures too. */
	n2 = cat(both, "\xe2\x80\x94 Bad Name x08go/ZJkuBS9UG/SffcvIAQ==\n", NULL);
	assert_err(vouch_note_open(&pn, n2, strlen(n2), &tlen), VOUCH_E_NOTE);
	free(n2);
	n2 = cat(both, "", NULL);
	for (int i = 0; i < 101; i++) {
		char *t = cat(n2, ER_SIG, NULL);

		free(n2);
		n2 = t;
	}
	{
		char *t = cat(n2, PN_SIG, NULL);

		free(n2);
		n2 = t;
	}
	assert_err(vouch_note_open(&pn, n2, strlen(n2), &tlen), VOUCH_E_NOTE);
	free(n2);
	/* No blank line, no signatures, no final newline. */
	assert_err(vouch_note_open(&pn, PN_TEXT, strlen(PN_TEXT), &tlen), VOUCH_E_NOTE);
	assert_err(vouch_note_open(&pn, both, strlen(both), &tlen), VOUCH_E_NOTE);
	assert_err(vouch_note_open(&pn, n1, strlen(n1) - 1, &tlen), VOUCH_E_NOTE);
	free(n1);
	free(both);
}

static void test_sign(void **state)
{
	struct vouch_note_skey k;
	char out[1024], *want = cat(PN_TEXT, "\n", PN_SIG);
	size_t len = 0, tlen = 0;

	(void)state;
	assert_int_equal(vouch_note_skey_parse(&k, PN_SKEY, strlen(PN_SKEY)), 0);
	/* Ed25519 is deterministic: Go's signature, byte for byte. */
	assert_int_equal(vouch_note_sign(&k, PN_TEXT, strlen(PN_TEXT), out, sizeof(out), &len), 0);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(out, want, len);
	assert_int_equal(vouch_note_open(&k.v, out, len, &tlen), 0);
	/* Not note text: empty, no final newline, a blank line, a control character. */
	assert_err(vouch_note_sign(&k, "", 0, out, sizeof(out), &len), VOUCH_E_NOTE);
	assert_err(vouch_note_sign(&k, "a", 1, out, sizeof(out), &len), VOUCH_E_NOTE);
	assert_err(vouch_note_sign(&k, "a\n\nb\n", 5, out, sizeof(out), &len), VOUCH_E_NOTE);
	assert_err(vouch_note_sign(&k, "a\tb\n", 4, out, sizeof(out), &len), VOUCH_E_NOTE);
	assert_err(vouch_note_sign(&k, PN_TEXT, strlen(PN_TEXT), out, 20, &len), VOUCH_E_TOOBIG);
	free(want);
}

static void test_checkpoint(void **state)
{
	struct vouch_checkpoint c, back;
	struct vouch_note_vkey cp;
	static const char root8[] = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328";
	char body[VOUCH_CHECKPOINT_MAX];
	size_t tlen = 0;
	int n;

	(void)state;
	assert_int_equal(vouch_note_vkey_parse(&cp, CP_VKEY, strlen(CP_VKEY)), 0);
	assert_int_equal(vouch_note_open(&cp, CP_NOTE, strlen(CP_NOTE), &tlen), 0);
	assert_int_equal(vouch_checkpoint_parse(&c, CP_NOTE, tlen), 0);
	assert_string_equal(c.origin, "example.org/device-log");
	assert_int_equal(c.size, 8);
	/* Its root is the transparency-dev root of the 8 leaves. */
	for (int i = 0; i < 32; i++) {
		unsigned v;

		sscanf(root8 + 2 * i, "%2x", &v);
		assert_int_equal(c.root[i], v);
	}
	n = vouch_checkpoint_format(&c, body, sizeof(body));
	assert_int_equal(n, (int)tlen);
	assert_memory_equal(body, CP_NOTE, tlen);
	assert_int_equal(vouch_checkpoint_parse(&back, "o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nextension\n", 59), 0);
	assert_int_equal(back.size, 0);
	/* Leading zero, sign, missing root, short root, no newline, empty origin, overflow. */
	static const char *const bad[] = {
	    "o\n08\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
	    "o\n-8\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
	    "o\n8\n",
	    "o\n8\nAAAA\n",
	    "o\n8\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
	    "\n8\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
	    "o\n18446744073709551616\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_err(vouch_checkpoint_parse(&back, bad[i], strlen(bad[i])), VOUCH_E_CHECKPOINT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keys),
	    cmocka_unit_test(test_open_vectors),
	    cmocka_unit_test(test_sign),
	    cmocka_unit_test(test_checkpoint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
