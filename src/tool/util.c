/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers every vouch subcommand uses: messages, passwords, public keys, JSON strings. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "tool.h"

/* "vouch: " and the message, escaped as one line: no byte of it reaches the terminal raw. */
static void err_line(const char *prefix, const char *fmt, va_list ap, const char *suffix)
{
	char *msg = NULL;
	int n = vasprintf(&msg, fmt, ap);

	fputs("vouch: ", stderr);
	tool_escape(stderr, prefix, strlen(prefix), 0);
	if (n >= 0)
		tool_escape(stderr, msg, (size_t)n, 0);
	else
		fputs("(no memory for the message)", stderr);
	if (suffix)
		tool_escape(stderr, suffix, strlen(suffix), 0);
	fputc('\n', stderr);
	free(msg);
}

void tool_err(const char *cmd, const char *what, const char *fmt, ...)
{
	char *prefix = NULL;
	va_list ap;

	if (asprintf(&prefix, "%s: %s%s", cmd, what ? what : "", what ? ": " : "") < 0)
		prefix = NULL;
	va_start(ap, fmt);
	err_line(prefix ? prefix : cmd, fmt, ap, prefix ? NULL : ": ");
	va_end(ap);
	free(prefix);
}

int tool_usage(const char *cmd, const char *fmt, ...)
{
	char *prefix = NULL, *suffix = NULL;
	va_list ap;

	if (asprintf(&prefix, "%s: ", cmd) < 0)
		prefix = NULL;
	if (asprintf(&suffix, " (see 'vouch %s --help')", cmd) < 0)
		suffix = NULL;
	va_start(ap, fmt);
	err_line(prefix ? prefix : "", fmt, ap, suffix);
	va_end(ap);
	free(prefix);
	free(suffix);
	return EXIT_ERROR;
}

int tool_bad_option(const char *cmd, int c, int argc, char **argv)
{
	const char *arg = optind - 1 < argc ? argv[optind - 1] : "?";
	bool lng = strncmp(arg, "--", 2) == 0;

	if (c == ':' && lng)
		return tool_usage(cmd, "%s needs an argument", arg);
	if (c == ':')
		return tool_usage(cmd, "-%c needs an argument", optopt);
	if (lng)
		return tool_usage(cmd, "unknown option '%s'", arg);
	return tool_usage(cmd, "unknown option '-%c'", optopt);
}

int tool_parse_fd(const char *cmd, const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *arg == '\0' || *end != '\0' || v < 0 || v > 65535) {
		tool_usage(cmd, "--password-fd: '%s' is not a file descriptor number", arg);
		return -1;
	}
	return (int)v;
}

/* Read one line (without its newline) of at most PASSWORD_MAX bytes. */
static int read_line_fd(int fd, char *buf, size_t *len)
{
	size_t n = 0;

	/* A byte at a time: what follows the line is not ours to read. */
	for (;;) {
		char ch;
		size_t got = 0;
		int ret = vouch_read_full(fd, &ch, 1, &got);

		if (ret)
			return ret;
		if (got == 0 || ch == '\n')
			break;
		if (n == PASSWORD_MAX)
			return VOUCH_E_TOOBIG;
		buf[n++] = ch;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return 0;
}

static int prompt_tty(int tty, const char *prompt, char *buf, size_t *len)
{
	struct termios old, quiet;
	int ret, end;

	if (tcgetattr(tty, &old) != 0)
		return -errno;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	/*
	 * Echo off (discarding anything typed before) first, the prompt after: what is
	 * typed once the prompt shows is never flushed, and never echoed.
	 */
	if (tcsetattr(tty, TCSAFLUSH, &quiet) != 0)
		return -errno;
	ret = vouch_write_full(tty, prompt, strlen(prompt));
	if (!ret)
		ret = read_line_fd(tty, buf, len);
	/* TCSANOW: restoring must not discard what the user types next. */
	tcsetattr(tty, TCSANOW, &old);
	end = vouch_write_full(tty, "\n", 1);
	return ret ? ret : end;
}

int tool_password(const char *cmd, int fd, bool confirm, char buf[static PASSWORD_MAX + 1],
                  size_t *len)
{
	char again[PASSWORD_MAX + 1];
	size_t alen = 0;
	int tty, ret;

	if (fd >= 0) {
		ret = read_line_fd(fd, buf, len);
		if (ret) {
			tool_err(cmd, "password", "cannot read from descriptor %d: %s", fd,
			         vouch_strerror(ret));
			return EXIT_ERROR;
		}
		return 0;
	}
	tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty < 0) {
		tool_err(cmd, "password", "no terminal to ask on (use --password-fd N)");
		return EXIT_ERROR;
	}
	ret = prompt_tty(tty, "Password: ", buf, len);
	if (!ret && confirm) {
		ret = prompt_tty(tty, "Password (again): ", again, &alen);
		if (!ret && (alen != *len || CRYPTO_memcmp(again, buf, alen) != 0)) {
			vouch_wipe(again, sizeof(again));
			close(tty);
			tool_err(cmd, "password", "the two passwords differ");
			return EXIT_ERROR;
		}
	}
	vouch_wipe(again, sizeof(again));
	close(tty);
	if (ret) {
		tool_err(cmd, "password", "cannot read from the terminal: %s", vouch_strerror(ret));
		return EXIT_ERROR;
	}
	return 0;
}

static const char *kind_hint(const char *text, size_t len)
{
	/* Only for the message. A signature's comment may say "secret key" too: test it first. */
	if (memmem(text, len, "signature", 9))
		return "wrong kind of file: a signature where a public key was expected";
	if (memmem(text, len, "secret key", 10))
		return "wrong kind of file: a secret key where a public key was expected";
	return "wrong kind of file: not a public key";
}

int tool_load_pubkey(const char *cmd, const char *path, const char *b64, struct vouch_pubkey *pk)
{
	char *text = NULL;
	size_t len = 0;
	int ret;

	if (b64) {
		ret = vouch_pubkey_parse_base64(pk, b64, strlen(b64));
		if (ret) {
			tool_err(cmd, "-P", "malformed public key: %s", vouch_strerror(ret));
			return EXIT_ERROR;
		}
		return EXIT_OK;
	}
	ret = vouch_file_read(path, VOUCH_KEYFILE_MAX, &text, &len);
	if (ret) {
		tool_err(cmd, path, "cannot read public key: %s", vouch_strerror(ret));
		return EXIT_ERROR;
	}
	ret = vouch_pubkey_parse(pk, text, len);
	if (ret == VOUCH_E_KEYTYPE)
		tool_err(cmd, path, "%s", kind_hint(text, len));
	else if (ret)
		tool_err(cmd, path, "malformed public key: %s", vouch_strerror(ret));
	free(text);
	return ret ? EXIT_ERROR : EXIT_OK;
}

/* Is the valid UTF-8 sequence of @n bytes at @p a C1 control (U+0080..U+009F)? */
static bool is_c1(const unsigned char *p, size_t n)
{
	return n == 2 && p[0] == 0xc2 && p[1] <= 0x9f;
}

size_t tool_escape(FILE *f, const void *s, size_t len, unsigned flags)
{
	const unsigned char *p = s, *end = p + len;
	size_t escaped = 0;

	while (p < end) {
		size_t n = vouch_utf8_len(p, (size_t)(end - p));
		unsigned char c = *p;

		if (n > 1 && !is_c1(p, n)) {
			if (f)
				fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		/* One byte from here on: ASCII, or a byte of a C1 control or of invalid UTF-8. */
		n = n ? n : 1;
		for (size_t i = 0; i < n; i++, p++) {
			c = *p;
			/* A tab only moves the cursor: it passes (comments hold them). */
			if ((c >= 0x20 && c < 0x7f && c != '\\') || c == '\t') {
				if (f)
					fputc(c, f);
			} else if ((flags & TOOL_ESC_TEXT) && c == '\n') {
				if (f)
					fputc(c, f);
			} else {
				escaped++;
				if (!f)
					continue;
				if (c == '\\')
					fputs("\\\\", f);
				else if ((flags & TOOL_ESC_SUM) && c == '\n')
					fputs("\\n", f);
				else if ((flags & TOOL_ESC_SUM) && c == '\r')
					fputs("\\r", f);
				else
					fprintf(f, "\\x%02x", c);
			}
		}
	}
	return escaped;
}

void tool_print(const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* One line: only its own final newline passes. */
	if (n > 0 && text[n - 1] == '\n') {
		tool_escape(stdout, text, (size_t)n - 1, 0);
		fputc('\n', stdout);
	} else {
		tool_escape(stdout, text, (size_t)n, 0);
	}
	free(text);
}

void tool_print_exact(const void *s, size_t len)
{
	if (isatty(STDOUT_FILENO))
		tool_escape(stdout, s, len, TOOL_ESC_TEXT);
	else
		fwrite(s, 1, len, stdout);
}

void tool_json_field(FILE *f, const char *key, const void *s, size_t len)
{
	char small[4096], *buf = small;
	size_t cap = vouch_json_field_max(strlen(key), len), n;

	/* The one encoder (vouch/json.h); C1 controls escaped too: a terminal may obey them. */
	if (cap > sizeof(small) && !(buf = malloc(cap))) {
		fprintf(f, "\"%s\":null", key);
		return;
	}
	if (vouch_json_field(buf, cap, &n, key, s, len, VOUCH_JSON_C1) == 0)
		fwrite(buf, 1, n, f);
	else
		fprintf(f, "\"%s\":null", key);
	if (buf != small)
		free(buf);
}

void tool_json_str(FILE *f, const char *key, const char *s)
{
	tool_json_field(f, key, s, strlen(s));
}

int tool_read_seckey(const char *cmd, const char *path, struct vouch_seckey_file *f)
{
	char *text = NULL;
	size_t len = 0;
	int ret;

	ret = vouch_file_read(path, VOUCH_KEYFILE_MAX, &text, &len);
	if (ret) {
		tool_err(cmd, path, "cannot read secret key: %s", vouch_strerror(ret));
		return EXIT_ERROR;
	}
	ret = vouch_seckey_parse(f, text, len);
	if (ret == VOUCH_E_KEYTYPE)
		tool_err(cmd, path, "wrong kind of file: not a minisign secret key%s",
		         memmem(text, len, "public key", 10) ? " (this is a public key)" : "");
	else if (ret)
		tool_err(cmd, path, "malformed secret key: %s", vouch_strerror(ret));
	vouch_wipe(text, len);
	free(text);
	return ret ? EXIT_ERROR : EXIT_OK;
}

int tool_unlock_seckey(const char *cmd, const char *path, const struct vouch_seckey_file *f,
                       int pwfd, struct tool_key *k)
{
	char pw[PASSWORD_MAX + 1];
	struct vouch_seckey *sk = NULL;
	size_t pwlen = 0;
	int ret, rc = EXIT_ERROR;

	memset(k, 0, sizeof(*k));
	if (f->encrypted && tool_password(cmd, pwfd, false, pw, &pwlen))
		goto out;
	ret = vouch_seckey_decrypt(f, pw, pwlen, &sk);
	/* The signer takes a guarded copy of the seed; the decrypted key goes at once. */
	if (!ret)
		ret = vouch_seckey_signer(sk, &k->signer);
	if (ret) {
		tool_err(cmd, path, "%s", vouch_strerror(ret));
		goto out;
	}
	memcpy(k->keyid, sk->keyid, VOUCH_KEYID_LEN);
	rc = EXIT_OK;
out:
	vouch_seckey_free(sk);
	vouch_wipe(pw, sizeof(pw));
	return rc;
}

int tool_load_seckey(const char *cmd, const char *path, int pwfd, struct tool_key *k)
{
	struct vouch_seckey_file f;
	int rc;

	memset(k, 0, sizeof(*k));
	rc = tool_read_seckey(cmd, path, &f);
	if (rc == EXIT_OK)
		rc = tool_unlock_seckey(cmd, path, &f, pwfd, k);
	vouch_wipe(&f, sizeof(f));
	return rc;
}

void tool_key_destroy(struct tool_key *k)
{
	vouch_signer_destroy(&k->signer);
	memset(k, 0, sizeof(*k));
}

int tool_open_regular(const char *path)
{
	struct stat st;
	int fd, flags;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer before we can refuse it. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : VOUCH_E_NOTREGULAR;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}
