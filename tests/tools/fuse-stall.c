/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A FUSE filesystem for vouchd's tests, run by the attacker: the server a user
 * controls. It serves /prog (the bytes of SRC, mode 0755) honestly, and three
 * files whose requests it never answers until it is killed: /open-blocks (open),
 * /read-blocks (read), /attr-blocks (getattr after the first lookup).
 * Usage: fuse-stall MOUNTPOINT SRC    (stays in the foreground; kill it to end)
 */
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *src;
static size_t src_len;
static volatile int attr_seen;

/* Never answer: the request stays open until the server dies. */
static void stall(void)
{
	for (;;)
		pause();
}

static void *init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	/* Every request reaches the server: nothing answered from the kernel's caches. */
	cfg->attr_timeout = 0;
	cfg->entry_timeout = 0;
	cfg->negative_timeout = 0;
	return NULL;
}

static int getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	(void)fi;
	memset(st, 0, sizeof(*st));
	st->st_uid = getuid();
	st->st_gid = getgid();
	if (!strcmp(path, "/")) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	if (strcmp(path, "/prog") && strcmp(path, "/open-blocks") && strcmp(path, "/read-blocks") &&
	    strcmp(path, "/attr-blocks"))
		return -ENOENT;
	if (!strcmp(path, "/attr-blocks") && attr_seen++)
		stall();
	st->st_mode = S_IFREG | 0755;
	st->st_nlink = 1;
	st->st_size = (off_t)src_len;
	return 0;
}

static int readdir_(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                    struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	(void)off;
	(void)fi;
	(void)flags;
	if (strcmp(path, "/"))
		return -ENOENT;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	fill(buf, "prog", NULL, 0, 0);
	fill(buf, "open-blocks", NULL, 0, 0);
	fill(buf, "read-blocks", NULL, 0, 0);
	fill(buf, "attr-blocks", NULL, 0, 0);
	return 0;
}

static int open_(const char *path, struct fuse_file_info *fi)
{
	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	if (!strcmp(path, "/open-blocks"))
		stall();
	return 0;
}

static int read_(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	if (!strcmp(path, "/read-blocks"))
		stall();
	if (off < 0 || (size_t)off >= src_len)
		return 0;
	if (size > src_len - (size_t)off)
		size = src_len - (size_t)off;
	memcpy(buf, src + off, size);
	return (int)size;
}

static const struct fuse_operations ops = {
    .init = init,
    .getattr = getattr,
    .readdir = readdir_,
    .open = open_,
    .read = read_,
};

int main(int argc, char **argv)
{
	char *fargv[] = {argv[0], "-f", argc > 1 ? argv[1] : NULL, NULL};
	FILE *f;
	long n;

	if (argc != 3) {
		fprintf(stderr, "usage: fuse-stall MOUNTPOINT SRC\n");
		return 2;
	}
	f = fopen(argv[2], "rb");
	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		perror(argv[2]);
		return 2;
	}
	src_len = (size_t)n;
	src = malloc(src_len ? src_len : 1);
	if (!src || fread(src, 1, src_len, f) != src_len) {
		perror(argv[2]);
		return 2;
	}
	fclose(f);
	return fuse_main(3, fargv, &ops, NULL);
}
