/* SPDX-License-Identifier: Apache-2.0 */
/* What the device's updates have done: the last check, the last success, the installed
 * targets (no I/O). vouch update writes it; vouch status and vouch stamp read it. */
#ifndef VOUCH_UPSTATE_H
#define VOUCH_UPSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VOUCH_STATE_UPDATE        "update.state" /* in the state directory, mode 0644 */
#define VOUCH_UPSTATE_MAX_TARGETS 65536
#define VOUCH_UPSTATE_ERROR_MAX   512 /* bytes of the last failure's reason */

/*
 * The text (docs/formats.md, "Update state"), every line required and in this order:
 *
 *   vouch-update-state 1
 *   checked TIME|never        the last update attempt that reached a verdict
 *   succeeded TIME|never      the last one that ended with the device up to date
 *   changed TIME|never        the last one that installed something
 *   root N                    the trusted TUF root's version (0: none yet)
 *   targets N                 the trusted targets metadata's version (0: none yet)
 *   failure -|HEX             why the last attempt failed (its one line in hex), if it did
 *   target HEX(PATH) LENGTH SHA256    one per installed target, sorted by path, unique
 *   end
 *
 * TIME is "YYYY-MM-DDTHH:MM:SSZ" (UTC). A target's PATH is its TUF target path (any bytes
 * but NUL, at most 4095), its SHA-256 64 lower-case hex digits.
 */
struct vouch_upstate_target {
	char *path;
	uint64_t length;
	char sha256[65];
};

struct vouch_upstate {
	int64_t checked, succeeded, changed; /* Unix seconds; 0: never */
	uint64_t root, targets;
	char *failure; /* NULL: the last attempt did not fail */
	struct vouch_upstate_target *t;
	size_t nt;
};

/* vouch_upstate_format() - the text of @u into a malloc'd *@out. Return: 0; -ENOMEM;
 * VOUCH_E_UPSTATE (@u breaks a rule: unsorted or duplicate targets, a bad hash, a NUL-less
 * failure longer than VOUCH_UPSTATE_ERROR_MAX, a negative time). */
int vouch_upstate_format(const struct vouch_upstate *u, char **out, size_t *len);

/* vouch_upstate_parse() - @len bytes of text, in format's one spelling only. @u: filled;
 * free with vouch_upstate_free() whatever the result. Return: 0; VOUCH_E_UPSTATE; -ENOMEM. */
int vouch_upstate_parse(struct vouch_upstate *u, const char *text, size_t len);

void vouch_upstate_free(struct vouch_upstate *u); /* accepts NULL */

/*
 * vouch_upstate_overdue() - whether a device with @u (NULL: no update ever recorded) is
 * past the policy's deadline @every (seconds; 0: none) at @now: no successful update ever,
 * or the last one more than @every ago. *@due, if not NULL, receives the time it became or
 * becomes due (0 with no deadline or no success ever).
 */
bool vouch_upstate_overdue(const struct vouch_upstate *u, int64_t every, int64_t now, int64_t *due);

#endif
