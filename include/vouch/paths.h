/* SPDX-License-Identifier: Apache-2.0 */
/* The names vouch and vouchd agree on: the state directory and what is in it. */
#ifndef VOUCH_PATHS_H
#define VOUCH_PATHS_H

/*
 * The state directory: where 'vouch policy install' puts the policy and vouchd
 * keeps its log, key and socket. The tool takes another from --state or
 * $VOUCH_STATE_DIR, vouchd from --state. docs/formats.md and the man pages
 * describe each file.
 */
#define VOUCH_STATE_DIR_DEFAULT "/var/lib/vouch"
#define VOUCH_STATE_DIR_ENV     "VOUCH_STATE_DIR"

/* Names inside the state directory. */
#define VOUCH_STATE_STORE    "trust.mdb"     /* the trust store vouchd maps */
#define VOUCH_STATE_BUNDLE   "policy.bundle" /* a copy of the installed bundle, as signed */
#define VOUCH_STATE_SOCKET   "vouchd.sock"   /* vouchd's control socket */
#define VOUCH_STATE_LOG      "log"           /* the decision log's directory (--log-dir) */
#define VOUCH_STATE_LOG_KEY  "log.key"       /* the device's log signing key, 0600 */
#define VOUCH_STATE_LOG_PUB  "log.pub"       /* its verifier key, for anyone */
#define VOUCH_STATE_LOG_SEEN "log.seen"      /* what a witness has seen, "SIZE\n" */

#endif
