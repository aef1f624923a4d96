/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers every vouch subcommand uses: messages, passwords, public keys, JSON strings. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "tool.h"

void tool_err(const char *cmd, const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vouch: %s: ", cmd);
	if (what)
		fprintf(stderr, "%s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int tool_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vouch: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'vouch %s --help'.\n", cmd);
	return EXIT_ERROR;
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

	for (;;) {
		char ch;
		ssize_t r = read(fd, &ch, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0 || ch == '\n')
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
	int ret;

	if (write(tty, prompt, strlen(prompt)) < 0)
		return -errno;
	if (tcgetattr(tty, &old) != 0)
		return -errno;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (tcsetattr(tty, TCSAFLUSH, &quiet) != 0)
		return -errno;
	ret = read_line_fd(tty, buf, len);
	tcsetattr(tty, TCSAFLUSH, &old);
	if (write(tty, "\n", 1) < 0 && !ret)
		ret = -errno;
	return ret;
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
			OPENSSL_cleanse(again, sizeof(again));
			close(tty);
			tool_err(cmd, "password", "the two passwords differ");
			return EXIT_ERROR;
		}
	}
	OPENSSL_cleanse(again, sizeof(again));
	close(tty);
	if (ret) {
		tool_err(cmd, "password", "cannot read from the terminal: %s", vouch_strerror(ret));
		return EXIT_ERROR;
	}
	return 0;
}

static const char *kind_hint(const char *text, size_t len)
{
	/* Only for the message: say what the file seems to be instead. */
	if (memmem(text, len, "secret key", 10))
		return "wrong kind of file: a secret key where a public key was expected";
	if (memmem(text, len, "signature", 9))
		return "wrong kind of file: a signature where a public key was expected";
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

void tool_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}
