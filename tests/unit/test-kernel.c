/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the kernel's text vouch doctor reads: sysctls, lockdown, release, parameters. */
#include <errno.h>
#include <sys/utsname.h>

#include "test-util.h"
#include "vouch/kernel.h"

static int int_of(const char *s, int64_t *v)
{
	return vouch_kernel_int(s, strlen(s), v);
}

static void sysctl_ints(void **state)
{
	int64_t v = 7;

	(void)state;
	assert_err(int_of("2\n", &v), 0);
	assert_int_equal(v, 2);
	assert_err(int_of("0", &v), 0);
	assert_int_equal(v, 0);
	assert_err(int_of("96362\n", &v), 0);
	assert_int_equal(v, 96362);
	assert_err(int_of("-1\n", &v), 0);
	assert_int_equal(v, -1);
	assert_err(int_of("9223372036854775807\n", &v), 0);
	assert_int_equal(v, INT64_MAX);
	assert_err(int_of("-9223372036854775808\n", &v), 0);
	assert_true(v == INT64_MIN);
	static const char *const bad[] = {"",
	                                  "\n",
	                                  "-",
	                                  "+1",
	                                  " 1",
	                                  "1 ",
	                                  "1\n\n",
	                                  "01",
	                                  "-0",
	                                  "1\t2",
	                                  "0x10",
	                                  "1a",
	                                  "2\r\n",
	                                  "9223372036854775808",
	                                  "-9223372036854775809",
	                                  "99999999999999999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 7;
		if (int_of(bad[i], &v) != -EINVAL || v != 0)
			fail_msg("accepted: '%s'", bad[i]);
	}
}

static void bools(void **state)
{
	bool b = false;

	(void)state;
	assert_err(vouch_kernel_bool("Y\n", 2, &b), 0);
	assert_true(b);
	assert_err(vouch_kernel_bool("N", 1, &b), 0);
	assert_false(b);
	assert_err(vouch_kernel_bool("1\n", 2, &b), -EINVAL);
	assert_err(vouch_kernel_bool("y\n", 2, &b), -EINVAL);
	assert_err(vouch_kernel_bool("YY\n", 3, &b), -EINVAL);
	assert_err(vouch_kernel_bool("", 0, &b), -EINVAL);
}

static int lockdown_of(const char *s, enum vouch_lockdown *l)
{
	return vouch_kernel_lockdown(s, strlen(s), l);
}

/* The kernel's format: every level, the one in force in brackets, one space between. */
static void lockdown(void **state)
{
	enum vouch_lockdown l = VOUCH_LOCKDOWN_CONFIDENTIALITY;

	(void)state;
	assert_err(lockdown_of("[none] integrity confidentiality\n", &l), 0);
	assert_int_equal(l, VOUCH_LOCKDOWN_NONE);
	assert_err(lockdown_of("none [integrity] confidentiality\n", &l), 0);
	assert_int_equal(l, VOUCH_LOCKDOWN_INTEGRITY);
	assert_err(lockdown_of("none integrity [confidentiality]", &l), 0);
	assert_int_equal(l, VOUCH_LOCKDOWN_CONFIDENTIALITY);
	static const char *const bad[] = {
	    "",
	    "\n",
	    "none integrity confidentiality\n",     /* none chosen */
	    "[none] [integrity] confidentiality\n", /* two */
	    "none [strict] confidentiality\n",      /* not a level */
	    "none  [integrity] confidentiality\n",  /* two spaces */
	    "none [integrity] confidentiality \n",
	    "none [integrity confidentiality\n",
	    "[]\n",
	    "[integrity]\n\n",
	    "none [integrity]x\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (lockdown_of(bad[i], &l) != -EINVAL)
			fail_msg("accepted: '%s'", bad[i]);
}

static void releases(void **state)
{
	unsigned a = 0, b = 0;
	struct utsname u;

	(void)state;
	assert_err(vouch_kernel_release("6.1.0-27-amd64", 14, &a, &b), 0);
	assert_int_equal(a, 6);
	assert_int_equal(b, 1);
	assert_err(vouch_kernel_release("6.12.9+bpo-amd64", 16, &a, &b), 0);
	assert_int_equal(b, 12);
	assert_err(vouch_kernel_release("2.6.60", 6, &a, &b), 0);
	assert_int_equal(a, 2);
	assert_int_equal(b, 6);
	assert_err(vouch_kernel_release("6.18", 4, &a, &b), 0);
	assert_int_equal(b, 18);
	assert_err(vouch_kernel_release("6", 1, &a, &b), -EINVAL);
	assert_err(vouch_kernel_release("6.", 2, &a, &b), -EINVAL);
	assert_err(vouch_kernel_release(".1", 2, &a, &b), -EINVAL);
	assert_err(vouch_kernel_release("v6.1", 4, &a, &b), -EINVAL);
	assert_err(vouch_kernel_release("65536.1", 7, &a, &b), -EINVAL);
	/* This machine's. */
	assert_int_equal(uname(&u), 0);
	assert_err(vouch_kernel_release(u.release, strlen(u.release), &a, &b), 0);
	assert_true(a >= 2);
}

static int param(const char *cmdline, const char *name, char *val, size_t cap)
{
	return vouch_kernel_cmdline(cmdline, strlen(cmdline), name, val, cap);
}

static void cmdline(void **state)
{
	char v[32];

	(void)state;
	assert_err(param("ro quiet proc_mem.force_override=never\n", "proc_mem.force_override", v,
	                 sizeof(v)),
	           0);
	assert_string_equal(v, "never");
	/* The last one counts; '-' and '_' are the same in names, not in values. */
	assert_err(param("a=1 b=2 a=3", "a", v, sizeof(v)), 0);
	assert_string_equal(v, "3");
	assert_err(
	    param("proc-mem.force-override=ptrace x", "proc_mem.force_override", v, sizeof(v)), 0);
	assert_string_equal(v, "ptrace");
	assert_err(param("lockdown=a-b_c", "lockdown", v, sizeof(v)), 0);
	assert_string_equal(v, "a-b_c");
	/* Words after a lone "--" are init's. */
	assert_err(param("a=1 -- a=2", "a", v, sizeof(v)), 0);
	assert_string_equal(v, "1");
	assert_err(param("-- a=2", "a", v, sizeof(v)), -ENOENT);
	assert_string_equal(v, "");
	assert_err(param("a=1 --x a=2", "a", v, sizeof(v)), 0);
	assert_string_equal(v, "2");
	/* Quotes keep spaces and are dropped around the value, or the whole word. */
	assert_err(param("x a=\"one two\" y", "a", v, sizeof(v)), 0);
	assert_string_equal(v, "one two");
	assert_err(param("x \"a=one two\" y", "a", v, sizeof(v)), 0);
	assert_string_equal(v, "one two");
	assert_err(param("x \"b=a=1 a=2\"", "a", v, sizeof(v)), -ENOENT);
	/* Whole names only, a value needs '=', tabs and newlines separate. */
	assert_err(param("xa=1 ax=2 a", "a", v, sizeof(v)), -ENOENT);
	assert_err(param("x\ta=5\n", "a", v, sizeof(v)), 0);
	assert_string_equal(v, "5");
	assert_err(param("a=", "a", v, sizeof(v)), 0);
	assert_string_equal(v, "");
	assert_err(param("", "a", v, sizeof(v)), -ENOENT);
	assert_err(param("a=0123456789", "a", v, 10), -ENAMETOOLONG);
	assert_string_equal(v, "");
	assert_err(param("a=012345678", "a", v, 10), 0);
	assert_string_equal(v, "012345678");
}

static void config(void **state)
{
	const char *c =
	    "#\n# CONFIG_PROC_MEM_ALWAYS_FORCE is not set\nCONFIG_PROC_MEM_FORCE_PTRACE=y\n"
	    "CONFIG_PROC_MEM_NO_FORCE_X=y\nCONFIG_LOCALVERSION=\"\"\nCONFIG_HZ=250";
	char v[16];

	(void)state;
	assert_err(vouch_kernel_config(c, strlen(c), "CONFIG_PROC_MEM_FORCE_PTRACE", v, sizeof(v)),
	           0);
	assert_string_equal(v, "y");
	assert_err(vouch_kernel_config(c, strlen(c), "CONFIG_PROC_MEM_ALWAYS_FORCE", v, sizeof(v)),
	           -ENOENT);
	assert_err(vouch_kernel_config(c, strlen(c), "CONFIG_PROC_MEM_NO_FORCE", v, sizeof(v)),
	           -ENOENT);
	assert_err(vouch_kernel_config(c, strlen(c), "CONFIG_LOCALVERSION", v, sizeof(v)), 0);
	assert_string_equal(v, "\"\"");
	assert_err(vouch_kernel_config(c, strlen(c), "CONFIG_HZ", v, sizeof(v)), 0);
	assert_string_equal(v, "250");
	assert_err(vouch_kernel_config(c, strlen(c), "CONFIG_HZ", v, 3), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sysctl_ints), cmocka_unit_test(bools),   cmocka_unit_test(lockdown),
	    cmocka_unit_test(releases),    cmocka_unit_test(cmdline), cmocka_unit_test(config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
