/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the mountinfo parser and the kinds of filesystem (which vouchd marks). */
#include <errno.h>
#include <sys/sysmacros.h>

#include "test-util.h"
#include "vouch/mountinfo.h"

static int parse(const char *line, struct vouch_mount *m)
{
	return vouch_mountinfo_parse(line, strlen(line), m);
}

static void parse_lines(void **state)
{
	/* Lines in the format of proc(5), with and without optional fields. */
	char a[] = "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root "
	           "rw,errors=continue\n";
	char b[] = "25 1 0:23 / /run rw,nosuid,nodev,noexec,relatime shared:5 master:7 - tmpfs "
	           "tmpfs rw,size=1611668k,mode=755\n";
	char c[] = "40 25 0:40 / /tmp/with\\040space\\134and\\012more rw - tmpfs none rw\n";
	char d[] = "41 25 259:3 / / rw - ext4 /dev/nvme0n1p3 rw";
	struct vouch_mount m;

	(void)state;
	assert_err(parse(a, &m), 0);
	assert_int_equal(m.dev, makedev(98, 0));
	assert_string_equal(m.point, "/mnt2");
	assert_string_equal(m.fstype, "ext3");
	assert_err(parse(b, &m), 0);
	assert_int_equal(m.dev, makedev(0, 23));
	assert_string_equal(m.point, "/run");
	assert_string_equal(m.fstype, "tmpfs");
	assert_err(parse(c, &m), 0);
	assert_string_equal(m.point, "/tmp/with space\\and\nmore");
	assert_err(parse(d, &m), 0);
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
	struct vouch_mount m;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char buf[256];

		snprintf(buf, sizeof(buf), "%s", bad[i]);
		if (parse(buf, &m) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
	}
}

static void parse_too_long(void **state)
{
	char *line = malloc(2 * PATH_MAX);
	struct vouch_mount m;
	int n;

	(void)state;
	assert_non_null(line);
	n = snprintf(line, 2 * PATH_MAX, "1 1 0:1 / /");
	memset(line + n, 'a', PATH_MAX + 10);
	strcpy(line + n + PATH_MAX + 10, " rw - tmpfs x rw\n");
	assert_err(parse(line, &m), -ENAMETOOLONG);
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
		if (!vouch_fs_is_local(marked[i]))
			fail_msg("%s is not marked by default", marked[i]);
	for (size_t i = 0; i < sizeof(not_marked) / sizeof(not_marked[0]); i++)
		if (vouch_fs_is_local(not_marked[i]))
			fail_msg("%s is marked by default", not_marked[i]);
}

/* The mount's own options say noexec; the superblock's options do not count. */
static void noexec_option(void **state)
{
	struct vouch_mount m;

	(void)state;
	assert_err(parse("30 25 0:27 / /dev/shm rw,nosuid,nodev,noexec - tmpfs tmpfs rw\n", &m), 0);
	assert_true(m.noexec);
	assert_err(parse("30 25 0:27 / /dev/shm noexec - tmpfs tmpfs rw\n", &m), 0);
	assert_true(m.noexec);
	assert_err(parse("30 25 0:27 / /x rw,relatime - tmpfs tmpfs rw,noexec\n", &m), 0);
	assert_false(m.noexec);
	assert_err(parse("30 25 0:27 / /x rw,noexecx,xnoexec - tmpfs tmpfs rw\n", &m), 0);
	assert_false(m.noexec);
	/* An optional field named like an option is not one. */
	assert_err(parse("30 25 0:27 / /x rw noexec - tmpfs tmpfs rw\n", &m), 0);
	assert_false(m.noexec);
}

/* What the kernel writes for a mount made with an empty source: two spaces. */
static void empty_source(void **state)
{
	struct vouch_mount m;

	(void)state;
	assert_err(parse("66 46 0:40 / /tmp/dtest rw,relatime - tmpfs  rw\n", &m), 0);
	assert_string_equal(m.fstype, "tmpfs");
	assert_string_equal(m.point, "/tmp/dtest");
	/* But no other field may be empty, and nothing may follow the superblock options. */
	assert_err(parse("66 46 0:40 / /tmp/dtest rw,relatime - tmpfs  rw \n", &m), -EINVAL);
	assert_err(parse("66 46 0:40 / /tmp/dtest rw,relatime -  x rw\n", &m), -EINVAL);
	assert_err(parse("66 46 0:40 / /tmp/dtest  rw - tmpfs x rw\n", &m), -EINVAL);
	assert_err(parse("66 46 0:40 / /tmp/dtest rw  - tmpfs x rw\n", &m), -EINVAL);
	assert_err(parse("66 46 0:40 / /tmp/dtest rw - tmpfs x rw extra\n", &m), -EINVAL);
}

/* Device numbers up to 32 bits each, encoded as makedev() does; nothing else in the fields. */
static void devices(void **state)
{
	struct vouch_mount m;

	(void)state;
	assert_err(parse("1 1 4095:255 / / rw - ext4 x rw", &m), 0);
	assert_int_equal(m.dev, makedev(4095, 255));
	assert_err(parse("1 1 4096:256 / / rw - ext4 x rw", &m), 0);
	assert_int_equal(m.dev, makedev(4096, 256));
	assert_err(parse("1 1 4294967295:4294967295 / / rw - ext4 x rw", &m), 0);
	assert_int_equal(m.dev, makedev(4294967295u, 4294967295u));
	assert_err(parse("1 1 4294967296:0 / / rw - ext4 x rw", &m), -EINVAL);
	assert_err(parse("1 1 :0 / / rw - ext4 x rw", &m), -EINVAL);
	assert_err(parse("1 1 1: / / rw - ext4 x rw", &m), -EINVAL);
	assert_err(parse("1 1 1:2:3 / / rw - ext4 x rw", &m), -EINVAL);
	assert_err(parse("1 1 +1:2 / / rw - ext4 x rw", &m), -EINVAL);
	assert_err(parse("x 1 1:2 / / rw - ext4 x rw", &m), -EINVAL);
	assert_err(parse("1 -1 1:2 / / rw - ext4 x rw", &m), -EINVAL);
	/* One line: a line break or a NUL inside refuses it, as does a second "\n". */
	assert_err(vouch_mountinfo_parse("1 1 1:2 / / rw - ext4 x rw\0", 27, &m), -EINVAL);
	assert_err(parse("1 1 1:2 / / rw - ext4 x\nrw", &m), -EINVAL);
	assert_err(parse("1 1 1:2 / / rw - ext4 x rw\n\n", &m), -EINVAL);
	assert_err(parse("\n", &m), -EINVAL);
}

/* A mount point of 4095 bytes, each escaped (16 kB of line), is read whole. */
static void long_escaped_point(void **state)
{
	size_t cap = 4 * PATH_MAX + 64, n;
	char *line = malloc(cap);
	struct vouch_mount m;

	(void)state;
	assert_non_null(line);
	n = (size_t)snprintf(line, cap, "1 1 0:1 / /");
	for (int i = 0; i < PATH_MAX - 2; i++)
		n += (size_t)snprintf(line + n, cap - n, "\\040");
	snprintf(line + n, cap - n, " rw - tmpfs x rw\n");
	assert_err(parse(line, &m), 0);
	assert_int_equal(strlen(m.point), PATH_MAX - 1);
	assert_int_equal(m.point[PATH_MAX - 2], ' ');
	/* A backslash that begins no escape stays; \400 is not one (above a byte). */
	assert_err(parse("1 1 0:1 / /a\\b\\400\\04 rw - tmpfs x rw", &m), 0);
	assert_string_equal(m.point, "/a\\b\\400\\04");
	free(line);
}

/* Each kind: marked, kernel interfaces, and what another machine serves; FUSE is served. */
static void kinds(void **state)
{
	(void)state;
	assert_int_equal(vouch_fs_kind("ext4"), VOUCH_FS_LOCAL);
	assert_int_equal(vouch_fs_kind("fuse"), VOUCH_FS_LOCAL);
	assert_int_equal(vouch_fs_kind("fuse.portal"), VOUCH_FS_LOCAL);
	assert_int_equal(vouch_fs_kind("something-new"), VOUCH_FS_LOCAL);
	assert_int_equal(vouch_fs_kind("proc"), VOUCH_FS_KERNEL);
	assert_int_equal(vouch_fs_kind("devtmpfs"), VOUCH_FS_KERNEL);
	assert_int_equal(vouch_fs_kind("securityfs"), VOUCH_FS_KERNEL);
	const char *const network[] = {"nfs",   "nfs4",      "cifs",     "smb3",
	                               "ceph",  "9p",        "virtiofs", "fuse.sshfs",
	                               "sshfs", "glusterfs", "afs",      "lustre"};
	for (size_t i = 0; i < sizeof(network) / sizeof(network[0]); i++)
		if (vouch_fs_kind(network[i]) != VOUCH_FS_NETWORK || vouch_fs_is_local(network[i]))
			fail_msg("%s is not a network filesystem", network[i]);
	assert_true(vouch_fs_is_served("fuse"));
	assert_true(vouch_fs_is_served("fuse.sshfs"));
	assert_true(vouch_fs_is_served("fuse.gvfsd-fuse"));
	assert_false(vouch_fs_is_served("fuseblk"));
	assert_false(vouch_fs_is_served("ext4"));
	/* Types are compared whole. */
	assert_int_equal(vouch_fs_kind("nfs "), VOUCH_FS_LOCAL);
	assert_int_equal(vouch_fs_kind("procx"), VOUCH_FS_LOCAL);
}

/* This machine's own mountinfo parses line by line, and / is in it. */
static void this_machine(void **state)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[3 * PATH_MAX];
	struct vouch_mount m;
	int lines = 0, root = 0;

	(void)state;
	if (!f)
		skip();
	while (fgets(line, sizeof(line), f)) {
		assert_err(parse(line, &m), 0);
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
	    cmocka_unit_test(parse_lines),        cmocka_unit_test(parse_rejects),
	    cmocka_unit_test(parse_too_long),     cmocka_unit_test(local_types),
	    cmocka_unit_test(this_machine),       cmocka_unit_test(noexec_option),
	    cmocka_unit_test(empty_source),       cmocka_unit_test(devices),
	    cmocka_unit_test(long_escaped_point), cmocka_unit_test(kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
