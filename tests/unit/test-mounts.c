/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for vouchd's mountinfo parser and its choice of filesystems to mark. */
#include <errno.h>
#include <sys/sysmacros.h>

#include "marks.h"
#include "test-util.h"

static void parse_lines(void **state)
{
	/* Lines in the format of proc(5), with and without optional fields. */
	char a[] = "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root "
	           "rw,errors=continue\n";
	char b[] = "25 1 0:23 / /run rw,nosuid,nodev,noexec,relatime shared:5 master:7 - tmpfs "
	           "tmpfs rw,size=1611668k,mode=755\n";
	char c[] = "40 25 0:40 / /tmp/with\\040space\\134and\\012more rw - tmpfs none rw\n";
	char d[] = "41 25 259:3 / / rw - ext4 /dev/nvme0n1p3 rw";
	struct mount_ent m;

	(void)state;
	assert_err(mountinfo_parse_line(a, &m), 0);
	assert_int_equal(m.dev, makedev(98, 0));
	assert_string_equal(m.point, "/mnt2");
	assert_string_equal(m.fstype, "ext3");
	assert_err(mountinfo_parse_line(b, &m), 0);
	assert_int_equal(m.dev, makedev(0, 23));
	assert_string_equal(m.point, "/run");
	assert_string_equal(m.fstype, "tmpfs");
	assert_err(mountinfo_parse_line(c, &m), 0);
	assert_string_equal(m.point, "/tmp/with space\\and\nmore");
	assert_err(mountinfo_parse_line(d, &m), 0);
	assert_int_equal(m.dev, makedev(259, 3));
	assert_string_equal(m.point, "/");
}

static void parse_rejects(void **state)
{
	const char *const bad[] = {
	    "",
	    "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 ext3 /dev/root rw\n", /* no "-" */
	    "36 35 98:0 /mnt1 /mnt2 rw - ext3\n",                             /* cut short */
	    "36 35 98-0 /mnt1 /mnt2 rw - ext3 /dev/root rw\n",                /* bad device */
	    "36 35 98:0x /mnt1 /mnt2 rw - ext3 /dev/root rw\n",
	    "36 35 98:0 /mnt1 mnt2 rw - ext3 /dev/root rw\n", /* relative mount point */
	};
	struct mount_ent m;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char buf[256];

		snprintf(buf, sizeof(buf), "%s", bad[i]);
		if (mountinfo_parse_line(buf, &m) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
	}
}

static void parse_too_long(void **state)
{
	char *line = malloc(2 * PATH_MAX);
	struct mount_ent m;
	int n;

	(void)state;
	assert_non_null(line);
	n = snprintf(line, 2 * PATH_MAX, "1 1 0:1 / /");
	memset(line + n, 'a', PATH_MAX + 10);
	strcpy(line + n + PATH_MAX + 10, " rw - tmpfs x rw\n");
	assert_err(mountinfo_parse_line(line, &m), -ENAMETOOLONG);
	free(line);
}

static void local_types(void **state)
{
	const char *const marked[] = {"ext4", "xfs",   "btrfs",           "tmpfs",    "overlay",
	                              "vfat", "ramfs", "fuse.gvfsd-fuse", "squashfs", "f2fs"};
	const char *const not_marked[] = {"proc",       "sysfs",  "cgroup2", "devpts",
	                                  "devtmpfs",   "nfs",    "nfs4",    "cifs",
	                                  "fuse.sshfs", "mqueue", "bpf"};

	(void)state;
	for (size_t i = 0; i < sizeof(marked) / sizeof(marked[0]); i++)
		if (!fs_is_local(marked[i]))
			fail_msg("%s is not marked by default", marked[i]);
	for (size_t i = 0; i < sizeof(not_marked) / sizeof(not_marked[0]); i++)
		if (fs_is_local(not_marked[i]))
			fail_msg("%s is marked by default", not_marked[i]);
}

/* This machine's own mountinfo parses line by line, and / is in it. */
static void this_machine(void **state)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[3 * PATH_MAX];
	struct mount_ent m;
	int lines = 0, root = 0;

	(void)state;
	if (!f)
		skip();
	while (fgets(line, sizeof(line), f)) {
		assert_err(mountinfo_parse_line(line, &m), 0);
		lines++;
		root += !strcmp(m.point, "/");
	}
	fclose(f);
	assert_true(lines > 0);
	assert_true(root >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse_lines),    cmocka_unit_test(parse_rejects),
	    cmocka_unit_test(parse_too_long), cmocka_unit_test(local_types),
	    cmocka_unit_test(this_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
