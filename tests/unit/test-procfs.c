/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the /proc text vouchd reads: the terminal in stat, the real uid in status. */
#include <errno.h>
#include <unistd.h>

#include "test-util.h"
#include "vouch/procfs.h"

static int tty_of(const char *text, uint32_t *tty)
{
	return vouch_proc_stat_tty(text, strlen(text), tty);
}

static void stat_tty(void **state)
{
	uint32_t tty = 7;

	(void)state;
	assert_int_equal(tty_of("1234 (bash) S 1200 1234 1234 34816 1234 4194560 10 0\n", &tty), 0);
	assert_int_equal(tty, 34816);
	assert_int_equal(tty_of("1 (init) S 0 1 1 0 -1 4194560\n", &tty), 0);
	assert_int_equal(tty, 0);
	/* A name that holds ")", spaces and digits cannot stand for fields. */
	assert_int_equal(tty_of("99 (x) S 1 1 1 1234 ) R 1 2 3 34817 -1\n", &tty), 0);
	assert_int_equal(tty, 34817);
	assert_int_equal(tty_of("99 () R 1 1 1 5x\n", &tty), -EINVAL);
	assert_int_equal(tty_of("99 () R 1 1 1 5 7\n", &tty), 0);
	assert_int_equal(tty, 5);
	/* Cut short after the field, and a negative int (bit 31 of the encoding). */
	assert_int_equal(tty_of("5 (a) R 1 1 1 34816", &tty), 0);
	assert_int_equal(tty, 34816);
	assert_int_equal(tty_of("5 (a) R 1 1 1 -2147483648 0", &tty), 0);
	assert_int_equal(tty, 0x80000000u);
	assert_int_equal(tty_of("5 (a) R 1 1 1 -1 0", &tty), 0);
	assert_int_equal(tty, 0xffffffffu);
}

static void stat_refused(void **state)
{
	static const char *const bad[] = {
	    "",
	    "1234",
	    "1234 (bash",
	    "(bash) S 1 1 1 0 0",
	    "1234 bash) S 1 1 1 0 0",
	    "1234 (bash) S 1 1 1",
	    "1234 (bash) S 1 1 1 ",
	    "1234 (bash)  S 1 1 1 0 0",
	    "1234 (bash) SS 1 1 1 0 0",
	    "1234 (bash) S 1 1 1  0 0",
	    "1234 (bash) S 1 -1 1 0 0",
	    "1234 (bash) S 1 1 1 2147483648 0",
	    "1234 (bash) S 1 1 1 -2147483649 0",
	    "1234 (bash) S 1 1 1 - 0",
	    "1234 (bash) S 1 1 1 +5 0",
	    "1234 (bash) S 1 1 1 5x 0",
	    "1234 (bash) S 99999999999 1 1 5 0",
	};
	uint32_t tty;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tty = 7;
		assert_int_equal(tty_of(bad[i], &tty), -EINVAL);
		assert_int_equal(tty, 0);
	}
}

static int uid_of(const char *text, uint32_t *uid)
{
	return vouch_proc_status_ruid(text, strlen(text), uid);
}

static void status_uid(void **state)
{
	uint32_t uid = 7;

	(void)state;
	assert_int_equal(uid_of("Name:\tbash\nUmask:\t0022\nState:\tS (sleeping)\n"
	                        "Uid:\t1000\t0\t1000\t0\nGid:\t1000\t1000\t1000\t1000\n",
	                        &uid),
	                 0);
	assert_int_equal(uid, 1000);
	assert_int_equal(uid_of("Uid:\t4294967295\t0\t0\t0\n", &uid), 0);
	assert_int_equal(uid, 4294967295u);
	/* Cut short after the field. */
	assert_int_equal(uid_of("Name:\tx\nUid:\t0\t", &uid), 0);
	assert_int_equal(uid, 0);
}

static void status_refused(void **state)
{
	static const char *const bad[] = {
	    "",
	    "Name:\tx\n",
	    "Name:\tx\nUid:\t0",
	    "Name:\tx\nUid: 0\t0\t0\t0\n",
	    "Name:\tx\nUid:\t\t0\t0\t0\n",
	    "Name:\tx\nUid:\t-1\t0\t0\t0\n",
	    "Name:\tx\nUid:\t4294967296\t0\t0\t0\n",
	    "Name:\tx\nUid:\t1x\t0\t0\t0\n",
	    "Name:\tx\n uid:\t0\t0\t0\t0\n",
	    /* A second "Uid:" line: the first is not the kernel's. */
	    "Name:\tx\nUid:\t0\t0\t0\t0\nUid:\t1000\t1000\t1000\t1000\n",
	};
	uint32_t uid;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uid = 7;
		assert_int_equal(uid_of(bad[i], &uid), -EINVAL);
		assert_int_equal(uid, 0);
	}
	/* Not at the start of a line: part of another field. */
	assert_int_equal(uid_of("Name:\tUid:\t0\t\nUid:\t1000\t0\t0\t0\n", &uid), 0);
	assert_int_equal(uid, 1000);
}

/* This process's own files, as the kernel writes them. */
static void own_proc(void **state)
{
	char buf[4096];
	uint32_t v;
	size_t n;
	FILE *f;

	(void)state;
	f = fopen("/proc/self/status", "r");
	if (!f)
		skip();
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(vouch_proc_status_ruid(buf, n, &v), 0);
	assert_int_equal(v, (uint32_t)getuid());
	f = fopen("/proc/self/stat", "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(vouch_proc_stat_tty(buf, n, &v), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(stat_tty),       cmocka_unit_test(stat_refused),
	    cmocka_unit_test(status_uid),     cmocka_unit_test(status_refused),
	    cmocka_unit_test(own_proc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
