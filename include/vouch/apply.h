/* SPDX-License-Identifier: Apache-2.0 */
/* Applying an update: a new policy and the programs it vouches for, put in place
 * together, all or nothing. */
#ifndef VOUCH_APPLY_H
#define VOUCH_APPLY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "minisign.h"

#define VOUCH_STATE_JOURNAL "update.journal" /* in the state directory: vouch/journal.h */

/* A file an update installs: its bytes (already checked against the update's
 * metadata by the caller), where, and with which mode (0644 or 0755 and the like:
 * no setuid, setgid or sticky bit). */
struct vouch_apply_file {
	const char *dest; /* absolute path */
	const uint8_t *data;
	size_t len;
	mode_t mode;
};

/* What a failed vouch_update_apply() concerned. */
enum vouch_apply_at {
	VOUCH_APPLY_AT_NONE = 0, /* the update as a whole */
	VOUCH_APPLY_AT_POLICY,   /* the new policy: see info.install */
	VOUCH_APPLY_AT_FILE,     /* files[info.file] */
	VOUCH_APPLY_AT_JOURNAL,  /* the journal in the state directory */
};

struct vouch_apply_info {
	int at;           /* enum vouch_apply_at */
	size_t file;      /* with VOUCH_APPLY_AT_FILE */
	int recovered;    /* 0; 1 an earlier interrupted update was undone; 2 it was finished */
	int64_t previous; /* compile time of the policy replaced (0: none, or no new policy) */
};

/*
 * vouch_update_apply() - make @bundle (a sealed policy bundle, or NULL to keep the
 * installed policy) the installed policy and put @files in place, in one step.
 * @state: the state directory (it must exist); @pk: the owner's key (the bundle must
 * be signed by it; not used without a bundle); @now: Unix seconds (expiry).
 * Refused before anything changes: what vouch_policy_install() refuses (signature,
 * expiry, rollback: a bundle older than the installed one); a file whose SHA-256 the
 * policy in force afterwards does not vouch for (allowed by a rule or a manifest and
 * not denied): a program must be trusted the moment it appears; a destination that is
 * not absolute, is a directory, or whose directory, or any directory above it, is
 * not root's or can be written by another user (a world-writable sticky directory
 * such as /tmp counts as safe above the last level only): nobody but root may then
 * swap what vouch put there; a mode with bits beyond 0777.
 * An earlier update that was interrupted is finished or undone first
 * (vouch_update_recover()). Then the journal is written (stage phase), every file is
 * staged beside its destination, the journal is rewritten (commit phase), the store,
 * the copy of the bundle and the files are renamed into place, and the journal is
 * removed. A crash or kill at any point leaves either the old state (nothing replaced)
 * or, once the commit phase is durable, a journal that the next apply or
 * vouch_update_recover() completes. vouchd is told by the caller (a reload).
 * Return: 0; what vouch_policy_install() returns; VOUCH_E_NOTFOUND (a file not
 * vouched for); -EINVAL (a destination or mode refused); -EPERM (an unsafe
 * directory); -EISDIR; -errno; VOUCH_E_JOURNAL. @info says where.
 */
int vouch_update_apply(const char *state, const uint8_t *bundle, size_t blen,
                       const struct vouch_pubkey *pk, const struct vouch_apply_file *files,
                       size_t nfiles, int64_t now, struct vouch_apply_info *info);

/*
 * vouch_update_recover() - finish or undo an update that was interrupted, as the
 * journal in @state says: in the stage phase the staged files of its (dead) process
 * are removed and nothing else changes; in the commit phase each staged file still
 * there is renamed into place. Then the journal is removed.
 * @done: receives 0 (no journal), 1 (undone) or 2 (finished).
 * Return: 0; VOUCH_E_JOURNAL (a journal that does not parse: left where it is, for
 * a person to look at, and nothing done); -EBUSY (its process is still alive);
 * -errno.
 */
int vouch_update_recover(const char *state, int *done);

#endif
