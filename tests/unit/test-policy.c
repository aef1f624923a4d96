/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the policy language parser: every directive, and errors with line and column. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vouch/error.h"
#include "vouch/policy.h"

#define KEY1 "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3"
#define KEY2 "RWTAeKJJ1MTF3YCo0ivtKH8kuiFWJuLpNoUmpDd6iTFYhn6/tRu5qKJe"
#define H1   "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define H2   "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b"

static int parse(struct vouch_policy *p, struct vouch_policy_error *e, const char *text)
{
	return vouch_policy_parse(p, text, strlen(text), e);
}

/* The text must fail at @line:@col with a message containing @needle. */
static void expect_error(const char *text, unsigned line, unsigned col, const char *needle)
{
	struct vouch_policy p;
	struct vouch_policy_error e;
	int ret = parse(&p, &e, text);

	if (ret != VOUCH_E_POLICY || e.line != line || e.column != col || !strstr(e.msg, needle))
		fail_msg("policy <<%s>>: got %d at %u:%u \"%s\", wanted %u:%u \"%s\"", text, ret,
		         e.line, e.column, e.msg, line, col, needle);
	vouch_policy_free(&p);
}

static void test_minimal(void **state)
{
	struct vouch_policy p;
	struct vouch_policy_error e;

	(void)state;
	assert_int_equal(parse(&p, &e, "mode enforce\n"), 0);
	assert_int_equal(p.mode, VOUCH_MODE_ENFORCE);
	assert_int_equal(p.gates, VOUCH_GATE_DEFAULT);
	assert_int_equal(p.gates & VOUCH_GATE_INTERP, 0);
	assert_int_equal(p.expires, 0);
	assert_null(p.message);
	assert_int_equal(p.nsigners + p.nmanifests + p.nrules, 0);
	vouch_policy_free(&p);
	assert_int_equal(parse(&p, &e, "mode monitor"), 0); /* no final newline */
	assert_int_equal(p.mode, VOUCH_MODE_MONITOR);
	vouch_policy_free(&p);
}

static void test_full(void **state)
{
	struct vouch_policy p;
	struct vouch_policy_error e;
	const char *text = "# fleet policy\r\n"
	                   "\n"
	                   "mode\tenforce   # trailing comment\r\n"
	                   "expires 2027-06-30T12:00:00Z\n"
	                   "message \"Call \\\"IT\\\" \\\\ 555\"\n"
	                   "signer release-team " KEY1 "\n"
	                   "signer ops_2 " KEY2 "\n"
	                   "manifest base.manifest signer release-team\n"
	                   "manifest /srv/app.manifest signer ops_2 signature app.sig\n"
	                   "deny " H2 " \"withdrawn # not a comment\"\n"
	                   "allow " H1 "\n"
	                   "allow " H2 " \"also allowed, deny wins\"\n"
	                   "gate interpreted on\n"
	                   "gate elf off\n";

	(void)state;
	assert_int_equal(parse(&p, &e, text), 0);
	assert_int_equal(p.mode, VOUCH_MODE_ENFORCE);
	assert_int_equal(p.expires, 1814356800); /* date -u -d 2027-06-30T12:00:00Z +%s */
	assert_string_equal(p.message, "Call \"IT\" \\ 555");
	assert_int_equal(p.nsigners, 2);
	assert_string_equal(p.signers[0].name, "release-team");
	assert_int_equal(p.signers[0].key.keyid[0], 0x1f);
	assert_string_equal(p.signers[1].name, "ops_2");
	assert_int_equal(p.signers[1].line, 7);
	assert_int_equal(p.nmanifests, 2);
	assert_string_equal(p.manifests[0].path, "base.manifest");
	assert_null(p.manifests[0].sigpath);
	assert_int_equal(p.manifests[0].signer, 0);
	assert_string_equal(p.manifests[1].path, "/srv/app.manifest");
	assert_string_equal(p.manifests[1].sigpath, "app.sig");
	assert_int_equal(p.manifests[1].signer, 1);
	assert_int_equal(p.nrules, 3);
	assert_true(p.rules[0].deny);
	assert_int_equal(p.rules[0].sha256[0], 0x3a);
	assert_int_equal(p.rules[0].sha256[31], 0x1b);
	assert_string_equal(p.rules[0].message, "withdrawn # not a comment");
	assert_int_equal(p.rules[0].line, 10);
	assert_false(p.rules[1].deny);
	assert_null(p.rules[1].message);
	assert_int_equal(p.gates, VOUCH_GATE_EXEC | VOUCH_GATE_SHEBANG | VOUCH_GATE_INTERP);
	vouch_policy_free(&p);
	vouch_policy_free(NULL);
}

static void test_uppercase_hash_accepted(void **state)
{
	struct vouch_policy p, q;
	struct vouch_policy_error e;
	char upper[] = "mode enforce\nallow " H1 "\n";

	(void)state;
	for (char *c = upper + 19; *c; c++)
		if (*c >= 'a' && *c <= 'f')
			*c = (char)(*c - 'a' + 'A');
	assert_int_equal(parse(&p, &e, upper), 0);
	assert_int_equal(parse(&q, &e, "mode enforce\nallow " H1 "\n"), 0);
	assert_memory_equal(p.rules[0].sha256, q.rules[0].sha256, 32);
	vouch_policy_free(&p);
	vouch_policy_free(&q);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("mode enforce\nfrobnicate 1\n", 2, 1, "unknown keyword 'frobnicate'");
	expect_error("  mode enforce\n  mode monitor\n", 2, 3, "'mode' is set twice");
	expect_error("# nothing\n", 1, 1, "sets no mode");
	expect_error("mode strict\n", 1, 6, "unknown mode 'strict'");
	expect_error("mode\n", 1, 1, "'mode' needs");
	expect_error("mode enforce extra\n", 1, 14, "unexpected 'extra'");
	expect_error("mode enforce\nexpires 2027-02-29T00:00:00Z\n", 2, 9, "not a UTC time");
	expect_error("mode enforce\nexpires 2027-02-30T00:00:00Z\n", 2, 9, "not a UTC time");
	expect_error("mode enforce\nexpires 2027-01-01 00:00:00\n", 2, 20, "unexpected '00:00:00'");
	expect_error("mode enforce\nexpires\n", 2, 1, "'expires' needs");
	expect_error("mode enforce\nexpires 2027-01-01T00:00:00\n", 2, 9, "not a UTC time");
	expect_error("mode enforce\nexpires 2027-01-01T24:00:00Z\n", 2, 9, "not a UTC time");
	expect_error("mode enforce\nexpires 1969-12-31T23:59:59Z\n", 2, 9, "not a UTC time");
	expect_error("mode enforce\nexpires 2027-01-01T00:00:00Z\nexpires 2028-01-01T00:00:00Z\n",
	             3, 1, "'expires' is set twice");
	expect_error("mode enforce\nmessage hello\n", 2, 9, "must be a \"quoted string\"");
	expect_error("mode enforce\nmessage \"a\"\nmessage \"b\"\n", 3, 1, "set twice");
	expect_error("mode enforce\nmessage \"unterminated\n", 2, 9, "unterminated");
	expect_error("mode enforce\nmessage \"bad \\n escape\"\n", 2, 14, "unknown escape");
	expect_error("mode enforce\nmessage \"a\"b\n", 2, 12, "expected a space after");
	expect_error("mode enforce\nmessage a\"b\"\n", 2, 10, "expected a space before");
	expect_error("mode enforce\nmessage \"tab\there\"\n", 2, 9, "control character");
	expect_error("mode enforce\x01\n", 1, 13, "control character");
	expect_error("mode enforce\n\"mode\" enforce\n", 2, 1, "must begin with a keyword");
	expect_error("mode enforce\nsigner bad/name " KEY1 "\n", 2, 8, "signer name 'bad/name'");
	expect_error("mode enforce\nsigner a " KEY1 "\nsigner a " KEY2 "\n", 3, 8,
	             "already defined on line 2");
	expect_error("mode enforce\nsigner a " KEY1 "\nsigner b " KEY1 "\n", 3, 10,
	             "already signer 'a' (line 2)");
	expect_error("mode enforce\nsigner a RWQnotakey\n", 2, 10, "not a public key");
	expect_error("mode enforce\nsigner a\n", 2, 1, "'signer' needs");
	expect_error("mode enforce\nmanifest m signer nobody\n", 2, 19, "unknown signer 'nobody'");
	expect_error("mode enforce\nsigner a " KEY1 "\nmanifest m by a\n", 3, 12,
	             "expected 'signer'");
	expect_error("mode enforce\nsigner a " KEY1 "\nmanifest m signer a sig\n", 3, 21,
	             "expected 'signature PATH'");
	expect_error("mode enforce\nsigner a " KEY1 "\nmanifest m signer a sig x\n", 3, 21,
	             "expected 'signature'");
	expect_error("mode enforce\nsigner a " KEY1 "\nmanifest m signer a\nmanifest m signer a\n",
	             4, 10, "already listed on line 3");
	expect_error("mode enforce\nallow 9f86\n", 2, 7, "not a SHA-256");
	expect_error("mode enforce\nallow "
	             "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0g\n",
	             2, 70, "not a hex digit");
	expect_error("mode enforce\nallow " H1 " \"x\" extra\n", 2, 76, "unexpected 'extra'");
	expect_error("mode enforce\ndeny " H1 " unquoted\n", 2, 71, "must be a \"quoted string\"");
	expect_error("mode enforce\nallow " H1 "\nallow " H2 "\nallow " H1 "\n", 4, 1,
	             "duplicate 'allow' rule for this SHA-256 (first on line 2)");
	expect_error("mode enforce\ndeny " H1 "\ndeny " H1 " \"again\"\n", 3, 1,
	             "duplicate 'deny' rule");
	expect_error("mode enforce\ngate network on\n", 2, 6, "cannot gate 'network'");
	expect_error("mode enforce\ngate exec maybe\n", 2, 11, "expected 'on' or 'off'");
	expect_error("mode enforce\na b c d e f g h i\n", 2, 17, "too many words");
}

static void test_long_inputs(void **state)
{
	struct vouch_policy p;
	struct vouch_policy_error e;
	char *text;
	size_t n;

	(void)state;
	/* A line of 4097 bytes is refused at its 4097th column. */
	text = malloc(5000);
	assert_non_null(text);
	n = (size_t)sprintf(text, "mode enforce\n# ");
	memset(text + n, 'x', 4095);
	text[n + 4095] = '\n';
	text[n + 4096] = '\0';
	expect_error(text, 2, 4097, "longer than 4096");
	/* 4096 bytes exactly is fine. */
	text[n + 4094] = '\n';
	text[n + 4095] = '\0';
	assert_int_equal(parse(&p, &e, text), 0);
	vouch_policy_free(&p);
	free(text);

	/* A message of 513 bytes is refused, 512 accepted. */
	text = malloc(700);
	assert_non_null(text);
	n = (size_t)sprintf(text, "mode enforce\nmessage \"");
	memset(text + n, 'm', 513);
	strcpy(text + n + 513, "\"\n");
	expect_error(text, 2, 9, "longer than 512");
	strcpy(text + n + 512, "\"\n");
	assert_int_equal(parse(&p, &e, text), 0);
	assert_int_equal(strlen(p.message), 512);
	vouch_policy_free(&p);
	free(text);

	assert_int_equal(vouch_policy_parse(&p, "mode enforce", VOUCH_POLICY_MAX + 1, &e),
	                 VOUCH_E_TOOBIG);
	vouch_policy_free(&p);
}

/* 'log': which decisions vouchd records; the default records denials and first allows. */
static void test_log(void **state)
{
	static const struct {
		const char *text;
		unsigned want;
	} ok[] = {
	    {"mode enforce\n", VOUCH_LOG_FIRST},
	    {"mode enforce\nlog denials\n", VOUCH_LOG_DENIALS},
	    {"mode enforce\nlog first\n", VOUCH_LOG_FIRST},
	    {"mode enforce\nlog all\ngate elf off\n", VOUCH_LOG_ALL},
	};
	struct vouch_policy p;
	struct vouch_policy_error e;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(parse(&p, &e, ok[i].text), 0);
		assert_int_equal(p.gates & VOUCH_LOG_MASK, ok[i].want);
		vouch_policy_free(&p);
	}
	/* The log level lives beside the gates: 'gate' does not disturb it. */
	assert_int_equal(parse(&p, &e, "mode enforce\nlog all\ngate elf off\n"), 0);
	assert_int_equal(p.gates & VOUCH_GATE_ELF, 0);
	vouch_policy_free(&p);
	expect_error("mode enforce\nlog everything\n", 2, 5, "cannot log 'everything'");
	expect_error("mode enforce\nlog\n", 2, 1, "denials, first or all");
	expect_error("mode enforce\nlog all\nlog denials\n", 3, 1, "'log' is set twice");
}

static void test_max_size(void **state)
{
	static const struct {
		const char *text;
		uint64_t want;
	} ok[] = {
	    {"mode enforce\n", 0},
	    {"mode enforce\nmax-size 1024\n", 1024},
	    {"mode enforce\nmax-size 512M\n", 512ull << 20},
	    {"mode enforce\nmax-size 3G\n", 3ull << 30},
	    {"mode enforce\nmax-size 64K\n", 64ull << 10},
	};
	struct vouch_policy p;
	struct vouch_policy_error e;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(parse(&p, &e, ok[i].text), 0);
		assert_int_equal(p.max_size, ok[i].want);
		vouch_policy_free(&p);
	}
	expect_error("mode enforce\nmax-size 1023\n", 2, 10, "less than 1K");
	expect_error("mode enforce\nmax-size 12T\n", 2, 10, "not a size");
	expect_error("mode enforce\nmax-size 0x10\n", 2, 10, "not a size");
	expect_error("mode enforce\nmax-size 010M\n", 2, 10, "not a size");
	expect_error("mode enforce\nmax-size -1\n", 2, 10, "not a size");
	expect_error("mode enforce\nmax-size 99999999999999999999\n", 2, 10, "not a size");
	expect_error("mode enforce\nmax-size 17179869184G\n", 2, 10, "not a size");
	expect_error("mode enforce\nmax-size \"1M\"\n", 2, 10, "not a size");
	expect_error("mode enforce\nmax-size\n", 2, 1, "a size such as 512M");
	expect_error("mode enforce\nmax-size 1M\nmax-size 2M\n", 3, 1, "'max-size' is set twice");
}

static void test_update_every(void **state)
{
	static const struct {
		const char *text;
		int64_t want;
	} ok[] = {
	    {"mode enforce\n", 0},
	    {"mode enforce\nupdate-every 180d\n", 180 * 86400},
	    {"mode enforce\nupdate-every 1h\n", 3600},
	    {"mode enforce\nupdate-every 12h\n", 12 * 3600},
	    {"mode enforce\nupdate-every 3650d\n", 3650 * 86400LL},
	};
	struct vouch_policy p;
	struct vouch_policy_error e;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(parse(&p, &e, ok[i].text), 0);
		assert_int_equal(p.update_every, ok[i].want);
		vouch_policy_free(&p);
	}
	expect_error("mode enforce\nupdate-every 0h\n", 2, 14, "out of range");
	expect_error("mode enforce\nupdate-every 3651d\n", 2, 14, "out of range");
	expect_error("mode enforce\nupdate-every 999999999d\n", 2, 14, "out of range");
	expect_error("mode enforce\nupdate-every 9999999999d\n", 2, 14, "not a duration");
	expect_error("mode enforce\nupdate-every 180\n", 2, 14, "not a duration");
	expect_error("mode enforce\nupdate-every 6m\n", 2, 14, "not a duration");
	expect_error("mode enforce\nupdate-every 06d\n", 2, 14, "not a duration");
	expect_error("mode enforce\nupdate-every -1d\n", 2, 14, "not a duration");
	expect_error("mode enforce\nupdate-every d\n", 2, 14, "not a duration");
	expect_error("mode enforce\nupdate-every \"1d\"\n", 2, 14, "not a duration");
	expect_error("mode enforce\nupdate-every\n", 2, 1, "a duration such as 180d");
	expect_error("mode enforce\nupdate-every 1d\nupdate-every 2d\n", 3, 1,
	             "'update-every' is set twice");
}

static void test_time(void **state)
{
	static const struct {
		const char *s;
		int64_t t;
	} ok[] = {
	    {"1970-01-01T00:00:00Z", 0},
	    {"2000-02-29T12:34:56Z", 951827696},
	    {"2038-01-19T03:14:08Z", 2147483648LL},
	    {"2100-12-31T23:59:59Z", 4133980799LL},
	};
	static const char *const bad[] = {
	    "2100-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
	    "2026-01-32T00:00:00Z", "2026-04-31T00:00:00Z", "2026-01-01T00:60:00Z",
	    "2026-01-01T00:00:60Z", "2026-1-01T00:00:00Z",  "2026-01-01T00:00:00z",
	    "+026-01-01T00:00:00Z",
	};
	char buf[21];
	int64_t t;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(vouch_time_parse(ok[i].s, strlen(ok[i].s), &t), 0);
		assert_int_equal(t, ok[i].t);
		vouch_time_format(t, buf);
		assert_string_equal(buf, ok[i].s);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (vouch_time_parse(bad[i], strlen(bad[i]), &t) != VOUCH_E_RANGE)
			fail_msg("accepted bad time %s", bad[i]);
	assert_string_equal(vouch_mode_name(VOUCH_MODE_ENFORCE), "enforce");
	assert_string_equal(vouch_mode_name(VOUCH_MODE_MONITOR), "monitor");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_minimal),
	    cmocka_unit_test(test_full),
	    cmocka_unit_test(test_uppercase_hash_accepted),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_long_inputs),
	    cmocka_unit_test(test_time),
	    cmocka_unit_test(test_log),
	    cmocka_unit_test(test_max_size),
	    cmocka_unit_test(test_update_every),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
