/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the decision engine: every rule, the precedence list, modes, expiry, gates. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vouch/decide.h"

enum { S_DEFAULT_MSG, S_DENY_MSG, S_ALLOW_NOTE, S_MANIFEST, S_SIGNER, S_COUNT };

static char *strings[S_COUNT] = {
    [S_DEFAULT_MSG] = "Ask the help desk.",
    [S_DENY_MSG] = "Withdrawn: use 2.4.1",
    [S_ALLOW_NOTE] = "site tool",
    [S_MANIFEST] = "base.manifest",
    [S_SIGNER] = "release-team",
};

static struct vouch_csigner signers[1] = {{.name = S_SIGNER}};
static struct vouch_cmanifest manifests[1] = {{.path = S_MANIFEST, .signer = 0, .entries = 3}};

static struct vouch_cpolicy policy(enum vouch_mode mode)
{
	struct vouch_cpolicy cp = {
	    .mode = mode,
	    .gates = VOUCH_GATE_DEFAULT,
	    .message = S_DEFAULT_MSG,
	    .strings = strings,
	    .nstrings = S_COUNT,
	    .signers = signers,
	    .nsigners = 1,
	    .manifests = manifests,
	    .nmanifests = 1,
	};
	return cp;
}

static const uint8_t hash_a[32] = {0xaa, 1, 2, 3};

static struct vouch_trust_rec rec_of(uint32_t flags)
{
	struct vouch_trust_rec r = {flags, VOUCH_NONE, VOUCH_NONE, VOUCH_NONE};

	if (flags & VOUCH_TRUST_DENY)
		r.deny_msg = S_DENY_MSG;
	if (flags & VOUCH_TRUST_ALLOW)
		r.allow_msg = S_ALLOW_NOTE;
	if (flags & VOUCH_TRUST_MANIFEST)
		r.manifest = 0;
	return r;
}

static struct vouch_decision decide_ev(const struct vouch_cpolicy *cp,
                                       const struct vouch_trust_rec *rec, enum vouch_event ev,
                                       int64_t now)
{
	struct vouch_subject subj = {.pid = 42, .uid = 1000, .exe = "/bin/sh"};
	struct vouch_object obj = {.event = ev, .sha256 = hash_a, .size = 10, .path = "/opt/x"};
	struct vouch_decision d;

	memset(&d, 0x5a, sizeof(d)); /* the engine must set every field */
	vouch_decide(cp, &subj, &obj, rec, now, &d);
	return d;
}

static struct vouch_decision decide(const struct vouch_cpolicy *cp,
                                    const struct vouch_trust_rec *rec)
{
	return decide_ev(cp, rec, VOUCH_EV_EXEC, 1000);
}

/* Decided without a hash: too large (not read), and changing while checked. */
static void test_unhashed_rules(void **state)
{
	struct vouch_cpolicy cp = policy(VOUCH_MODE_ENFORCE);
	struct vouch_trust_rec r = rec_of(VOUCH_TRUST_ALLOW | VOUCH_TRUST_MANIFEST);
	struct vouch_subject subj = {.pid = 42};
	struct vouch_object obj = {.event = VOUCH_EV_EXEC, .sha256 = hash_a, .size = 10};
	struct vouch_decision d;

	(void)state;
	assert_int_equal(vouch_cpolicy_max_size(&cp), VOUCH_MAX_SIZE_DEFAULT);
	obj.size = VOUCH_MAX_SIZE_DEFAULT;
	vouch_decide(&cp, &subj, &obj, &r, 1000, &d);
	assert_true(d.allow); /* at the limit: decided by its hash */
	obj.size = VOUCH_MAX_SIZE_DEFAULT + 1;
	obj.sha256 = NULL;
	vouch_decide(&cp, &subj, &obj, &r, 1000, &d);
	assert_false(d.allow);
	assert_int_equal(d.rule, VOUCH_RULE_TOO_LARGE);
	assert_string_equal(vouch_rule_name(d.rule), "too-large");
	assert_non_null(strstr(d.reason, "was not read"));
	assert_string_equal(d.message, "Ask the help desk.");
	cp.max_size = 4096;
	obj.size = 4097;
	obj.sha256 = hash_a; /* even hashed and vouched for, too large is too large */
	vouch_decide(&cp, &subj, &obj, &r, 1000, &d);
	assert_int_equal(d.rule, VOUCH_RULE_TOO_LARGE);
	obj.size = 10;
	obj.writers = true;
	vouch_decide(&cp, &subj, &obj, &r, 1000, &d);
	assert_false(d.allow);
	assert_int_equal(d.rule, VOUCH_RULE_WRITERS);
	assert_string_equal(vouch_rule_name(d.rule), "open-for-write");
	obj.writers = false;
	obj.sha256 = NULL; /* no hash and no other reason: never allowed */
	vouch_decide(&cp, &subj, &obj, &r, 1000, &d);
	assert_false(d.allow);
	assert_int_equal(d.rule, VOUCH_RULE_WRITERS);
	/* An explicit deny of the hash is not reached without one; expiry comes first. */
	cp.expires = 500;
	vouch_decide(&cp, &subj, &obj, &r, 1000, &d);
	assert_int_equal(d.rule, VOUCH_RULE_EXPIRED);
	/* Monitor mode: would deny, allowed. */
	cp = policy(VOUCH_MODE_MONITOR);
	obj.size = VOUCH_MAX_SIZE_DEFAULT + 1;
	vouch_decide(&cp, &subj, &obj, &r, 1000, &d);
	assert_true(d.allow);
	assert_true(d.would_deny);
	assert_int_equal(d.rule, VOUCH_RULE_TOO_LARGE);
	/* Not gated comes before all of it. */
	cp.gates = 0;
	vouch_decide(&cp, &subj, &obj, &r, 1000, &d);
	assert_int_equal(d.rule, VOUCH_RULE_NOT_GATED);
}

static void test_each_rule_enforce(void **state)
{
	struct vouch_cpolicy cp = policy(VOUCH_MODE_ENFORCE);
	struct vouch_trust_rec r;
	struct vouch_decision d;

	(void)state;
	r = rec_of(VOUCH_TRUST_DENY);
	d = decide(&cp, &r);
	assert_false(d.allow);
	assert_false(d.would_deny);
	assert_int_equal(d.rule, VOUCH_RULE_DENY_HASH);
	assert_string_equal(d.message, "Withdrawn: use 2.4.1");
	assert_non_null(strstr(d.reason, "deny rule"));
	assert_non_null(strstr(d.reason, "aa010203"));

	r = rec_of(VOUCH_TRUST_ALLOW);
	d = decide(&cp, &r);
	assert_true(d.allow);
	assert_int_equal(d.rule, VOUCH_RULE_ALLOW_HASH);
	assert_null(d.message);
	assert_non_null(strstr(d.reason, "allow rule"));
	assert_non_null(strstr(d.reason, "site tool"));

	r = rec_of(VOUCH_TRUST_MANIFEST);
	d = decide(&cp, &r);
	assert_true(d.allow);
	assert_int_equal(d.rule, VOUCH_RULE_MANIFEST);
	assert_int_equal(d.manifest, 0);
	assert_null(d.message);
	assert_string_equal(d.reason, "listed in manifest base.manifest signed by release-team");

	d = decide(&cp, NULL);
	assert_false(d.allow);
	assert_int_equal(d.rule, VOUCH_RULE_DEFAULT);
	assert_int_equal(d.manifest, VOUCH_NONE);
	assert_string_equal(d.message, "Ask the help desk.");
	assert_non_null(strstr(d.reason, "not vouched for"));

	/* A record with no flags (possible in a corrupt store) vouches for nothing. */
	r = rec_of(0);
	d = decide(&cp, &r);
	assert_false(d.allow);
	assert_int_equal(d.rule, VOUCH_RULE_DEFAULT);
}

static void test_precedence(void **state)
{
	struct vouch_cpolicy cp = policy(VOUCH_MODE_ENFORCE);
	struct vouch_trust_rec r;
	struct vouch_decision d;

	(void)state;
	/* An explicit deny beats every allow. */
	r = rec_of(VOUCH_TRUST_DENY | VOUCH_TRUST_ALLOW | VOUCH_TRUST_MANIFEST);
	d = decide(&cp, &r);
	assert_false(d.allow);
	assert_int_equal(d.rule, VOUCH_RULE_DENY_HASH);
	r = rec_of(VOUCH_TRUST_DENY | VOUCH_TRUST_MANIFEST);
	d = decide(&cp, &r);
	assert_false(d.allow);
	assert_int_equal(d.rule, VOUCH_RULE_DENY_HASH);
	r = rec_of(VOUCH_TRUST_DENY | VOUCH_TRUST_ALLOW);
	d = decide(&cp, &r);
	assert_int_equal(d.rule, VOUCH_RULE_DENY_HASH);
	/* A hash rule beats trust through a manifest. */
	r = rec_of(VOUCH_TRUST_ALLOW | VOUCH_TRUST_MANIFEST);
	d = decide(&cp, &r);
	assert_true(d.allow);
	assert_int_equal(d.rule, VOUCH_RULE_ALLOW_HASH);
	assert_int_equal(d.manifest, VOUCH_NONE);
}

static void test_deny_without_own_message_uses_default(void **state)
{
	struct vouch_cpolicy cp = policy(VOUCH_MODE_ENFORCE);
	struct vouch_trust_rec r = rec_of(VOUCH_TRUST_DENY);
	struct vouch_decision d;

	(void)state;
	r.deny_msg = VOUCH_NONE;
	d = decide(&cp, &r);
	assert_string_equal(d.message, "Ask the help desk.");
	cp.message = VOUCH_NONE;
	d = decide(&cp, &r);
	assert_null(d.message);
	d = decide(&cp, NULL);
	assert_null(d.message);
	assert_false(d.allow);
}

static void test_monitor_mode(void **state)
{
	struct vouch_cpolicy cp = policy(VOUCH_MODE_MONITOR);
	struct vouch_trust_rec r;
	struct vouch_decision d;

	(void)state;
	d = decide(&cp, NULL);
	assert_true(d.allow);
	assert_true(d.would_deny);
	assert_int_equal(d.rule, VOUCH_RULE_DEFAULT);
	assert_non_null(strstr(d.reason, "monitor mode, would deny"));
	r = rec_of(VOUCH_TRUST_DENY | VOUCH_TRUST_MANIFEST);
	d = decide(&cp, &r);
	assert_true(d.allow);
	assert_true(d.would_deny);
	assert_int_equal(d.rule, VOUCH_RULE_DENY_HASH);
	assert_string_equal(d.message, "Withdrawn: use 2.4.1");
	r = rec_of(VOUCH_TRUST_MANIFEST);
	d = decide(&cp, &r);
	assert_true(d.allow);
	assert_false(d.would_deny);
	assert_int_equal(d.rule, VOUCH_RULE_MANIFEST);
}

static void test_expiry(void **state)
{
	struct vouch_cpolicy cp = policy(VOUCH_MODE_ENFORCE);
	struct vouch_trust_rec r = rec_of(VOUCH_TRUST_ALLOW | VOUCH_TRUST_MANIFEST);
	struct vouch_decision d;

	(void)state;
	cp.expires = 2000;
	d = decide_ev(&cp, &r, VOUCH_EV_EXEC, 1999);
	assert_true(d.allow);
	assert_int_equal(d.rule, VOUCH_RULE_ALLOW_HASH);
	d = decide_ev(&cp, &r, VOUCH_EV_EXEC, 2000);
	assert_false(d.allow);
	assert_int_equal(d.rule, VOUCH_RULE_EXPIRED);
	assert_non_null(strstr(d.reason, "expired at 1970-01-01T00:33:20Z"));
	assert_string_equal(d.message, "Ask the help desk.");
	cp.mode = VOUCH_MODE_MONITOR;
	d = decide_ev(&cp, &r, VOUCH_EV_EXEC, 5000);
	assert_true(d.allow);
	assert_true(d.would_deny);
	assert_int_equal(d.rule, VOUCH_RULE_EXPIRED);
	/* No expiry: never expires. */
	cp.mode = VOUCH_MODE_ENFORCE;
	cp.expires = 0;
	d = decide_ev(&cp, &r, VOUCH_EV_EXEC, INT64_MAX);
	assert_true(d.allow);
}

static void test_gates(void **state)
{
	struct vouch_cpolicy cp = policy(VOUCH_MODE_ENFORCE);
	struct vouch_decision d;
	static const struct {
		enum vouch_event ev;
		uint32_t gate;
	} map[] = {
	    {VOUCH_EV_EXEC, VOUCH_GATE_EXEC},
	    {VOUCH_EV_ELF_OPEN, VOUCH_GATE_ELF},
	    {VOUCH_EV_SHEBANG, VOUCH_GATE_SHEBANG},
	    {VOUCH_EV_INTERP_READ, VOUCH_GATE_INTERP},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		cp.gates =
		    VOUCH_GATE_EXEC | VOUCH_GATE_ELF | VOUCH_GATE_SHEBANG | VOUCH_GATE_INTERP;
		d = decide_ev(&cp, NULL, map[i].ev, 0);
		assert_false(d.allow);
		assert_int_equal(d.rule, VOUCH_RULE_DEFAULT);
		cp.gates &= ~map[i].gate;
		d = decide_ev(&cp, NULL, map[i].ev, 0);
		assert_true(d.allow);
		assert_false(d.would_deny);
		assert_int_equal(d.rule, VOUCH_RULE_NOT_GATED);
		assert_non_null(strstr(d.reason, "not gated"));
	}
	/* The default gates leave interpreter reads alone. */
	cp.gates = VOUCH_GATE_DEFAULT;
	d = decide_ev(&cp, NULL, VOUCH_EV_INTERP_READ, 0);
	assert_int_equal(d.rule, VOUCH_RULE_NOT_GATED);
	/* An explicit question is always answered, whatever is gated. */
	cp.gates = 0;
	d = decide_ev(&cp, NULL, VOUCH_EV_CHECK, 0);
	assert_false(d.allow);
	assert_int_equal(d.rule, VOUCH_RULE_DEFAULT);
	/* Ungated beats even an expired policy and a deny: nothing is asked. */
	cp.expires = 1;
	{
		struct vouch_trust_rec r = rec_of(VOUCH_TRUST_DENY);

		d = decide_ev(&cp, &r, VOUCH_EV_EXEC, 10);
		assert_int_equal(d.rule, VOUCH_RULE_NOT_GATED);
	}
}

/* A path or name never decides: only the record for the content's hash does. */
static void test_path_never_decides(void **state)
{
	struct vouch_cpolicy cp = policy(VOUCH_MODE_ENFORCE);
	struct vouch_trust_rec trusted = rec_of(VOUCH_TRUST_MANIFEST);
	static const char *const paths[] = {"/usr/bin/ls", "/tmp/ls", "/home/u/.cache/x", NULL};
	static const uid_t uids[] = {0, 1000, 65534};

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		for (size_t u = 0; u < sizeof(uids) / sizeof(uids[0]); u++) {
			struct vouch_subject subj = {.pid = 1, .uid = uids[u], .exe = paths[i]};
			struct vouch_object obj = {
			    .event = VOUCH_EV_EXEC, .sha256 = hash_a, .size = 10, .path = paths[i]};
			struct vouch_decision d;

			/* A trusted file copied anywhere is still trusted... */
			vouch_decide(&cp, &subj, &obj, &trusted, 0, &d);
			assert_true(d.allow);
			assert_int_equal(d.rule, VOUCH_RULE_MANIFEST);
			/* ...and an untrusted file at a trusted path is not. */
			vouch_decide(&cp, &subj, &obj, NULL, 0, &d);
			assert_false(d.allow);
			assert_int_equal(d.rule, VOUCH_RULE_DEFAULT);
			assert_null(strstr(d.reason, "/usr/bin"));
		}
	}
}

/* A library someone other than root can write is refused even if vouched for; a program is not. */
static void test_writable(void **state)
{
	struct vouch_cpolicy cp = policy(VOUCH_MODE_ENFORCE);
	struct vouch_subject subj = {.pid = 42, .uid = 1000};
	struct vouch_object obj = {.event = VOUCH_EV_ELF_OPEN,
	                           .sha256 = hash_a,
	                           .size = 10,
	                           .user_writable = true,
	                           .owner = 1000};
	struct vouch_trust_rec r = rec_of(VOUCH_TRUST_MANIFEST), ra = rec_of(VOUCH_TRUST_ALLOW),
	                       rd = rec_of(VOUCH_TRUST_DENY);
	struct vouch_decision d;

	(void)state;
	vouch_decide(&cp, &subj, &obj, &r, 1000, &d);
	assert_false(d.allow);
	assert_int_equal(d.rule, VOUCH_RULE_WRITABLE);
	assert_non_null(strstr(d.reason, "uid 1000 can write"));
	vouch_decide(&cp, &subj, &obj, &ra, 1000, &d);
	assert_int_equal(d.rule, VOUCH_RULE_WRITABLE);
	/* An explicit deny still names itself; an expired policy still says so. */
	vouch_decide(&cp, &subj, &obj, &rd, 1000, &d);
	assert_int_equal(d.rule, VOUCH_RULE_DENY_HASH);
	/* Root-owned and not writable by others: decided by the trust set as before. */
	obj.user_writable = false;
	vouch_decide(&cp, &subj, &obj, &r, 1000, &d);
	assert_true(d.allow);
	assert_int_equal(d.rule, VOUCH_RULE_MANIFEST);
	/* Executables, #! scripts and explicit checks are not affected. */
	obj.user_writable = true;
	obj.event = VOUCH_EV_EXEC;
	vouch_decide(&cp, &subj, &obj, &r, 1000, &d);
	assert_true(d.allow);
	obj.event = VOUCH_EV_SHEBANG;
	vouch_decide(&cp, &subj, &obj, &r, 1000, &d);
	assert_true(d.allow);
	obj.event = VOUCH_EV_CHECK;
	vouch_decide(&cp, &subj, &obj, &r, 1000, &d);
	assert_true(d.allow);
	/* Monitor mode: allowed, recorded as would-deny. */
	cp = policy(VOUCH_MODE_MONITOR);
	obj.event = VOUCH_EV_ELF_OPEN;
	vouch_decide(&cp, &subj, &obj, &r, 1000, &d);
	assert_true(d.allow);
	assert_true(d.would_deny);
	assert_int_equal(d.rule, VOUCH_RULE_WRITABLE);
	/* A gate that is off is off. */
	cp.gates &= ~(uint32_t)VOUCH_GATE_ELF;
	vouch_decide(&cp, &subj, &obj, &r, 1000, &d);
	assert_int_equal(d.rule, VOUCH_RULE_NOT_GATED);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(vouch_rule_name(VOUCH_RULE_NOT_GATED), "not-gated");
	assert_string_equal(vouch_rule_name(VOUCH_RULE_EXPIRED), "expired");
	assert_string_equal(vouch_rule_name(VOUCH_RULE_DENY_HASH), "deny-hash");
	assert_string_equal(vouch_rule_name(VOUCH_RULE_ALLOW_HASH), "allow-hash");
	assert_string_equal(vouch_rule_name(VOUCH_RULE_MANIFEST), "manifest");
	assert_string_equal(vouch_rule_name(VOUCH_RULE_DEFAULT), "default");
	assert_string_equal(vouch_rule_name(VOUCH_RULE_WRITABLE), "writable");
	assert_string_equal(vouch_rule_name((enum vouch_rule)99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_each_rule_enforce),
	    cmocka_unit_test(test_unhashed_rules),
	    cmocka_unit_test(test_writable),
	    cmocka_unit_test(test_precedence),
	    cmocka_unit_test(test_deny_without_own_message_uses_default),
	    cmocka_unit_test(test_monitor_mode),
	    cmocka_unit_test(test_expiry),
	    cmocka_unit_test(test_gates),
	    cmocka_unit_test(test_path_never_decides),
	    cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("decide", tests, NULL, NULL);
}
