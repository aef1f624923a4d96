/* SPDX-License-Identifier: Apache-2.0 */
/* dpkg's database files as bytes: info/PACKAGE.md5sums, diversions and status (no I/O). */
#ifndef VOUCH_DPKG_H
#define VOUCH_DPKG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * These parse what dpkg (run by root, or by anyone who can write its database)
 * wrote, and nothing more: no file is opened here (vouch_manifest_scan_dpkg()
 * in libvouch-sys reads the files and uses these).
 *
 * Each parser reads from a cursor over the caller's buffer, one record per
 * call. Lines end with LF; the last line of a file may lack it. Results point
 * into the buffer, which is never changed. Every string a result holds is
 * followed in the buffer by a byte that belongs to no later record (its line's
 * LF, a blank, the space before a conffile's MD5) or by the end of the buffer,
 * so a caller that owns a writable copy, with a byte to spare after the end,
 * may put a NUL there once the record is read. No string a parser accepts
 * holds a NUL byte.
 *
 * Return of every *_next(): 1 with the record in @out; 0 at the end of the
 * input (no record); VOUCH_E_MANIFEST_LINE if the input is malformed, with
 * @c->line the 1-based line that is wrong. After an error the cursor stays
 * where it is: do not call again.
 *
 * A cursor is one thread's; cursors over one buffer are independent.
 */
struct vouch_dpkg_cursor {
	const char *p, *end; /* what is left to read */
	size_t line;         /* the line last read, from 1 (0: none yet) */
};

/* vouch_dpkg_cursor_init() - a cursor at the start of @buf (@len bytes, any bytes). */
void vouch_dpkg_cursor_init(struct vouch_dpkg_cursor *c, const char *buf, size_t len);

#define VOUCH_DPKG_MD5_LEN 16

/*
 * One line of an md5sums file, as md5sum(1) writes it: 32 lower-case hex
 * digits, two spaces (or a space and '*', md5sum's binary mode), the path.
 */
struct vouch_dpkg_md5sum {
	uint8_t md5[VOUCH_DPKG_MD5_LEN];
	/* Below the root the package was installed to: any leading '/' removed, never
	 * empty. Not NUL-terminated. */
	const char *path;
	size_t path_len;
};

/* vouch_dpkg_md5sums_next() - the next line of an md5sums file; see above for returns. */
int vouch_dpkg_md5sums_next(struct vouch_dpkg_cursor *c, struct vouch_dpkg_md5sum *out);

/*
 * One diversion (dpkg-divert(1)) of the diversions file: three lines, the
 * diverted path, where it goes, and the package allowed to install the
 * original (":" for a local diversion, made by the administrator). Each line
 * is non-empty; the two paths are absolute. A file that ends inside a triple
 * is malformed at the line that is missing.
 */
struct vouch_dpkg_diversion {
	const char *from, *to, *pkg; /* not NUL-terminated */
	size_t from_len, to_len, pkg_len;
	bool local; /* pkg is ":" */
};

/* vouch_dpkg_diversions_next() - the next triple of the diversions file. */
int vouch_dpkg_diversions_next(struct vouch_dpkg_cursor *c, struct vouch_dpkg_diversion *out);

/* The third word of a package's Status field: how far it is installed. */
enum vouch_dpkg_state {
	VOUCH_DPKG_NOT_INSTALLED = 0,
	VOUCH_DPKG_CONFIG_FILES,     /* removed; only its conffiles remain */
	VOUCH_DPKG_HALF_INSTALLED,   /* an unpack or removal stopped half way */
	VOUCH_DPKG_UNPACKED,         /* its files are there, not configured */
	VOUCH_DPKG_HALF_CONFIGURED,  /* configuring it failed */
	VOUCH_DPKG_TRIGGERS_AWAITED, /* installed; waits for another package's triggers */
	VOUCH_DPKG_TRIGGERS_PENDING, /* installed; its own triggers are due */
	VOUCH_DPKG_INSTALLED,
};

/*
 * One stanza (paragraph) of the status file, as far as vouch needs it.
 * The file is deb822: stanzas of "Name: value" fields separated by one or
 * more empty lines; a line that begins with a space or a tab continues the
 * field above. A field name is printable ASCII but ':' and not beginning
 * with '#' or '-'; names compare without regard to case. Blanks around a
 * one-line value are not part of it. Other fields are checked for form only.
 * Required: Package (a dpkg package name: [a-z0-9][a-z0-9+.-]*) and Status
 * (exactly "WANT FLAG STATE" with dpkg's words). Optional: Architecture
 * ([a-z0-9-]+), Multi-Arch (same, foreign, allowed or no) and Conffiles,
 * whose first line must be empty. Any of these given twice is malformed, as
 * is a stanza that begins with a continuation line.
 */
struct vouch_dpkg_package {
	const char *name, *arch; /* arch: NULL if the stanza has none; not NUL-terminated */
	size_t name_len, arch_len;
	bool multiarch_same;        /* Multi-Arch: same; its info files are NAME:ARCH.* */
	enum vouch_dpkg_state state;
	/* The Conffiles field's lines after its first ("Conffiles:"), each with its
	 * LF but for a last line at the end of the file; NULL if there is none. */
	const char *conffiles;
	size_t conffiles_len;
	size_t conffiles_line; /* the line of "Conffiles:" */
};

/* vouch_dpkg_status_next() - the next stanza of the status file. */
int vouch_dpkg_status_next(struct vouch_dpkg_cursor *c, struct vouch_dpkg_package *out);

/*
 * One line of a package's Conffiles field, as dpkg writes it: a space, the
 * absolute path (which may hold spaces), a space, the MD5 as 32 lower-case
 * hex digits or "newconffile" (not yet installed), then " obsolete" if the
 * package no longer ships it and " remove-on-upgrade" if the next version
 * removes it, in that order.
 */
struct vouch_dpkg_conffile {
	const char *path; /* absolute; not NUL-terminated */
	size_t path_len;
	bool has_md5; /* false for "newconffile" */
	uint8_t md5[VOUCH_DPKG_MD5_LEN];
	bool obsolete, remove_on_upgrade;
};

/*
 * vouch_dpkg_conffiles_cursor() - a cursor over @pkg's Conffiles lines, whose
 * line numbers are those of the status file. Nothing to read if it has none.
 */
void vouch_dpkg_conffiles_cursor(struct vouch_dpkg_cursor *c,
                                 const struct vouch_dpkg_package *pkg);
/* vouch_dpkg_conffiles_next() - the next line of a Conffiles field. */
int vouch_dpkg_conffiles_next(struct vouch_dpkg_cursor *c, struct vouch_dpkg_conffile *out);

#endif
