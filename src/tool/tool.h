/* SPDX-License-Identifier: Apache-2.0 */
/* Shared helpers of the vouch tool: messages, exit codes, passwords, key loading. */
#ifndef VOUCH_TOOL_H
#define VOUCH_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "vouch/vouch.h"

/* Exit codes of every subcommand (see vouch(1)). */
enum {
	EXIT_OK = 0,
	EXIT_DENIED = 1, /* not verified, denied */
	EXIT_ERROR = 2,  /* usage, I/O or system error */
};

#define PASSWORD_MAX 1024

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

int cmd_keygen(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_hash(int argc, char **argv);

/* "vouch: <cmd>: <what>: <why>" on stderr, one line. @what may be NULL. */
void tool_err(const char *cmd, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Usage error: the message, then "Try 'vouch <cmd> --help'."; returns EXIT_ERROR. */
int tool_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Read a password: from @fd if >= 0 (up to the first newline), else from the
 * controlling terminal with echo off, asking twice if @confirm.
 * Return: 0 with @buf NUL-terminated and *@len set, or EXIT_ERROR after printing why.
 */
int tool_password(const char *cmd, int fd, bool confirm, char buf[static PASSWORD_MAX + 1],
                  size_t *len);
/* Parse a --password-fd argument; -1 and a message if it is not a descriptor number. */
int tool_parse_fd(const char *cmd, const char *arg);

/* Load a public key file, or a base64 key given on the command line (-P). EXIT_* */
int tool_load_pubkey(const char *cmd, const char *path, const char *b64, struct vouch_pubkey *pk);

/* Write @s as a JSON string literal (with quotes) to @f. */
void tool_json_string(FILE *f, const char *s);

#endif
