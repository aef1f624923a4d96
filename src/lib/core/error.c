/* SPDX-License-Identifier: Apache-2.0 */
/* vouch_strerror(): one phrase for every error code libvouch returns. */
#include <string.h>

#include "vouch/error.h"

static const char *const project_msgs[VOUCH_E_FIRST - VOUCH_E_LAST + 1] = {
    [-VOUCH_E_NOCOMMENT + VOUCH_E_FIRST] = "first line is not an 'untrusted comment:' line",
    [-VOUCH_E_BASE64 + VOUCH_E_FIRST] = "invalid base64",
    [-VOUCH_E_LENGTH + VOUCH_E_FIRST] = "wrong length (truncated or garbled)",
    [-VOUCH_E_ALG + VOUCH_E_FIRST] = "unsupported algorithm",
    [-VOUCH_E_TRAILING + VOUCH_E_FIRST] = "unexpected data after the last line",
    [-VOUCH_E_LINE + VOUCH_E_FIRST] = "line too long or incomplete",
    [-VOUCH_E_CONTROL + VOUCH_E_FIRST] = "comment contains control characters",
    [-VOUCH_E_NOTRUSTED + VOUCH_E_FIRST] = "missing 'trusted comment:' line",
    [-VOUCH_E_TOOBIG + VOUCH_E_FIRST] = "too large",
    [-VOUCH_E_WRONGKEY + VOUCH_E_FIRST] = "signed by a different key",
    [-VOUCH_E_BADSIG + VOUCH_E_FIRST] = "signature does not match: the file was modified",
    [-VOUCH_E_BADCOMMENT + VOUCH_E_FIRST] = "trusted comment was modified",
    [-VOUCH_E_PASSWORD + VOUCH_E_FIRST] = "wrong password, or the secret key is corrupt",
    [-VOUCH_E_KDF + VOUCH_E_FIRST] = "unsupported or excessive key derivation parameters",
    [-VOUCH_E_CRYPTO + VOUCH_E_FIRST] = "cryptographic library failure",
    [-VOUCH_E_KEYPAIR + VOUCH_E_FIRST] = "secret key does not match its own public key",
    [-VOUCH_E_KEYTYPE + VOUCH_E_FIRST] = "wrong kind of file",
    [-VOUCH_E_EMPTY + VOUCH_E_FIRST] = "empty file",
    [-VOUCH_E_RANGE + VOUCH_E_FIRST] = "argument out of range",
    [-VOUCH_E_MANIFEST_LINE + VOUCH_E_FIRST] = "malformed manifest line",
    [-VOUCH_E_MANIFEST_ORDER + VOUCH_E_FIRST] = "manifest lines are not in sorted order",
    [-VOUCH_E_POLICY + VOUCH_E_FIRST] = "error in policy",
    [-VOUCH_E_EXPIRED + VOUCH_E_FIRST] = "the policy has expired",
    [-VOUCH_E_BUNDLE + VOUCH_E_FIRST] = "malformed policy bundle",
    [-VOUCH_E_UNSIGNED + VOUCH_E_FIRST] = "policy bundle is not signed",
    [-VOUCH_E_STORE + VOUCH_E_FIRST] = "trust store is corrupt or of another version",
    [-VOUCH_E_NOTFOUND + VOUCH_E_FIRST] = "not found",
    [-VOUCH_E_NOTREGULAR + VOUCH_E_FIRST] = "not a regular file",
    [-VOUCH_E_ROLLBACK + VOUCH_E_FIRST] = "older than the installed policy (a rollback)",
    [-VOUCH_E_PROOF + VOUCH_E_FIRST] = "the proof does not verify",
    [-VOUCH_E_NOTE + VOUCH_E_FIRST] = "malformed signed note",
    [-VOUCH_E_CHECKPOINT + VOUCH_E_FIRST] = "malformed checkpoint",
    [-VOUCH_E_LOG + VOUCH_E_FIRST] = "the log's files do not match each other",
    [-VOUCH_E_ENTRY + VOUCH_E_FIRST] = "malformed log entry",
    [-VOUCH_E_CTL + VOUCH_E_FIRST] = "malformed control-protocol message",
    [-VOUCH_E_CTL_VERSION + VOUCH_E_FIRST] = "another version of the control protocol",
    [-VOUCH_E_JSON + VOUCH_E_FIRST] = "malformed JSON string (or not in its one spelling)",
    [-VOUCH_E_DEB + VOUCH_E_FIRST] = "malformed or refused Debian package",
    [-VOUCH_E_TUF + VOUCH_E_FIRST] = "malformed or refused TUF metadata",
    [-VOUCH_E_THRESHOLD + VOUCH_E_FIRST] = "too few valid signatures for the role's threshold",
    [-VOUCH_E_TUF_VERSION + VOUCH_E_FIRST] = "TUF metadata version rolled back or unexpected",
    [-VOUCH_E_TUF_EXPIRED + VOUCH_E_FIRST] = "TUF metadata has expired",
    [-VOUCH_E_TUF_HASH + VOUCH_E_FIRST] = "length or hash differs from the one listed",
    [-VOUCH_E_JOURNAL + VOUCH_E_FIRST] = "malformed update journal",
    [-VOUCH_E_UPSTATE + VOUCH_E_FIRST] = "malformed update state",
};

const char *vouch_strerror(int err)
{
	if (err == 0)
		return "success";
	/* Every code has its phrase: test-error checks the table has no gap. */
	if (err <= VOUCH_E_FIRST && err >= VOUCH_E_LAST)
		return project_msgs[-err + VOUCH_E_FIRST] ? project_msgs[-err + VOUCH_E_FIRST]
		                                          : "unknown error";
	if (err < 0 && err > -4096)
		return strerror(-err);
	return "unknown error";
}
