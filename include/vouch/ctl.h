/* SPDX-License-Identifier: Apache-2.0 */
/* vouchd's control protocol: requests and answers, encoded and parsed by both sides (no I/O). */
#ifndef VOUCH_CTL_H
#define VOUCH_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One request line from `vouch` to vouchd, one answer back, over vouchd's
 * control socket (the socket, the descriptor "why" passes with SCM_RIGHTS and
 * the peer's credentials are the programs' business; this codec only turns
 * bytes into meaning and back). docs/formats.md has the grammar:
 *
 *   request = "vouch-ctl/1" SP verb *(SP number) LF
 *   answer  = "vouch-ctl/1" SP code SP name [SP reason] LF   (0, ok, has no reason)
 *             *(key TAB value LF)
 *             "end" TAB count LF
 *
 * Both begin with the protocol's name and version, the one thing every
 * version keeps: a peer of another version is told so (VOUCH_E_CTL_VERSION),
 * never misread. The answer's decision is its numeric code; its reason is
 * for people. A value is any bytes: the encoder escapes backslash, tab, LF,
 * CR and every other C0 byte and DEL, so that no value holds a line break or a
 * tab, and the parser accepts exactly the encoder's spelling (one encoding of
 * each value, a parse of an encoding encodes back to the same bytes).
 *
 * Thread rules: none of these functions keeps state between calls; a
 * struct vouch_ctl_out or vouch_ctl_answer is used by one thread at a time.
 */

#define VOUCH_CTL_PROTOCOL "vouch-ctl/1"
#define VOUCH_CTL_VERSION  1

#define VOUCH_CTL_REQUEST_MAX 128       /* a request's bytes, its LF included */
#define VOUCH_CTL_ANSWER_MAX  (4 << 20) /* an answer's bytes */
#define VOUCH_CTL_LINE_MAX    (1 << 18) /* one key/value line, encoded, its LF included */
#define VOUCH_CTL_REASON_MAX  2048      /* a reason, encoded (longer ones are cut) */
#define VOUCH_CTL_KEY_MAX     32        /* [a-z][a-z0-9_]*, but not "end" */
#define VOUCH_CTL_PAIRS_MAX   65536     /* key/value lines in one answer */
#define VOUCH_CTL_LOG_MAX     1000      /* most entries one "log" request may ask for */

/* What a request asks. The numbers are this header's, not the protocol's (it names verbs). */
enum vouch_ctl_verb {
	VOUCH_CTL_NONE = 0,    /* (an unknown verb, as the parser reports it) */
	VOUCH_CTL_STATUS,      /* "status": vouchd's state and counters; anyone */
	VOUCH_CTL_WHY,         /* "why": the verdict on the file behind the passed descriptor */
	VOUCH_CTL_RELOAD,      /* "reload": load the installed policy again; root */
	VOUCH_CTL_LOG,         /* "log FROM MAX": entries from index FROM on, 1 <= MAX <= 1000 */
	VOUCH_CTL_PROVE,       /* "prove INDEX": an inclusion proof of entry INDEX */
	VOUCH_CTL_CONSISTENCY, /* "consistency SIZE": the checkpoint's tree extends SIZE */
	VOUCH_CTL_SEEN,        /* "seen SIZE": a witness has the log up to SIZE; root */
};

struct vouch_ctl_request {
	enum vouch_ctl_verb verb;
	uint64_t arg[2]; /* log: FROM, MAX; prove: INDEX; consistency, seen: SIZE; else 0 */
	unsigned version; /* set by the parser: the version the request named (0: none) */
};

/*
 * An answer's status. The numbers are the protocol's and stable: a number is
 * never given another meaning, and new ones are only added (a client that
 * does not know one treats it as an error with its reason). The name after
 * the number on the wire is vouch_ctl_status_name()'s, for people reading a
 * raw answer.
 */
enum vouch_ctl_status {
	VOUCH_CTL_OK = 0,             /* "ok": done; the pairs hold the answer */
	VOUCH_CTL_USAGE = 1,          /* "usage": malformed request, or its arguments out of range */
	VOUCH_CTL_UNKNOWN = 2,        /* "unknown-request": a verb this vouchd does not know */
	VOUCH_CTL_WRONG_VERSION = 3,  /* "version": the request is in another protocol version */
	VOUCH_CTL_BUSY = 4,           /* "busy": the asker has too many requests open */
	VOUCH_CTL_NEEDS_ROOT = 5,     /* "needs-root": only root may ask this */
	VOUCH_CTL_UNREADABLE = 6,     /* "unreadable": the asker may not read the file */
	VOUCH_CTL_NOT_REGULAR = 7,    /* "not-regular": the file passed is not a regular file */
	VOUCH_CTL_USER_WRITABLE = 8,  /* "user-writable": no verdict is kept on such a file */
	VOUCH_CTL_NOT_DECIDED = 9,    /* "not-decided": no verdict since the policy was loaded */
	VOUCH_CTL_NO_LOG = 10,        /* "no-log": vouchd keeps no log (--no-log) */
	VOUCH_CTL_LOG_MISMATCH = 11,  /* "log-mismatch": the log does not match its checkpoint */
	VOUCH_CTL_BEYOND_LOG = 12,    /* "beyond-log": an index or size past the checkpoint */
	VOUCH_CTL_NO_ENTRY = 13,      /* "no-entry": the entry is gone (retention) */
	VOUCH_CTL_POLICY_ERROR = 14,  /* "policy-error": the policy could not be loaded */
	VOUCH_CTL_SYSTEM_ERROR = 15,  /* "system-error": an I/O, memory or internal error */
	VOUCH_CTL_STATUS_LAST = 15,
	VOUCH_CTL_STATUS_MAX = 999, /* codes on the wire are 0..999 */
};

/*
 * vouch_ctl_status_name() - the wire name of @status ("ok", "needs-root", ...),
 * or NULL for a number this version does not know. Static; thread-safe.
 */
const char *vouch_ctl_status_name(unsigned status);

/* vouch_ctl_verb_name() - "status", "log", ...; NULL for VOUCH_CTL_NONE or out of range. */
const char *vouch_ctl_verb_name(enum vouch_ctl_verb verb);

/*
 * vouch_ctl_verb_usage() - how @verb is spelt with its arguments ("log FROM MAX
 * (MAX from 1 to 1000)"), for a usage answer; for VOUCH_CTL_NONE, the list of
 * verbs. Static, never NULL.
 */
const char *vouch_ctl_verb_usage(enum vouch_ctl_verb verb);

/*
 * vouch_ctl_request_format() - the request line for @r (its version ignored).
 * @out: receives the line, LF-terminated, and a NUL after it; *@len its length
 * without the NUL.
 * Return: 0; VOUCH_E_RANGE if the verb is unknown, an argument a verb does
 * not take is not 0, or a log request's MAX is not 1..VOUCH_CTL_LOG_MAX.
 */
int vouch_ctl_request_format(const struct vouch_ctl_request *r,
                             char out[static VOUCH_CTL_REQUEST_MAX], size_t *len);

/*
 * vouch_ctl_request_parse() - parse the @len bytes vouchd received.
 * Exactly one line in the grammar above: numbers in decimal without leading
 * zeros or sign, single spaces, the LF last.
 * @r: filled on success; on failure r->verb says how far the parse came
 * (VOUCH_CTL_NONE: no verb this version knows) and r->version which version
 * the request named.
 * Return: 0; VOUCH_E_TOOBIG (over VOUCH_CTL_REQUEST_MAX); VOUCH_E_EMPTY;
 * VOUCH_E_CTL_VERSION (it does not begin "vouch-ctl/1 ": another version, or
 * an older vouch that named none); VOUCH_E_LINE (no LF, or all of it the
 * start of "vouch-ctl/1 "); VOUCH_E_TRAILING (bytes after the LF); VOUCH_E_CTL
 * (an unknown verb, or arguments that are not its own); VOUCH_E_RANGE (log MAX
 * not 1..VOUCH_CTL_LOG_MAX).
 */
int vouch_ctl_request_parse(struct vouch_ctl_request *r, const char *text, size_t len);

/*
 * An answer being built (vouchd): pairs in order, then the status, then the
 * bytes. Errors are sticky: a put that fails (out of memory, a key outside
 * the grammar, an answer that would exceed VOUCH_CTL_ANSWER_MAX) makes every
 * later call fail, and vouch_ctl_out_text() returns that error, so a caller
 * may put a list of pairs and check once.
 */
struct vouch_ctl_out;

/* vouch_ctl_out_create() - a new, empty answer (status OK). Return: 0 or -ENOMEM. */
int vouch_ctl_out_create(struct vouch_ctl_out **o);
/* vouch_ctl_out_destroy() - free @o and the text it returned (NULL is fine). */
void vouch_ctl_out_destroy(struct vouch_ctl_out *o);

/*
 * vouch_ctl_out_put() - append @key with the @len bytes of @value (any bytes;
 * escaped here). vouch_ctl_out_putf() - the value printf-formatted.
 * vouch_ctl_out_put_u64() / _i64() - the value in decimal.
 * Return: 0; VOUCH_E_RANGE (@key not [a-z][a-z0-9_]* of at most
 * VOUCH_CTL_KEY_MAX bytes, or "end"); VOUCH_E_TOOBIG (the line would exceed
 * VOUCH_CTL_LINE_MAX, the answer VOUCH_CTL_ANSWER_MAX, or the pairs
 * VOUCH_CTL_PAIRS_MAX); -ENOMEM; or the earlier error.
 */
int vouch_ctl_out_put(struct vouch_ctl_out *o, const char *key, const char *value, size_t len);
int vouch_ctl_out_putf(struct vouch_ctl_out *o, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int vouch_ctl_out_put_u64(struct vouch_ctl_out *o, const char *key, uint64_t v);
int vouch_ctl_out_put_i64(struct vouch_ctl_out *o, const char *key, int64_t v);

/*
 * vouch_ctl_out_fail() - make @o an error answer: drop the pairs put so far
 * and set @status (one this version knows, not VOUCH_CTL_OK) with the
 * printf-formatted reason (any bytes; escaped, and cut to VOUCH_CTL_REASON_MAX
 * encoded bytes before a whole character or escape, ending in "..."). Pairs
 * may still be put after it. Clears no sticky error.
 * Return: 0; VOUCH_E_RANGE (@status); the earlier error.
 */
int vouch_ctl_out_fail(struct vouch_ctl_out *o, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* vouch_ctl_out_len() - bytes the answer would take now (0 after an error). */
size_t vouch_ctl_out_len(const struct vouch_ctl_out *o);

/*
 * vouch_ctl_out_text() - the encoded answer. *@text is owned by @o, valid until
 * the next call on it or its destruction; not NUL-terminated.
 * Return: 0, or the sticky error (then send vouch_ctl_answer_format()'s).
 */
int vouch_ctl_out_text(struct vouch_ctl_out *o, const char **text, size_t *len);

/*
 * vouch_ctl_answer_format() - an answer with no pairs, without allocating
 * (vouchd's "busy" and its fallback when an answer could not be built).
 * @status: a code this version knows; @reason: NUL-terminated, escaped and
 * cut as by vouch_ctl_out_fail(), may be NULL or empty (and must be, for OK).
 * @out: @cap bytes, enough if at least VOUCH_CTL_REASON_MAX + 64; *@len set.
 * Return: 0; VOUCH_E_RANGE (@status, or OK with a reason); VOUCH_E_TOOBIG (@cap too small).
 */
int vouch_ctl_answer_format(char *out, size_t cap, size_t *len, unsigned status,
                            const char *reason);

/* One key and its decoded value (NUL-terminated; may hold NUL bytes of its own: see len). */
struct vouch_ctl_pair {
	const char *key;
	const char *value;
	size_t len;
};

/*
 * A parsed answer. Everything it points to lives in one allocation owned by
 * the struct: release it with vouch_ctl_answer_release().
 */
struct vouch_ctl_answer {
	unsigned status;      /* 0..999, perhaps a number this version does not know */
	const char *reason;   /* decoded, NUL-terminated; "" if none */
	size_t reason_len;    /* (a reason may hold NUL bytes) */
	struct vouch_ctl_pair *pair;
	size_t npairs;
	unsigned version;     /* the version the answer named (0: none); set on failure too */
	void *mem;
};

/*
 * vouch_ctl_answer_parse() - parse all @len bytes of an answer, strictly:
 * the grammar above, a known code with its own name, every escape as the
 * encoder writes it, no reason after "ok", the count at the end equal to the
 * pairs read, nothing after. (A code this version does not know is accepted
 * with any well-formed name: newer vouchds may add codes.)
 * @a: filled on success (release it); on failure it holds nothing to release,
 * but a->version says what version the answer named.
 * Return: 0; VOUCH_E_EMPTY (no bytes: the peer closed); VOUCH_E_TOOBIG (over
 * VOUCH_CTL_ANSWER_MAX or VOUCH_CTL_PAIRS_MAX pairs); VOUCH_E_CTL_VERSION (the
 * first line does not begin "vouch-ctl/1 ": see a->version); VOUCH_E_LINE (a
 * line too long, the last one without LF, or all of it the start of
 * "vouch-ctl/1 "); VOUCH_E_LENGTH (no "end" line:
 * cut short, or the count differs); VOUCH_E_TRAILING (bytes after "end");
 * VOUCH_E_CTL (anything else not in the grammar); -ENOMEM.
 */
int vouch_ctl_answer_parse(struct vouch_ctl_answer *a, const char *text, size_t len);

/* vouch_ctl_answer_release() - free what @a holds and empty it (an empty @a is fine). */
void vouch_ctl_answer_release(struct vouch_ctl_answer *a);

/* vouch_ctl_answer_get() - the value of the first pair named @key, or NULL. */
const char *vouch_ctl_answer_get(const struct vouch_ctl_answer *a, const char *key);

/*
 * vouch_ctl_answer_u64() - the first value named @key as a decimal number
 * (no sign, no leading zeros, no other bytes).
 * Return: 0 with *@v set; VOUCH_E_NOTFOUND (no such key); VOUCH_E_CTL (not such a number).
 */
int vouch_ctl_answer_u64(const struct vouch_ctl_answer *a, const char *key, uint64_t *v);

/*
 * vouch_ctl_u64_parse() - @len bytes as such a decimal number (20 digits at
 * most, no more than UINT64_MAX). Return: 0 or VOUCH_E_CTL.
 */
int vouch_ctl_u64_parse(const char *s, size_t len, uint64_t *v);

#endif
