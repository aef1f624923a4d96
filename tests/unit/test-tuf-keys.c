/* SPDX-License-Identifier: Apache-2.0 */
/* TUF canonical JSON, key objects, key ids and signatures: known answers and a cross-check with
 * securesystemslib. */
#include <sys/wait.h>
#include <unistd.h>

#include "test-util.h"
#include "tuf-test.h"
#include "vouch/tuf.h"

/* RFC 8032 section 7.1, TEST 1. */
static const char T1_SEED[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char T1_PK[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
/* sha256sum of the canonical key object of T1_PK, and Python cryptography's Ed25519
 * signature with T1_SEED of tests/data/tuf/msg.txt (both computed outside vouch). */
static const char T1_KEYID[] = "74c181c7ad8a0855d4b55e44d2ba87aabdddb196832571f15f92fece332e4916";
static const char T1_MSG_SIG[] = "c587720a9442996348b13088d8870cc4d63ea0e2df73b0bf315a768e4eca96f5"
                                 "d59838db6adcc81036c1b56eb2c889960b4a19abc24a996e79c18271d92fe505";
static const char PYTHON[] = "/usr/bin/python3";

static json_t *parse(const char *text)
{
	json_t *v = NULL;

	assert_err(vouch_tuf_parse(&v, (const uint8_t *)text, strlen(text)), 0);
	return v;
}

static void canon_is(const char *text, const char *want)
{
	json_t *v = parse(text);
	char *c = NULL;
	size_t n = 0;

	assert_err(vouch_tuf_canonical(v, &c, &n), 0);
	assert_int_equal(n, strlen(want));
	assert_string_equal(c, want);
	free(c);
	json_decref(v);
}

/* The examples of securesystemslib's encode_canonical docstring, and the rules it follows. */
static void canonical_vectors(void **state)
{
	(void)state;
	canon_is("\"\"", "\"\"");
	canon_is("[1, 2, 3]", "[1,2,3]");
	canon_is("[]", "[]");
	canon_is("{\"A\": [99]}", "{\"A\":[99]}");
	canon_is("{\"x\" : 3, \"y\" : 2}", "{\"x\":3,\"y\":2}");
	/* Sorted by bytes: upper case before lower, "a" before "ab", U+00E9 after ASCII. */
	canon_is("{\"b\":1,\"ab\":2,\"a\":3,\"B\":4,\"\\u00e9\":5}",
	         "{\"B\":4,\"a\":3,\"ab\":2,\"b\":1,\"\xc3\xa9\":5}");
	/* Only '"' and '\\' escaped; controls and non-ASCII raw; \u escapes decoded. */
	canon_is("\"q\\\"b\\\\n\\n t\\t \\u0041 \\u00e9 \\ud83d\\ude00 \\/\"",
	         "\"q\\\"b\\\\n\n t\t A \xc3\xa9 \xf0\x9f\x98\x80 /\"");
	canon_is("[true,false,null,-0,-12,9223372036854775807]",
	         "[true,false,null,0,-12,9223372036854775807]");
	canon_is(" { \"signed\" : { \"z\" : [ { } ] , \"a\" : { \"k\" : \"v\" } } } ",
	         "{\"signed\":{\"a\":{\"k\":\"v\"},\"z\":[{}]}}");
}

static void canonical_refusals(void **state)
{
	static const char *bad_parse[] = {
	    "{\"a\":1,\"a\":2}", /* duplicate names */
	    "{\"a\":{\"b\":1,\"b\":1}}",
	    "\"a\\u0000b\"", /* NUL */
	    "{\"a\":1} x",   /* trailing bytes */
	    "",
	    "{",
	    "[1,]",
	    "\"\xff\"",             /* not UTF-8 */
	    "99999999999999999999", /* past int64 */
	};
	static const char *reals[] = {"1.0", "1e2", "{\"a\":[0.5]}", "-0.0"};
	json_t *v = NULL;
	char *c = (char *)1;
	size_t n = 1;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_parse) / sizeof(bad_parse[0]); i++) {
		assert_err(vouch_tuf_parse(&v, (const uint8_t *)bad_parse[i], strlen(bad_parse[i])),
		           VOUCH_E_TUF);
		assert_null(v);
	}
	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++) {
		v = parse(reals[i]);
		assert_err(vouch_tuf_canonical(v, &c, &n), VOUCH_E_TUF);
		assert_null(c);
		assert_int_equal(n, 0);
		json_decref(v);
	}
	/* A string jansson would let through unchecked is refused too. */
	v = json_stringn_nocheck("a\xff", 2);
	assert_err(vouch_tuf_canonical(v, &c, &n), VOUCH_E_TUF);
	json_decref(v);
}

static struct vouch_tuf_key *key_from(const char *keytype, const char *scheme, const char *pub)
{
	json_t *o = json_pack("{s:s,s:s,s:{s:s}}", "keytype", keytype, "scheme", scheme, "keyval",
	                      "public", pub);
	struct vouch_tuf_key *k = NULL;

	assert_non_null(o);
	assert_err(vouch_tuf_key_parse(&k, o, "id"), 0);
	json_decref(o);
	return k;
}

static char *data(const char *name)
{
	size_t len;
	char *s = read_data(name, &len);

	while (len && (s[len - 1] == '\n'))
		s[--len] = '\0';
	return s;
}

/* Flip each hex digit of @sig in turn (a sample of positions): every change refused. */
static void tampered_refused(const struct vouch_tuf_key *k, const char *msg, const char *sig)
{
	char *t = strdup(sig);
	size_t n = strlen(t);

	assert_non_null(t);
	for (size_t i = 0; i < n; i += n / 16 + 1) {
		char was = t[i];

		t[i] = was == '0' ? '1' : '0';
		assert_err(vouch_tuf_key_verify(k, (const uint8_t *)msg, strlen(msg), t),
		           VOUCH_E_BADSIG);
		t[i] = was;
	}
	free(t);
	/* And the message changed. */
	assert_err(vouch_tuf_key_verify(k, (const uint8_t *)"x", 1, sig), VOUCH_E_BADSIG);
}

static void verify_vectors(void **state)
{
	char *msg = data("tuf/msg.txt"), *ecpem, *rsapem, *sig;
	struct vouch_tuf_key *k;
	const uint8_t *m = (const uint8_t *)msg;

	(void)state;
	k = key_from("ed25519", "ed25519", T1_PK);
	assert_int_equal(vouch_tuf_key_type(k), VOUCH_TUF_ED25519);
	assert_string_equal(vouch_tuf_key_id(k), "id");
	assert_err(vouch_tuf_key_verify(k, m, strlen(msg), T1_MSG_SIG), 0);
	tampered_refused(k, msg, T1_MSG_SIG);
	assert_err(vouch_tuf_key_verify(k, m, strlen(msg), "abc"), VOUCH_E_BADSIG);
	assert_err(vouch_tuf_key_verify(k, m, strlen(msg), ""), VOUCH_E_BADSIG);
	vouch_tuf_key_destroy(k);

	ecpem = read_data("tuf/ec.pub.pem", &(size_t){0});
	sig = data("tuf/ec.sig.hex");
	for (int i = 0; i < 2; i++) {
		k = key_from(i ? "ecdsa-sha2-nistp256" : "ecdsa", "ecdsa-sha2-nistp256", ecpem);
		assert_int_equal(vouch_tuf_key_type(k), VOUCH_TUF_ECDSA_P256);
		assert_err(vouch_tuf_key_verify(k, m, strlen(msg), sig), 0);
		tampered_refused(k, msg, sig);
		vouch_tuf_key_destroy(k);
	}
	free(sig);

	rsapem = read_data("tuf/rsa.pub.pem", &(size_t){0});
	k = key_from("rsa", "rsassa-pss-sha256", rsapem);
	assert_int_equal(vouch_tuf_key_type(k), VOUCH_TUF_RSA_PSS_SHA256);
	sig = data("tuf/rsa-pss-salt32.sig.hex");
	assert_err(vouch_tuf_key_verify(k, m, strlen(msg), sig), 0);
	tampered_refused(k, msg, sig);
	free(sig);
	sig = data("tuf/rsa-pss-saltmax.sig.hex");
	assert_err(vouch_tuf_key_verify(k, m, strlen(msg), sig), 0);
	free(sig);
	sig = data("tuf/rsa-pkcs1.sig.hex");
	assert_err(vouch_tuf_key_verify(k, m, strlen(msg), sig), VOUCH_E_BADSIG);
	free(sig);
	vouch_tuf_key_destroy(k);

	/* Keys of the wrong kind or that do not parse. */
	{
		json_t *o;
		struct vouch_tuf_key *bad = (struct vouch_tuf_key *)1;

		o = json_pack("{s:s,s:s,s:{s:s}}", "keytype", "ed25519", "scheme", "ed25519",
		              "keyval", "public", "00");
		assert_err(vouch_tuf_key_parse(&bad, o, "x"), VOUCH_E_KEYTYPE);
		assert_null(bad);
		json_decref(o);
		o = json_pack("{s:s,s:s,s:{s:s}}", "keytype", "rsa", "scheme", "rsassa-pss-sha256",
		              "keyval", "public", ecpem);
		assert_err(vouch_tuf_key_parse(&bad, o, "x"), VOUCH_E_KEYTYPE);
		json_decref(o);
		o = json_pack("{s:s,s:s,s:{s:s}}", "keytype", "ecdsa", "scheme",
		              "ecdsa-sha2-nistp256", "keyval", "public", rsapem);
		assert_err(vouch_tuf_key_parse(&bad, o, "x"), VOUCH_E_KEYTYPE);
		json_decref(o);
		o = json_pack("{s:s,s:s,s:{s:s}}", "keytype", "ecdsa", "scheme",
		              "ecdsa-sha2-nistp384", "keyval", "public", ecpem);
		assert_err(vouch_tuf_key_parse(&bad, o, "x"), VOUCH_E_ALG);
		json_decref(o);
		o = json_pack("{s:s,s:{s:s}}", "keytype", "ed25519", "keyval", "public", T1_PK);
		assert_err(vouch_tuf_key_parse(&bad, o, "x"), VOUCH_E_TUF);
		json_decref(o);
	}
	free(ecpem);
	free(rsapem);
	free(msg);
}

static void ed25519_object_keyid_sign(void **state)
{
	struct vouch_signer s;
	struct vouch_tuf_key *k = NULL;
	uint8_t seed[32];
	json_t *o = NULL, *doc, *sigs = json_array();
	char keyid[65], *c = NULL;
	size_t n = 0;

	(void)state;
	unhex(T1_SEED, seed, 32);
	assert_err(vouch_signer_ed25519(&s, seed), 0);
	assert_err(vouch_tuf_key_object(&s, &o), 0);
	assert_err(vouch_tuf_canonical(o, &c, &n), 0);
	assert_string_equal(
	    c, "{\"keytype\":\"ed25519\",\"keyval\":{\"public\":\"d75a980182b10ab7d54b"
	       "fed3c964073a0ee172f3daa62325af021a68f707511a\"},\"scheme\":\"ed25519\"}");
	free(c);
	assert_err(vouch_tuf_keyid(o, keyid), 0);
	assert_string_equal(keyid, T1_KEYID);
	/* The canonical form of {"version":1,"_type":"test"} is msg.txt: the known signature. */
	doc = parse("{\"version\":1,\"_type\":\"test\"}");
	assert_err(vouch_tuf_sign(doc, &s, keyid, sigs), 0);
	assert_int_equal(json_array_size(sigs), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(sigs, 0), "keyid")),
	                    T1_KEYID);
	assert_string_equal(json_string_value(json_object_get(json_array_get(sigs, 0), "sig")),
	                    T1_MSG_SIG);
	assert_err(vouch_tuf_sign(doc, &s, keyid, doc), VOUCH_E_RANGE);
	assert_err(vouch_tuf_key_parse(&k, o, keyid), 0);
	vouch_tuf_key_destroy(k);
	json_decref(doc);
	json_decref(sigs);
	json_decref(o);
	vouch_signer_destroy(&s);
}

static void p256_object_sign_verify(void **state)
{
	struct vouch_signer s, bad;
	struct vouch_tuf_key *k = NULL;
	json_t *o = NULL, *doc, *sigs = json_array();
	const char *pem, *sig;
	char keyid[65], *c = NULL;
	size_t n = 0;

	(void)state;
	assert_err(test_signer_p256(&s), 0);
	assert_err(vouch_tuf_key_object(&s, &o), 0);
	assert_string_equal(json_string_value(json_object_get(o, "keytype")), "ecdsa");
	assert_string_equal(json_string_value(json_object_get(o, "scheme")), "ecdsa-sha2-nistp256");
	pem = json_string_value(json_object_get(json_object_get(o, "keyval"), "public"));
	assert_non_null(pem);
	assert_memory_equal(pem, "-----BEGIN PUBLIC KEY-----\n", 27);
	assert_string_equal(pem + strlen(pem) - 25, "-----END PUBLIC KEY-----\n");
	assert_err(vouch_tuf_keyid(o, keyid), 0);
	assert_err(vouch_tuf_key_parse(&k, o, keyid), 0);
	doc = parse("{\"b\":[1,2],\"a\":\"\xc3\xa9\"}");
	assert_err(vouch_tuf_sign(doc, &s, keyid, sigs), 0);
	sig = json_string_value(json_object_get(json_array_get(sigs, 0), "sig"));
	assert_err(vouch_tuf_canonical(doc, &c, &n), 0);
	assert_err(vouch_tuf_key_verify(k, (const uint8_t *)c, n, sig), 0);
	tampered_refused(k, c, sig);
	free(c);
	/* A point that is not on the curve has no key object. */
	memcpy(&bad, &s, sizeof(bad));
	bad.pk[64] ^= 1;
	json_t *o2 = NULL;
	assert_err(vouch_tuf_key_object(&bad, &o2), VOUCH_E_KEYTYPE);
	assert_null(o2);
	bad.alg = VOUCH_SIGNER_NONE;
	assert_err(vouch_tuf_key_object(&bad, &o2), VOUCH_E_ALG);
	vouch_tuf_key_destroy(k);
	json_decref(doc);
	json_decref(sigs);
	json_decref(o);
	vouch_signer_destroy(&s);
}

/* Run @script under Debian's python3 with @arg; its stdout into @out (NUL-terminated). */
static int python(const char *script, const char *arg, char *out, size_t cap)
{
	int p[2], st = 0;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		execl(PYTHON, PYTHON, "-c", script, arg, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (n + 1 < cap && (r = read(p[0], out + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool have_securesystemslib(void)
{
	char out[16];

	return access(PYTHON, X_OK) == 0 &&
	       python("import securesystemslib.formats, securesystemslib.signer, cryptography", "",
	              out, sizeof(out)) == 0;
}

/*
 * Against python-tuf's own library, securesystemslib (Debian's python3-securesystemslib):
 * its encode_canonical of a document full of traps is our canonical form byte for byte, it
 * accepts our ed25519 and ECDSA signatures, and we accept its ECDSA and RSA-PSS ones.
 */
static void securesystemslib_cross_check(void **state)
{
	static const char doc[] =
	    "{\"\\u00e9t\\u00e9\":[\"\\\"q\\\\\",\"\\n\\t\\u001f\\u007f\",\"\\ud83d\\ude00\"],"
	    "\"Z\":{\"b\":true,\"a\":null,\"\":false},\"n\":[-9223372036854775807,0,42],"
	    "\"~\":\"\\u2028\",\"a\":{}}";
	static const char canon_py[] =
	    "import sys,json\n"
	    "from securesystemslib.formats import encode_canonical as e\n"
	    "sys.stdout.buffer.write(e(json.loads(sys.argv[1])).encode('utf-8'))\n";
	static const char verify_py[] =
	    "import sys,json\n"
	    "from securesystemslib.signer import SSlibKey, Signature\n"
	    "t=json.loads(sys.argv[1])\n"
	    "for kid,ko,sig in t['v']:\n"
	    "  SSlibKey.from_dict(kid,ko).verify_signature(Signature(kid,sig),t['m'].encode())\n"
	    "print('ok')\n";
	static const char sign_py[] =
	    "import sys,json\n"
	    "from securesystemslib import keys\n"
	    "m=sys.argv[1].encode()\n"
	    "out=[]\n"
	    "for k in (keys.generate_ecdsa_key(), keys.generate_rsa_key(2048)):\n"
	    "  s=keys.create_signature(k,m)\n"
	    "  out.append([k['keytype'],k['scheme'],k['keyval']['public'],s['sig']])\n"
	    "print(json.dumps(out))\n";
	char out[16384], *c = NULL, *arg = NULL;
	struct vouch_signer ed, ec;
	uint8_t seed[32];
	json_t *v, *t, *list;
	size_t n = 0;

	(void)state;
	if (!have_securesystemslib())
		skip();
	v = parse(doc);
	assert_err(vouch_tuf_canonical(v, &c, &n), 0);
	json_decref(v);
	assert_int_equal(python(canon_py, doc, out, sizeof(out)), 0);
	assert_string_equal(out, c);

	/* Ours verified by securesystemslib. */
	unhex(T1_SEED, seed, 32);
	assert_err(vouch_signer_ed25519(&ed, seed), 0);
	assert_err(test_signer_p256(&ec), 0);
	list = json_array();
	for (int i = 0; i < 2; i++) {
		json_t *ko = NULL, *sigs = json_array();
		char keyid[65];

		assert_err(vouch_tuf_key_object(i ? &ec : &ed, &ko), 0);
		assert_err(vouch_tuf_keyid(ko, keyid), 0);
		v = parse(doc);
		assert_err(vouch_tuf_sign(v, i ? &ec : &ed, keyid, sigs), 0);
		json_array_append_new(list,
		                      json_pack("[s,O,O]", keyid, ko,
		                                json_object_get(json_array_get(sigs, 0), "sig")));
		json_decref(ko);
		json_decref(sigs);
		json_decref(v);
	}
	t = json_pack("{s:s,s:o}", "m", c, "v", list);
	arg = json_dumps(t, JSON_COMPACT);
	assert_int_equal(python(verify_py, arg, out, sizeof(out)), 0);
	assert_string_equal(out, "ok\n");
	free(arg);
	json_decref(t);
	vouch_signer_destroy(&ed);
	vouch_signer_destroy(&ec);

	/* Theirs verified by us: ECDSA P-256 and RSA-PSS (digest-length salt). */
	assert_int_equal(python(sign_py, c, out, sizeof(out)), 0);
	v = parse(out);
	assert_int_equal(json_array_size(v), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *e = json_array_get(v, i);
		struct vouch_tuf_key *k = key_from(json_string_value(json_array_get(e, 0)),
		                                   json_string_value(json_array_get(e, 1)),
		                                   json_string_value(json_array_get(e, 2)));
		const char *sig = json_string_value(json_array_get(e, 3));

		assert_err(vouch_tuf_key_verify(k, (const uint8_t *)c, n, sig), 0);
		assert_err(vouch_tuf_key_verify(k, (const uint8_t *)c, n - 1, sig), VOUCH_E_BADSIG);
		vouch_tuf_key_destroy(k);
	}
	json_decref(v);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(canonical_vectors),
	    cmocka_unit_test(canonical_refusals),
	    cmocka_unit_test(verify_vectors),
	    cmocka_unit_test(ed25519_object_keyid_sign),
	    cmocka_unit_test(p256_object_sign_verify),
	    cmocka_unit_test(securesystemslib_cross_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
