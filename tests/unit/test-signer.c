/* SPDX-License-Identifier: Apache-2.0 */
/* The signer interface: Ed25519 known answers, round trips, guarded memory, and a fake signer. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-util.h"

/* RFC 8032 section 7.1, TEST 1 and TEST 2. */
static const char T1_SEED[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char T1_PK[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
static const char T1_SIG[] = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555f"
                             "b8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
static const char T2_SEED[] = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
static const char T2_PK[] = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
static const char T2_SIG[] = "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da08"
                             "5ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";
static const char MESSAGE[] = "The quick brown fox jumps over the lazy dog";

static void sign_ok(const struct vouch_signer *s, const void *msg, size_t len, uint8_t sig[64])
{
	uint8_t buf[VOUCH_SIGNER_SIG_MAX];
	size_t n = 0;

	assert_err(vouch_signer_sign(s, msg, len, buf, sizeof(buf), &n), 0);
	assert_int_equal(n, 64);
	memcpy(sig, buf, 64);
}

static void ed25519_known_answers(void **state)
{
	static const struct {
		const char *seed, *pk, *sig, *msg;
	} v[] = {{T1_SEED, T1_PK, T1_SIG, ""}, {T2_SEED, T2_PK, T2_SIG, "r"}};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct vouch_signer s;
		uint8_t seed[32], sig[64];

		unhex(v[i].seed, seed, 32);
		assert_err(vouch_signer_ed25519(&s, seed), 0);
		assert_int_equal(s.alg, VOUCH_SIGNER_ED25519);
		assert_int_equal(s.pklen, 32);
		assert_int_equal(s.sig_max, 64);
		assert_hex_equal(s.pk, 32, v[i].pk);
		sign_ok(&s, v[i].msg, strlen(v[i].msg), sig);
		assert_hex_equal(sig, 64, v[i].sig);
		/* Deterministic: the same bytes again. */
		sign_ok(&s, v[i].msg, strlen(v[i].msg), sig);
		assert_hex_equal(sig, 64, v[i].sig);
		assert_err(
		    vouch_ed25519_verify(s.pk, (const uint8_t *)v[i].msg, strlen(v[i].msg), sig),
		    0);
		vouch_signer_destroy(&s);
		assert_int_equal(s.alg, VOUCH_SIGNER_NONE);
		assert_null(s.ctx);
	}
}

/* Signed by one key, verified by it; refused under another key, another message, any bit flip. */
static void ed25519_round_trip_wrong_key(void **state)
{
	struct vouch_signer a, b;
	uint8_t seed[32], sig[64], other[64];
	const uint8_t *m = (const uint8_t *)MESSAGE;
	size_t len = strlen(MESSAGE);

	(void)state;
	rng_state = 13;
	for (size_t i = 0; i < 32; i++)
		seed[i] = (uint8_t)rng();
	assert_err(vouch_signer_ed25519(&a, seed), 0);
	seed[0] ^= 1;
	assert_err(vouch_signer_ed25519(&b, seed), 0);
	vouch_wipe(seed, sizeof(seed));
	assert_memory_not_equal(a.pk, b.pk, 32);
	sign_ok(&a, m, len, sig);
	sign_ok(&b, m, len, other);
	assert_memory_not_equal(sig, other, 64);
	assert_err(vouch_ed25519_verify(a.pk, m, len, sig), 0);
	assert_err(vouch_ed25519_verify(b.pk, m, len, sig), VOUCH_E_BADSIG);
	assert_err(vouch_ed25519_verify(a.pk, m, len - 1, sig), VOUCH_E_BADSIG);
	for (size_t i = 0; i < 64 * 8; i++) {
		sig[i / 8] ^= (uint8_t)(1u << (i % 8));
		if (vouch_ed25519_verify(a.pk, m, len, sig) == 0)
			fail_msg("signature with bit %zu flipped verifies", i);
		sig[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	vouch_signer_destroy(&a);
	vouch_signer_destroy(&b);
}

/* vouch_signer_sign() checks what it can before and after the implementation. */
static void sign_checks(void **state)
{
	struct vouch_signer s, empty;
	uint8_t seed[32] = {1}, sig[VOUCH_SIGNER_SIG_MAX];
	size_t n = 0;

	(void)state;
	memset(&empty, 0, sizeof(empty));
	assert_err(vouch_signer_sign(&empty, (const uint8_t *)"m", 1, sig, sizeof(sig), &n),
	           VOUCH_E_ALG);
	assert_err(vouch_signer_ed25519(&s, seed), 0);
	assert_err(vouch_signer_sign(&s, (const uint8_t *)"m", 1, sig, 63, &n), VOUCH_E_RANGE);
	assert_err(vouch_signer_sign(&s, (const uint8_t *)"m", 1, sig, 64, &n), 0);
	assert_int_equal(n, 64);
	/* An empty message is a message. */
	assert_err(vouch_signer_sign(&s, NULL, 0, sig, sizeof(sig), &n), 0);
	vouch_signer_destroy(&s);
	/* Destroy is idempotent and takes NULL and empty structs. */
	vouch_signer_destroy(&s);
	vouch_signer_destroy(&empty);
	vouch_signer_destroy(NULL);
	assert_err(vouch_signer_sign(&s, (const uint8_t *)"m", 1, sig, sizeof(sig), &n),
	           VOUCH_E_ALG);
}

/* ---- guarded memory ---- */

static void on_fault(int sig)
{
	(void)sig;
	_exit(77);
}

/*
 * Run @fn(@p) in a child: true if the access did not complete (the child faulted:
 * our handler's exit 77, or a sanitizer's report and abort where it keeps the
 * signal for itself), false if the child went on to exit 0.
 */
static bool faults(void (*fn)(volatile uint8_t *), volatile uint8_t *p)
{
	pid_t pid = fork();
	int status = 0;

	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGSEGV, on_fault);
		signal(SIGBUS, on_fault);
		fn(p);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void do_read(volatile uint8_t *p)
{
	uint8_t v = *p;

	(void)v;
}

static void do_write(volatile uint8_t *p)
{
	*p = 0x42;
}

/*
 * The line @key of the /proc/self/smaps block of the mapping holding @addr
 * ("Locked:" in kB, or "VmFlags:" as text) into @out; false if not found.
 */
static bool smaps_field(const void *addr, const char *key, char *out, size_t cap)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[512];
	bool in = false, found = false;
	uintptr_t a = (uintptr_t)addr;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = a >= lo && a < hi;
			continue;
		}
		if (in && !strncmp(line, key, strlen(key))) {
			snprintf(out, cap, "%s", line + strlen(key));
			found = true;
		}
	}
	fclose(f);
	return found;
}

/* The mapping holding @p is locked against swap (where locking is allowed) and not dumped. */
static void assert_guarded(const void *p)
{
	char v[256];

	assert_true(smaps_field(p, "VmFlags:", v, sizeof(v)));
	if (!strstr(v, " dd"))
		fail_msg("guarded memory is not excluded from core dumps: VmFlags:%s", v);
#ifndef __SANITIZE_ADDRESS__ /* ASan makes mlock() a no-op that succeeds */
	assert_true(smaps_field(p, "Locked:", v, sizeof(v)));
	if (strtoul(v, NULL, 10) == 0) {
		struct rlimit rl;

		/* mlock() may be refused (RLIMIT_MEMLOCK 0); the rest holds regardless. */
		if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur >= 65536)
			fail_msg("guarded memory is not locked: Locked:%s", v);
	}
#endif
}

/*
 * The Ed25519 signer's key sits in guarded memory: a page excluded from core dumps
 * and locked, read-only after construction, a guard page right after it, and gone
 * (unmapped, so nothing can read it) once the signer is destroyed. The struct the
 * caller holds has the public key, not the seed.
 */
static void ed25519_guarded(void **state)
{
	struct vouch_signer s;
	uint8_t seed[32], back[32];
	volatile uint8_t *key;

	(void)state;
	unhex(T1_SEED, seed, 32);
	assert_err(vouch_signer_ed25519(&s, seed), 0);
	key = s.ctx;
	assert_non_null(key);
	assert_err(vouch_signer_ed25519_seed(&s, back), 0);
	assert_memory_equal(back, seed, 32);
	assert_null(memmem(&s, sizeof(s), seed, 32));
	assert_guarded((const void *)key);
	assert_false(faults(do_read, key));
	assert_true(faults(do_write, key));
	/* libsodium's secret key is seed || pk, 64 bytes, with the guard page at its end. */
	assert_false(faults(do_read, key + 63));
	assert_true(faults(do_read, key + 64));
	vouch_signer_destroy(&s);
	assert_true(faults(do_read, key));
	vouch_wipe(seed, sizeof(seed));
	vouch_wipe(back, sizeof(back));
}

/* A decrypted minisign key, and a parsed note key, also live in guarded memory only. */
static void keys_guarded(void **state)
{
	struct vouch_seckey *sk = NULL;
	struct vouch_pubkey pk;
	struct vouch_note_skey nk;
	uint8_t seed[32];
	volatile uint8_t *p;
	static const char skey[] =
	    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";

	(void)state;
	assert_err(vouch_keypair_generate(&sk, &pk), 0);
	assert_guarded(sk);
	p = (volatile uint8_t *)sk;
	assert_true(faults(do_read, p + sizeof(*sk)));
	vouch_seckey_free(sk);
	assert_true(faults(do_read, p));
	vouch_seckey_free(NULL);

	assert_err(vouch_note_skey_parse(&nk, skey, strlen(skey)), 0);
	assert_err(vouch_signer_ed25519_seed(&nk.signer, seed), 0);
	/* The struct holds the name, ID, public key and a pointer, never the seed. */
	assert_null(memmem(&nk, sizeof(nk), seed, 32));
	assert_guarded(nk.signer.ctx);
	p = nk.signer.ctx;
	vouch_note_skey_destroy(&nk);
	assert_int_equal(nk.signer.alg, VOUCH_SIGNER_NONE);
	assert_true(faults(do_read, p));
	vouch_note_skey_destroy(&nk);
	vouch_note_skey_destroy(NULL);
	vouch_wipe(seed, sizeof(seed));
}

/* The header's promise: one Ed25519 signer signs from several threads at once. */
struct worker {
	const struct vouch_signer *s;
	int bad;
};

static void *sign_many(void *arg)
{
	struct worker *w = arg;
	uint8_t want[64], sig[VOUCH_SIGNER_SIG_MAX];

	unhex(T2_SIG, want, 64);
	for (int i = 0; i < 200; i++) {
		size_t n = 0;

		if (vouch_signer_sign(w->s, (const uint8_t *)"r", 1, sig, sizeof(sig), &n) ||
		    n != 64 || memcmp(sig, want, 64))
			w->bad++;
	}
	return NULL;
}

static void ed25519_threads(void **state)
{
	struct vouch_signer s;
	struct worker w[4];
	pthread_t t[4];
	uint8_t seed[32];

	(void)state;
	unhex(T2_SEED, seed, 32);
	assert_err(vouch_signer_ed25519(&s, seed), 0);
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){&s, 0};
		assert_int_equal(pthread_create(&t[i], NULL, sign_many, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].bad, 0);
	}
	vouch_signer_destroy(&s);
}

/* ---- a signer that is not Ed25519 ---- */

/*
 * A stand-in for the TPM's ECDSA P-256 key: a 65-byte public key and signatures
 * of 70 to 72 bytes (DER's length varies), here SHA-256 of the message spread
 * over the length, with a count of calls and destroys. Not a real signature: it
 * shows what the callers assume of a signer, and what they do not.
 */
struct fake {
	unsigned calls, destroyed;
	size_t next_len; /* what the next signature's length will be */
	int fail;        /* returned instead of signing when non-zero */
};

static int fake_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t *sig, size_t *siglen)
{
	struct fake *f = ctx;
	uint8_t d[32];

	f->calls++;
	if (f->fail)
		return f->fail;
	assert_err(vouch_sha256(msg, len, d), 0);
	sig[0] = 0x30;
	sig[1] = (uint8_t)(f->next_len - 2);
	for (size_t i = 2; i < f->next_len; i++)
		sig[i] = d[i % 32];
	*siglen = f->next_len;
	return 0;
}

static void fake_destroy(void *ctx)
{
	((struct fake *)ctx)->destroyed++;
}

static void fake_signer(struct vouch_signer *s, struct fake *f, size_t siglen)
{
	memset(f, 0, sizeof(*f));
	f->next_len = siglen;
	memset(s, 0, sizeof(*s));
	s->alg = VOUCH_SIGNER_ECDSA_P256;
	s->pk[0] = 0x04;
	for (size_t i = 1; i < 65; i++)
		s->pk[i] = (uint8_t)i;
	s->pklen = 65;
	s->sig_max = 72;
	s->sign = fake_sign;
	s->destroy = fake_destroy;
	s->ctx = f;
}

static void fake_through_interface(void **state)
{
	struct vouch_signer s;
	struct fake f;
	uint8_t sig[VOUCH_SIGNER_SIG_MAX + 8];
	size_t n = 0;

	(void)state;
	fake_signer(&s, &f, 71);
	assert_err(vouch_signer_sign(&s, (const uint8_t *)"m", 1, sig, VOUCH_SIGNER_SIG_MAX, &n),
	           0);
	assert_int_equal(n, 71);
	assert_int_equal(sig[0], 0x30);
	/* A signer that writes more than it promised: nothing of it is used. */
	f.next_len = 73;
	memset(sig, 0, sizeof(sig));
	assert_err(vouch_signer_sign(&s, (const uint8_t *)"m", 1, sig, sizeof(sig), &n),
	           VOUCH_E_CRYPTO);
	assert_int_equal(sig[0], 0);
	/* Its own errors come back as they are (a TPM gone away). */
	f.fail = -EIO;
	assert_err(vouch_signer_sign(&s, (const uint8_t *)"m", 1, sig, sizeof(sig), &n), -EIO);
	vouch_signer_destroy(&s);
	assert_int_equal(f.destroyed, 1);
	vouch_signer_destroy(&s);
	assert_int_equal(f.destroyed, 1);
}

/* Decode the base64 of a note's signature line into @raw; its decoded length. */
static size_t note_sig(const char *note, size_t len, const char *name, uint8_t *raw, size_t cap)
{
	const char *p = memmem(note, len, "\n\n\xe2\x80\x94 ", 6), *b64, *eol;
	size_t n = 0;

	assert_non_null(p);
	p += 6;
	assert_memory_equal(p, name, strlen(name));
	b64 = p + strlen(name) + 1;
	eol = memchr(b64, '\n', len - (size_t)(b64 - note));
	assert_non_null(eol);
	assert_err(vouch_b64_decode(raw, cap, &n, b64, (size_t)(eol - b64)), 0);
	return n;
}

/*
 * A note (a checkpoint, later a stamp) signed by a P-256-shaped signer: its key ID
 * is computed over type 0x02 and the 65-byte key, and its signature line carries
 * the whole 72-byte signature. Minisign signatures and bundle seals, Ed25519 by
 * format, refuse the signer without asking it to sign.
 */
static void fake_in_notes_refused_by_minisign(void **state)
{
	static const char text[] = "example.org/device-log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+"
	                           "Nw7/RgQyg=\n";
	static const char vkey[] =
	    "example.org/device-log+8980cee6+AdPgSH/KWo1eEN1qvW/iMdtrMFviaDgjoj/M3xYpcYNH";
	struct vouch_signer s;
	struct vouch_note_skey k;
	struct vouch_note_vkey other;
	struct vouch_sig sig;
	struct fake f;
	uint8_t raw[128], buf[VOUCH_NOTE_NAME_MAX + 2 + 65], d[32], keyid[VOUCH_KEYID_LEN] = {0};
	char note[1024], kt[VOUCH_NOTE_SKEY_MAX];
	size_t len = 0, n, tlen = 0, blen;
	uint8_t *payload;

	(void)state;
	fake_signer(&s, &f, 72);
	assert_err(vouch_note_skey_init(&k, "bad name", &s), VOUCH_E_RANGE);
	assert_int_equal(s.alg, VOUCH_SIGNER_ECDSA_P256); /* still the caller's */
	assert_err(vouch_note_skey_init(&k, "example.org/device-log", &s), 0);
	assert_int_equal(s.alg, VOUCH_SIGNER_NONE); /* taken over */
	n = strlen("example.org/device-log");
	memcpy(buf, "example.org/device-log\n\x02", n + 2);
	memcpy(buf + n + 2, k.signer.pk, 65);
	assert_err(vouch_sha256(buf, n + 2 + 65, d), 0);
	assert_int_equal(k.v.id, vouch_load32_be(d));
	assert_err(vouch_note_sign(&k, text, strlen(text), note, sizeof(note), &len), 0);
	n = note_sig(note, len, "example.org/device-log", raw, sizeof(raw));
	assert_int_equal(n, 4 + 72);
	assert_int_equal(vouch_load32_be(raw), k.v.id);
	assert_int_equal(raw[4], 0x30);
	/* Only a key file's signer can be written out. */
	assert_err(vouch_note_skey_format(&k, kt), VOUCH_E_ALG);
	assert_string_equal(kt, "");
	/* A verifier of another key ignores the signature, as C2SP says. */
	assert_err(vouch_note_vkey_parse(&other, vkey, strlen(vkey)), 0);
	assert_err(vouch_note_open(&other, note, len, &tlen), VOUCH_E_WRONGKEY);
	/* The signer's failure is the note's. */
	f.fail = -EIO;
	assert_err(vouch_note_sign(&k, text, strlen(text), note, sizeof(note), &len), -EIO);
	f.fail = 0;

	/* minisign: Ed25519 only, refused before any signature is asked for. */
	f.calls = 0;
	assert_err(vouch_sig_sign(&sig, &k.signer, keyid, VOUCH_SIG_LEGACY, (const uint8_t *)"m", 1,
	                          "u", "t"),
	           VOUCH_E_ALG);
	blen = 16;
	payload = calloc(1, blen);
	assert_non_null(payload);
	assert_err(vouch_bundle_seal(&payload, &blen, &k.signer, keyid, "c"), VOUCH_E_ALG);
	assert_int_equal(blen, 16);
	free(payload);
	assert_int_equal(f.calls, 0);
	vouch_note_skey_destroy(&k);
	assert_int_equal(f.destroyed, 1);
}

/*
 * An Ed25519-tagged signer that returns a short signature is caught by the
 * formats that need exactly 64 bytes (a broken TPM driver, say).
 */
static void short_ed25519_signature_refused(void **state)
{
	struct vouch_signer s;
	struct vouch_sig sig;
	struct fake f;
	uint8_t keyid[VOUCH_KEYID_LEN] = {0};

	(void)state;
	fake_signer(&s, &f, 63);
	s.alg = VOUCH_SIGNER_ED25519;
	s.pklen = 32;
	s.sig_max = 64;
	assert_err(
	    vouch_sig_sign(&sig, &s, keyid, VOUCH_SIG_LEGACY, (const uint8_t *)"m", 1, "u", "t"),
	    VOUCH_E_CRYPTO);
	assert_int_equal(f.calls, 1);
	vouch_signer_destroy(&s);
}

/* A log signs its checkpoints through the key it borrows; the key outlives it. */
static void log_borrows_key(void **state)
{
	const char *dir = *state;
	struct vouch_note_skey k;
	struct vouch_log *log;
	struct vouch_log_reader *r;
	uint8_t seed[32];

	memset(seed, 0x31, sizeof(seed));
	assert_err(vouch_note_skey_from_seed(&k, "signer.test/log", seed), 0);
	assert_err(vouch_log_open(&log, dir, &k, 0), 0);
	assert_err(vouch_log_append(log, "entry", 5, NULL), 0);
	assert_err(vouch_log_commit(log), 0);
	vouch_log_close(log);
	/* The handle kept no copy: the key is whole after it is gone. */
	assert_int_equal(k.signer.alg, VOUCH_SIGNER_ED25519);
	assert_err(vouch_log_reader_open(&r, dir, &k.v), 0);
	vouch_log_reader_close(r);
	vouch_note_skey_destroy(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ed25519_known_answers),
	    cmocka_unit_test(ed25519_round_trip_wrong_key),
	    cmocka_unit_test(sign_checks),
	    cmocka_unit_test(ed25519_guarded),
	    cmocka_unit_test(keys_guarded),
	    cmocka_unit_test(ed25519_threads),
	    cmocka_unit_test(fake_through_interface),
	    cmocka_unit_test(fake_in_notes_refused_by_minisign),
	    cmocka_unit_test(short_ed25519_signature_refused),
	    cmocka_unit_test_setup_teardown(log_borrows_key, dir_setup, dir_teardown),
	};

	return cmocka_run_group_tests_name("signer", tests, NULL, NULL);
}
