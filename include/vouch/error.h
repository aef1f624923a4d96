/* SPDX-License-Identifier: Apache-2.0 */
/* Error codes shared by every libvouch function, and their descriptions. */
#ifndef VOUCH_ERROR_H
#define VOUCH_ERROR_H

/*
 * Every libvouch function that can fail returns int: 0 on success, -errno for
 * a system error, or one of the project codes below (all in the range
 * [VOUCH_E_LAST, VOUCH_E_FIRST], far below any errno value). A failed
 * verification is such a code, not a system error.
 */
enum {
	VOUCH_E_FIRST = -1000,
	VOUCH_E_NOCOMMENT = -1000,      /* first line is not "untrusted comment: ..." */
	VOUCH_E_BASE64 = -1001,         /* a line is not valid base64 */
	VOUCH_E_LENGTH = -1002,         /* decoded data has the wrong length */
	VOUCH_E_ALG = -1003,            /* an algorithm this version does not support */
	VOUCH_E_TRAILING = -1004,       /* data after the last expected line */
	VOUCH_E_LINE = -1005,           /* a line is too long or not newline-terminated */
	VOUCH_E_CONTROL = -1006,        /* a comment holds control characters */
	VOUCH_E_NOTRUSTED = -1007,      /* missing "trusted comment: ..." line */
	VOUCH_E_TOOBIG = -1008,         /* input larger than the format allows */
	VOUCH_E_WRONGKEY = -1009,       /* signature made by another key (key id differs) */
	VOUCH_E_BADSIG = -1010,         /* signature does not match the data */
	VOUCH_E_BADCOMMENT = -1011,     /* global signature fails: trusted comment changed */
	VOUCH_E_PASSWORD = -1012,       /* wrong password, or the secret key is corrupt */
	VOUCH_E_KDF = -1013,            /* key derivation parameters unsupported or excessive */
	VOUCH_E_CRYPTO = -1014,         /* the crypto library failed */
	VOUCH_E_KEYPAIR = -1015,        /* secret key's public half is inconsistent */
	VOUCH_E_KEYTYPE = -1016,        /* a different kind of object than expected */
	VOUCH_E_EMPTY = -1017,          /* input is empty */
	VOUCH_E_RANGE = -1018,          /* an argument is out of range */
	VOUCH_E_MANIFEST_LINE = -1019,  /* a manifest line is malformed */
	VOUCH_E_MANIFEST_ORDER = -1020, /* manifest lines not in canonical order */
	VOUCH_E_POLICY = -1021,         /* policy text has an error (see its line/column) */
	VOUCH_E_EXPIRED = -1022,        /* the policy's expiry time has passed */
	VOUCH_E_BUNDLE = -1023,         /* a policy bundle is malformed */
	VOUCH_E_UNSIGNED = -1024,       /* a bundle carries no signature */
	VOUCH_E_STORE = -1025,          /* the trust store is corrupt or of another version */
	VOUCH_E_NOTFOUND = -1026,       /* no such entry */
	VOUCH_E_NOTREGULAR = -1027,     /* not a regular file */
	VOUCH_E_ROLLBACK = -1028,       /* older than the installed policy */
	VOUCH_E_PROOF = -1029,          /* a Merkle proof does not verify */
	VOUCH_E_NOTE = -1030,           /* a signed note is malformed */
	VOUCH_E_CHECKPOINT = -1031,     /* a checkpoint is malformed */
	VOUCH_E_LOG = -1032,            /* the log's files disagree with each other */
	VOUCH_E_ENTRY = -1033,          /* a log entry is malformed */
	VOUCH_E_CTL = -1034,            /* a control-protocol request or answer is malformed */
	VOUCH_E_CTL_VERSION = -1035,    /* the peer speaks another control-protocol version */
	VOUCH_E_JSON = -1036, /* a JSON string is malformed or not spelled as vouch writes it */
	VOUCH_E_DEB = -1037,  /* a Debian package file is malformed or refused */
	VOUCH_E_TUF = -1038,          /* TUF metadata is malformed or refused */
	VOUCH_E_THRESHOLD = -1039,    /* fewer valid signatures than the role's threshold */
	VOUCH_E_TUF_VERSION = -1040,  /* a TUF role's version is rolled back or not the one expected */
	VOUCH_E_TUF_EXPIRED = -1041,  /* TUF metadata has expired */
	VOUCH_E_TUF_HASH = -1042,     /* a TUF file's length or hash is not the one listed */
	VOUCH_E_JOURNAL = -1043,      /* an update journal is malformed */
	VOUCH_E_UPSTATE = -1044,      /* the update state is malformed */
	VOUCH_E_LAST = -1044,
};

/*
 * vouch_strerror() - describe an error code.
 * @err: a value returned by a libvouch function (0, -errno or a VOUCH_E_ code).
 *
 * Return: a static, NUL-terminated English phrase without trailing period;
 * never NULL. Thread-safe.
 */
const char *vouch_strerror(int err);

#endif
