/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for capped whole-file reads, atomic writes and hashing through a descriptor. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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
	};

	return cmocka_run_group_tests_name("file", tests, NULL, NULL);
}
