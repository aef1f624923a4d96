/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the update state's text (src/lib/core/upstate.c) and the overdue rule. */
#include <errno.h>

#include "test-util.h"
#include "vouch/upstate.h"

#define H1 "0000000000000000000000000000000000000000000000000000000000000001"
#define H2 "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"

static int parse_str(const char *s)
{
	struct vouch_upstate u;
	int ret = vouch_upstate_parse(&u, s, strlen(s));

	vouch_upstate_free(&u);
	return ret;
}

static void round_trip(void **state)
{
	struct vouch_upstate_target t[2] = {
	    {.path = "groups/lab/bin/tool", .length = 12, .sha256 = H1},
	    {.path = "groups/lab/policy.bundle", .length = 0, .sha256 = H2},
	};
	struct vouch_upstate u = {.checked = 1764774000,
	                          .succeeded = 1764774000,
	                          .changed = 1764000000,
	                          .root = 3,
	                          .targets = 42,
	                          .t = t,
	                          .nt = 2};
	static const char want[] =
	    "vouch-update-state 1\nchecked 2025-12-03T15:00:00Z\nsucceeded 2025-12-03T15:00:00Z\n"
	    "changed 2025-11-24T16:00:00Z\nroot 3\ntargets 42\nfailure -\n"
	    "target 67726f7570732f6c61622f62696e2f746f6f6c 12 " H1 "\n"
	    "target 67726f7570732f6c61622f706f6c6963792e62756e646c65 0 " H2 "\nend\n";
	struct vouch_upstate back;
	char *text = NULL;
	size_t len = 0;

	(void)state;
	assert_err(vouch_upstate_format(&u, &text, &len), 0);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(text, want, len);
	assert_err(vouch_upstate_parse(&back, text, len), 0);
	assert_int_equal(back.checked, u.checked);
	assert_int_equal(back.changed, u.changed);
	assert_int_equal(back.targets, 42);
	assert_int_equal(back.nt, 2);
	assert_string_equal(back.t[1].path, t[1].path);
	assert_string_equal(back.t[0].sha256, H1);
	assert_null(back.failure);
	vouch_upstate_free(&back);
	for (size_t i = 0; i < len; i++) {
		assert_err(vouch_upstate_parse(&back, text, i), VOUCH_E_UPSTATE);
		vouch_upstate_free(&back);
	}
	free(text);
	/* Never, a failure, no targets. */
	memset(&u, 0, sizeof(u));
	u.checked = 1764774000;
	u.failure = "timestamp: expired";
	assert_err(vouch_upstate_format(&u, &text, &len), 0);
	assert_non_null(strstr(text, "succeeded never\n"));
	assert_non_null(strstr(text, "failure 74696d657374616d703a2065787069726564\n"));
	assert_err(vouch_upstate_parse(&back, text, len), 0);
	assert_string_equal(back.failure, "timestamp: expired");
	assert_int_equal(back.succeeded, 0);
	vouch_upstate_free(&back);
	free(text);
	vouch_upstate_free(NULL);
}

static void refusals(void **state)
{
	static const char head[] = "vouch-update-state 1\nchecked never\nsucceeded never\n"
	                           "changed never\nroot 0\ntargets 0\nfailure -\n";
	struct vouch_upstate_target t[2] = {{.path = "b", .length = 1, .sha256 = H1},
	                                    {.path = "a", .length = 1, .sha256 = H1}};
	struct vouch_upstate u = {.t = t, .nt = 2};
	char buf[1024], *text;
	size_t len;

	(void)state;
	snprintf(buf, sizeof(buf), "%send\n", head);
	assert_err(parse_str(buf), 0);
	snprintf(buf, sizeof(buf), "%starget 61 1 " H1 "\ntarget 62 1 " H1 "\nend\n", head);
	assert_err(parse_str(buf), 0);
	/* Unsorted, duplicate, upper-case hash, a short hash, length spellings. */
	snprintf(buf, sizeof(buf), "%starget 62 1 " H1 "\ntarget 61 1 " H1 "\nend\n", head);
	assert_err(parse_str(buf), VOUCH_E_UPSTATE);
	snprintf(buf, sizeof(buf), "%starget 61 1 " H1 "\ntarget 61 1 " H1 "\nend\n", head);
	assert_err(parse_str(buf), VOUCH_E_UPSTATE);
	snprintf(
	    buf, sizeof(buf),
	    "%starget 61 1 ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789\nend\n",
	    head);
	assert_err(parse_str(buf), VOUCH_E_UPSTATE);
	snprintf(buf, sizeof(buf), "%starget 61 01 " H1 "\nend\n", head);
	assert_err(parse_str(buf), VOUCH_E_UPSTATE);
	snprintf(buf, sizeof(buf), "%starget 61  1 " H1 "\nend\n", head);
	assert_err(parse_str(buf), VOUCH_E_UPSTATE);
	snprintf(buf, sizeof(buf), "%starget 6100 1 " H1 "\nend\n", head);
	assert_err(parse_str(buf), VOUCH_E_UPSTATE); /* a NUL in the path */
	assert_err(parse_str("vouch-update-state 1\nchecked 2025-12-03T15:00:00\nsucceeded never\n"
	                     "changed never\nroot 0\ntargets 0\nfailure -\nend\n"),
	           VOUCH_E_UPSTATE);
	assert_err(parse_str("vouch-update-state 1\nchecked never\nsucceeded never\n"
	                     "changed never\ntargets 0\nroot 0\nfailure -\nend\n"),
	           VOUCH_E_UPSTATE);
	assert_err(parse_str("vouch-update-state 1\nchecked never\nsucceeded never\n"
	                     "changed never\nroot 0\ntargets 0\nfailure \nend\n"),
	           VOUCH_E_UPSTATE);
	snprintf(buf, sizeof(buf), "%send\nend\n", head);
	assert_err(parse_str(buf), VOUCH_E_UPSTATE);
	/* format refuses what parse would. */
	assert_err(vouch_upstate_format(&u, &text, &len), VOUCH_E_UPSTATE);
	u.nt = 1;
	t[0].sha256[3] = 'X';
	assert_err(vouch_upstate_format(&u, &text, &len), VOUCH_E_UPSTATE);
	t[0].sha256[3] = '0';
	u.checked = -1;
	assert_err(vouch_upstate_format(&u, &text, &len), VOUCH_E_UPSTATE);
	u.checked = 0;
	u.failure = "";
	assert_err(vouch_upstate_format(&u, &text, &len), VOUCH_E_UPSTATE);
	u.failure = NULL;
	assert_err(vouch_upstate_format(&u, &text, &len), 0);
	free(text);
}

static void overdue(void **state)
{
	struct vouch_upstate u = {.succeeded = 1000000};
	int64_t due = 7;

	(void)state;
	assert_false(vouch_upstate_overdue(&u, 0, 9999999, &due)); /* no deadline */
	assert_int_equal(due, 0);
	assert_true(vouch_upstate_overdue(NULL, 3600, 1, &due)); /* never updated */
	assert_int_equal(due, 0);
	u.succeeded = 0;
	assert_true(vouch_upstate_overdue(&u, 3600, 1, NULL));
	u.succeeded = 1000000;
	assert_false(vouch_upstate_overdue(&u, 3600, 1003600, &due)); /* exactly at the deadline */
	assert_int_equal(due, 1003600);
	assert_true(vouch_upstate_overdue(&u, 3600, 1003601, &due));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(round_trip),
	    cmocka_unit_test(refusals),
	    cmocka_unit_test(overdue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
