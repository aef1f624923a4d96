/* SPDX-License-Identifier: Apache-2.0 */
/* A .deb file read from a descriptor: its members decompressed, its code files listed. */
#ifndef VOUCH_DEBFILE_H
#define VOUCH_DEBFILE_H

#include <stdint.h>

#include "deb.h"
#include "manifest.h"

/* Where dpkg keeps a package's maintainer scripts: PREFIX PACKAGE "." NAME. */
#define VOUCH_DPKG_INFO_DIR "/var/lib/dpkg/info/"

/* What vouch_debfile_manifest() found in one package. */
struct vouch_debfile_info {
	char package[128]; /* the control file's Package field */
	uint64_t files;    /* code files listed: data.tar's and the maintainer scripts */
	uint64_t elf, scripts;
	uint64_t skipped;       /* entries that are not code (files, directories, links, devices) */
	uint64_t bytes;         /* bytes hashed */
	uint64_t entries;       /* entries of both archives */
	uint64_t control_files; /* of the code files listed, those from control.tar */
};

/*
 * vouch_debfile_manifest() - list the code files a .deb would install, from the
 * package file itself: those of data.tar with their installed paths ("./usr/bin/x"
 * as "/usr/bin/x"), and its maintainer scripts and other control files that are
 * code, which dpkg runs and keeps as /var/lib/dpkg/info/PACKAGE.NAME (named so).
 * Each code file is classified from its first bytes (vouch_code_classify()) and
 * hashed as it is decompressed, never written anywhere. Symbolic links are not
 * listed (not code); a hard link to a code file is listed under its own name too.
 * @fd: the .deb, a regular file (read with pread(); its offset does not move), of
 * at most VOUCH_DEB_MAX bytes.
 * @m: initialised manifest; the entries are added and @m is sorted. On failure
 * entries may have been added: discard @m.
 * @info: receives the package's name and counts (zeroed first); may be NULL.
 * @pb: receives the problem when VOUCH_E_DEB is returned.
 * Every refusal of include/vouch/deb.h applies, and these: a member whose
 * compressed bytes are corrupt, cut short, or followed by more bytes (a second
 * stream), or that decompresses to more than VOUCH_DEB_DATA_MAX
 * (VOUCH_DEB_CONTROL_MAX for control.tar); bytes after the last member.
 * Return: 0; VOUCH_E_DEB; VOUCH_E_NOTREGULAR; -errno; -ENOMEM; VOUCH_E_CRYPTO.
 * Thread-safe for different descriptors.
 */
int vouch_debfile_manifest(int fd, struct vouch_manifest *m, struct vouch_debfile_info *info,
                           struct vouch_deb_problem *pb);

#endif
