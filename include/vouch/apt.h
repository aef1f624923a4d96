/* SPDX-License-Identifier: Apache-2.0 */
/* What apt tells a DPkg::Pre-Install-Pkgs hook (protocol versions 2 and 3), parsed from bytes (no
 * I/O). */
#ifndef VOUCH_APT_H
#define VOUCH_APT_H

#include <stddef.h>

/*
 * apt.conf(5), DPkg::Pre-Install-Pkgs, and apt's pkgDPkgPM::SendPkgsInfo(): with
 * DPkg::Tools::Options::CMD::Version "3" apt writes to the hook, on the descriptor
 * $APT_HOOK_INFO_FD (standard input by default):
 *
 *   VERSION 3                      (or 2: apt sends the highest it has, up to the one asked)
 *   KEY=VALUE                      its whole configuration, one item a line ('%'-escaped)
 *   ...
 *                                  an empty line
 *   NAME OLDVER OLDARCH OLDMA CMP NEWVER NEWARCH NEWMA ACTION   one line per action, in order
 *
 * Version 2 has no ARCH and MA fields: NAME OLDVER CMP NEWVER ACTION. A missing version
 * is "-" (its ARCH "-" and MA "none"); CMP is "<" (an upgrade or a new package), ">" or
 * "="; ACTION is the absolute path of the .deb to unpack, "**CONFIGURE**", "**REMOVE**",
 * or "**ERROR**" (apt had no absolute path for a package to unpack). NAME has no
 * architecture qualifier.
 */

/* Largest hook input read (apt's configuration is some kilobytes; one line a package). */
#define VOUCH_APT_INPUT_MAX (64u << 20)

enum vouch_apt_op {
	VOUCH_APT_UNPACK = 1, /* ACTION is a .deb's path */
	VOUCH_APT_CONFIGURE,
	VOUCH_APT_REMOVE,
	VOUCH_APT_ERROR, /* "**ERROR**": a package to unpack without a path */
};

struct vouch_apt_cursor {
	const char *p, *end;
	size_t line; /* of the last line read, 1-based */
	unsigned version;
};

/* One action; the strings point into the input and are not NUL-terminated. */
struct vouch_apt_action {
	enum vouch_apt_op op;
	const char *name, *oldver, *newver, *newarch, *deb;
	size_t name_len, oldver_len, newver_len, newarch_len, deb_len;
};

/*
 * vouch_apt_begin() - read the header and the configuration of @len bytes at @text.
 * Return: 0 with @c ready for vouch_apt_next() and c->version set (2 or 3);
 * VOUCH_E_CTL_VERSION for another "VERSION" (or none: version 1 is bare paths);
 * VOUCH_E_MANIFEST_LINE for a configuration line without '=', a NUL, or no empty
 * line ending the configuration (c->line names the line); VOUCH_E_TOOBIG past
 * VOUCH_APT_INPUT_MAX.
 */
int vouch_apt_begin(struct vouch_apt_cursor *c, const char *text, size_t len);

/*
 * vouch_apt_next() - the next action line.
 * Return: 1 with @a filled; 0 at the end; VOUCH_E_MANIFEST_LINE for a line that is
 * not as apt writes it (a field missing or empty, a NUL, a package name of other
 * bytes than [a-z0-9+.-], a CMP other than "<", ">" or "=", an ACTION that is none
 * of the four, the last line without its LF).
 */
int vouch_apt_next(struct vouch_apt_cursor *c, struct vouch_apt_action *a);

#endif
