/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for capped whole-file reads, the read and write loops (EINTR, short counts), the
 * staged atomic writes and their *_at forms, and hashing through a descriptor. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-util.h"

/* @dir/@name into @buf (PATH_MAX). */
static const char *in_dir(char *buf, const char *dir, const char *name)
{
	assert_true(snprintf(buf, PATH_MAX, "%s/%s", dir, name) < PATH_MAX);
	return buf;
}

/* Names in @dir other than . and .., so leftovers (temporary files) show. */
static size_t count_entries(const char *dir, char *listing, size_t cap)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0, used = 0;

	assert_non_null(d);
	listing[0] = '\0';
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		n++;
		used +=
		    (size_t)snprintf(listing + used, cap > used ? cap - used : 0, "%s ", e->d_name);
		if (used >= cap)
			used = cap - 1;
	}
	closedir(d);
	return n;
}

#define assert_entries(dir, want)                                                                  \
	do {                                                                                       \
		char listing_[1024];                                                               \
		size_t n_ = count_entries((dir), listing_, sizeof(listing_));                      \
		if (n_ != (want))                                                                  \
			fail_msg("%zu entries in the directory, expected %zu: %s", n_,             \
			         (size_t)(want), listing_);                                        \
	} while (0)

static void put_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* The file at @path holds exactly @len bytes equal to @data. */
static void assert_file_is(const char *path, const void *data, size_t len)
{
	char buf[4096];
	FILE *fp = fopen(path, "rb");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	assert_int_equal(n, len);
	assert_memory_equal(buf, data, len);
}

static void fill(uint8_t *buf, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1664525u + 1013904223u;
		buf[i] = (uint8_t)(seed >> 24);
	}
}

static void read_cap_boundary(void **state)
{
	char path[PATH_MAX], data[1000], *out = NULL;
	size_t len = 0;

	fill((uint8_t *)data, sizeof(data), 3);
	put_file(in_dir(path, *state, "f"), data, sizeof(data));
	assert_err(vouch_file_read(path, sizeof(data), &out, &len), 0);
	assert_non_null(out);
	assert_int_equal(len, sizeof(data));
	assert_memory_equal(out, data, sizeof(data));
	assert_int_equal(out[len], '\0');
	free(out);
	out = NULL;
	assert_err(vouch_file_read(path, sizeof(data) - 1, &out, &len), VOUCH_E_TOOBIG);
	assert_null(out);
	assert_err(vouch_file_read(path, 0, &out, &len), VOUCH_E_TOOBIG);
	assert_null(out);
}

/*
 * Regression (fixed): a cap of SIZE_MAX ("no limit") makes `cap + 1` wrap to 0 in
 * vouch_file_read(), the buffer size becomes 0, and the call reports success with
 * len 0 and an empty buffer: the file's contents are silently dropped.
 */
static void read_cap_size_max(void **state)
{
	char path[PATH_MAX], *out = NULL;
	size_t len = 0;
	int ret;
	bool same;

	put_file(in_dir(path, *state, "f"), "0123456789", 10);
	ret = vouch_file_read(path, SIZE_MAX, &out, &len);
	same = ret == 0 && len == 10 && memcmp(out, "0123456789", 10) == 0;
	if (ret == 0)
		free(out);
	assert_err(ret, 0);
	if (!same)
		fail_msg("cap SIZE_MAX: read %zu bytes of a 10-byte file", len);
}

static void read_empty_file(void **state)
{
	char path[PATH_MAX], *out = NULL;
	size_t len = 99;

	put_file(in_dir(path, *state, "empty"), "", 0);
	assert_err(vouch_file_read(path, 0, &out, &len), 0);
	assert_non_null(out);
	assert_int_equal(len, 0);
	assert_int_equal(out[0], '\0');
	free(out);
}

static void read_errors(void **state)
{
	char path[PATH_MAX], *out = NULL;
	size_t len;

	assert_err(vouch_file_read(in_dir(path, *state, "missing"), 100, &out, &len), -ENOENT);
	assert_err(vouch_file_read(*state, 100, &out, &len), -EISDIR);
	put_file(in_dir(path, *state, "plain"), "x", 1);
	assert_err(vouch_file_read(in_dir(path, *state, "plain/below"), 100, &out, &len), -ENOTDIR);
	assert_null(out);
}

/*
 * A FIFO without a writer, a socket, a device: refused at once, never waited on
 * (alarm(): a blocked open fails the test instead of hanging the suite).
 */
static void read_refuses_special(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char path[PATH_MAX], link[PATH_MAX], *out = NULL;
	size_t len = 0;
	int fd, s;

	alarm(10);
	assert_int_equal(mkfifo(in_dir(path, *state, "fifo"), 0600), 0);
	assert_err(vouch_file_read(path, 100, &out, &len), VOUCH_E_NOTREGULAR);
	assert_err(vouch_file_open(path, 0), VOUCH_E_NOTREGULAR);
	assert_err(vouch_file_open(path, VOUCH_OPEN_DEVICES), VOUCH_E_NOTREGULAR);
	assert_int_equal(symlink(path, in_dir(link, *state, "to-fifo")), 0);
	assert_err(vouch_file_read(link, 100, &out, &len), VOUCH_E_NOTREGULAR);
	assert_err(vouch_file_read("/dev/null", 100, &out, &len), VOUCH_E_NOTREGULAR);
	assert_err(vouch_file_open("/dev/null", 0), VOUCH_E_NOTREGULAR);
	assert_err(vouch_file_open(*state, VOUCH_OPEN_DEVICES), -EISDIR);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(s >= 0);
	assert_true(strlen(in_dir(path, *state, "sock")) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_err(vouch_file_read(path, 100, &out, &len), VOUCH_E_NOTREGULAR);
	close(s);
	assert_null(out);
	/* What is accepted comes back blocking, ready for plain read() loops. */
	fd = vouch_file_open("/dev/null", VOUCH_OPEN_DEVICES);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	put_file(in_dir(path, *state, "plain"), "x", 1);
	fd = vouch_file_open(path, 0);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	close(fd);
	alarm(0);
}

/* Feed @len bytes to vouch_file_read("-") through a pipe on standard input. */
static int read_stdin_pipe(const char *data, size_t len, size_t cap, char **out, size_t *outlen)
{
	int saved = dup(STDIN_FILENO), p[2], ret;

	assert_true(saved >= 0);
	assert_int_equal(pipe(p), 0);
	assert_true(len <= 65536); /* fits in the pipe buffer: no writer process needed */
	assert_int_equal(write(p[1], data, len), (ssize_t)len);
	close(p[1]);
	assert_int_equal(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
	close(p[0]);
	ret = vouch_file_read("-", cap, out, outlen);
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
	return ret;
}

/* A pipe has no size to check first: the cap must hold while the buffer grows. */
static void read_pipe_cap(void **state)
{
	static char data[10000];
	char *out = NULL;
	size_t len = 0;

	(void)state;
	fill((uint8_t *)data, sizeof(data), 4);
	assert_err(read_stdin_pipe(data, sizeof(data), sizeof(data), &out, &len), 0);
	assert_int_equal(len, sizeof(data));
	assert_memory_equal(out, data, sizeof(data));
	assert_int_equal(out[len], '\0');
	free(out);
	out = NULL;
	assert_err(read_stdin_pipe(data, sizeof(data), sizeof(data) - 1, &out, &len),
	           VOUCH_E_TOOBIG);
	assert_null(out);
	/* Exactly one growth step: 4096 bytes with cap 4096, and 4097 with cap 4096. */
	assert_err(read_stdin_pipe(data, 4096, 4096, &out, &len), 0);
	assert_int_equal(len, 4096);
	free(out);
	out = NULL;
	assert_err(read_stdin_pipe(data, 4097, 4096, &out, &len), VOUCH_E_TOOBIG);
	assert_null(out);
}

/* The created file has exactly the mode asked for, whatever the umask. */
static void write_mode_ignores_umask(void **state)
{
	static const struct {
		mode_t umask, mode;
	} cases[] = {{077, 0600}, {000, 0600}, {077, 0644}, {022, 0640}, {000, 0400}};
	mode_t old = umask(022);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[PATH_MAX], name[16];
		struct stat st;

		snprintf(name, sizeof(name), "f%zu", i);
		umask(cases[i].umask);
		assert_err(vouch_file_write_atomic(in_dir(path, *state, name), "data", 4,
		                                   cases[i].mode, VOUCH_WRITE_EXCL),
		           0);
		umask(old);
		assert_int_equal(lstat(path, &st), 0);
		assert_true(S_ISREG(st.st_mode));
		if ((st.st_mode & 07777) != cases[i].mode)
			fail_msg("umask %03o, mode %03o: file has %03o", (unsigned)cases[i].umask,
			         (unsigned)cases[i].mode, (unsigned)(st.st_mode & 07777));
		assert_file_is(path, "data", 4);
	}
	umask(old);
	assert_entries(*state, 5);
}

static void write_excl_refuses_existing(void **state)
{
	char path[PATH_MAX];
	struct stat before, after;

	put_file(in_dir(path, *state, "key"), "old contents", 12);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(stat(path, &before), 0);
	assert_err(vouch_file_write_atomic(path, "new", 3, 0600, VOUCH_WRITE_EXCL), -EEXIST);
	assert_file_is(path, "old contents", 12);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(after.st_ino, before.st_ino);
	assert_int_equal(after.st_mode, before.st_mode);
	assert_entries(*state, 1);
}

/*
 * A dangling symlink is "there" for VOUCH_WRITE_EXCL even though access() says it is not:
 * the final link() must fail, the link stay as it was, and the temporary file go away.
 */
static void write_excl_refuses_dangling_symlink(void **state)
{
	char path[PATH_MAX], target[PATH_MAX], got[PATH_MAX];
	ssize_t n;

	in_dir(target, *state, "target");
	assert_int_equal(symlink(target, in_dir(path, *state, "link")), 0);
	assert_err(vouch_file_write_atomic(path, "new", 3, 0600, VOUCH_WRITE_EXCL), -EEXIST);
	n = readlink(path, got, sizeof(got) - 1);
	assert_true(n > 0);
	got[n] = '\0';
	assert_string_equal(got, target);
	assert_int_equal(access(target, F_OK), -1);
	assert_entries(*state, 1);
}

static void write_replaces_without_excl(void **state)
{
	char path[PATH_MAX];
	struct stat st;
	static const char longer[] = "a much longer old file that must not leave a tail";

	put_file(in_dir(path, *state, "f"), longer, sizeof(longer) - 1);
	assert_int_equal(chmod(path, 0644), 0);
	assert_err(vouch_file_write_atomic(path, "short", 5, 0600, 0), 0);
	assert_file_is(path, "short", 5);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_err(vouch_file_write_atomic(path, "", 0, 0644, 0), 0);
	assert_file_is(path, "", 0);
	assert_entries(*state, 1);
}

/* Replacing a symlink replaces the link itself; the file it pointed to is untouched. */
static void write_replaces_symlink_not_target(void **state)
{
	char path[PATH_MAX], target[PATH_MAX];
	struct stat st;

	put_file(in_dir(target, *state, "target"), "target data", 11);
	assert_int_equal(symlink(target, in_dir(path, *state, "link")), 0);
	assert_err(vouch_file_write_atomic(path, "new", 3, 0600, 0), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_file_is(path, "new", 3);
	assert_file_is(target, "target data", 11);
	assert_entries(*state, 2);
}

/* Failures leave nothing behind: no file at the path, no temporary file. */
static void write_failure_leaves_nothing(void **state)
{
	char path[PATH_MAX], sub[PATH_MAX];

	/* The directory does not exist (this fails even for root). */
	assert_err(vouch_file_write_atomic(in_dir(path, *state, "nodir/f"), "x", 1, 0600, 0),
	           -ENOENT);
	assert_err(vouch_file_write_atomic(path, "x", 1, 0600, VOUCH_WRITE_EXCL), -ENOENT);
	assert_entries(*state, 0);
	/* The path is a directory: the temporary file is written, then rename() fails. */
	assert_int_equal(mkdir(in_dir(sub, *state, "sub"), 0755), 0);
	assert_err(vouch_file_write_atomic(sub, "x", 1, 0600, 0), -EISDIR);
	assert_err(vouch_file_write_atomic(sub, "x", 1, 0600, VOUCH_WRITE_EXCL), -EEXIST);
	assert_entries(*state, 1);
	assert_entries(sub, 0);
}

/* Several megabytes through the descriptor equal the one-shot digests of the same bytes. */
static void fd_digests_equal_oneshot(void **state)
{
	const size_t n = 5 * 1024 * 1024 + 12345, off = 1000;
	uint8_t *data = malloc(n);
	uint8_t s1[VOUCH_SHA256_LEN], s2[VOUCH_SHA256_LEN];
	uint8_t b1[VOUCH_BLAKE2B512_LEN], b2[VOUCH_BLAKE2B512_LEN];
	char path[PATH_MAX];
	int fd;

	assert_non_null(data);
	fill(data, n, 5);
	put_file(in_dir(path, *state, "big"), data, n);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_err(vouch_fd_sha256(fd, s1), 0);
	assert_err(vouch_sha256(data, n, s2), 0);
	assert_memory_equal(s1, s2, sizeof(s1));
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_err(vouch_fd_blake2b512(fd, b1), 0);
	assert_err(vouch_blake2b(data, n, b2, sizeof(b2)), 0);
	assert_memory_equal(b1, b2, sizeof(b1));
	/* "Everything readable": from the current offset on. */
	assert_int_equal(lseek(fd, (off_t)off, SEEK_SET), (off_t)off);
	assert_err(vouch_fd_sha256(fd, s1), 0);
	assert_err(vouch_sha256(data + off, n - off, s2), 0);
	assert_memory_equal(s1, s2, sizeof(s1));
	/* At the end nothing is left: the digest of the empty string. */
	assert_err(vouch_fd_sha256(fd, s1), 0);
	assert_hex_equal(s1, sizeof(s1),
	                 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	close(fd);
	free(data);
}

static void fd_digest_errors(void **state)
{
	uint8_t s[VOUCH_SHA256_LEN], b[VOUCH_BLAKE2B512_LEN];
	int fd = open(*state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	assert_err(vouch_fd_sha256(-1, s), -EBADF);
	assert_err(vouch_fd_blake2b512(-1, b), -EBADF);
	assert_true(fd >= 0);
	assert_err(vouch_fd_sha256(fd, s), -EISDIR);
	assert_err(vouch_fd_blake2b512(fd, b), -EISDIR);
	close(fd);
}

/* ---- the *_at writes ---- */

/* Below a directory descriptor: in it and in a subdirectory, with each flag. */
static void write_at_below_dirfd(void **state)
{
	static const int flags[] = {0, VOUCH_WRITE_NOSYNC, VOUCH_WRITE_NODIRSYNC,
	                            VOUCH_WRITE_NOSYNC | VOUCH_WRITE_NODIRSYNC};
	char path[PATH_MAX], sub[PATH_MAX];
	int dfd = open(*state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	assert_true(dfd >= 0);
	assert_int_equal(mkdir(in_dir(sub, *state, "d"), 0755), 0);
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		assert_err(vouch_file_write_atomic_at(dfd, "top", "abc", 3, 0640, flags[i]), 0);
		assert_file_is(in_dir(path, *state, "top"), "abc", 3);
		assert_err(vouch_file_write_atomic_at(dfd, "d/f", "longer", 6, 0600, flags[i]), 0);
		assert_file_is(in_dir(path, sub, "f"), "longer", 6);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0600);
	}
	/* An absolute name ignores the descriptor, as openat() does. */
	in_dir(path, *state, "abs");
	assert_err(vouch_file_write_atomic_at(-1, path, "x", 1, 0644, 0), 0);
	assert_file_is(path, "x", 1);
	assert_entries(*state, 3);
	assert_entries(sub, 1);
	assert_int_equal(vouch_fsync_dir_at(dfd, "d"), 0);
	assert_int_equal(vouch_fsync_dir_at(dfd, "."), 0);
	assert_err(vouch_fsync_dir_at(dfd, "top"), -ENOTDIR);
	assert_err(vouch_fsync_dir_at(dfd, "none"), -ENOENT);
	close(dfd);
}

/* EXCL refuses an existing name without touching it; failures leave no temporary file. */
static void write_at_excl_and_failures(void **state)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int dfd = open(*state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat before, after;

	assert_true(dfd >= 0);
	put_file(in_dir(path, *state, "key"), "old", 3);
	assert_int_equal(stat(path, &before), 0);
	assert_err(vouch_file_write_atomic_at(dfd, "key", "new", 3, 0600, VOUCH_WRITE_EXCL),
	           -EEXIST);
	assert_err(vouch_file_write_atomic_at(dfd, "key", "new", 3, 0600,
	                                      VOUCH_WRITE_EXCL | VOUCH_WRITE_NOSYNC |
	                                          VOUCH_WRITE_NODIRSYNC),
	           -EEXIST);
	/* Staged before the name appeared: the link in the commit still refuses. */
	assert_err(vouch_file_stage_at(dfd, "late", "mine", 4, 0600, 0, tmp), 0);
	put_file(in_dir(path, *state, "late"), "theirs", 6);
	assert_err(vouch_file_commit_at(dfd, tmp, "late", VOUCH_WRITE_EXCL), -EEXIST);
	assert_file_is(path, "theirs", 6);
	in_dir(path, *state, "key");
	assert_file_is(path, "old", 3);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(after.st_ino, before.st_ino);
	/* No directory for the name; the name a directory; a name too long for a temp. */
	assert_err(vouch_file_write_atomic_at(dfd, "nodir/f", "x", 1, 0600, 0), -ENOENT);
	assert_int_equal(mkdirat(dfd, "sub", 0755), 0);
	assert_err(vouch_file_write_atomic_at(dfd, "sub", "x", 1, 0600, VOUCH_WRITE_NOSYNC),
	           -EISDIR);
	{
		char name[PATH_MAX];

		memset(name, 'n', sizeof(name) - 20);
		name[sizeof(name) - 20] = '\0';
		assert_err(vouch_file_write_atomic_at(dfd, name, "x", 1, 0600, 0), -ENAMETOOLONG);
	}
	/* No directory descriptor for a relative name. */
	assert_err(vouch_file_write_atomic_at(-1, "rel", "x", 1, 0600, 0), -EBADF);
	/* Staged then discarded: gone. */
	assert_err(vouch_file_stage_at(dfd, "gone", "x", 1, 0600, VOUCH_WRITE_NOSYNC, tmp), 0);
	assert_int_equal(faccessat(dfd, tmp, F_OK, 0), 0);
	vouch_file_discard_at(dfd, tmp);
	assert_int_equal(faccessat(dfd, tmp, F_OK, 0), -1);
	/* key, late, sub: nothing else, no temporary file. */
	assert_entries(*state, 3);
	assert_entries(in_dir(path, *state, "sub"), 0);
	close(dfd);
}

/* A stage whose bytes are written through its descriptor (the store's way). */
static void stage_open_close(void **state)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int dfd = open(*state, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd;
	mode_t old = umask(077);
	struct stat st;

	assert_true(dfd >= 0);
	fd = vouch_file_stage_open_at(dfd, "store", 0644, tmp);
	umask(old);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_err(vouch_pwrite_full(fd, "world", 5, 6), 0);
	assert_err(vouch_pwrite_full(fd, "hello ", 6, 0), 0);
	assert_err(vouch_file_stage_close(dfd, fd, tmp, 0), 0);
	assert_err(vouch_file_commit_at(dfd, tmp, "store", 0), 0);
	assert_file_is(in_dir(path, *state, "store"), "hello world", 11);
	/* Given up before the close: the descriptor closed, the name discarded. */
	fd = vouch_file_stage_open_at(dfd, "store", 0644, tmp);
	assert_true(fd >= 0);
	close(fd);
	vouch_file_discard_at(dfd, tmp);
	/* A failed close removes the temporary file itself. */
	fd = vouch_file_stage_open_at(dfd, "store", 0644, tmp);
	assert_true(fd >= 0);
	close(fd);
	assert_err(vouch_file_stage_close(dfd, fd, tmp, 0), -EBADF);
	assert_int_equal(faccessat(dfd, tmp, F_OK, 0), -1);
	assert_file_is(path, "hello world", 11);
	assert_entries(*state, 1);
	close(dfd);
}

struct replace_reader {
	const char *path;
	atomic_bool stop;
	unsigned long reads, olds, news, bad;
};

/* Reads the file over and over: each read must be the whole old or the whole new file. */
static void *replace_read(void *arg)
{
	struct replace_reader *r = arg;
	static char buf[8192];

	while (!atomic_load(&r->stop)) {
		int fd = open(r->path, O_RDONLY | O_CLOEXEC);
		size_t n = 0;
		bool all_a = true, all_b = true;

		if (fd < 0) {
			r->bad++; /* the name must never be missing */
			continue;
		}
		if (vouch_read_full(fd, buf, sizeof(buf), &n) != 0)
			r->bad++;
		close(fd);
		for (size_t i = 0; i < n; i++) {
			all_a &= buf[i] == 'a';
			all_b &= buf[i] == 'b';
		}
		if (n == 1000 && all_a)
			r->olds++;
		else if (n == 3000 && all_b)
			r->news++;
		else
			r->bad++;
		r->reads++;
	}
	return NULL;
}

/* Replaced 2,000 times while another thread reads: always the old or the new, never a mix. */
static void write_at_replaces_atomically(void **state)
{
	char path[PATH_MAX], a[1000], b[3000];
	struct replace_reader r = {.path = in_dir(path, *state, "f")};
	int dfd = open(*state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	pthread_t t;

	assert_true(dfd >= 0);
	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	assert_err(vouch_file_write_atomic_at(dfd, "f", a, sizeof(a), 0644, 0), 0);
	atomic_init(&r.stop, false);
	assert_int_equal(pthread_create(&t, NULL, replace_read, &r), 0);
	for (int i = 0; i < 2000; i++) {
		bool old = i % 2;

		assert_err(vouch_file_write_atomic_at(dfd, "f", old ? a : b,
		                                      old ? sizeof(a) : sizeof(b), 0644,
		                                      VOUCH_WRITE_NOSYNC | VOUCH_WRITE_NODIRSYNC),
		           0);
	}
	atomic_store(&r.stop, true);
	assert_int_equal(pthread_join(t, NULL), 0);
	if (r.bad)
		fail_msg("%lu of %lu reads saw neither the old file nor the new", r.bad, r.reads);
	assert_true(r.reads > 0);
	assert_entries(*state, 1);
	close(dfd);
}

/* ---- the read and write loops ---- */

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* SIGALRM every @us microseconds with an empty handler and no SA_RESTART (0: stop). */
static void alarm_every(long us)
{
	struct sigaction sa;
	struct itimerval it = {{0, us}, {0, us}};

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = us ? on_alarm : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a blocked read or write fails with EINTR */
	if (us)
		assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	if (!us)
		assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
}

/* A child that writes @len bytes of pattern @seed to @fd in slow pieces, then exits. */
static pid_t slow_writer(int fd, size_t len, uint32_t seed)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		uint8_t *data = malloc(len);
		size_t off = 0;

		if (!data)
			_exit(3);
		alarm(60);
		fill(data, len, seed);
		for (int piece = 0; off < len && piece < 1000; piece++) {
			size_t n = len - off < 777 ? len - off : 777;
			ssize_t w;

			usleep(3000);
			w = write(fd, data + off, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				_exit(4);
			off += (size_t)w;
		}
		_exit(off == len ? 0 : 5);
	}
	return pid;
}

static int child_status(pid_t pid)
{
	int st = 0;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A pipe written slowly, read whole while SIGALRM keeps interrupting the read. */
static void read_full_through_signals(void **state)
{
	const size_t len = 20000;
	uint8_t *want = malloc(len), *got = malloc(len + 10);
	int p[2];
	size_t n = 0;
	pid_t pid;

	(void)state;
	assert_non_null(want);
	assert_non_null(got);
	fill(want, len, 11);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = slow_writer(p[1], len, 11);
	close(p[1]);
	alarms = 0;
	alarm_every(1000);
	assert_err(vouch_read_full(p[0], got, len + 10, &n), 0);
	alarm_every(0);
	assert_int_equal(child_status(pid), 0);
	/* Up to the end of the file: short of len + 10 only because the writer stopped. */
	assert_int_equal(n, len);
	assert_memory_equal(got, want, len);
	if (alarms < 3)
		fail_msg("only %d signals came during the read: EINTR was not exercised", alarms);
	/* At the end: nothing more, and no error. */
	assert_err(vouch_read_full(p[0], got, 10, &n), 0);
	assert_int_equal(n, 0);
	close(p[0]);
	assert_err(vouch_read_full(p[0], got, 10, &n), -EBADF);
	assert_int_equal(n, 0);
	free(want);
	free(got);
}

/*
 * A child that reads @len bytes from @fd slowly and exits 0 if they are pattern
 * @seed and then the end comes. @other, the pipe's write end, it closes: else the
 * end would never come.
 */
static pid_t slow_reader(int fd, int other, size_t len, uint32_t seed)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		uint8_t *data = malloc(len), *want = malloc(len);
		size_t off = 0;

		close(other);
		/* Bounded: a parent that never closes its end must not leave the child behind. */
		alarm(60);

		if (!data || !want)
			_exit(3);
		fill(want, len, seed);
		for (int piece = 0; off < len && piece < 100000; piece++) {
			ssize_t r;

			if (piece % 8 == 0)
				usleep(2000);
			r = read(fd, data + off, len - off < 4096 ? len - off : 4096);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				_exit(4);
			off += (size_t)r;
		}
		if (off != len || memcmp(data, want, len) != 0)
			_exit(5);
		/* And then the end: nothing was written past len. */
		_exit(read(fd, data, 1) == 0 ? 0 : 6);
	}
	return pid;
}

/* Into a small pipe read slowly: the write blocks, is interrupted and cut short, and all of
 * it arrives. */
static void write_full_through_signals(void **state)
{
	const size_t len = 512 * 1024;
	uint8_t *data = malloc(len);
	int p[2];
	pid_t pid;

	(void)state;
	assert_non_null(data);
	fill(data, len, 29);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	(void)fcntl(p[1], F_SETPIPE_SZ, 4096);
	pid = slow_reader(p[0], p[1], len, 29);
	close(p[0]);
	alarms = 0;
	alarm_every(1000);
	assert_err(vouch_write_full(p[1], data, len), 0);
	alarm_every(0);
	close(p[1]);
	assert_int_equal(child_status(pid), 0);
	if (alarms < 3)
		fail_msg("only %d signals came during the write: EINTR was not exercised", alarms);
	/* A reader gone: the error, not a loop. */
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	assert_err(vouch_write_full(p[1], data, 10), -EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);
	assert_err(vouch_write_full(-1, data, 10), -EBADF);
	assert_err(vouch_write_full(-1, data, 0), 0);
	free(data);
}

/* At offsets: the file offset stays put; short only at the end of the file. */
static void pread_pwrite_full(void **state)
{
	char path[PATH_MAX], buf[64];
	int fd = open(in_dir(path, *state, "f"), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	size_t n = 99;

	assert_true(fd >= 0);
	assert_err(vouch_pwrite_full(fd, "0123456789", 10, 0), 0);
	assert_err(vouch_pwrite_full(fd, "abc", 3, 20), 0);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 0);
	assert_err(vouch_pread_full(fd, buf, 5, 3, &n), 0);
	assert_int_equal(n, 5);
	assert_memory_equal(buf, "34567", 5);
	assert_err(vouch_pread_full(fd, buf, sizeof(buf), 8, &n), 0);
	assert_int_equal(n, 15); /* "89", ten zero bytes of the hole, "abc" */
	assert_memory_equal(buf, "89\0\0\0\0\0\0\0\0\0\0abc", 15);
	assert_err(vouch_pread_full(fd, buf, sizeof(buf), 100, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 0);
	/* vouch_read_full moves the offset, as read() does. */
	assert_err(vouch_read_full(fd, buf, 4, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 4);
	close(fd);
	fd = open(*state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_err(vouch_pread_full(fd, buf, 4, 0, &n), -EISDIR);
	assert_err(vouch_read_full(fd, buf, 4, &n), -EISDIR);
	assert_err(vouch_pwrite_full(fd, "x", 1, 0), -EBADF);
	close(fd);
}

#define DIR_TEST(f) cmocka_unit_test_setup_teardown(f, dir_setup, dir_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    DIR_TEST(read_cap_boundary),
	    DIR_TEST(read_cap_size_max),
	    DIR_TEST(read_empty_file),
	    DIR_TEST(read_errors),
	    DIR_TEST(read_refuses_special),
	    cmocka_unit_test(read_pipe_cap),
	    DIR_TEST(write_mode_ignores_umask),
	    DIR_TEST(write_excl_refuses_existing),
	    DIR_TEST(write_excl_refuses_dangling_symlink),
	    DIR_TEST(write_replaces_without_excl),
	    DIR_TEST(write_replaces_symlink_not_target),
	    DIR_TEST(write_failure_leaves_nothing),
	    DIR_TEST(fd_digests_equal_oneshot),
	    DIR_TEST(fd_digest_errors),
	    DIR_TEST(write_at_below_dirfd),
	    DIR_TEST(write_at_excl_and_failures),
	    DIR_TEST(stage_open_close),
	    DIR_TEST(write_at_replaces_atomically),
	    cmocka_unit_test(read_full_through_signals),
	    cmocka_unit_test(write_full_through_signals),
	    DIR_TEST(pread_pwrite_full),
	};

	return cmocka_run_group_tests_name("file", tests, NULL, NULL);
}
