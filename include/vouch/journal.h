/* SPDX-License-Identifier: Apache-2.0 */
/* The update journal: which files an update is staging or committing, so that an
 * interrupted update is finished or undone by the next run (no I/O). */
#ifndef VOUCH_JOURNAL_H
#define VOUCH_JOURNAL_H

#include <stddef.h>

/*
 * An update changes several files together (the trust store, the copy of the bundle,
 * programs it installs). Before it stages the first, it writes STATE/update.journal in
 * the stage phase, naming every destination; once every file is staged, it rewrites
 * the journal in the commit phase, naming each staged temporary file beside its
 * destination; then it renames them into place and removes the journal. The next run
 * that finds a journal undoes a stage phase (the staged files of its dead process are
 * removed, nothing was replaced) and finishes a commit phase (each temporary file still
 * there is renamed into place). So an update is all or nothing. docs/formats.md,
 * "Update journal", has the text:
 *
 *   vouch-update-journal 1
 *   phase stage|commit
 *   pid PID
 *   file HEX(DEST) HEX(TMP)      (one per file; TMP is "-" in the stage phase)
 *   end
 *
 * Paths are absolute, written as lower-case hex of their bytes (any byte but NUL).
 */
#define VOUCH_JOURNAL_MAX_FILES 4096
#define VOUCH_JOURNAL_PATH_MAX  4095 /* bytes of a path, as PATH_MAX less its NUL */

enum vouch_journal_phase {
	VOUCH_JOURNAL_STAGE = 1,
	VOUCH_JOURNAL_COMMIT = 2,
};

struct vouch_journal_file {
	char *dest; /* malloc'd, NUL-terminated */
	char *tmp;  /* malloc'd; NULL in the stage phase */
};

struct vouch_journal {
	enum vouch_journal_phase phase;
	long pid; /* the process that staged the files, > 0 */
	struct vouch_journal_file *files;
	size_t nfiles;
};

/*
 * vouch_journal_format() - the text of @j into a malloc'd *@out (not NUL-terminated).
 * Return: 0; -ENOMEM; VOUCH_E_JOURNAL (@j breaks a rule parse would refuse: a path
 * that is not absolute or too long, a temporary name in the stage phase or none in
 * the commit phase, no pid, too many files).
 */
int vouch_journal_format(const struct vouch_journal *j, char **out, size_t *len);

/*
 * vouch_journal_parse() - the journal in @len bytes of @text, exactly as format writes
 * it (one spelling: anything else, a truncated journal too, is refused).
 * @j: filled; free with vouch_journal_free() whatever the result.
 * Return: 0; VOUCH_E_JOURNAL; -ENOMEM.
 */
int vouch_journal_parse(struct vouch_journal *j, const char *text, size_t len);

/* vouch_journal_free() - release what parse or the caller allocated; accepts NULL. */
void vouch_journal_free(struct vouch_journal *j);

#endif
