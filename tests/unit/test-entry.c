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

/* Format @e, parse it back and compare the strings' bytes; the text into @text (@cap). */
static int format_parse(const struct vouch_entry *e, char *text, size_t cap, struct vouch_entry *b,
                        char *scratch, size_t scap)
{
	int n = vouch_entry_format(e, text, cap);

	assert_true(n > 0);
	assert_err(vouch_entry_parse(b, text, (size_t)n, scratch, scap), 0);
	assert_string_equal(b->path, e->path);
	assert_string_equal(b->reason, e->reason);
	if (e->exe)
		assert_string_equal(b->exe, e->exe);
	return n;
}

/*
 * Strings that are not UTF-8: shown with U+FFFD, their bytes in a companion right after
 * them, read back exactly; valid UTF-8 has no companion.
 */
static void test_companions(void **state)
{
	static char text[VOUCH_ENTRY_MAX], scratch[VOUCH_ENTRY_MAX + 8], path[4096];
	struct vouch_entry e = sample(), b;
	int n;

	(void)state;
	e.path = "/tmp/caf\xe9";
	e.exe = "/usr/bin/\xff";
	e.reason = "\xc3\xa9t\xc3\xa9 \xc2\x9b";
	n = format_parse(&e, text, sizeof(text), &b, scratch, sizeof(scratch));
	text[n] = '\0';
	assert_non_null(
	    strstr(text, ",\"path\":\"/tmp/caf\xef\xbf\xbd\",\"path_b64\":\"L3RtcC9jYWbp\","));
	assert_non_null(
	    strstr(text, ",\"exe\":\"/usr/bin/\xef\xbf\xbd\",\"exe_b64\":\"L3Vzci9iaW4v/w==\","));
	assert_non_null(strstr(text, ",\"reason\":\"\xc3\xa9t\xc3\xa9 \xc2\x9b\",\"path\""));
	assert_null(strstr(text, "reason_b64"));
	/* Long names: a 4095-byte path of 255-byte components, every byte not UTF-8. */
	for (size_t i = 0; i < 4095; i++)
		path[i] = i % 256 == 0 ? '/' : (char)(0x80 + i % 128);
	path[4095] = '\0';
	e.path = path;
	format_parse(&e, text, sizeof(text), &b, scratch, sizeof(scratch));
	/* Every byte value but NUL, through the log's writer. */
	for (int i = 0; i < 255; i++)
		path[i] = (char)(i + 1);
	path[255] = '\0';
	format_parse(&e, text, sizeof(text), &b, scratch, sizeof(scratch));
	/* For the terminal: C1 escaped, the same bytes. */
	e.path = "/tmp/\xc2\x9b\xff";
	n = vouch_entry_format_flags(&e, VOUCH_JSON_C1, text, sizeof(text));
	assert_true(n > 0);
	text[n] = '\0';
	assert_non_null(
	    strstr(text, "\"path\":\"/tmp/\\u009b\xef\xbf\xbd\",\"path_b64\":\"L3RtcC/Cm/8=\""));
}

/* An entry with its path and companion replaced by @p (the text from ,"path" to ,"sha256"). */
static int with_path(char *out, size_t cap, const char *p)
{
	static const char head[] =
	    "{\"time\":\"2025-11-21T10:00:00.123456Z\",\"decision\":\"deny\",\"mode\":\"enforce\","
	    "\"event\":\"exec\",\"rule\":\"default\",\"reason\":\"r\"";
	static const char tail[] = ",\"sha256\":\"abababababababababababababababab"
	                           "abababababababababababababababab\",\"pid\":1,\"uid\":1}";

	return snprintf(out, cap, "%s%s%s", head, p, tail);
}

/* One spelling: a companion where none belongs, one that disagrees, bad base64. */
static void test_companion_strict(void **state)
{
	static const struct {
		const char *path;
		bool ok;
	} cases[] = {
	    {",\"path\":\"/tmp/x\"", true},
	    {",\"path\":\"/tmp/caf\xef\xbf\xbd\",\"path_b64\":\"L3RtcC9jYWbp\"", true},
	    /* A companion on valid UTF-8 (one spelling only). */
	    {",\"path\":\"/tmp/x\",\"path_b64\":\"L3RtcC94\"", false},
	    /* The lossy text disagrees with the bytes. */
	    {",\"path\":\"/tmp/cafe\",\"path_b64\":\"L3RtcC9jYWbp\"", false},
	    {",\"path\":\"/tmp/caf\xef\xbf\xbd\xef\xbf\xbd\",\"path_b64\":\"L3RtcC9jYWbp\"", false},
	    {",\"path\":\"/tmp/caf\\ufffd\",\"path_b64\":\"L3RtcC9jYWbp\"", false},
	    {",\"path\":\"/tmp/caf\\u00e9\",\"path_b64\":\"L3RtcC9jYWbp\"", false},
	    {",\"path\":\"/tmp/x\xef\xbf\xbd\",\"path_b64\":\"L3RtcC9jYWbp\"", false},
	    /* Bad base64: cut, unpadded, outside the alphabet, bits after the end. */
	    {",\"path\":\"/tmp/caf\xef\xbf\xbd\",\"path_b64\":\"L3RtcC9jYWb\"", false},
	    {",\"path\":\"/tmp/caf\xef\xbf\xbd\",\"path_b64\":\"L3RtcC9jYWbp=\"", false},
	    /* Another stray byte, the same text: the companion says which. */
	    {",\"path\":\"/tmp/caf\xef\xbf\xbd\",\"path_b64\":\"L3RtcC9jYWbq\"", true},
	    {",\"path\":\"\xef\xbf\xbd\",\"path_b64\":\"/x==\"", false},
	    {",\"path\":\"/tmp/caf\xef\xbf\xbd\",\"path_b64\":\"L3RtcC9jYWb-\"", false},
	    {",\"path\":\"/tmp/caf\xef\xbf\xbd\",\"path_b64\":\"L3RtcC9jYWbp\\n\"", false},
	    {",\"path\":\"/tmp/caf\xef\xbf\xbd\",\"path_b64\":1", false},
	    /* Not right after its field, twice, or without it. */
	    {",\"path_b64\":\"L3RtcC9jYWbp\",\"path\":\"/tmp/caf\xef\xbf\xbd\"", false},
	    {",\"path\":\"/tmp/"
	     "caf\xef\xbf\xbd\",\"path_b64\":\"L3RtcC9jYWbp\",\"path_b64\":\"L3RtcC9jYWbp\"",
	     false},
	    {",\"path\":\"/x\",\"reason_b64\":\"/w==\"", false},
	    /* Raw bytes that are not UTF-8, a NUL among the bytes, a NUL escaped. */
	    {",\"path\":\"/tmp/caf\xe9\"", false},
	    {",\"path\":\"\xef\xbf\xbd\xef\xbf\xbd\\u0000\",\"path_b64\":\"/wD+\"", false},
	    {",\"path\":\"a\\u0000b\"", false},
	    /* The first spelling, and the first spelling together with a companion. */
	    {",\"path\":\"/tmp/caf\\u00e9\"", true},
	    {",\"path\":\"/tmp/\\u00c3\\u00a9\"", false},
	    {",\"path\":\"/tmp/caf\\u00e9\",\"path_b64\":\"L3RtcC9jYWbp\"", false},
	};
	char text[1024], scratch[1024 + 8];
	struct vouch_entry b;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = with_path(text, sizeof(text), cases[i].path);

		assert_true(n > 0 && (size_t)n < sizeof(text));
		if (vouch_entry_parse(&b, text, (size_t)n, scratch, sizeof(scratch)) !=
		    (cases[i].ok ? 0 : VOUCH_E_ENTRY))
			fail_msg("case %zu: %s", i, cases[i].path);
	}
	assert_err(vouch_entry_parse(&b, text, (size_t)with_path(text, sizeof(text), cases[1].path),
	                             scratch, sizeof(scratch)),
	           0);
	assert_string_equal(b.path, "/tmp/caf\xe9");
	/* A later version's key and its companion are skipped like any later key. */
	assert_err(vouch_entry_parse(&b, text,
	                             (size_t)with_path(text, sizeof(text),
	                                               ",\"path\":\"/x\",\"node\":\"\xef\xbf\xbd\","
	                                               "\"node_b64\":\"/w==\""),
	                             scratch, sizeof(scratch)),
	           0);
}

/*
 * Entries as the first writer wrote them (tests/data/legacy-entries.jsonl, entry.c at
 * 21b11ad): read as the bytes it meant, and written again with companions; an entry
 * whose strings are all UTF-8 is written again byte for byte the same.
 */
static void test_legacy(void **state)
{
	static char all[256];
	const char *paths[] = {
	    "/tmp/caf\xe9",
	    "/tmp/\xc3\xa9t\xc3\xa9",
	    "/tmp/\xff\xfe/\xe2\x82/\xed\xa0\x80/\xc0\xaf/\xf4\x90\x80\x80/end",
	    "/tmp/ctl\x01\x1f\x7f\"\\",
	    "/tmp/c1\xc2\x9b\xc2\x80",
	    all,
	};
	static char again[VOUCH_ENTRY_MAX], scratch[VOUCH_ENTRY_MAX + 8], s2[VOUCH_ENTRY_MAX + 8];
	size_t len, i = 0;
	char *data = read_data("legacy-entries.jsonl", &len), *line = data, *nl;

	(void)state;
	for (int k = 0; k < 255; k++)
		all[k] = (char)(k + 1);
	for (; (nl = memchr(line, '\n', len - (size_t)(line - data))); line = nl + 1, i++) {
		struct vouch_entry e, b;
		size_t n = (size_t)(nl - line);
		int m;

		assert_true(i < sizeof(paths) / sizeof(paths[0]));
		assert_err(vouch_entry_parse(&e, line, n, scratch, sizeof(scratch)), 0);
		assert_string_equal(e.path, paths[i]);
		assert_string_equal(e.reason, i == 0 ? "old \xe9 writer" : "old writer");
		if (i == 0)
			assert_string_equal(e.exe, "/usr/bin/\xa0x");
		else
			assert_null(e.exe);
		assert_int_equal(e.time_us, INT64_C(1763719200000000) + (int64_t)i);
		m = format_parse(&e, again, sizeof(again), &b, s2, sizeof(s2));
		if (i == 1 || i == 3 || i == 4) {
			assert_int_equal((size_t)m, n);
			assert_memory_equal(again, line, n);
		} else {
			assert_non_null(memmem(again, (size_t)m, "\"path_b64\":\"", 12));
		}
	}
	assert_int_equal(i, sizeof(paths) / sizeof(paths[0]));
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format),           cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_strict),           cmocka_unit_test(test_unhashed_and_summary),
	    cmocka_unit_test(test_vocabulary),       cmocka_unit_test(test_companions),
	    cmocka_unit_test(test_companion_strict), cmocka_unit_test(test_legacy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
