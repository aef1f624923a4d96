/* SPDX-License-Identifier: Apache-2.0 */
/* The policy text: one rule per line, parsed strictly into a struct (no I/O). */
#ifndef VOUCH_POLICY_H
#define VOUCH_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "minisign.h"

#define VOUCH_POLICY_MAX  (4u * 1024 * 1024) /* largest policy file */
#define VOUCH_NAME_MAX    64                 /* signer names */
#define VOUCH_MESSAGE_MAX 512                /* user-facing messages */
/* Code larger than this is refused unread unless the policy sets 'max-size'. */
#define VOUCH_MAX_SIZE_DEFAULT ((uint64_t)1 << 30)
/* Bounds of 'update-every': an hour to ten years, in seconds. */
#define VOUCH_UPDATE_EVERY_MIN ((int64_t)3600)
#define VOUCH_UPDATE_EVERY_MAX ((int64_t)3650 * 86400)

enum vouch_mode {
	VOUCH_MODE_MONITOR = 0, /* allow, and record what would have been denied */
	VOUCH_MODE_ENFORCE = 1, /* deny what is not vouched for */
};

/* What is gated: bits of vouch_policy.gates. */
enum {
	VOUCH_GATE_EXEC = 1 << 0,    /* every exec */
	VOUCH_GATE_ELF = 1 << 1,     /* ELF objects opened as code (libraries, dlopen, loader) */
	VOUCH_GATE_SHEBANG = 1 << 2, /* scripts started by #! (script and interpreter) */
	VOUCH_GATE_INTERP = 1 << 3,  /* scripts read by interpreters (enforced by vouchd later) */
	VOUCH_GATE_DEFAULT = VOUCH_GATE_EXEC | VOUCH_GATE_ELF | VOUCH_GATE_SHEBANG,
};

/*
 * Which decisions vouchd records in its log ('log' in the policy): two bits of
 * the same word, so bundles of earlier versions (0) mean the default.
 */
enum {
	VOUCH_LOG_FIRST = 0,        /* denials, and the first allow of each file version */
	VOUCH_LOG_DENIALS = 1 << 8, /* every deny and would-deny only */
	VOUCH_LOG_ALL = 2 << 8,     /* every decision, cached ones too */
	VOUCH_LOG_MASK = 3 << 8,
};

struct vouch_policy_signer {
	char name[VOUCH_NAME_MAX + 1];
	struct vouch_pubkey key;
	unsigned line;
};

struct vouch_policy_manifest {
	char *path;    /* as written; relative paths are relative to the policy file */
	char *sigpath; /* NULL: path + ".minisig" */
	size_t signer; /* index into signers */
	unsigned line;
};

struct vouch_policy_rule {
	uint8_t sha256[VOUCH_SHA256_LEN];
	bool deny;
	char *message; /* NULL if none */
	unsigned line;
};

struct vouch_policy {
	enum vouch_mode mode;
	unsigned gates;
	int64_t expires;      /* Unix seconds; 0: never */
	uint64_t max_size;    /* 'max-size': largest file decided as code; 0: the default */
	int64_t update_every; /* 'update-every': seconds a device may go without a
	                         successful update before it is overdue; 0: no deadline */
	char *message;        /* default denial message, NULL if none */
	struct vouch_policy_signer *signers;
	size_t nsigners;
	struct vouch_policy_manifest *manifests;
	size_t nmanifests;
	struct vouch_policy_rule *rules;
	size_t nrules;
};

/* Where and why parsing failed. */
struct vouch_policy_error {
	unsigned line, column; /* 1-based */
	char msg[256];
};

/*
 * vouch_policy_parse() - parse policy text (see vouch-policy(5)).
 * @p: receives the policy; free with vouch_policy_free() whatever the result.
 * @err: on VOUCH_E_POLICY, where and what.
 * Return: 0; VOUCH_E_POLICY; VOUCH_E_TOOBIG; -ENOMEM.
 */
int vouch_policy_parse(struct vouch_policy *p, const char *text, size_t len,
                       struct vouch_policy_error *err);
void vouch_policy_free(struct vouch_policy *p);

/* Names for modes and gates, as the policy language spells them. */
const char *vouch_mode_name(enum vouch_mode m);

/*
 * vouch_time_parse() - "YYYY-MM-DDTHH:MM:SSZ" (UTC) to Unix seconds.
 * Return: 0 or VOUCH_E_RANGE.
 */
int vouch_time_parse(const char *s, size_t len, int64_t *out);
/* vouch_time_format() - Unix seconds as "YYYY-MM-DDTHH:MM:SSZ" into @out (21 bytes). */
void vouch_time_format(int64_t t, char out[static 21]);

#endif
