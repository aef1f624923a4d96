/* SPDX-License-Identifier: Apache-2.0 */
/* The decision engine: one verdict, the rule that made it, and a reason in words. No I/O. */
#include <stdio.h>
#include <string.h>

#include "vouch/decide.h"
#include "vouch/hex.h"

static const char *const rule_names[] = {
    [VOUCH_RULE_NOT_GATED] = "not-gated",   [VOUCH_RULE_EXPIRED] = "expired",
    [VOUCH_RULE_TOO_LARGE] = "too-large",   [VOUCH_RULE_WRITERS] = "open-for-write",
    [VOUCH_RULE_DENY_HASH] = "deny-hash",   [VOUCH_RULE_WRITABLE] = "writable",
    [VOUCH_RULE_ALLOW_HASH] = "allow-hash", [VOUCH_RULE_MANIFEST] = "manifest",
    [VOUCH_RULE_DEFAULT] = "default",
};

static const char *const event_names[] = {
    [VOUCH_EV_EXEC] = "exec",       [VOUCH_EV_ELF_OPEN] = "elf-open",
    [VOUCH_EV_SHEBANG] = "shebang", [VOUCH_EV_INTERP_READ] = "interpreted",
    [VOUCH_EV_CHECK] = "check",
};

const char *vouch_event_name(enum vouch_event ev)
{
	return (unsigned)ev < sizeof(event_names) / sizeof(event_names[0]) ? event_names[ev] : "?";
}

const char *vouch_verdict_name(bool allow, bool would_deny)
{
	return !allow ? "deny" : would_deny ? "would-deny" : "allow";
}

uint64_t vouch_cpolicy_max_size(const struct vouch_cpolicy *cp)
{
	return cp->max_size ? cp->max_size : VOUCH_MAX_SIZE_DEFAULT;
}

const char *vouch_rule_name(enum vouch_rule r)
{
	return (unsigned)r < sizeof(rule_names) / sizeof(rule_names[0]) ? rule_names[r] : "?";
}

/* Which gate covers an event; 0 means always decided (an explicit question). */
static uint32_t gate_of(enum vouch_event ev)
{
	switch (ev) {
	case VOUCH_EV_EXEC:
		return VOUCH_GATE_EXEC;
	case VOUCH_EV_ELF_OPEN:
		return VOUCH_GATE_ELF;
	case VOUCH_EV_SHEBANG:
		return VOUCH_GATE_SHEBANG;
	case VOUCH_EV_INTERP_READ:
		return VOUCH_GATE_INTERP;
	case VOUCH_EV_CHECK:
	default:
		return 0;
	}
}

static const char *event_words(enum vouch_event ev)
{
	switch (ev) {
	case VOUCH_EV_EXEC:
		return "executing programs";
	case VOUCH_EV_ELF_OPEN:
		return "loading ELF objects";
	case VOUCH_EV_SHEBANG:
		return "starting #! scripts";
	case VOUCH_EV_INTERP_READ:
		return "scripts read by interpreters";
	default:
		return "this kind of access";
	}
}

void vouch_decide(const struct vouch_cpolicy *cp, const struct vouch_subject *subj,
                  const struct vouch_object *obj, const struct vouch_trust_rec *rec, int64_t now,
                  struct vouch_decision *out)
{
	uint32_t gate = gate_of(obj->event);
	uint32_t flags = rec ? rec->flags : 0;
	const char *s;
	char h[65], when[21], r[sizeof(out->reason) - 32];
	bool deny;

	/* No rule looks at the subject yet: who runs a file never makes it trusted. */
	(void)subj;
	memset(out, 0, sizeof(*out));
	out->manifest = VOUCH_NONE;
	if (obj->sha256)
		vouch_hex_encode(obj->sha256, 32, h);
	else
		snprintf(h, sizeof(h), "(not hashed)");

	if (gate && !(cp->gates & gate)) {
		out->allow = true;
		out->rule = VOUCH_RULE_NOT_GATED;
		snprintf(out->reason, sizeof(out->reason), "not gated: the policy does not gate %s",
		         event_words(obj->event));
		return;
	}
	/* Precedence, the same everywhere (vouch-policy(5)): expiry, then what is
	 * decided without a hash (too large, changing while checked), then an explicit
	 * deny over every allow, then a user-writable library, then a hash allow over
	 * manifest trust, then default deny. A file without a hash is never allowed. */
	if (cp->expires && now >= cp->expires) {
		vouch_time_format(cp->expires, when);
		out->rule = VOUCH_RULE_EXPIRED;
		out->message = vouch_cpolicy_string(cp, cp->message);
		deny = true;
		snprintf(r, sizeof(r),
		         "the policy expired at %s: nothing is vouched for until a current policy "
		         "is installed",
		         when);
	} else if (obj->size > vouch_cpolicy_max_size(cp)) {
		out->rule = VOUCH_RULE_TOO_LARGE;
		out->message = vouch_cpolicy_string(cp, cp->message);
		deny = true;
		snprintf(
		    r, sizeof(r),
		    "%llu bytes is more than the policy's max-size of %llu: no file that large "
		    "is decided as code, and it was not read",
		    (unsigned long long)obj->size, (unsigned long long)vouch_cpolicy_max_size(cp));
	} else if (obj->writers || !obj->sha256) {
		out->rule = VOUCH_RULE_WRITERS;
		out->message = vouch_cpolicy_string(cp, cp->message);
		deny = true;
		snprintf(r, sizeof(r),
		         "the file was open for writing while it was checked, so what would run "
		         "could differ from what was checked (close it everywhere and try again)");
	} else if (flags & VOUCH_TRUST_DENY) {
		out->rule = VOUCH_RULE_DENY_HASH;
		out->message = vouch_cpolicy_string(cp, rec->deny_msg);
		if (!out->message)
			out->message = vouch_cpolicy_string(cp, cp->message);
		deny = true;
		snprintf(r, sizeof(r), "denied by a deny rule for sha256 %s", h);
	} else if (obj->event == VOUCH_EV_ELF_OPEN && obj->user_writable) {
		out->rule = VOUCH_RULE_WRITABLE;
		out->message = vouch_cpolicy_string(cp, cp->message);
		deny = true;
		snprintf(r, sizeof(r),
		         "a shared object that uid %u can write is not loaded as code: it could be "
		         "changed after this check, while mapped (vouched-for libraries must be "
		         "owned by root and not group- or world-writable)",
		         (unsigned)obj->owner);
	} else if (flags & VOUCH_TRUST_ALLOW) {
		out->rule = VOUCH_RULE_ALLOW_HASH;
		deny = false;
		s = vouch_cpolicy_string(cp, rec->allow_msg);
		snprintf(r, sizeof(r), "allowed by an allow rule for sha256 %s%s%s", h,
		         s ? ": " : "", s ? s : "");
	} else if ((flags & VOUCH_TRUST_MANIFEST) && rec->manifest < cp->nmanifests) {
		const struct vouch_cmanifest *m = &cp->manifests[rec->manifest];
		const char *path = vouch_cpolicy_string(cp, m->path);
		const char *signer = m->signer < cp->nsigners
		                         ? vouch_cpolicy_string(cp, cp->signers[m->signer].name)
		                         : NULL;

		out->rule = VOUCH_RULE_MANIFEST;
		out->manifest = rec->manifest;
		deny = false;
		snprintf(r, sizeof(r), "listed in manifest %s signed by %s", path ? path : "?",
		         signer ? signer : "?");
	} else {
		out->rule = VOUCH_RULE_DEFAULT;
		out->message = vouch_cpolicy_string(cp, cp->message);
		deny = true;
		snprintf(r, sizeof(r),
		         "not vouched for: sha256 %s is in no allow rule and no trusted manifest",
		         h);
	}

	if (!deny) {
		out->allow = true;
		snprintf(out->reason, sizeof(out->reason), "%s", r);
	} else if (cp->mode == VOUCH_MODE_MONITOR) {
		out->allow = true;
		out->would_deny = true;
		snprintf(out->reason, sizeof(out->reason), "monitor mode, would deny: %s", r);
	} else {
		out->allow = false;
		snprintf(out->reason, sizeof(out->reason), "%s", r);
	}
}
