/* SPDX-License-Identifier: Apache-2.0 */
/* Manifests: sorted "sha256 size path" lines vouching for many files; code-file detection. */
#ifndef VOUCH_MANIFEST_H
#define VOUCH_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"

/* Longest path a manifest line may carry, after unescaping. */
#define VOUCH_MANIFEST_PATH_MAX 4096
/* Largest manifest file accepted (about 2.5 million lines of typical length). */
#define VOUCH_MANIFEST_MAX (256u * 1024 * 1024)

/*
 * One line of a manifest. In the text form the path is escaped as sha256sum
 * escapes names: "\\" for a backslash, "\n" for a newline, "\r" for a CR.
 * The path is informational: trust is decided by the hash alone.
 */
struct vouch_manifest_entry {
	uint8_t sha256[VOUCH_SHA256_LEN];
	uint64_t size;
	char *path; /* NUL-terminated, unescaped; owned by the manifest */
};

struct vouch_manifest {
	struct vouch_manifest_entry *entries;
	size_t count, cap;
};

/* What a file's first bytes say it is. */
enum vouch_code_kind {
	VOUCH_CODE_NONE = 0, /* not code this version gates */
	VOUCH_CODE_ELF_EXEC, /* ELF ET_EXEC */
	VOUCH_CODE_ELF_DYN,  /* ELF ET_DYN: shared objects and PIE executables */
	VOUCH_CODE_SCRIPT,   /* "#!" first line */
};

/* Bytes of the head of a file vouch_code_classify() needs to see (fewer is fine). */
#define VOUCH_CODE_HEAD 64
/* A file shorter than this is never classified as ELF (it ends before e_type). */
#define VOUCH_CODE_ELF_MIN 18

/*
 * vouch_code_classify() - classify a file by its first bytes (no I/O).
 * @head, @len: the first min(VOUCH_CODE_HEAD, size) bytes.
 * ELF is recognised by magic, a valid class/data/version and e_type EXEC or DYN
 * in the file's own byte order; relocatable objects and core files are not code.
 * Needs 18 bytes for ELF, 2 for "#!"; @head may be NULL when @len is 0.
 * For choosing what to vouch for only (fail-closed): the kernel's exec loader
 * checks less than this (not the version, and e_type in its own byte order), so
 * a gate must never allow a file because it is VOUCH_CODE_NONE.
 * Return: the kind; never fails. Thread-safe.
 */
enum vouch_code_kind vouch_code_classify(const uint8_t *head, size_t len);

/*
 * vouch_manifest_escape() - escape @path as a manifest line carries it ("\\",
 * "\n", "\r"). @out must hold 2 * strlen(@path) + 1 bytes; NUL-terminated.
 * Also makes a path safe for a one-line message. Return: the length written.
 */
size_t vouch_manifest_escape(const char *path, char *out);

/*
 * vouch_manifest_unescape() - undo vouch_manifest_escape() on @len bytes of @in.
 * @out, @cap: receives the path, NUL-terminated; @outlen its length.
 * Return: 0; VOUCH_E_MANIFEST_LINE for an unknown or cut escape, or a raw LF,
 * CR or NUL (never canonical); VOUCH_E_RANGE if it does not fit in @cap.
 */
int vouch_manifest_unescape(const char *in, size_t len, char *out, size_t cap, size_t *outlen);

/*
 * vouch_manifest_init() / vouch_manifest_free(): an empty manifest; free accepts
 * NULL and leaves @m empty and reusable. A manifest is not shared between threads.
 */
void vouch_manifest_init(struct vouch_manifest *m);
void vouch_manifest_free(struct vouch_manifest *m);

/*
 * vouch_manifest_add() - append an entry (path copied; order is restored by sort).
 * Return: 0, -ENOMEM, or VOUCH_E_RANGE for an empty path or one longer than
 * VOUCH_MANIFEST_PATH_MAX.
 */
int vouch_manifest_add(struct vouch_manifest *m, const uint8_t sha256[static VOUCH_SHA256_LEN],
                       uint64_t size, const char *path);

/*
 * vouch_manifest_sort() - sort into the canonical order (the text lines in
 * bytewise order, as LC_ALL=C sort orders them) and drop exact duplicate lines.
 * Return: 0 or -ENOMEM.
 */
int vouch_manifest_sort(struct vouch_manifest *m);

/*
 * vouch_manifest_format() - the text form, canonical order assumed (call sort first).
 * @out: receives a malloc'd buffer owned by the caller, NUL-terminated (also
 * when the manifest is empty); @len its length without the NUL.
 * Return: 0 or -ENOMEM.
 */
int vouch_manifest_format(const struct vouch_manifest *m, char **out, size_t *len);

/*
 * vouch_manifest_parse() - parse manifest text strictly: each line exactly
 * 64 lower-case hex digits, one space, a decimal size without leading zeros,
 * one space, an escaped non-empty path, LF; lines in strictly increasing byte
 * order (the order vouch_manifest_format() writes).
 * @m: initialised manifest, receives the entries (appended; on failure @m is
 * left as it was).
 * @errline: receives the 1-based line number of the first error (0 if none).
 * A last line without its LF, a raw CR, an unknown escape, a size above
 * UINT64_MAX or a path longer than VOUCH_MANIFEST_PATH_MAX are malformed; an
 * empty text is a valid empty manifest. Whatever parses, formats back to the
 * same bytes.
 * Return: 0; VOUCH_E_MANIFEST_LINE (malformed line); VOUCH_E_MANIFEST_ORDER;
 * VOUCH_E_TOOBIG; -ENOMEM.
 */
int vouch_manifest_parse(struct vouch_manifest *m, const char *text, size_t len, size_t *errline);

#endif
