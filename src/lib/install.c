/* SPDX-License-Identifier: Apache-2.0 */
/* vouch_policy_install(): verify, check expiry and rollback, then replace the store. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "vouch/error.h"
#include "vouch/file.h"
#include "vouch/install.h"
#include "vouch/store.h"

int vouch_policy_install(const char *state, const struct vouch_bundle *b,
                         const struct vouch_sig *sig, const uint8_t *data, size_t len,
                         const struct vouch_pubkey *pk, unsigned flags, int64_t now,
                         struct vouch_install_info *info)
{
	struct vouch_install_info dummy;
	struct vouch_store *old = NULL;
	char store[PATH_MAX], copy[PATH_MAX];
	int ret;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	ret = vouch_bundle_verify(b, sig, data, pk);
	if (ret)
		return ret;
	if (b->policy.expires && now >= b->policy.expires)
		return VOUCH_E_EXPIRED;
	if ((size_t)snprintf(store, sizeof(store), "%s/" VOUCH_STATE_STORE, state) >=
	        sizeof(store) ||
	    (size_t)snprintf(copy, sizeof(copy), "%s/" VOUCH_STATE_BUNDLE, state) >= sizeof(copy))
		return -ENAMETOOLONG;
	if (mkdir(state, 0755) != 0 && errno != EEXIST)
		return -errno;
	/* An older bundle must not silently replace a newer one (a rollback attack). */
	ret = vouch_store_open(&old, store);
	if (ret == 0) {
		info->previous = vouch_store_policy(old)->compiled;
		vouch_store_close(old);
		if (b->policy.compiled < info->previous && !(flags & VOUCH_INSTALL_ROLLBACK))
			return VOUCH_E_ROLLBACK;
	} else if (ret != -ENOENT) {
		info->warn_store = ret;
	}
	ret = vouch_store_install(store, b);
	if (ret)
		return ret;
	return vouch_file_write_atomic(copy, data, len, 0644, 0);
}
