/* SPDX-License-Identifier: Apache-2.0 */
/* One decision as the log records it: a flat JSON object (no I/O). */
#ifndef VOUCH_ENTRY_H
#define VOUCH_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * An entry, e.g. (one line, no newline stored):
 *   {"time":"2026-11-21T10:00:00.123456Z","decision":"deny","mode":"enforce",
 *    "event":"exec","rule":"default","reason":"...","path":"/tmp/x",
 *    "sha256":"<64 hex>","pid":123,"uid":1000,"exe":"/usr/bin/bash",
 *    "exe_sha256":"<64 hex>"}
 * Keys appear in this order; exe and exe_sha256 may be absent (unknown), and
 * sha256 is absent when the file was not read (rules too-large, open-for-write).
 * A summary (event "summary", decision "summary", rule "rate-limit") stands for
 * decisions of one uid that were counted but not recorded one by one; it has no
 * sha256 and adds "allowed" and "denied", the counts.
 * Strings are written with vouch_json_field() (vouch/json.h): a string that is not
 * valid UTF-8 (a path, an executable, a reason naming a file) is written with each
 * byte that is not part of valid UTF-8 as U+FFFD and is followed by its companion,
 * e.g. "path_b64", the exact bytes in base64. Entries written before companions
 * existed spell such a byte \u00XX (XX >= 80) instead, and are read as that byte.
 * The log never holds file contents: only these facts.
 */
struct vouch_entry {
	int64_t time_us; /* Unix time, microseconds */
	const char *decision, *mode, *event, *rule, *reason, *path;
	const char *exe; /* NULL: unknown */
	uint8_t sha256[32];
	bool no_sha256; /* the file was not read: sha256 is absent */
	bool has_exe_sha256;
	uint8_t exe_sha256[32];
	int64_t pid, uid;
	bool summary;            /* "allowed" and "denied" are present */
	int64_t allowed, denied; /* with @summary */
};

/*
 * The log's vocabulary, defined once. decision: vouch_verdict_name()'s words, or
 * "summary"; mode: vouch_mode_name()'s; event: vouch_event_name()'s, or "summary";
 * rule: vouch_rule_name()'s, or "rate-limit" (a summary's). vouch_entry_parse()
 * refuses any other word, and a summary word anywhere but in a summary.
 */
#define VOUCH_ENTRY_SUMMARY    "summary"
#define VOUCH_ENTRY_RATE_LIMIT "rate-limit"

/* The longest entry vouch writes or reads (a bundle stores a 16-bit length). */
#define VOUCH_ENTRY_MAX 65535

/*
 * vouch_entry_format() - the JSON text of @e into @out.
 * Return: its length, or VOUCH_E_TOOBIG if it would exceed @cap or
 * VOUCH_ENTRY_MAX (the caller then shortens path or reason).
 */
int vouch_entry_format(const struct vouch_entry *e, char *out, size_t cap);

/*
 * vouch_entry_format_flags() - as vouch_entry_format(), with vouch_json_field()'s
 * @flags (VOUCH_JSON_C1: C1 controls as \u0080..\u009f, for text a terminal may
 * show); capped by @cap alone (and INT_MAX), not VOUCH_ENTRY_MAX: not for the log.
 * Return: its length, or VOUCH_E_TOOBIG.
 */
int vouch_entry_format_flags(const struct vouch_entry *e, unsigned flags, char *out, size_t cap);

/*
 * vouch_entry_parse() - read an entry written by vouch_entry_format(), or by the
 * first version of it (\u00XX for a byte that is not UTF-8, no companions).
 * @scratch: receives the decoded strings the entry's pointers point to; it
 * needs @len + 8 bytes.
 * Return: 0 or VOUCH_E_ENTRY (not such an object, a key missing or repeated,
 * a wrong type, trailing bytes, a string not spelled as vouch writes it: a
 * companion on valid UTF-8 or away from its field, bad base64, text that is not
 * what the companion's bytes are written as, a NUL).
 */
int vouch_entry_parse(struct vouch_entry *e, const char *text, size_t len, char *scratch,
                      size_t cap);

/* vouch_time_format_us() - "YYYY-MM-DDThh:mm:ss.uuuuuuZ" (28 bytes with NUL). */
void vouch_time_format_us(int64_t us, char out[static 28]);

#endif
