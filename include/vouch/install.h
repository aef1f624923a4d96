/* SPDX-License-Identifier: Apache-2.0 */
/* Installing a signed policy bundle into a state directory: shared by 'vouch policy install' and
 * vouchd. */
#ifndef VOUCH_INSTALL_H
#define VOUCH_INSTALL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bundle.h"
#include "minisign.h"
#include "paths.h"

enum {
	VOUCH_INSTALL_ROLLBACK = 1 << 0, /* install even if older than the installed policy */
};

/* Which file a failed vouch_policy_install() concerned. */
enum vouch_install_at {
	VOUCH_INSTALL_AT_NONE = 0, /* none: the bundle itself (signature, expiry, rollback) */
	VOUCH_INSTALL_AT_STATE,    /* the state directory: not one, unreadable or unwritable */
	VOUCH_INSTALL_AT_MKDIR,    /* the state directory was missing and could not be made */
	VOUCH_INSTALL_AT_STORE,    /* STATE/VOUCH_STATE_STORE */
	VOUCH_INSTALL_AT_BUNDLE,   /* STATE/VOUCH_STATE_BUNDLE */
};

struct vouch_install_info {
	int64_t previous; /* compile time of the policy replaced; 0 if none was installed */
	int warn_store;   /* nonzero: the old store was unreadable (this code); replaced
	                     only if the install succeeded */
	int at;           /* on failure: enum vouch_install_at */
};

/*
 * vouch_policy_install() - verify a parsed bundle and make it the installed policy.
 * @state: the state directory (created mode 0755 if missing; its parent must exist).
 * @b, @sig, @data, @len: as filled by and given to a successful vouch_bundle_parse().
 * @pk: the owner's public key: the bundle must be signed by it.
 * @flags: VOUCH_INSTALL_*.
 * @now: the current time, Unix seconds (checked against the policy's expiry).
 * @info: filled in (also on VOUCH_E_ROLLBACK); may be NULL.
 * In order: the signature (by @pk), the expiry; that @state is a directory
 * (or is missing and can be made) and that neither the store nor the copy of
 * the bundle in it is a directory, FIFO or device; no rollback to an older
 * compile time; then the copy of the bundle is staged (so an unwritable
 * directory fails here), the store replaced (vouch_store_install(): atomic,
 * crash-safe) and the copy put in place. Every failure but that last step's
 * changes nothing on disk (a state directory made by this call is removed).
 * Return: 0; as vouch_bundle_verify(); VOUCH_E_EXPIRED; VOUCH_E_ROLLBACK;
 * -ENOTDIR (@state is not a directory); -EISDIR or VOUCH_E_NOTREGULAR (the
 * store or the copy); -errno; as vouch_store_install(). @info->at says which
 * file a failure concerned.
 */
int vouch_policy_install(const char *state, const struct vouch_bundle *b,
                         const struct vouch_sig *sig, const uint8_t *data, size_t len,
                         const struct vouch_pubkey *pk, unsigned flags, int64_t now,
                         struct vouch_install_info *info);

/*
 * vouch_policy_stage() / vouch_policy_commit() / vouch_policy_discard() - the two
 * halves of vouch_policy_install(), for a caller that changes other files together
 * with the policy (an update: src/lib/sys/apply.c). stage does every check install
 * does and writes the new store and the copy of the bundle under temporary names in
 * @state (@st says which); commit renames the store, then the copy, into place;
 * discard removes what stage wrote (and a state directory it made).
 * Return: stage as vouch_policy_install() (on failure nothing is left staged);
 * commit 0 or -errno (a failure of the store's rename leaves nothing changed and the
 * copy discarded; of the copy's, the new store with the old copy).
 */
struct vouch_policy_staged {
	char state[PATH_MAX], store[PATH_MAX], copy[PATH_MAX];
	char store_tmp[PATH_MAX], copy_tmp[PATH_MAX];
	bool made; /* the state directory was made by stage */
};
int vouch_policy_stage(const char *state, const struct vouch_bundle *b, const struct vouch_sig *sig,
                       const uint8_t *data, size_t len, const struct vouch_pubkey *pk,
                       unsigned flags, int64_t now, struct vouch_install_info *info,
                       struct vouch_policy_staged *st);
int vouch_policy_commit(struct vouch_policy_staged *st, struct vouch_install_info *info);
void vouch_policy_discard(struct vouch_policy_staged *st);

#endif
