/* SPDX-License-Identifier: Apache-2.0 */
/* Reading /proc/PID/mountinfo, and which filesystem types vouchd marks by default. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "marks.h"

/* Undo mountinfo's octal escapes (\040 for a space, \012, \134) in place. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

int mountinfo_parse_line(char *line, struct mount_ent *m)
{
	char *field[64], *save = NULL, *tok;
	unsigned n = 0, major, minor, sep;
	char c;

	for (tok = strtok_r(line, " \n", &save); tok && n < 64; tok = strtok_r(NULL, " \n", &save))
		field[n++] = tok;
	/* id parent major:minor root point options [optional...] - fstype source superopts */
	for (sep = 6; sep < n && strcmp(field[sep], "-") != 0; sep++)
		;
	if (n < 10 || sep + 3 > n)
		return -EINVAL;
	if (sscanf(field[2], "%u:%u%c", &major, &minor, &c) != 2 || field[4][0] != '/')
		return -EINVAL;
	m->dev = (uint64_t)makedev(major, minor);
	unescape(field[4]);
	if (strlen(field[4]) >= sizeof(m->point) || strlen(field[sep + 1]) >= sizeof(m->fstype))
		return -ENAMETOOLONG;
	strcpy(m->point, field[4]);
	strcpy(m->fstype, field[sep + 1]);
	return 0;
}

bool fs_is_served(const char *fstype)
{
	return !strcmp(fstype, "fuse") || !strncmp(fstype, "fuse.", 5);
}

bool fs_is_local(const char *fstype)
{
	/* Kernel interfaces and pseudo filesystems where users cannot place files, and
	 * network filesystems (another machine serves their content). devtmpfs is left
	 * out: only root creates files there, and every device open would be an event. */
	static const char *const skip[] = {
	    "proc",       "sysfs",      "cgroup",     "cgroup2",     "devpts",    "mqueue",
	    "debugfs",    "tracefs",    "securityfs", "pstore",      "bpf",       "configfs",
	    "fusectl",    "hugetlbfs",  "autofs",     "binfmt_misc", "efivarfs",  "nsfs",
	    "rpc_pipefs", "nfsd",       "selinuxfs",  "devtmpfs",    "nfs",       "nfs4",
	    "cifs",       "smb3",       "smbfs",      "ceph",        "glusterfs", "afs",
	    "lustre",     "fuse.sshfs", "sshfs",      "9p",          "virtiofs",
	};

	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (!strcmp(fstype, skip[i]))
			return false;
	return true;
}
