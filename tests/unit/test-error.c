/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for vouch_strerror(): a distinct phrase for every project code, libc's for errno. */
#include <errno.h>
#include <limits.h>

#include "test-util.h"

#define NCODES (VOUCH_E_FIRST - VOUCH_E_LAST + 1)

static void every_project_code_described(void **state)
{
	const char *msgs[NCODES];
	size_t n = 0;

	(void)state;
	assert_true(VOUCH_E_FIRST > VOUCH_E_LAST);
	for (int err = VOUCH_E_FIRST; err >= VOUCH_E_LAST; err--) {
		const char *m = vouch_strerror(err);
		size_t len;

		if (!m || !*m || !strcmp(m, "unknown error") || strstr(m, "Unknown error"))
			fail_msg("code %d has no description", err);
		len = strlen(m);
		if (m[len - 1] == '.' || m[len - 1] == '\n')
			fail_msg("code %d: \"%s\" ends with punctuation", err, m);
		for (size_t i = 0; i < n; i++)
			if (!strcmp(m, msgs[i]))
				fail_msg("codes %d and %d share \"%s\"", VOUCH_E_FIRST - (int)i,
				         err, m);
		msgs[n++] = m;
	}
	assert_int_equal(n, NCODES);
	/* Spot checks that the table is not shifted by one. */
	assert_non_null(strstr(vouch_strerror(VOUCH_E_NOCOMMENT), "untrusted comment"));
	assert_non_null(strstr(vouch_strerror(VOUCH_E_BASE64), "base64"));
	assert_non_null(strstr(vouch_strerror(VOUCH_E_NOTRUSTED), "trusted comment"));
	assert_non_null(strstr(vouch_strerror(VOUCH_E_PASSWORD), "password"));
}

static void errno_described_by_libc(void **state)
{
	static const int errs[] = {EPERM, ENOENT, EEXIST, EISDIR, ENOMEM, EACCES, ENAMETOOLONG};

	(void)state;
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		char want[256];

		snprintf(want, sizeof(want), "%s", strerror(errs[i]));
		assert_string_equal(vouch_strerror(-errs[i]), want);
	}
}

/* Anything else still gets a string, and never one of the project's phrases. */
static void other_values_safe(void **state)
{
	static const int others[] = {
	    0, 1, 4096, VOUCH_E_FIRST + 1, VOUCH_E_LAST - 1, -4096, -5000, INT_MIN, INT_MAX};

	(void)state;
	for (size_t k = 0; k < sizeof(others) / sizeof(others[0]); k++) {
		char m[256];

		assert_non_null(vouch_strerror(others[k]));
		snprintf(m, sizeof(m), "%s", vouch_strerror(others[k]));
		for (int err = VOUCH_E_FIRST; err >= VOUCH_E_LAST; err--)
			if (!strcmp(m, vouch_strerror(err)))
				fail_msg("%d is described like project code %d: \"%s\"", others[k],
				         err, m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_project_code_described),
	    cmocka_unit_test(errno_described_by_libc),
	    cmocka_unit_test(other_values_safe),
	};

	return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
