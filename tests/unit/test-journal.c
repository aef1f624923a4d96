/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the update journal's text (src/lib/core/journal.c): one spelling each way. */
#include <errno.h>

#include "test-util.h"
#include "vouch/journal.h"

static char *format(const struct vouch_journal *j, size_t *len)
{
	char *out = NULL;

	assert_err(vouch_journal_format(j, &out, len), 0);
	return out;
}

static int parse_str(const char *s)
{
	struct vouch_journal j;
	int ret = vouch_journal_parse(&j, s, strlen(s));

	vouch_journal_free(&j);
	return ret;
}

static void round_trip(void **state)
{
	struct vouch_journal_file f[3] = {
	    {.dest = "/var/lib/vouch/trust.mdb", .tmp = "/var/lib/vouch/trust.mdb.tmp-7-00000001"},
	    {.dest = "/usr/local/bin/a b\nc", .tmp = "/usr/local/bin/a b\nc.tmp-7-2"},
	    {.dest = "/\xff\x01", .tmp = "/\xff\x01.t"},
	};
	struct vouch_journal j = {.phase = VOUCH_JOURNAL_COMMIT, .pid = 7, .files = f, .nfiles = 3};
	struct vouch_journal back;
	size_t len;
	char *text;

	(void)state;
	text = format(&j, &len);
	assert_err(vouch_journal_parse(&back, text, len), 0);
	assert_int_equal(back.phase, VOUCH_JOURNAL_COMMIT);
	assert_int_equal(back.pid, 7);
	assert_int_equal(back.nfiles, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(back.files[i].dest, f[i].dest);
		assert_string_equal(back.files[i].tmp, f[i].tmp);
	}
	vouch_journal_free(&back);
	/* Every truncation and every extension is refused (the journal ends in "end\n"). */
	for (size_t i = 0; i < len; i++) {
		assert_err(vouch_journal_parse(&back, text, i), VOUCH_E_JOURNAL);
		vouch_journal_free(&back);
	}
	text = realloc(text, len + 1);
	assert_non_null(text);
	text[len] = '\n';
	assert_err(vouch_journal_parse(&back, text, len + 1), VOUCH_E_JOURNAL);
	vouch_journal_free(&back);
	free(text);

	/* The stage phase: destinations only. */
	for (size_t i = 0; i < 3; i++)
		f[i].tmp = NULL;
	j.phase = VOUCH_JOURNAL_STAGE;
	j.pid = 2147483647;
	text = format(&j, &len);
	assert_true(len > 40 && !memcmp(text,
	                                "vouch-update-journal 1\nphase stage\npid 2147483647\n"
	                                "file 2f7661722f6c69622f766f7563682f74727573742e6d6462 -\n",
	                                70));
	assert_err(vouch_journal_parse(&back, text, len), 0);
	assert_int_equal(back.phase, VOUCH_JOURNAL_STAGE);
	assert_null(back.files[1].tmp);
	vouch_journal_free(&back);
	free(text);
	/* No files at all is a journal too. */
	j.nfiles = 0;
	text = format(&j, &len);
	assert_int_equal(len, strlen("vouch-update-journal 1\nphase stage\npid 2147483647\nend\n"));
	assert_err(vouch_journal_parse(&back, text, len), 0);
	vouch_journal_free(&back);
	free(text);
	vouch_journal_free(NULL);
}

static void format_refuses(void **state)
{
	struct vouch_journal_file f = {.dest = "/a", .tmp = NULL};
	struct vouch_journal j = {.phase = VOUCH_JOURNAL_STAGE, .pid = 1, .files = &f, .nfiles = 1};
	char *out = (char *)1, big[VOUCH_JOURNAL_PATH_MAX + 2];
	size_t len = 9;

	(void)state;
	f.dest = "a";
	assert_err(vouch_journal_format(&j, &out, &len), VOUCH_E_JOURNAL);
	assert_null(out);
	assert_int_equal(len, 0);
	f.dest = "/a";
	f.tmp = "/a.t"; /* a temporary name in the stage phase */
	assert_err(vouch_journal_format(&j, &out, &len), VOUCH_E_JOURNAL);
	j.phase = VOUCH_JOURNAL_COMMIT;
	f.tmp = NULL; /* none in the commit phase */
	assert_err(vouch_journal_format(&j, &out, &len), VOUCH_E_JOURNAL);
	f.tmp = "/a.t";
	j.pid = 0;
	assert_err(vouch_journal_format(&j, &out, &len), VOUCH_E_JOURNAL);
	j.pid = 1;
	memset(big, 'x', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = 0;
	f.dest = big;
	assert_err(vouch_journal_format(&j, &out, &len), VOUCH_E_JOURNAL);
	big[sizeof(big) - 2] = 0; /* exactly the longest */
	assert_err(vouch_journal_format(&j, &out, &len), 0);
	free(out);
	j.phase = 3;
	assert_err(vouch_journal_format(&j, &out, &len), VOUCH_E_JOURNAL);
}

static void parse_refuses(void **state)
{
	(void)state;
	assert_err(parse_str("vouch-update-journal 1\nphase commit\npid 9\nfile 2f61 2f62\nend\n"),
	           0);
	assert_err(parse_str("vouch-update-journal 2\nphase commit\npid 9\nend\n"),
	           VOUCH_E_JOURNAL);
	assert_err(parse_str("vouch-update-journal 1\nphase done\npid 9\nend\n"), VOUCH_E_JOURNAL);
	assert_err(parse_str("vouch-update-journal 1\nphase commit\npid 09\nend\n"),
	           VOUCH_E_JOURNAL);
	assert_err(parse_str("vouch-update-journal 1\nphase commit\npid 0\nend\n"),
	           VOUCH_E_JOURNAL);
	assert_err(parse_str("vouch-update-journal 1\nphase commit\npid -1\nend\n"),
	           VOUCH_E_JOURNAL);
	assert_err(parse_str("vouch-update-journal 1\nphase commit\npid 2147483648\nend\n"),
	           VOUCH_E_JOURNAL);
	assert_err(parse_str("vouch-update-journal 1\nphase commit\npid 9x\nend\n"),
	           VOUCH_E_JOURNAL);
	assert_err(parse_str("vouch-update-journal 1\nphase commit\npid 9\nend"), VOUCH_E_JOURNAL);
	assert_err(parse_str("vouch-update-journal 1\r\nphase commit\npid 9\nend\n"),
	           VOUCH_E_JOURNAL);
	/* Upper-case hex, odd lengths, a relative path, a NUL in a path. */
	assert_err(parse_str("vouch-update-journal 1\nphase commit\npid 9\nfile 2F61 2f62\nend\n"),
	           VOUCH_E_JOURNAL);
	assert_err(parse_str("vouch-update-journal 1\nphase commit\npid 9\nfile 2f6 2f62\nend\n"),
	           VOUCH_E_JOURNAL);
	assert_err(parse_str("vouch-update-journal 1\nphase commit\npid 9\nfile 61 2f62\nend\n"),
	           VOUCH_E_JOURNAL);
	assert_err(
	    parse_str("vouch-update-journal 1\nphase commit\npid 9\nfile 2f0061 2f62\nend\n"),
	    VOUCH_E_JOURNAL);
	assert_err(parse_str("vouch-update-journal 1\nphase commit\npid 9\nfile 2f61 -\nend\n"),
	           VOUCH_E_JOURNAL);
	assert_err(parse_str("vouch-update-journal 1\nphase stage\npid 9\nfile 2f61 2f62\nend\n"),
	           VOUCH_E_JOURNAL);
	assert_err(parse_str("vouch-update-journal 1\nphase stage\npid 9\nfile 2f61 -\nend\n"), 0);
	assert_err(parse_str("vouch-update-journal 1\nphase stage\npid 9\nfile 2f61  -\nend\n"),
	           VOUCH_E_JOURNAL);
	assert_err(parse_str("vouch-update-journal 1\nphase stage\npid 9\nfile 2f61\nend\n"),
	           VOUCH_E_JOURNAL);
	assert_err(parse_str("vouch-update-journal 1\nphase stage\npid 9\nfiles 2f61 -\nend\n"),
	           VOUCH_E_JOURNAL);
	assert_err(parse_str("vouch-update-journal 1\nphase stage\npid 9\nend\nend\n"),
	           VOUCH_E_JOURNAL);
	assert_err(parse_str(""), VOUCH_E_JOURNAL);
}

static void too_many(void **state)
{
	size_t n = VOUCH_JOURNAL_MAX_FILES + 1, cap = 64 + n * 16, len;
	char *text = malloc(cap);
	struct vouch_journal j;

	(void)state;
	assert_non_null(text);
	len = (size_t)snprintf(text, cap, "vouch-update-journal 1\nphase stage\npid 9\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len, "file 2f61 -\n");
	len += (size_t)snprintf(text + len, cap - len, "end\n");
	assert_err(vouch_journal_parse(&j, text, len), VOUCH_E_JOURNAL);
	vouch_journal_free(&j);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(round_trip),
	    cmocka_unit_test(format_refuses),
	    cmocka_unit_test(parse_refuses),
	    cmocka_unit_test(too_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
