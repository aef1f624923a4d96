/* SPDX-License-Identifier: Apache-2.0 */
/* The policy a decision is asked of (a bundle, or the installed trust store), and the one way to
 * ask. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"
#include "vouch/store.h"

int tool_policy_open(const char *cmd, const char *bundle, const char *pub, const char *b64,
                     const char *state, bool missing_ok, struct tool_policy *src)
{
	int ret;

	memset(src, 0, sizeof(*src));
	if (bundle) {
		src->from_bundle = true;
		snprintf(src->where, sizeof(src->where), "%s", bundle);
		if (tool_load_bundle(cmd, bundle, &src->tb))
			return EXIT_ERROR;
		if (pub || b64) {
			struct vouch_pubkey pk;

			if (tool_load_pubkey(cmd, pub, b64, &pk))
				return EXIT_ERROR;
			ret = vouch_bundle_verify(&src->tb.b, &src->tb.sig, src->tb.data, &pk);
			if (ret) {
				tool_err(cmd, bundle, "bundle not verified: %s",
				         vouch_strerror(ret));
				return EXIT_ERROR;
			}
			src->verified = true;
		}
		src->cp = &src->tb.b.policy;
		return EXIT_OK;
	}
	snprintf(src->where, sizeof(src->where), "%s/" VOUCH_STATE_STORE, tool_state_dir(state));
	ret = vouch_store_open(&src->store, src->where);
	if (ret == -ENOENT && missing_ok)
		return EXIT_OK;
	if (ret == -ENOENT) {
		tool_err(cmd, src->where,
		         "no policy installed (install one with 'vouch policy install', or give "
		         "--bundle)");
		return EXIT_ERROR;
	}
	if (!ret)
		ret = vouch_store_reader_create(src->store, &src->reader);
	if (ret) {
		tool_err(cmd, src->where, "cannot open the trust store: %s", vouch_strerror(ret));
		return EXIT_ERROR;
	}
	/* The installer verified the bundle's signature before building the store. */
	src->verified = true;
	src->cp = vouch_store_policy(src->store);
	return EXIT_OK;
}

void tool_policy_close(struct tool_policy *src)
{
	vouch_store_reader_destroy(src->reader);
	vouch_store_close(src->store);
	tool_bundle_free(&src->tb);
	src->reader = NULL;
	src->store = NULL;
	src->cp = NULL;
}

int tool_policy_decide(struct tool_policy *src, const uint8_t *sha256, uint64_t size,
                       const char *path, struct vouch_decision *d)
{
	struct vouch_subject subj = {.pid = getpid(), .uid = getuid()};
	struct vouch_object obj = {
	    .event = VOUCH_EV_CHECK, .sha256 = sha256, .size = size, .path = path};
	struct vouch_trust_rec rec;
	int ret = VOUCH_E_NOTFOUND;

	if (sha256)
		ret = src->from_bundle ? vouch_bundle_lookup(&src->tb.b, sha256, &rec)
		                       : vouch_store_lookup(src->reader, sha256, &rec);
	if (ret != 0 && ret != VOUCH_E_NOTFOUND)
		return ret;
	vouch_decide(src->cp, &subj, &obj, ret ? NULL : &rec, (int64_t)time(NULL), d);
	return 0;
}

void tool_deb_problem(const char *cmd, const char *path, int err,
                      const struct vouch_deb_problem *pb)
{
	if (err != VOUCH_E_DEB)
		tool_err(cmd, path, "%s", vouch_strerror(err));
	else if (pb->member[0] && pb->name[0])
		tool_err(cmd, path, "%s: %s: %s", pb->member, pb->why, pb->name);
	else if (pb->member[0])
		tool_err(cmd, path, "%s: %s", pb->member, pb->why);
	else if (pb->name[0])
		tool_err(cmd, path, "%s: %s", pb->why, pb->name);
	else
		tool_err(cmd, path, "%s", pb->why);
}
