/* SPDX-License-Identifier: Apache-2.0 */
/* Log entries: the JSON written, read back exactly, escapes, and strict rejection. */
#include "test-util.h"

static struct vouch_entry sample(void)
{
	struct vouch_entry e = {
	    .time_us = INT64_C(1763719200123456),
	    .decision = "deny",
	    .mode = "enforce",
	    .event = "exec",
	    .rule = "default",
	    .reason = "not vouched for",
	    .path = "/tmp/x",
	    .pid = 4242,
	    .uid = 1000,
	    .exe = "/usr/bin/bash",
	    .has_exe_sha256 = true,
	};

	memset(e.sha256, 0xab, 32);
	memset(e.exe_sha256, 0x01, 32);
	return e;
}

static void test_format(void **state)
{
	struct vouch_entry e = sample();
	char buf[1024];
	int n;

	(void)state;
	n = vouch_entry_format(&e, buf, sizeof(buf));
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(
	    buf,
	    "{\"time\":\"2025-11-21T10:00:00.123456Z\",\"decision\":\"deny\",\"mode\":\"enforce\","
	    "\"event\":\"exec\",\"rule\":\"default\",\"reason\":\"not vouched for\",\"path\":\"/"
	    "tmp/x\",\"sha256\":\"abababababababababababababababababababababababababababababab"
	    "abab\",\"pid\":4242,\"uid\":1000,\"exe\":\"/usr/bin/bash\",\"exe_sha256\":\"0101010"
	    "101010101010101010101010101010101010101010101010101010101\"}");
	assert_err(vouch_entry_format(&e, buf, 100), VOUCH_E_TOOBIG);
	e.exe = NULL;
	e.has_exe_sha256 = false;
	n = vouch_entry_format(&e, buf, sizeof(buf));
	buf[n] = '\0';
	assert_null(strstr(buf, "\"exe\""));
	assert_null(strstr(buf, "exe_sha256"));
}

static void roundtrip(const struct vouch_entry *e)
{
	char buf[4096], scratch[4096 + 8];
	struct vouch_entry b;
	int n = vouch_entry_format(e, buf, sizeof(buf));

	assert_true(n > 0);
	assert_int_equal(vouch_entry_parse(&b, buf, (size_t)n, scratch, sizeof(scratch)), 0);
	assert_int_equal(b.time_us, e->time_us);
	assert_string_equal(b.decision, e->decision);
	assert_string_equal(b.mode, e->mode);
	assert_string_equal(b.event, e->event);
	assert_string_equal(b.rule, e->rule);
	assert_string_equal(b.reason, e->reason);
	assert_string_equal(b.path, e->path);
	assert_int_equal(b.no_sha256, e->no_sha256);
	if (!e->no_sha256)
		assert_memory_equal(b.sha256, e->sha256, 32);
	assert_int_equal(b.summary, e->summary);
	assert_int_equal(b.allowed, e->summary ? e->allowed : 0);
	assert_int_equal(b.denied, e->summary ? e->denied : 0);
	assert_int_equal(b.pid, e->pid);
	assert_int_equal(b.uid, e->uid);
	if (e->exe)
		assert_string_equal(b.exe, e->exe);
	else
		assert_null(b.exe);
	assert_int_equal(b.has_exe_sha256, e->has_exe_sha256);
	if (e->has_exe_sha256)
		assert_memory_equal(b.exe_sha256, e->exe_sha256, 32);
}

static void test_roundtrip(void **state)
{
	struct vouch_entry e = sample();
	char path[300];

	(void)state;
	roundtrip(&e);
	/* Quotes, backslashes, control characters, valid UTF-8 and stray bytes in a path. */
	e.path = "/tmp/a \"b\" \\c\n\td\x01\x7f/\xc3\xa9t\xc3\xa9/\xff\xfe/\xe2\x82/end";
	e.reason = "line\r\n";
	e.exe = NULL;
	e.has_exe_sha256 = false;
	roundtrip(&e);
	/* Every byte value but NUL. */
	for (int i = 0; i < 255; i++)
		path[i] = (char)(i + 1);
	path[255] = '\0';
	e.path = path;
	roundtrip(&e);
	e.time_us = 0;
	e.pid = -1;
	e.uid = 4294967295;
	roundtrip(&e);
}

/* A file that was not read has no sha256; a summary counts what was not recorded. */
static void test_unhashed_and_summary(void **state)
{
	struct vouch_entry e = sample();
	char buf[1024], scratch[1024 + 8];
	struct vouch_entry b;
	int n;

	(void)state;
	e.no_sha256 = true;
	e.rule = "too-large";
	n = vouch_entry_format(&e, buf, sizeof(buf));
	assert_true(n > 0);
	buf[n] = '\0';
	assert_null(strstr(buf, "\"sha256\""));
	roundtrip(&e);
	e = sample();
	e.no_sha256 = true;
	e.decision = "summary";
	e.event = "summary";
	e.rule = "rate-limit";
	e.path = "";
	e.pid = 0;
	e.exe = NULL;
	e.has_exe_sha256 = false;
	e.summary = true;
	e.allowed = 3;
	e.denied = 123456789;
	n = vouch_entry_format(&e, buf, sizeof(buf));
	buf[n] = '\0';
	assert_non_null(strstr(buf, "\"allowed\":3,\"denied\":123456789}"));
	roundtrip(&e);
	/* Counts without the summary event, the event without counts, half the counts, or
	 * a negative count: refused. */
	{
		static const char *const bad[] = {
		    "{\"time\":\"2025-11-21T10:00:00.123456Z\",\"decision\":\"deny\",\"mode\":"
		    "\"enforce\",\"event\":\"exec\",\"rule\":\"r\",\"reason\":\"x\",\"path\":\"\","
		    "\"pid\":0,\"uid\":1,\"allowed\":1,\"denied\":2}",
		    "{\"time\":\"2025-11-21T10:00:00.123456Z\",\"decision\":\"summary\",\"mode\":"
		    "\"enforce\",\"event\":\"summary\",\"rule\":\"r\",\"reason\":\"x\",\"path\":"
		    "\"\",\"pid\":0,\"uid\":1}",
		    "{\"time\":\"2025-11-21T10:00:00.123456Z\",\"decision\":\"summary\",\"mode\":"
		    "\"enforce\",\"event\":\"summary\",\"rule\":\"r\",\"reason\":\"x\",\"path\":"
		    "\"\",\"pid\":0,\"uid\":1,\"allowed\":1}",
		    "{\"time\":\"2025-11-21T10:00:00.123456Z\",\"decision\":\"summary\",\"mode\":"
		    "\"enforce\",\"event\":\"summary\",\"rule\":\"r\",\"reason\":\"x\",\"path\":"
		    "\"\",\"pid\":0,\"uid\":1,\"allowed\":1,\"denied\":-2}",
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			assert_err(
			    vouch_entry_parse(&b, bad[i], strlen(bad[i]), scratch, sizeof(scratch)),
			    VOUCH_E_ENTRY);
	}
}

/* Only the log's words (entry.h): each field refused with a word from outside it. */
static void test_vocabulary(void **state)
{
	static const struct {
		const char *decision, *mode, *event, *rule;
		bool ok;
	} cases[] = {
	    {"allow", "enforce", "exec", "manifest", true},
	    {"would-deny", "monitor", "elf-open", "default", true},
	    {"deny", "enforce", "shebang", "open-for-write", true},
	    {"deny", "enforce", "exec", "too-large", true},
	    {"maybe", "enforce", "exec", "default", false},
	    {"deny", "permissive", "exec", "default", false},
	    {"deny", "enforce", "mmap", "default", false},
	    {"deny", "enforce", "exec", "because", false},
	    {"deny", "enforce", "exec", "rate-limit", false},    /* a summary's rule */
	    {"summary", "enforce", "exec", "default", false},    /* a summary's decision */
	    {"deny", "enforce", "summary", "rate-limit", false}, /* a summary's event */
	};
	char buf[1024], scratch[1024 + 8];
	struct vouch_entry b;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vouch_entry e = sample();
		int n;

		e.decision = cases[i].decision;
		e.mode = cases[i].mode;
		e.event = cases[i].event;
		e.rule = cases[i].rule;
		n = vouch_entry_format(&e, buf, sizeof(buf));
		assert_true(n > 0);
		if (cases[i].ok)
			assert_err(vouch_entry_parse(&b, buf, (size_t)n, scratch, sizeof(scratch)),
			           0);
		else
			assert_err(vouch_entry_parse(&b, buf, (size_t)n, scratch, sizeof(scratch)),
			           VOUCH_E_ENTRY);
	}
	assert_string_equal(vouch_event_name(VOUCH_EV_ELF_OPEN), "elf-open");
	assert_string_equal(vouch_verdict_name(true, true), "would-deny");
	assert_string_equal(vouch_verdict_name(false, false), "deny");
}

static void test_strict(void **state)
{
	struct vouch_entry e = sample(), b;
	char buf[1024], scratch[1100], mod[1100];
	int n;

	(void)state;
	n = vouch_entry_format(&e, buf, sizeof(buf));
	/* Every proper prefix, and anything after the object, is rejected. */
	for (int i = 0; i < n; i++)
		assert_err(vouch_entry_parse(&b, buf, (size_t)i, scratch, sizeof(scratch)),
		           VOUCH_E_ENTRY);
	memcpy(mod, buf, (size_t)n);
	mod[n] = ' ';
	assert_err(vouch_entry_parse(&b, mod, (size_t)n + 1, scratch, sizeof(scratch)),
	           VOUCH_E_ENTRY);
	static const char *const bad[] = {
	    /* no path */
	    "{\"time\":\"2025-11-21T10:00:00.123456Z\",\"decision\":\"deny\",\"mode\":\"e\","
	    "\"event\":\"exec\",\"rule\":\"r\",\"reason\":\"x\",\"sha256\":\"abababababababababab"
	    "abababababababababababababababababababababababab\",\"pid\":1,\"uid\":1}",
	    /* repeated key */
	    "{\"time\":\"2025-11-21T10:00:00.123456Z\",\"time\":\"2025-11-21T10:00:00.123456Z\"}",
	    /* upper-case hash */
	    "{\"time\":\"2025-11-21T10:00:00.123456Z\",\"decision\":\"deny\",\"mode\":\"e\","
	    "\"event\":\"exec\",\"rule\":\"r\",\"reason\":\"x\",\"path\":\"/p\",\"sha256\":\"ABAB"
	    "abababababababababababababababababababababababababababababab\",\"pid\":1,\"uid\":1}",
	    /* a number as a string */
	    "{\"time\":\"2025-11-21T10:00:00.123456Z\",\"decision\":\"deny\",\"mode\":\"e\","
	    "\"event\":\"exec\",\"rule\":\"r\",\"reason\":\"x\",\"path\":\"/p\",\"sha256\":\"abab"
	    "abababababababababababababababababababababababababababababab\",\"pid\":\"1\",\"uid\":"
	    "1}",
	    /* a bad time */
	    "{\"time\":\"2025-13-21T10:00:00.123456Z\",\"decision\":\"deny\",\"mode\":\"e\","
	    "\"event\":\"exec\",\"rule\":\"r\",\"reason\":\"x\",\"path\":\"/p\",\"sha256\":\"abab"
	    "abababababababababababababababababababababababababababababab\",\"pid\":1,\"uid\":1}",
	    /* \u above 0xff and \u0000 */
	    "{\"time\":\"2025-11-21T10:00:00.123456Z\",\"decision\":\"d\\u0100\"}",
	    "{\"time\":\"2025-11-21T10:00:00.123456Z\",\"decision\":\"d\\u0000\"}",
	    "[]",
	    "",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_err(vouch_entry_parse(&b, bad[i], strlen(bad[i]), scratch, sizeof(scratch)),
		           VOUCH_E_ENTRY);
	/* A key of a later version is skipped. */
	n = vouch_entry_format(&e, buf, sizeof(buf));
	memcpy(mod, buf, (size_t)n - 1);
	memcpy(mod + n - 1, ",\"later\":\"x\",\"count\":7}", 23);
	assert_int_equal(vouch_entry_parse(&b, mod, (size_t)n + 22, scratch, sizeof(scratch)), 0);
	/* Scratch too small. */
	assert_err(vouch_entry_parse(&b, buf, (size_t)n, scratch, (size_t)n), VOUCH_E_ENTRY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format),     cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_strict),     cmocka_unit_test(test_unhashed_and_summary),
	    cmocka_unit_test(test_vocabulary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
