/* SPDX-License-Identifier: Apache-2.0 */
/* Shared helpers of the vouch tool: messages, exit codes, passwords, key loading. */
#ifndef VOUCH_TOOL_H
#define VOUCH_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

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
int cmd_manifest(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_why(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_reload(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_setup(int argc, char **argv);
int cmd_apt_check(int argc, char **argv);
int cmd_doctor(int argc, char **argv);

/*
 * Untrusted bytes (file names and contents, proofs, checkpoints, log entries,
 * vouchd's answers, policy text) shown so that a terminal displays them and
 * obeys none of them, and the text says unambiguously which bytes they were:
 * printable ASCII, tab and valid UTF-8 pass; a backslash becomes "\\"; C0 controls
 * (newline too), DEL, C1 controls (a raw byte 0x80-0x9f, or U+0080..U+009F
 * encoded in UTF-8, each of its two bytes) and every byte that is not part of
 * valid UTF-8 (overlong, surrogate, beyond U+10FFFF, truncated) become "\xHH",
 * one per byte, lower-case hex.
 */
#define TOOL_ESC_TEXT 1u /* newline passes: multi-line text shown as text */
#define TOOL_ESC_SUM  2u /* LF and CR as sha256sum writes them in names: "\n", "\r" */
/* Write @len bytes of @s to @f escaped (@f NULL: write nothing). Return: bytes escaped. */
size_t tool_escape(FILE *f, const void *s, size_t len, unsigned flags);
/*
 * printf() of one line of human-readable text to stdout, every byte escaped
 * but its final newline: into a pipe too, since a line per record is the format.
 */
void tool_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Bytes of a format that promises them exact (a proof, a key line): written as
 * they are when stdout is a pipe or file, escaped (TOOL_ESC_TEXT) on a terminal.
 */
void tool_print_exact(const void *s, size_t len);

/*
 * "vouch: <cmd>: <what>: <why>" on stderr, one line, all of it escaped as
 * tool_escape() does (no newline or control byte of @what or the message passes).
 * @what may be NULL.
 */
void tool_err(const char *cmd, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Usage error, one line ending in "(see 'vouch <cmd> --help')"; returns EXIT_ERROR. */
int tool_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * After getopt_long() (optstring starting with ':') returned @c ('?' or ':'):
 * name the unknown option or the one missing its argument, in one line. EXIT_ERROR.
 */
int tool_bad_option(const char *cmd, int c, int argc, char **argv);

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

/*
 * A minisign secret key, unlocked: its key id and a signer. The seed is in the
 * signer's guarded memory and nowhere else. Release with tool_key_destroy().
 */
struct tool_key {
	uint8_t keyid[VOUCH_KEYID_LEN];
	struct vouch_signer signer;
};

/* Read and parse a secret key file (no decryption yet). EXIT_*, message printed. */
int tool_read_seckey(const char *cmd, const char *path, struct vouch_seckey_file *f);
/* Decrypt a parsed secret key, asking for the password if it is encrypted. EXIT_* */
int tool_unlock_seckey(const char *cmd, const char *path, const struct vouch_seckey_file *f,
                       int pwfd, struct tool_key *k);
/* Both of the above. Release @k with tool_key_destroy() when done (also after a failure). EXIT_* */
int tool_load_seckey(const char *cmd, const char *path, int pwfd, struct tool_key *k);
/* tool_key_destroy() - wipe and release @k's signer; @k is left empty. */
void tool_key_destroy(struct tool_key *k);

/*
 * A new key pair written to @pub and @sec (mode 0600), as 'vouch keygen' writes it:
 * encrypted with @pw (@pwlen bytes) unless @pw is NULL; an existing file replaced only
 * if @force; both or neither in place after a failure. @pk receives the public key;
 * @k (may be NULL) the key, unlocked, for signing at once (tool_key_destroy()).
 * EXIT_*, message printed (cmd-keygen.c).
 */
int tool_keypair_write(const char *cmd, const char *pub, const char *sec, const char *pw,
                       size_t pwlen, bool force, struct tool_key *k, struct vouch_pubkey *pk);

/*
 * The text of a minisign signature of @path (open as @fd, read from its start) by @k,
 * as 'vouch sign' makes it: prehashed unless @legacy; @trusted NULL for the default
 * trusted comment (timestamp, file name, "hashed"). Into @text (@cap bytes, at least
 * VOUCH_SIGFILE_MAX), length in *@len. EXIT_*, message printed (cmd-sign.c).
 */
int tool_sig_make(const char *cmd, const char *path, int fd, const struct tool_key *k, bool legacy,
                  const char *untrusted, const char *trusted, char *text, size_t cap, size_t *len);

/*
 * Open @path for reading only if it is a regular file (never blocking on a FIFO).
 * Return: the descriptor; -errno; -EISDIR; or VOUCH_E_NOTREGULAR.
 */
int tool_open_regular(const char *path);

/*
 * A JSON object's member "KEY":"TEXT" for @len bytes at @s (NUL too), written to @f as
 * every --json output writes strings (vouch/json.h, docs/formats.md): valid UTF-8 as
 * itself, '"' and '\\' escaped, C0 controls, DEL and C1 controls as \u00XX; bytes that
 * are not UTF-8 shown with U+FFFD for each byte not part of valid UTF-8, and their
 * exact bytes after it as ,"KEY_b64":"BASE64". @key is the caller's own: [a-z0-9_].
 */
void tool_json_field(FILE *f, const char *key, const void *s, size_t len);
/* The same for the NUL-terminated @s. */
void tool_json_str(FILE *f, const char *key, const char *s);

/*
 * What 'vouch manifest from-dpkg' does, for @cmd's messages: every code file dpkg
 * installed (under @admindir and @root; NULL for the defaults), checked and
 * written to @out, the changed, missing and unreadable ones reported on stderr and
 * left out; while it hashes, one progress line on stderr when stderr is a terminal
 * (cleared at the end). @st receives the counts. EXIT_*, message printed (cmd-manifest.c).
 */
int tool_manifest_from_dpkg(const char *cmd, const char *out, const char *admindir,
                            const char *root, struct vouch_scan_stats *st);

/* The state directory: @opt if given, else $VOUCH_STATE_DIR, else the default. */
const char *tool_state_dir(const char *opt);

/* A policy bundle read from a file and parsed (not verified). */
struct tool_bundle {
	uint8_t *data;
	size_t len;
	bool parsed;
	struct vouch_bundle b;
	struct vouch_sig sig;
};
/* Read and parse @path; EXIT_* with the message printed. Free with tool_bundle_free(). */
int tool_load_bundle(const char *cmd, const char *path, struct tool_bundle *tb);
void tool_bundle_free(struct tool_bundle *tb);

/*
 * Where decisions come from (util-policy.c): a bundle file, or the installed trust
 * store; what 'vouch check' and 'vouch apt-check' both ask.
 */
struct tool_policy {
	bool from_bundle, verified;
	struct tool_bundle tb;
	struct vouch_store *store;
	struct vouch_store_reader *reader;
	const struct vouch_cpolicy *cp; /* NULL: none installed (with @missing_ok) */
	char where[4096];
};
/*
 * Open @bundle (verified with @pub or @b64 if given), or else the trust store of
 * the state directory @state. @missing_ok: no store installed is EXIT_OK with
 * @src->cp NULL, and nothing printed. EXIT_*, the message printed. Close it with
 * tool_policy_close() in every case.
 */
int tool_policy_open(const char *cmd, const char *bundle, const char *pub, const char *b64,
                     const char *state, bool missing_ok, struct tool_policy *src);
void tool_policy_close(struct tool_policy *src);
/*
 * The decision, as 'vouch check' asks it (an exec, by this process), for a file of
 * @size bytes whose SHA-256 is @sha256 (NULL: not hashed, larger than max-size).
 * Return: 0 with @d filled, or the trust store's error.
 */
int tool_policy_decide(struct tool_policy *src, const uint8_t *sha256, uint64_t size,
                       const char *path, struct vouch_decision *d);
/* One line: why the package file @path was refused (@err, and @pb for VOUCH_E_DEB). */
void tool_deb_problem(const char *cmd, const char *path, int err,
                      const struct vouch_deb_problem *pb);

/*
 * Send @req to the vouchd whose state directory is @state, passing @passfd
 * (if >= 0) with it, and parse its answer (vouch/ctl.h) into @a.
 * Return: EXIT_OK if vouchd answered "ok", with @a filled; otherwise the
 * reason is printed (vouchd's, or why there was no answer in this protocol:
 * not running, another protocol version, malformed) and the exit code is
 * tool_ctl_exit()'s for vouchd's status, or EXIT_ERROR. @a is filled whenever
 * an answer parsed (an error's pairs too): release it with
 * vouch_ctl_answer_release() in every case.
 */
int tool_daemon_ask(const char *cmd, const char *state, const struct vouch_ctl_request *req,
                    int passfd, struct vouch_ctl_answer *a);
/*
 * The exit code for one of vouchd's statuses, decided by its number alone:
 * EXIT_OK for ok; EXIT_DENIED for needs-root and unreadable (refused for lack
 * of privilege); EXIT_ERROR for every other, and for a number this vouch does not know.
 */
int tool_ctl_exit(unsigned status);
/*
 * 'vouch log summary' (cmd-log.c): the deny and would-deny decisions in @state's log
 * (root: the log directory, checked against its signed checkpoint; others: their own,
 * through vouchd) since @since (an age like 24h or a time; NULL: all), grouped by
 * program and rule, printed (@json > 0: one JSON object; < 0: nothing but errors).
 * *@would_deny and *@deny (may be NULL) receive the totals. EXIT_*, messages printed.
 */
int tool_log_summary(const char *cmd, const char *state, const char *since, int json,
                     uint64_t *would_deny, uint64_t *deny);
/* --since's TIME: 2026-11-21T10:00:00Z, or an age (90s, 15m, 2h, 3d). 0, or -1 if neither. */
int tool_since_parse(const char *s, int64_t *us);

/* Is a vouchd answering on @state's control socket? Prints nothing. */
bool tool_daemon_running(const char *state);

/*
 * The files one command reads and writes (util-paths.c), gathered before anything
 * is written, so that no output replaces an input (a key, a file being signed, a
 * manifest) or another output. Identity is by device and inode: of the file a path
 * resolves to, of the name itself (a symbolic link), and, for a name not there
 * yet, of the directory it would be made in together with the name.
 */
struct tool_file {
	char *path;       /* as given (malloc'd copy) */
	const char *role; /* for messages: "the secret key", "a signature"; not copied */
	bool output;
	bool exists, linked, placed; /* stat(), lstat(), the directory: which are known */
	dev_t dev, ldev, pdev;
	ino_t ino, lino, pino;
	mode_t mode; /* with exists */
	char *name;  /* with placed: the last component (malloc'd) */
};
struct tool_files {
	struct tool_file *v;
	size_t n, cap;
};
void tool_files_init(struct tool_files *fs);
/* Note @path as read or (@output) written; @role must outlive @fs. 0 or -ENOMEM. */
int tool_files_add(struct tool_files *fs, const char *path, const char *role, bool output);
/* Whether @a and @b are one file, by any of the identities above. */
bool tool_file_same(const struct tool_file *a, const struct tool_file *b);
/*
 * EXIT_OK; or EXIT_ERROR after one line naming an output and the input or other
 * output it is, or saying that it exists and is not a regular file.
 */
int tool_files_check(const char *cmd, const struct tool_files *fs);
void tool_files_free(struct tool_files *fs);

/*
 * 'vouch policy compile' in two steps (cmd-policy.c), so that a caller may unlock
 * the key between them or hold it already. tool_policy_compile(): compile @policy
 * into @comp (vouch_compiled_free() it whatever the result), add the manifests and
 * signatures it read to @files as inputs and check @files (no output replaces one).
 * tool_policy_seal(): @comp as a bundle signed by @key, written to @outpath, and one
 * line saying what it holds (unless @quiet). Both EXIT_*, messages printed.
 */
int tool_policy_compile(const char *cmd, const char *policy, struct tool_files *files,
                        struct vouch_compiled *comp);
int tool_policy_seal(const char *cmd, const struct vouch_compiled *comp, const struct tool_key *key,
                     const char *outpath, bool quiet);
/*
 * 'vouch policy install' of the loaded @tb (read from @path, for messages), signed by
 * @pk, into @state; then a vouchd running from @state reloads it. EXIT_* (EXIT_DENIED:
 * refused, older than the installed one), messages printed; @quiet: only errors.
 */
int tool_policy_install(const char *cmd, const char *state, const char *path,
                        const struct tool_bundle *tb, const struct vouch_pubkey *pk, bool rollback,
                        bool quiet);

#endif
