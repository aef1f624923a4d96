/* SPDX-License-Identifier: Apache-2.0 */
/* The decision engine: allow or deny one file, by which rule, and why. Pure: no I/O. */
#ifndef VOUCH_DECIDE_H
#define VOUCH_DECIDE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "digest.h"
#include "policy.h"

/* Flags of a trust record: which rules name this hash. More than one may be set. */
enum {
	VOUCH_TRUST_DENY = 1 << 0,     /* an explicit deny rule */
	VOUCH_TRUST_ALLOW = 1 << 1,    /* an explicit allow rule */
	VOUCH_TRUST_MANIFEST = 1 << 2, /* listed by a trusted, signed manifest */
};

/*
 * What the compiled trust set knows of one SHA-256. String and manifest
 * references index the compiled policy's tables; VOUCH_NONE means none.
 */
#define VOUCH_NONE UINT32_MAX
struct vouch_trust_rec {
	uint32_t flags;
	uint32_t deny_msg;  /* message of the deny rule */
	uint32_t allow_msg; /* note of the allow rule */
	uint32_t manifest;  /* first trusted manifest listing the hash */
};

/* A trusted manifest as compiled. */
struct vouch_cmanifest {
	uint32_t path;                    /* string index */
	uint32_t signer;                  /* index into signers */
	uint8_t sha256[VOUCH_SHA256_LEN]; /* of the manifest text that was verified */
	uint64_t entries;
};

struct vouch_csigner {
	uint32_t name; /* string index */
	struct vouch_pubkey key;
};

/* The compiled policy: everything but the trust set itself. */
struct vouch_cpolicy {
	enum vouch_mode mode;
	uint32_t gates;
	int64_t expires;      /* 0: never */
	int64_t compiled;     /* when it was compiled, Unix seconds */
	uint64_t max_size;    /* largest file decided as code; 0: VOUCH_MAX_SIZE_DEFAULT */
	int64_t update_every; /* 'update-every' in seconds; 0: no update deadline */
	uint32_t message;     /* default denial message, string index or VOUCH_NONE */
	uint8_t source_sha256[VOUCH_SHA256_LEN];
	char **strings;
	uint32_t nstrings;
	struct vouch_csigner *signers;
	uint32_t nsigners;
	struct vouch_cmanifest *manifests;
	uint32_t nmanifests;
	char *source; /* the policy text compiled, for display */
};

/* The string at @idx, or NULL for VOUCH_NONE or out of range. */
const char *vouch_cpolicy_string(const struct vouch_cpolicy *cp, uint32_t idx);
void vouch_cpolicy_free(struct vouch_cpolicy *cp);

/* How code reached the kernel's attention. */
enum vouch_event {
	VOUCH_EV_EXEC = 0,    /* execve/execveat of the file */
	VOUCH_EV_ELF_OPEN,    /* an ELF object opened as code (library, dlopen, loader) */
	VOUCH_EV_SHEBANG,     /* a script started by #!, or its interpreter */
	VOUCH_EV_INTERP_READ, /* a script read by an interpreter */
	VOUCH_EV_CHECK,       /* asked by 'vouch check': gated as an exec */
};

/* Facts about the process. None of them decides today; all go into the reason and log. */
struct vouch_subject {
	pid_t pid;
	uid_t uid;
	const char *exe;           /* path of its executable, may be NULL */
	const uint8_t *exe_sha256; /* may be NULL */
};

/* Facts about the file. The path is for the reason only: it never decides. */
struct vouch_object {
	enum vouch_event event;
	/*
	 * VOUCH_SHA256_LEN bytes, or NULL when the file was not hashed: it is larger
	 * than the policy's max-size, or @writers is set (then it is decided without).
	 */
	const uint8_t *sha256;
	uint64_t size;
	/*
	 * The file could change while it was checked: it was open for writing when
	 * the check began, or was opened for writing during it. Its bytes then say
	 * nothing about what will run.
	 */
	bool writers;
	const char *path; /* may be NULL */
	/*
	 * The file can be written by someone other than root (its owner is not root,
	 * or it is group- or world-writable). Matters for VOUCH_EV_ELF_OPEN only: a
	 * library is mapped, not copied, so its owner could change the code after
	 * the check, while it runs. (An executable is protected by the kernel while
	 * it runs: writes fail with ETXTBSY.)
	 */
	bool user_writable;
	uid_t owner; /* with @user_writable: the file's owner, for the reason */
};

/* The rule that decided, in precedence order. */
enum vouch_rule {
	VOUCH_RULE_NOT_GATED = 0, /* this kind of event is not gated by the policy */
	VOUCH_RULE_EXPIRED,       /* the policy has expired: nothing is vouched for */
	VOUCH_RULE_TOO_LARGE,     /* larger than the policy's max-size: not read */
	VOUCH_RULE_WRITERS,       /* open for writing while checked: its bytes are not settled */
	VOUCH_RULE_DENY_HASH,     /* an explicit deny beats every allow */
	VOUCH_RULE_WRITABLE,      /* a library users can write is never loaded as code */
	VOUCH_RULE_ALLOW_HASH,    /* a hash rule beats trust through a manifest */
	VOUCH_RULE_MANIFEST,      /* listed by a trusted, signed manifest */
	VOUCH_RULE_DEFAULT,       /* not vouched for */
};

struct vouch_decision {
	bool allow;      /* the verdict given to the kernel */
	bool would_deny; /* monitor mode: allowed, but enforce would have denied */
	enum vouch_rule rule;
	uint32_t manifest;   /* with VOUCH_RULE_MANIFEST: the manifest index */
	const char *message; /* the policy's message for the user, or NULL; owned by @cp */
	char reason[512];    /* one line, in words */
};

/* The rule's name as shown to people and in JSON: "deny-hash", "manifest", ... */
const char *vouch_rule_name(enum vouch_rule r);
/* The event's name, as the log and JSON write it: "exec", "elf-open", "shebang", ... */
const char *vouch_event_name(enum vouch_event ev);
/* A verdict in one word, as the log and JSON write it: "allow", "deny" or "would-deny". */
const char *vouch_verdict_name(bool allow, bool would_deny);

/* The largest file @cp decides as code (its max-size, or the default). */
uint64_t vouch_cpolicy_max_size(const struct vouch_cpolicy *cp);

/*
 * vouch_decide() - decide one event. Pure: no I/O, no allocation, no clock.
 * @cp: the compiled policy.
 * @subj, @obj: facts about the process and the file.
 * @rec: the trust set's record for obj->sha256, or NULL if it has none.
 * @now: the current time, Unix seconds (checked against the policy's expiry).
 * @out: the decision.
 * Thread-safe: @cp and @rec are only read.
 */
void vouch_decide(const struct vouch_cpolicy *cp, const struct vouch_subject *subj,
                  const struct vouch_object *obj, const struct vouch_trust_rec *rec, int64_t now,
                  struct vouch_decision *out);

#endif
