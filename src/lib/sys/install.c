/* SPDX-License-Identifier: Apache-2.0 */
/* vouch_policy_install(): verify, check expiry and rollback, then replace the store. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vouch/error.h"
#include "vouch/file.h"
#include "vouch/install.h"
#include "vouch/store.h"

/*
 * What is at @path now must be a file the install may replace, or nothing: a
 * directory or a FIFO in its place is refused before anything changes (and the
 * FIFO is never opened). Return: 0 (also when absent), -errno, -EISDIR,
 * VOUCH_E_NOTREGULAR.
 */
static int replaceable(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISREG(st.st_mode))
		return 0;
	return S_ISDIR(st.st_mode) ? -EISDIR : VOUCH_E_NOTREGULAR;
}

int vouch_policy_stage(const char *state, const struct vouch_bundle *b, const struct vouch_sig *sig,
                       const uint8_t *data, size_t len, const struct vouch_pubkey *pk,
                       unsigned flags, int64_t now, struct vouch_install_info *info,
                       struct vouch_policy_staged *st)
{
	struct vouch_install_info dummy;
	struct vouch_store *old = NULL;
	struct stat st_;
	int ret;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	memset(st, 0, sizeof(*st));
	ret = vouch_bundle_verify(b, sig, data, pk);
	if (ret)
		return ret;
	if (b->policy.expires && now >= b->policy.expires)
		return VOUCH_E_EXPIRED;
	info->at = VOUCH_INSTALL_AT_STATE;
	if ((size_t)snprintf(st->store, sizeof(st->store), "%s/" VOUCH_STATE_STORE, state) >=
	        sizeof(st->store) ||
	    (size_t)snprintf(st->copy, sizeof(st->copy), "%s/" VOUCH_STATE_BUNDLE, state) >=
	        sizeof(st->copy) ||
	    (size_t)snprintf(st->state, sizeof(st->state), "%s", state) >= sizeof(st->state))
		return -ENAMETOOLONG;
	/* Everything that can be checked is, before the first change. */
	if (stat(state, &st_) == 0) {
		if (!S_ISDIR(st_.st_mode))
			return -ENOTDIR;
		info->at = VOUCH_INSTALL_AT_STORE;
		ret = replaceable(st->store);
		if (ret)
			return ret;
		info->at = VOUCH_INSTALL_AT_BUNDLE;
		ret = replaceable(st->copy);
		if (ret)
			return ret;
		/* An older bundle must not silently replace a newer one (a rollback attack). */
		info->at = VOUCH_INSTALL_AT_NONE;
		ret = vouch_store_open(&old, st->store);
		if (ret == 0) {
			info->previous = vouch_store_policy(old)->compiled;
			vouch_store_close(old);
			if (b->policy.compiled < info->previous &&
			    !(flags & VOUCH_INSTALL_ROLLBACK))
				return VOUCH_E_ROLLBACK;
		} else if (ret != -ENOENT) {
			info->warn_store = ret;
		}
	} else if (errno != ENOENT) {
		return -errno;
	} else {
		info->at = VOUCH_INSTALL_AT_MKDIR;
		if (mkdir(state, 0755) != 0)
			return -errno;
		st->made = true;
	}
	/* Staged first: a directory that cannot be written fails here, with nothing replaced. */
	info->at = VOUCH_INSTALL_AT_STATE;
	ret = vouch_file_stage(st->copy, data, len, 0644, st->copy_tmp);
	if (ret)
		goto fail;
	info->at = VOUCH_INSTALL_AT_STORE;
	ret = vouch_store_stage(st->store, b, st->store_tmp);
	if (ret) {
		vouch_file_discard(st->copy_tmp);
		goto fail;
	}
	info->at = VOUCH_INSTALL_AT_NONE;
	return 0;
fail:
	if (st->made)
		rmdir(state);
	memset(st, 0, sizeof(*st));
	return ret;
}

int vouch_policy_commit(struct vouch_policy_staged *st, struct vouch_install_info *info)
{
	int ret;

	if (info)
		info->at = VOUCH_INSTALL_AT_STORE;
	ret = vouch_file_commit(st->store_tmp, st->store, 0);
	if (ret) {
		vouch_file_discard(st->copy_tmp);
		return ret;
	}
	/* The store is replaced: from here a failure leaves it new and the copy old. */
	if (info)
		info->at = VOUCH_INSTALL_AT_BUNDLE;
	ret = vouch_file_commit(st->copy_tmp, st->copy, 0);
	if (!ret && info)
		info->at = VOUCH_INSTALL_AT_NONE;
	return ret;
}

void vouch_policy_discard(struct vouch_policy_staged *st)
{
	vouch_file_discard(st->store_tmp);
	vouch_file_discard(st->copy_tmp);
	if (st->made)
		rmdir(st->state);
	memset(st, 0, sizeof(*st));
}

int vouch_policy_install(const char *state, const struct vouch_bundle *b,
                         const struct vouch_sig *sig, const uint8_t *data, size_t len,
                         const struct vouch_pubkey *pk, unsigned flags, int64_t now,
                         struct vouch_install_info *info)
{
	struct vouch_policy_staged *st = malloc(sizeof(*st));
	int ret;

	if (!st)
		return -ENOMEM;
	ret = vouch_policy_stage(state, b, sig, data, len, pk, flags, now, info, st);
	if (!ret)
		ret = vouch_policy_commit(st, info);
	free(st);
	return ret;
}
