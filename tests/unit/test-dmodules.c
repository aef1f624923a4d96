/* SPDX-License-Identifier: Apache-2.0 */
/* vouchd's modules that need no fanotify: the ring, the verdict rule, and the policy module. */
#include "test-util.h"

#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"

/* The policy module tells the log writer of a new policy; no log here. */
void dlog_policy(struct daemon *d)
{
	(void)d;
}

/* ... and says when it enforces something else than the store: counted here. */
static unsigned warnings;
void logf_(const char *fmt, ...)
{
	(void)fmt;
	warnings++;
}

static void test_ring(void **state)
{
	struct ring r;
	struct ring_stats s;
	int v;

	(void)state;
	assert_int_equal(ring_init(&r, 0, sizeof(int)), -EINVAL);
	assert_int_equal(ring_init(&r, 3, sizeof(int)), 0);
	assert_false(ring_pop(&r, &v));
	/* Around the end of the buffer several times: order kept, bound held. */
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < 3; i++)
			assert_true(ring_push(&r, &(int){round * 10 + i}));
		assert_false(ring_push(&r, &(int){99})); /* full: refused, counted */
		for (int i = 0; i < 2; i++) {
			assert_true(ring_pop(&r, &v));
			assert_int_equal(v, round * 10 + i);
		}
		assert_true(ring_pop(&r, &v));
		assert_int_equal(v, round * 10 + 2);
	}
	ring_stats(&r, &s);
	assert_int_equal(s.len, 0);
	assert_int_equal(s.max, 3);
	assert_int_equal(s.cap, 3);
	assert_int_equal(s.pushed, 15);
	assert_int_equal(s.dropped, 5);
	ring_free(&r);
}

static struct job job_for(const struct stat *st, bool served)
{
	struct job j;

	memset(&j, 0, sizeof(j));
	cache_key_from_stat(&j.key, st, CACHE_EXEC);
	j.changeable = verdict_changeable(st, served);
	return j;
}

/* A verdict is kept only for a file that only root can change, and only by its own policy. */
static void test_verdict(void **state)
{
	struct cache *c = cache_create(8);
	struct stat st = {.st_dev = 5, .st_ino = 7, .st_mode = S_IFREG | 0755, .st_size = 100};
	struct cache_val v = {.code = true, .allow = true}, got;
	struct job j;

	(void)state;
	assert_non_null(c);
	j = job_for(&st, false);
	assert_false(j.changeable);
	assert_false(verdict_get(c, 1, &j, &got));
	verdict_keep(c, 1, &j, false, &v);
	assert_true(verdict_get(c, 1, &j, &got));
	assert_true(got.allow);
	assert_false(verdict_get(c, 2, &j, &got)); /* another policy: not this one's verdict */
	/* A writer seen during the check: not kept. */
	st.st_ino = 8;
	j = job_for(&st, false);
	verdict_keep(c, 1, &j, true, &v);
	assert_false(verdict_get(c, 1, &j, &got));
	/* Owned by a user, group- or world-writable, or on FUSE: never kept, never found. */
	{
		static const struct {
			uid_t uid;
			mode_t mode;
			bool served;
		} changeable[] = {
		    {1000, 0755, false}, {0, 0775, false}, {0, 0757, false}, {0, 0755, true}};

		for (size_t i = 0; i < sizeof(changeable) / sizeof(changeable[0]); i++) {
			st.st_ino = 20 + i;
			st.st_uid = changeable[i].uid;
			st.st_mode = S_IFREG | changeable[i].mode;
			j = job_for(&st, changeable[i].served);
			assert_true(j.changeable);
			verdict_keep(c, 1, &j, false, &v);
			assert_false(verdict_get(c, 1, &j, &got));
			/* Even if something had put one there. */
			cache_put(c, &j.key, 1, &v);
			assert_false(verdict_get(c, 1, &j, &got));
		}
	}
	/* A change of the file (ctime, size) is another key. */
	st.st_uid = 0;
	st.st_mode = S_IFREG | 0755;
	st.st_ino = 7;
	st.st_ctim.tv_nsec = 1;
	j = job_for(&st, false);
	assert_false(verdict_get(c, 1, &j, &got));
	cache_destroy(c);
}

/* A store with one trusted hash, one denied hash, and 'max-size 4K'. */
static void make_store(const char *path, const uint8_t good[32], const uint8_t bad[32],
                       enum vouch_mode mode, int64_t compiled, const char *copy)
{
	static char *strings[] = {"Ask the desk.", "base.manifest", "owner"};
	struct vouch_csigner signer = {.name = 2};
	struct vouch_cmanifest man = {.path = 1, .signer = 0, .entries = 1};
	struct vouch_cpolicy cp = {
	    .mode = mode,
	    .gates = VOUCH_GATE_DEFAULT,
	    .compiled = compiled,
	    .max_size = 4096,
	    .message = 0,
	    .strings = strings,
	    .nstrings = 3,
	    .signers = &signer,
	    .nsigners = 1,
	    .manifests = &man,
	    .nmanifests = 1,
	    .source = "mode enforce\n",
	};
	struct vouch_trust_entry e[2];
	struct vouch_seckey sk;
	struct vouch_pubkey pk;
	struct vouch_bundle b;
	struct vouch_sig sig;
	uint8_t *buf = NULL;
	size_t len = 0;
	int lo = memcmp(good, bad, 32) < 0 ? 0 : 1;

	memcpy(e[lo].sha256, good, 32);
	e[lo].rec = (struct vouch_trust_rec){VOUCH_TRUST_MANIFEST, VOUCH_NONE, VOUCH_NONE, 0};
	memcpy(e[1 - lo].sha256, bad, 32);
	e[1 - lo].rec =
	    (struct vouch_trust_rec){VOUCH_TRUST_DENY, VOUCH_NONE, VOUCH_NONE, VOUCH_NONE};
	assert_err(test_keypair_generate(&sk, &pk), 0);
	assert_err(vouch_bundle_serialize(&cp, e, 2, &buf, &len), 0);
	assert_err(test_bundle_seal(&buf, &len, &sk, "daemon module test"), 0);
	assert_err(vouch_bundle_parse(&b, &sig, buf, len), 0);
	assert_err(vouch_store_install(path, &b), 0);
	if (copy) /* the copy an install keeps beside the store */
		assert_err(vouch_file_write_atomic(copy, buf, len, 0644, 0), 0);
	vouch_bundle_free(&b);
	vouch_wipe(&sk, sizeof(sk));
	free(buf);
}

/* The policy module: loaded from the store, decides by it, swapped whole on reload. */
static void test_policy(void **state)
{
	const char *dir = *state;
	static struct daemon d;
	uint8_t good[32], bad[32], other[32];
	struct vouch_subject subj = {.pid = 1};
	struct vouch_object obj = {.event = VOUCH_EV_EXEC, .size = 100};
	struct vouch_decision dec;
	char msg[VOUCH_MESSAGE_MAX + 1], err[300];

	memset(good, 0x11, 32);
	memset(bad, 0x22, 32);
	memset(other, 0x33, 32);
	memset(&d, 0, sizeof(d));
	pthread_rwlock_init(&d.plock, NULL);
	snprintf(d.store_path, sizeof(d.store_path), "%s/trust.mdb", dir);
	snprintf(d.bundle_path, sizeof(d.bundle_path), "%s/policy.bundle", dir);
	/* Nothing installed: vouchd starts all the same, in monitor mode, trusting nothing. */
	warnings = 0;
	assert_int_equal(policy_load(&d, err, sizeof(err)), 0);
	assert_int_equal(d.pol->src, POLICY_NONE);
	assert_int_equal(d.pol->count, 0);
	assert_false(atomic_load(&d.enforce));
	assert_non_null(strstr(d.pol->problem, "no policy is installed"));
	assert_int_equal(warnings, 1);
	obj.sha256 = good;
	assert_int_equal(policy_decide(&d, &subj, &obj, &dec, msg), 1);
	assert_true(dec.allow);
	assert_true(dec.would_deny);
	assert_int_equal(dec.rule, VOUCH_RULE_DEFAULT);
	/* A reload with still nothing installed fails, and nothing changes. */
	assert_int_not_equal(policy_load(&d, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "cannot open the trust store"));
	assert_int_equal(atomic_load(&d.gen), 1);
	assert_int_equal(d.pol->src, POLICY_NONE);
	make_store(d.store_path, good, bad, VOUCH_MODE_ENFORCE, 1000, NULL);
	assert_int_equal(policy_load(&d, err, sizeof(err)), 0);
	assert_int_equal(atomic_load(&d.gen), 2);
	assert_int_equal(d.pol->src, POLICY_STORE);
	assert_int_equal(d.pol->count, 2);
	assert_true(atomic_load(&d.enforce));
	assert_int_equal(policy_max_size(&d), 4096);
	obj.sha256 = good;
	assert_int_equal(policy_decide(&d, &subj, &obj, &dec, msg), 2);
	assert_true(dec.allow);
	assert_int_equal(dec.rule, VOUCH_RULE_MANIFEST);
	obj.sha256 = bad;
	policy_decide(&d, &subj, &obj, &dec, msg);
	assert_false(dec.allow);
	assert_int_equal(dec.rule, VOUCH_RULE_DENY_HASH);
	assert_string_equal(dec.message, "Ask the desk.");
	assert_ptr_equal(dec.message, msg); /* copied: the policy may go once the lock is dropped */
	obj.sha256 = other;
	policy_decide(&d, &subj, &obj, &dec, msg);
	assert_int_equal(dec.rule, VOUCH_RULE_DEFAULT);
	obj.sha256 = NULL;
	obj.size = 5000;
	policy_decide(&d, &subj, &obj, &dec, msg);
	assert_int_equal(dec.rule, VOUCH_RULE_TOO_LARGE);
	/* A new policy (monitor mode now) replaces the old whole, under a new generation. */
	make_store(d.store_path, good, bad, VOUCH_MODE_MONITOR, 2000, NULL);
	assert_int_equal(policy_load(&d, err, sizeof(err)), 0);
	assert_int_equal(atomic_load(&d.gen), 3);
	assert_false(atomic_load(&d.enforce));
	obj.sha256 = bad;
	obj.size = 100;
	assert_int_equal(policy_decide(&d, &subj, &obj, &dec, msg), 3);
	assert_true(dec.allow);
	assert_true(dec.would_deny);
	/* A broken store put in its place (renamed over it, as installs do: the one in use
	 * stays mapped): the old policy stays in force. */
	{
		char tmp[PATH_MAX + 8];
		FILE *f;

		snprintf(tmp, sizeof(tmp), "%s.junk", d.store_path);
		f = fopen(tmp, "w");
		assert_non_null(f);
		fputs("not a store", f);
		fclose(f);
		assert_int_equal(rename(tmp, d.store_path), 0);
	}
	assert_int_not_equal(policy_load(&d, err, sizeof(err)), 0);
	assert_int_equal(atomic_load(&d.gen), 3);
	assert_int_equal(d.pol->src, POLICY_STORE);
	policy_decide(&d, &subj, &obj, &dec, msg);
	assert_true(dec.would_deny);
	policy_unload(&d);
	assert_null(d.pol);
	pthread_rwlock_destroy(&d.plock);
}

static void put(const char *path, const char *text)
{
	char tmp[PATH_MAX + 8];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.junk", path);
	f = fopen(tmp, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(rename(tmp, path), 0);
}

/*
 * A store damaged at start: the copy of its bundle is enforced instead, as it
 * decides; with the copy damaged too, monitor mode and nothing trusted. Loudly.
 */
static void test_policy_fallback(void **state)
{
	const char *dir = *state;
	static struct daemon d;
	uint8_t good[32], bad[32], other[32];
	struct vouch_subject subj = {.pid = 1};
	struct vouch_object obj = {.event = VOUCH_EV_EXEC, .size = 100};
	struct vouch_decision dec;
	char msg[VOUCH_MESSAGE_MAX + 1], err[300];

	memset(good, 0x11, 32);
	memset(bad, 0x22, 32);
	memset(other, 0x33, 32);
	memset(&d, 0, sizeof(d));
	pthread_rwlock_init(&d.plock, NULL);
	snprintf(d.store_path, sizeof(d.store_path), "%s/trust.mdb", dir);
	snprintf(d.bundle_path, sizeof(d.bundle_path), "%s/policy.bundle", dir);
	make_store(d.store_path, good, bad, VOUCH_MODE_ENFORCE, 1000, d.bundle_path);
	put(d.store_path, "not a store");
	warnings = 0;
	assert_int_equal(policy_load(&d, err, sizeof(err)), 0);
	assert_int_equal(d.pol->src, POLICY_BUNDLE);
	assert_int_equal(warnings, 1);
	assert_non_null(strstr(d.pol->problem, "cannot be opened"));
	assert_non_null(strstr(d.pol->problem, "policy.bundle"));
	assert_true(atomic_load(&d.enforce));
	assert_int_equal(policy_max_size(&d), 4096);
	assert_int_equal(d.pol->count, 2);
	obj.sha256 = good;
	policy_decide(&d, &subj, &obj, &dec, msg);
	assert_true(dec.allow);
	assert_int_equal(dec.rule, VOUCH_RULE_MANIFEST);
	obj.sha256 = bad;
	policy_decide(&d, &subj, &obj, &dec, msg);
	assert_false(dec.allow);
	assert_int_equal(dec.rule, VOUCH_RULE_DENY_HASH);
	assert_string_equal(dec.message, "Ask the desk.");
	obj.sha256 = other;
	policy_decide(&d, &subj, &obj, &dec, msg);
	assert_false(dec.allow);
	assert_int_equal(dec.rule, VOUCH_RULE_DEFAULT);
	/* A good store installed again: a reload puts it in force. */
	make_store(d.store_path, good, bad, VOUCH_MODE_ENFORCE, 2000, d.bundle_path);
	assert_int_equal(policy_load(&d, err, sizeof(err)), 0);
	assert_int_equal(d.pol->src, POLICY_STORE);
	policy_unload(&d);
	/* Both damaged (the bundle cut short): monitor mode, an empty trust set. */
	put(d.store_path, "not a store");
	put(d.bundle_path, "VOUCHPOL");
	warnings = 0;
	assert_int_equal(policy_load(&d, err, sizeof(err)), 0);
	assert_int_equal(d.pol->src, POLICY_NONE);
	assert_int_equal(warnings, 1);
	assert_false(atomic_load(&d.enforce));
	assert_non_null(strstr(d.pol->problem, "nor its bundle"));
	obj.sha256 = good;
	policy_decide(&d, &subj, &obj, &dec, msg);
	assert_true(dec.allow);
	assert_true(dec.would_deny);
	policy_unload(&d);
	/* A FIFO in the bundle's place is refused, never waited on. */
	assert_int_equal(unlink(d.bundle_path), 0);
	assert_int_equal(mkfifo(d.bundle_path, 0644), 0);
	assert_int_equal(policy_load(&d, err, sizeof(err)), 0);
	assert_int_equal(d.pol->src, POLICY_NONE);
	assert_non_null(strstr(d.pol->problem, "not a regular file"));
	policy_unload(&d);
	pthread_rwlock_destroy(&d.plock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ring),
	    cmocka_unit_test(test_verdict),
	    cmocka_unit_test_setup_teardown(test_policy, dir_setup, dir_teardown),
	    cmocka_unit_test_setup_teardown(test_policy_fallback, dir_setup, dir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
