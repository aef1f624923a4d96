/* SPDX-License-Identifier: Apache-2.0 */
/* Compiling a policy: check every line, verify every manifest, build the trust set. */
#ifndef VOUCH_COMPILE_H
#define VOUCH_COMPILE_H

#include <stdint.h>

#include "bundle.h"
#include "policy.h"

struct vouch_compiled {
	struct vouch_cpolicy policy;
	struct vouch_trust_entry *entries; /* sorted by sha256, unique */
	uint64_t nentries;
	/* Every file read but the policy: each manifest, as opened (resolved against the
	 * policy's directory), followed by its signature file, in policy order; so that
	 * a caller can refuse to write over one. Owned; freed by vouch_compiled_free(). */
	char **files;
	size_t nfiles;
};

/*
 * vouch_policy_compile() - read and compile the policy at @path.
 * Every manifest is read (relative paths are relative to the policy file's
 * directory), its signature (PATH.minisig unless the policy names another)
 * verified with the signer key the policy gives for it, and its entries added.
 * Rules and manifest entries for the same hash are merged into one record;
 * precedence is applied later, by vouch_decide().
 * @now: the compile time, Unix seconds; a policy whose expiry is not after it fails.
 * @out: receives the result; free with vouch_compiled_free() whatever the result.
 * @err: on failure other than -ENOMEM, the policy line and column (0 when the
 *   failure concerns the whole file) and a message naming any manifest involved.
 * Return: 0; VOUCH_E_POLICY (with @err); -errno reading the policy; -ENOMEM.
 */
int vouch_policy_compile(const char *path, int64_t now, struct vouch_compiled *out,
                         struct vouch_policy_error *err);
void vouch_compiled_free(struct vouch_compiled *c);

#endif
