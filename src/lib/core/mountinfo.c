/* SPDX-License-Identifier: Apache-2.0 */
/* Reading one line of /proc/PID/mountinfo, and which filesystem types vouchd marks (no I/O). */
#include <errno.h>
#include <string.h>

#include "vouch/mountinfo.h"

/* One field of a line: the bytes up to the next space or the end. */
struct field {
	const char *s;
	size_t len;
};

/* The field at *@p (it may be empty); *@p moves past it and one space. False at the end. */
static bool next_field(const char **p, const char *end, struct field *f)
{
	const char *sp;

	if (!*p)
		return false;
	sp = memchr(*p, ' ', (size_t)(end - *p));
	f->s = *p;
	f->len = (size_t)((sp ? sp : end) - *p);
	*p = sp ? sp + 1 : NULL;
	return true;
}

/* A decimal number of at most 32 bits, the whole field. */
static bool number(const char *s, size_t len, uint32_t *v)
{
	uint64_t n = 0;

	if (len == 0 || len > 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		n = n * 10 + (uint64_t)(s[i] - '0');
	}
	if (n > UINT32_MAX)
		return false;
	*v = (uint32_t)n;
	return true;
}

static bool field_is(const struct field *f, const char *word)
{
	return f->len == strlen(word) && memcmp(f->s, word, f->len) == 0;
}

/* Does the comma-separated list @f hold @word as one of its items? */
static bool has_item(const struct field *f, const char *word)
{
	size_t n = strlen(word);

	for (size_t i = 0; i <= f->len;) {
		const char *comma = memchr(f->s + i, ',', f->len - i);
		size_t item = (size_t)((comma ? comma : f->s + f->len) - (f->s + i));

		if (item == n && memcmp(f->s + i, word, n) == 0)
			return true;
		if (!comma)
			break;
		i += item + 1;
	}
	return false;
}

static bool octal(char c)
{
	return c >= '0' && c <= '7';
}

/* Undo the kernel's \ooo escapes of @f into @out (room for @cap bytes with the NUL). */
static int unescape(const struct field *f, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < f->len; i++) {
		char c = f->s[i];

		if (c == '\\' && f->len - i >= 4 && f->s[i + 1] >= '0' && f->s[i + 1] <= '3' &&
		    octal(f->s[i + 2]) && octal(f->s[i + 3])) {
			c = (char)((f->s[i + 1] - '0') << 6 | (f->s[i + 2] - '0') << 3 |
			           (f->s[i + 3] - '0'));
			i += 3;
		}
		if (o + 1 >= cap)
			return -ENAMETOOLONG;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

/* The encoding of a device number in a dev_t that makedev(3) makes (glibc, Linux). */
static uint64_t dev_encode(uint32_t major, uint32_t minor)
{
	return ((uint64_t)(major & 0x00000fffu) << 8) | ((uint64_t)(major & 0xfffff000u) << 32) |
	       (uint64_t)(minor & 0x000000ffu) | ((uint64_t)(minor & 0xffffff00u) << 12);
}

int vouch_mountinfo_parse(const char *text, size_t len, struct vouch_mount *m)
{
	const char *p = text, *end, *colon;
	struct field f[6], type, source, super, opt;
	uint32_t id, parent, major, minor;
	struct vouch_mount out;
	int ret;

	if (len > 0 && text[len - 1] == '\n')
		len--;
	end = text + len;
	if (len == 0 || memchr(text, '\n', len) || memchr(text, '\0', len))
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		if (!next_field(&p, end, &f[i]) || f[i].len == 0)
			return -EINVAL;
	/* Optional fields ("shared:5", "master:1"), none empty, up to a lone "-". */
	do {
		if (!next_field(&p, end, &opt) || opt.len == 0)
			return -EINVAL;
	} while (!field_is(&opt, "-"));
	if (!next_field(&p, end, &type) || type.len == 0 || !next_field(&p, end, &source) ||
	    !next_field(&p, end, &super) || p != NULL)
		return -EINVAL;
	(void)source;
	colon = memchr(f[2].s, ':', f[2].len);
	if (!number(f[0].s, f[0].len, &id) || !number(f[1].s, f[1].len, &parent) || !colon ||
	    !number(f[2].s, (size_t)(colon - f[2].s), &major) ||
	    !number(colon + 1, (size_t)(f[2].s + f[2].len - colon - 1), &minor) || f[4].s[0] != '/')
		return -EINVAL;
	ret = unescape(&f[4], out.point, sizeof(out.point));
	if (ret)
		return ret;
	if (type.len >= sizeof(out.fstype))
		return -ENAMETOOLONG;
	memcpy(out.fstype, type.s, type.len);
	out.fstype[type.len] = '\0';
	out.dev = dev_encode(major, minor);
	out.noexec = has_item(&f[5], "noexec");
	*m = out;
	return 0;
}

enum vouch_fs_kind vouch_fs_kind(const char *fstype)
{
	/*
	 * Kernel interfaces and pseudo filesystems where users cannot place files, and
	 * devtmpfs (only root creates files there, and every device open would be an
	 * event); then network filesystems (another machine serves their content).
	 */
	static const char *const kernel[] = {
	    "proc",       "sysfs",     "cgroup",     "cgroup2",     "devpts",   "mqueue",
	    "debugfs",    "tracefs",   "securityfs", "pstore",      "bpf",      "configfs",
	    "fusectl",    "hugetlbfs", "autofs",     "binfmt_misc", "efivarfs", "nsfs",
	    "rpc_pipefs", "nfsd",      "selinuxfs",  "devtmpfs",
	};
	static const char *const network[] = {
	    "nfs", "nfs4",   "cifs",       "smb3",  "smbfs", "ceph",     "glusterfs",
	    "afs", "lustre", "fuse.sshfs", "sshfs", "9p",    "virtiofs",
	};

	for (size_t i = 0; i < sizeof(kernel) / sizeof(kernel[0]); i++)
		if (!strcmp(fstype, kernel[i]))
			return VOUCH_FS_KERNEL;
	for (size_t i = 0; i < sizeof(network) / sizeof(network[0]); i++)
		if (!strcmp(fstype, network[i]))
			return VOUCH_FS_NETWORK;
	return VOUCH_FS_LOCAL;
}

bool vouch_fs_is_local(const char *fstype)
{
	return vouch_fs_kind(fstype) == VOUCH_FS_LOCAL;
}

bool vouch_fs_is_served(const char *fstype)
{
	return !strcmp(fstype, "fuse") || !strncmp(fstype, "fuse.", 5);
}
