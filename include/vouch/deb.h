/* SPDX-License-Identifier: Apache-2.0 */
/* Debian package files read from bytes: the ar layout, the tar archives, their code files (no I/O).
 */
#ifndef VOUCH_DEB_H
#define VOUCH_DEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest.h"

/*
 * A .deb (deb(5)) is an ar archive: "!<arch>\n", then members, each a 60-byte
 * header and its bytes padded to an even length. Its members, in this order:
 * "debian-binary" (exactly "2.0\n"), "control.tar" (+ .gz, .xz, .zst or none),
 * "data.tar" (+ .gz, .xz, .zst, .bz2 or none); members whose name starts with '_'
 * may stand after debian-binary and are passed over, as dpkg passes them over.
 * Anything else is refused. The tar archives are read as dpkg reads data.tar
 * (GNU and POSIX ustar headers; GNU long names and long links) and refused where
 * dpkg and this reader could see different files: see vouch_debtar_feed().
 */

/* Caps: the largest .deb read, and what its members may decompress to. */
#define VOUCH_DEB_MAX          (8ull << 30)   /* the .deb file */
#define VOUCH_DEB_DATA_MAX     (32ull << 30)  /* data.tar decompressed */
#define VOUCH_DEB_CONTROL_MAX  (256ull << 20) /* control.tar decompressed */
#define VOUCH_DEB_CONTROL_FILE (1u << 20)     /* the "control" file in it */
#define VOUCH_DEB_ENTRIES_MAX  2000000u       /* entries of one tar archive */

#define VOUCH_AR_MAGIC     "!<arch>\n"
#define VOUCH_AR_MAGIC_LEN 8
#define VOUCH_AR_HEADER    60
#define VOUCH_TAR_BLOCK    512

/* Which part of a .deb a member is. */
enum vouch_deb_part {
	VOUCH_DEB_BINARY = 1, /* debian-binary */
	VOUCH_DEB_CONTROL,    /* control.tar* */
	VOUCH_DEB_DATA,       /* data.tar* */
	VOUCH_DEB_IGNORED,    /* "_..." */
};

/* How a tar member is compressed (by its name, as dpkg decides). */
enum vouch_deb_comp {
	VOUCH_DEB_PLAIN = 0,
	VOUCH_DEB_GZIP,
	VOUCH_DEB_XZ,
	VOUCH_DEB_ZSTD,
	VOUCH_DEB_BZIP2,
};

/* One ar member, as vouch_deb_member() read its header. */
struct vouch_deb_member {
	char name[17]; /* without the padding spaces or a trailing '/' */
	uint64_t size; /* bytes of content (the padding byte not counted) */
	enum vouch_deb_part part;
	enum vouch_deb_comp comp;
};

/* The members seen so far: zero it (= {0}) before the first header. */
struct vouch_deb_layout {
	unsigned seen;   /* bit per part */
	uint64_t offset; /* of the next header, from the start of the file */
};

/*
 * Why a package was refused: static words, and the name concerned (a member or
 * an entry, as the archive spells it, up to its first NUL; may hold any other
 * byte: escape it before printing).
 */
struct vouch_deb_problem {
	char member[24]; /* "data.tar.xz", "control", ...; "": the ar layout itself */
	const char *why;
	char name[VOUCH_MANIFEST_PATH_MAX + 1];
};

/*
 * vouch_deb_member() - read the member header @hdr found at @l->offset of a file of
 * @filesize bytes (the 8-byte magic already checked).
 * Checks: the header's "`\n" end, decimal fields (digits then spaces; mode octal),
 * a name of printable ASCII, the order above, no part twice, a known compression,
 * a size that fits in the file (truncation), within VOUCH_DEB_MAX and not zero for
 * the tar members. Advances @l->offset past the member and its padding.
 * Return: 0 with @m filled; VOUCH_E_DEB with @pb->why (and @pb->name) set.
 */
int vouch_deb_member(struct vouch_deb_layout *l, const uint8_t hdr[static VOUCH_AR_HEADER],
                     uint64_t filesize, struct vouch_deb_member *m, struct vouch_deb_problem *pb);

/*
 * vouch_deb_layout_done() - after the last member: debian-binary, control.tar and
 * data.tar must all have been seen. Return: 0 or VOUCH_E_DEB (@pb set).
 */
int vouch_deb_layout_done(const struct vouch_deb_layout *l, struct vouch_deb_problem *pb);

/* vouch_deb_binary_check() - debian-binary's content: exactly "2.0\n". 0 or VOUCH_E_DEB. */
int vouch_deb_binary_check(const uint8_t *s, size_t len, struct vouch_deb_problem *pb);

/*
 * vouch_deb_control_package() - the Package field of a control file (its first
 * stanza): one "Package: NAME" line, NAME as dpkg allows it (lower-case letters,
 * digits, '+', '-', '.'; two or more, starting with a letter or digit).
 * @out, @cap: receives NAME, NUL-terminated.
 * Return: 0; VOUCH_E_DEB (@pb set) when there is none, two, or a malformed one.
 */
int vouch_deb_control_package(const char *text, size_t len, char *out, size_t cap,
                              struct vouch_deb_problem *pb);

/*
 * The reader of one tar archive of a .deb: fed its decompressed bytes in pieces of
 * any size, it checks every header and lists every code file (vouch_code_classify()
 * of its first bytes), hashing it with the core's SHA-256 as its bytes go by.
 * Opaque; one thread at a time; vouch_debtar_destroy() accepts NULL.
 */
struct vouch_debtar;

enum {
	/*
	 * control.tar: only files at its top level (no directory, link or other entry
	 * but "./" itself), whose "control" file is kept for
	 * vouch_debtar_control_text(); a data.tar otherwise.
	 */
	VOUCH_DEBTAR_CONTROL = 1 << 0,
};

/* What a reader saw (after vouch_debtar_finish()). */
struct vouch_debtar_stats {
	uint64_t entries; /* headers of entries (long names not counted) */
	uint64_t files;   /* code files listed, a hard link to one counting too */
	uint64_t elf, scripts;
	uint64_t skipped; /* entries that are not code: other files, directories, links */
	uint64_t bytes;   /* bytes hashed */
};

/* Return: 0 or -ENOMEM. @member names the archive in problems ("data.tar.xz"). */
int vouch_debtar_create(struct vouch_debtar **t, unsigned flags, const char *member);
void vouch_debtar_destroy(struct vouch_debtar *t);

/*
 * vouch_debtar_feed() - the next @len bytes of the archive.
 * Refused (VOUCH_E_DEB, the problem in vouch_debtar_problem()): a header whose
 * checksum, magic ("ustar  \0" GNU or "ustar\0" "00" POSIX) or numeric fields are
 * wrong; a type other than a regular file ('0', NUL), hard link ('1'), symbolic
 * link ('2'), device ('3', '4'), directory ('5'), FIFO ('6'), GNU long name ('L')
 * or long link ('K') (POSIX extended headers 'x' and 'g', sparse files and the
 * rest: dpkg refuses them too); anything but a regular file with a size (dpkg
 * reads no data of the others, so their bytes would be headers to it); a long
 * name not ended by its one NUL, longer than VOUCH_MANIFEST_PATH_MAX, twice in a
 * row, or not followed by an entry; a name that is empty, absolute, has an empty,
 * "." or ".." component, a '/' at the end of anything but a directory, or is
 * longer than VOUCH_MANIFEST_PATH_MAX with its "/"; a name seen before; a hard
 * link to a name that is not an earlier file (or link to one); more than
 * VOUCH_DEB_ENTRIES_MAX entries or path bytes past VOUCH_MANIFEST_MAX; a block of
 * zeros that is not all zeros after a NUL first byte; anything but zeros after the
 * end of the archive. Names that are not UTF-8 are kept as they are (a manifest
 * escapes only "\\", LF and CR, as for any file).
 * Return: 0; VOUCH_E_DEB; -ENOMEM; VOUCH_E_CRYPTO. After an error, every call
 * returns the same error.
 */
int vouch_debtar_feed(struct vouch_debtar *t, const void *buf, size_t len);

/*
 * vouch_debtar_finish() - the archive's bytes have all been fed: it must have
 * ended (a zero block) and not be cut short. Return: as vouch_debtar_feed().
 */
int vouch_debtar_finish(struct vouch_debtar *t, struct vouch_debtar_stats *st);

/* The problem after VOUCH_E_DEB; NULL when there was none. Owned by @t. */
const struct vouch_deb_problem *vouch_debtar_problem(const struct vouch_debtar *t);

/*
 * vouch_debtar_add() - after a successful finish, add the code files to @m with
 * their names after @prefix: "/" for data.tar ("./usr/bin/x" as "/usr/bin/x"),
 * "/var/lib/dpkg/info/PACKAGE." for control.tar ("./postinst" as
 * "/var/lib/dpkg/info/PACKAGE.postinst", where dpkg keeps it).
 * Return: 0, -ENOMEM, VOUCH_E_RANGE (a path too long with @prefix).
 */
int vouch_debtar_add(const struct vouch_debtar *t, const char *prefix, struct vouch_manifest *m);

/*
 * vouch_debtar_control_text() - with VOUCH_DEBTAR_CONTROL, after finish: the bytes of
 * the "control" file (at most VOUCH_DEB_CONTROL_FILE; refused beyond), or NULL
 * with *@len 0 when there was none.
 */
const char *vouch_debtar_control_text(const struct vouch_debtar *t, size_t *len);

#endif
