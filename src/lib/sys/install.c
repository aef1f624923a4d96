/* SPDX-License-Identifier: Apache-2.0 */
/* vouch_policy_install(): verify, check expiry and rollback, then replace the store. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
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

int vouch_policy_install(const char *state, const struct vouch_bundle *b,
                         const struct vouch_sig *sig, const uint8_t *data, size_t len,
                         const struct vouch_pubkey *pk, unsigned flags, int64_t now,
                         struct vouch_install_info *info)
{
	struct vouch_install_info dummy;
	struct vouch_store *old = NULL;
	char store[PATH_MAX], copy[PATH_MAX], tmp[PATH_MAX];
	struct stat st;
	bool made = false, staged = false;
	int ret;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	ret = vouch_bundle_verify(b, sig, data, pk);
	if (ret)
		return ret;
	if (b->policy.expires && now >= b->policy.expires)
		return VOUCH_E_EXPIRED;
	info->at = VOUCH_INSTALL_AT_STATE;
	if ((size_t)snprintf(store, sizeof(store), "%s/" VOUCH_STATE_STORE, state) >=
	        sizeof(store) ||
	    (size_t)snprintf(copy, sizeof(copy), "%s/" VOUCH_STATE_BUNDLE, state) >= sizeof(copy))
		return -ENAMETOOLONG;
	/* Everything that can be checked is, before the first change. */
	if (stat(state, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return -ENOTDIR;
		info->at = VOUCH_INSTALL_AT_STORE;
		ret = replaceable(store);
		if (ret)
			return ret;
		info->at = VOUCH_INSTALL_AT_BUNDLE;
		ret = replaceable(copy);
		if (ret)
			return ret;
		/* An older bundle must not silently replace a newer one (a rollback attack). */
		info->at = VOUCH_INSTALL_AT_NONE;
		ret = vouch_store_open(&old, store);
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
		made = true;
	}
	/* Staged first: a directory that cannot be written fails here, with nothing replaced. */
	info->at = VOUCH_INSTALL_AT_STATE;
	ret = vouch_file_stage(copy, data, len, 0644, tmp);
	if (ret)
		goto fail;
	staged = true;
	info->at = VOUCH_INSTALL_AT_STORE;
	ret = vouch_store_install(store, b);
	if (ret)
		goto fail;
	/* The store is replaced: from here a failure leaves it new and the copy old. */
	info->at = VOUCH_INSTALL_AT_BUNDLE;
	ret = vouch_file_commit(tmp, copy, 0);
	if (ret)
		return ret;
	info->at = VOUCH_INSTALL_AT_NONE;
	return 0;
fail:
	if (staged)
		vouch_file_discard(tmp);
	if (made)
		rmdir(state);
	return ret;
}
