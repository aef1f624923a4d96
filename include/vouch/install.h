/* SPDX-License-Identifier: Apache-2.0 */
/* Installing a signed policy bundle into a state directory: shared by 'vouch policy install' and
 * vouchd. */
#ifndef VOUCH_INSTALL_H
#define VOUCH_INSTALL_H

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

#endif
