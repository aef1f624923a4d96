/* SPDX-License-Identifier: Apache-2.0 */
/* The TUF client workflow against in-memory repositories made with the API: updates and every
 * attack TUF stops. */
#include "test-util.h"
#include "tuf-internal.h"
#include "tuf-test.h"
#include "vouch/tuf.h"

#define NOW    1900000000 /* 2030-03-17 */
#define FUTURE "2040-01-01T00:00:00Z"
#define PAST   "2020-01-01T00:00:00Z"
#define SOON   "2030-04-01T00:00:00Z" /* after NOW, before LATER */
#define LATER  1960000000
#define NFILES 64

/* A table of file name -> bytes: the repository's files, or the client's metadata dir. */
struct store {
	char *name[NFILES];
	uint8_t *b[NFILES];
	size_t len[NFILES];
	unsigned fetches, removes;
};

static int store_find(const struct store *s, const char *name)
{
	for (int i = 0; i < NFILES; i++) {
		if (s->name[i] && !strcmp(s->name[i], name))
			return i;
	}
	return -1;
}

static void store_put(struct store *s, const char *name, const void *b, size_t len)
{
	int i = store_find(s, name);

	if (i < 0) {
		for (i = 0; i < NFILES && s->name[i]; i++)
			;
		assert_true(i < NFILES);
		s->name[i] = strdup(name);
	} else {
		free(s->b[i]);
	}
	s->b[i] = malloc(len + 1);
	memcpy(s->b[i], b, len);
	s->len[i] = len;
}

static void store_del(struct store *s, const char *name)
{
	int i = store_find(s, name);

	if (i < 0)
		return;
	free(s->name[i]);
	free(s->b[i]);
	s->name[i] = NULL;
	s->b[i] = NULL;
}

static void store_free(struct store *s)
{
	for (int i = 0; i < NFILES; i++) {
		free(s->name[i]);
		free(s->b[i]);
	}
	memset(s, 0, sizeof(*s));
}

static bool store_equal(const struct store *a, const struct store *b)
{
	for (int i = 0; i < NFILES; i++) {
		int j;

		if (!a->name[i])
			continue;
		j = store_find(b, a->name[i]);
		if (j < 0 || a->len[i] != b->len[j] || memcmp(a->b[i], b->b[j], a->len[i])) {
			print_error("%s differs\n", a->name[i]);
			return false;
		}
	}
	for (int i = 0; i < NFILES; i++) {
		if (b->name[i] && store_find(a, b->name[i]) < 0)
			return false;
	}
	return true;
}

static void store_copy(struct store *dst, const struct store *src)
{
	memset(dst, 0, sizeof(*dst));
	for (int i = 0; i < NFILES; i++) {
		if (src->name[i])
			store_put(dst, src->name[i], src->b[i], src->len[i]);
	}
}

struct world {
	struct store remote, local;
};

static int io_fetch(void *ctx, const char *name, size_t max, uint8_t **out, size_t *len)
{
	struct world *w = ctx;
	int i = store_find(&w->remote, name);

	w->remote.fetches++;
	if (i < 0)
		return VOUCH_E_NOTFOUND;
	if (w->remote.len[i] > max)
		return VOUCH_E_TOOBIG;
	*out = malloc(w->remote.len[i] + 1);
	memcpy(*out, w->remote.b[i], w->remote.len[i]);
	*len = w->remote.len[i];
	return 0;
}

static int io_persist(void *ctx, const char *file, const uint8_t *b, size_t len)
{
	struct world *w = ctx;

	store_put(&w->local, file, b, len);
	return 0;
}

static int io_remove(void *ctx, const char *file)
{
	struct world *w = ctx;

	w->local.removes++;
	store_del(&w->local, file);
	return 0;
}

/* A key: its signer, key object and key id. */
struct key {
	struct vouch_signer s;
	json_t *obj;
	char id[65];
};

static void key_new(struct key *k, int seed, bool p256)
{
	uint8_t sd[32];

	memset(sd, seed, sizeof(sd));
	if (p256)
		assert_err(test_signer_p256(&k->s), 0);
	else
		assert_err(vouch_signer_ed25519(&k->s, sd), 0);
	assert_err(vouch_tuf_key_object(&k->s, &k->obj), 0);
	assert_err(vouch_tuf_keyid(k->obj, k->id), 0);
}

static void key_free(struct key *k)
{
	vouch_signer_destroy(&k->s);
	json_decref(k->obj);
}

/* The whole document around @signed_ (taken over), signed by @n keys, pretty-printed (signatures
 * cover the canonical form, not these bytes). */
static char *sign_doc(json_t *signed_, struct key **keys, size_t n, size_t *len)
{
	json_t *sigs = json_array(), *doc;
	char *text;

	for (size_t i = 0; i < n; i++)
		assert_err(vouch_tuf_sign(signed_, &keys[i]->s, keys[i]->id, sigs), 0);
	doc = json_pack("{s:o,s:o}", "signatures", sigs, "signed", signed_);
	text = json_dumps(doc, JSON_INDENT(1));
	json_decref(doc);
	*len = strlen(text);
	return text;
}

static json_t *common(const char *type, uint64_t version, const char *expires)
{
	return json_pack("{s:s,s:s,s:I,s:s}", "_type", type, "spec_version", "1.0.31", "version",
	                 (json_int_t)version, "expires", expires);
}

static json_t *role(struct key **keys, size_t n, int threshold)
{
	json_t *ids = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(ids, json_string(keys[i]->id));
	return json_pack("{s:o,s:i}", "keyids", ids, "threshold", threshold);
}

/* The repository: keys, versions and what the next publish writes. */
struct repo {
	struct key root[3], ts[2], snap, tgt[2], team, team2;
	struct key *rootk[3], *tsk, *tgtk[2];
	size_t nroot, ntgt;
	int root_threshold, tgt_threshold;
	uint64_t root_v, ts_v, snap_v, tgt_v, team_v;
	const char *expires_ts, *expires_snap, *expires_tgt, *expires_root;
	json_t *targets;     /* of the top-level role */
	json_t *delegations; /* NULL: none */
	json_t *team_targets;
	bool consistent, hashes_in_ts;
	struct world w;
};

static void put_root(struct repo *r, struct key **signers, size_t n)
{
	json_t *s = common("root", r->root_v, r->expires_root), *keys = json_object(), *roles;
	char name[32], *text;
	size_t len;

	for (size_t i = 0; i < r->nroot; i++)
		json_object_set(keys, r->rootk[i]->id, r->rootk[i]->obj);
	json_object_set(keys, r->tsk->id, r->tsk->obj);
	json_object_set(keys, r->snap.id, r->snap.obj);
	for (size_t i = 0; i < r->ntgt; i++)
		json_object_set(keys, r->tgtk[i]->id, r->tgtk[i]->obj);
	roles = json_pack("{s:o,s:o,s:o,s:o}", "root", role(r->rootk, r->nroot, r->root_threshold),
	                  "timestamp", role(&r->tsk, 1, 1), "snapshot",
	                  role((struct key *[]){&r->snap}, 1, 1), "targets",
	                  role(r->tgtk, r->ntgt, r->tgt_threshold));
	json_object_set_new(s, "keys", keys);
	json_object_set_new(s, "roles", roles);
	json_object_set_new(s, "consistent_snapshot", json_boolean(r->consistent));
	/* An unknown member: signed over like every other. */
	json_object_set_new(s, "x-vouch-test", json_pack("{s:[i]}", "extra", 1));
	text = sign_doc(s, signers, n, &len);
	snprintf(name, sizeof(name), "%llu.root.json", (unsigned long long)r->root_v);
	store_put(&r->w.remote, name, text, len);
	free(text);
}

static json_t *metafile(uint64_t v, const char *bytes, size_t len, bool hashes)
{
	json_t *o = json_pack("{s:I}", "version", (json_int_t)v);
	uint8_t d[32];
	char hex[65];

	if (hashes) {
		assert_err(vouch_sha256(bytes, len, d), 0);
		vouch_hex_encode(d, 32, hex);
		json_object_set_new(o, "length", json_integer((json_int_t)len));
		json_object_set_new(o, "hashes", json_pack("{s:s}", "sha256", hex));
	}
	return o;
}

static void put_file(struct repo *r, const char *base, uint64_t v, const char *text, size_t len)
{
	char name[128];

	if (r->consistent)
		snprintf(name, sizeof(name), "%llu.%s", (unsigned long long)v, base);
	else
		snprintf(name, sizeof(name), "%s", base);
	store_put(&r->w.remote, name, text, len);
}

/* targets (and the team role), snapshot, timestamp, from the repository's current state. */
static void publish(struct repo *r)
{
	json_t *s, *meta;
	char *tt, *team = NULL, *st, *ts;
	size_t tl, teaml = 0, sl, tsl;

	s = common("targets", r->tgt_v, r->expires_tgt);
	json_object_set(s, "targets", r->targets);
	if (r->delegations)
		json_object_set(s, "delegations", r->delegations);
	tt = sign_doc(s, r->tgtk, (size_t)r->tgt_threshold, &tl);
	put_file(r, "targets.json", r->tgt_v, tt, tl);
	meta = json_pack("{s:o}", "targets.json", metafile(r->tgt_v, tt, tl, true));
	if (r->team_targets) {
		s = common("targets", r->team_v, FUTURE);
		json_object_set(s, "targets", r->team_targets);
		team = sign_doc(s, (struct key *[]){&r->team}, 1, &teaml);
		put_file(r, "team%2Fa.json", r->team_v, team, teaml);
		json_object_set_new(meta, "team%2Fa.json", metafile(r->team_v, team, teaml, false));
	}
	s = common("snapshot", r->snap_v, r->expires_snap);
	json_object_set_new(s, "meta", meta);
	st = sign_doc(s, (struct key *[]){&r->snap}, 1, &sl);
	put_file(r, "snapshot.json", r->snap_v, st, sl);
	s = common("timestamp", r->ts_v, r->expires_ts);
	json_object_set_new(
	    s, "meta",
	    json_pack("{s:o}", "snapshot.json", metafile(r->snap_v, st, sl, r->hashes_in_ts)));
	ts = sign_doc(s, &r->tsk, 1, &tsl);
	store_put(&r->w.remote, "timestamp.json", ts, tsl);
	free(tt);
	free(team);
	free(st);
	free(ts);
}

static const char PAYLOAD[] = "hello, device\n";

static json_t *target_entry(const char *content)
{
	uint8_t d[32];
	char hex[65];

	assert_err(vouch_sha256(content, strlen(content), d), 0);
	vouch_hex_encode(d, 32, hex);
	return json_pack("{s:i,s:{s:s},s:{s:s}}", "length", (int)strlen(content), "hashes",
	                 "sha256", hex, "custom", "kind", "payload");
}

static struct repo *repo_new(void)
{
	struct repo *r = calloc(1, sizeof(*r));

	for (int i = 0; i < 3; i++)
		key_new(&r->root[i], 10 + i, i == 2);
	key_new(&r->ts[0], 20, true);
	key_new(&r->ts[1], 21, false);
	key_new(&r->snap, 30, false);
	key_new(&r->tgt[0], 40, true);
	key_new(&r->tgt[1], 41, false);
	key_new(&r->team, 50, false);
	key_new(&r->team2, 51, false);
	r->rootk[0] = &r->root[0];
	r->nroot = 1;
	r->root_threshold = 1;
	r->tsk = &r->ts[0];
	r->tgtk[0] = &r->tgt[0];
	r->tgtk[1] = &r->tgt[1];
	r->ntgt = 1;
	r->tgt_threshold = 1;
	r->root_v = r->ts_v = r->snap_v = r->tgt_v = r->team_v = 1;
	r->expires_root = r->expires_ts = r->expires_snap = r->expires_tgt = FUTURE;
	r->consistent = true;
	r->hashes_in_ts = true;
	r->targets = json_pack("{s:o}", "a/file.txt", target_entry(PAYLOAD));
	put_root(r, r->rootk, 1);
	publish(r);
	/* The client starts with root version 1, as installed. */
	store_put(&r->w.local, "root.json", r->w.remote.b[store_find(&r->w.remote, "1.root.json")],
	          r->w.remote.len[store_find(&r->w.remote, "1.root.json")]);
	return r;
}

static void repo_free(struct repo *r)
{
	for (int i = 0; i < 3; i++)
		key_free(&r->root[i]);
	key_free(&r->ts[0]);
	key_free(&r->ts[1]);
	key_free(&r->snap);
	key_free(&r->tgt[0]);
	key_free(&r->tgt[1]);
	key_free(&r->team);
	key_free(&r->team2);
	json_decref(r->targets);
	json_decref(r->delegations);
	json_decref(r->team_targets);
	store_free(&r->w.remote);
	store_free(&r->w.local);
	free(r);
}

static const struct vouch_tuf_io *io_of(struct repo *r)
{
	static struct vouch_tuf_io io;

	io = (struct vouch_tuf_io){&r->w, io_fetch, io_persist, io_remove};
	return &io;
}

/* A client as the update program makes one: root.json, then every other file of the dir. */
static struct vouch_tuf_client *client(struct repo *r, int64_t now)
{
	struct vouch_tuf_client *c = NULL;
	int i = store_find(&r->w.local, "root.json");

	assert_true(i >= 0);
	assert_err(vouch_tuf_client_create(&c, r->w.local.b[i], r->w.local.len[i], now), 0);
	for (int j = 0; j < NFILES; j++) {
		if (r->w.local.name[j] && j != i)
			assert_err(vouch_tuf_client_load(c, r->w.local.name[j], r->w.local.b[j],
			                                 r->w.local.len[j]),
			           0);
	}
	return c;
}

static void refresh_ok(struct repo *r, int64_t now)
{
	struct vouch_tuf_client *c = client(r, now);
	int ret = vouch_tuf_client_refresh(c, io_of(r));

	if (ret)
		print_error("refresh: %s\n", vouch_tuf_client_error(c));
	assert_err(ret, 0);
	vouch_tuf_client_destroy(c);
}

/* A refresh refused with @want, whose error line names @role, and the local dir unchanged. */
static void refused(struct repo *r, int64_t now, int want, const char *role)
{
	struct vouch_tuf_client *c = client(r, now);
	struct store before;
	int ret;

	store_copy(&before, &r->w.local);
	ret = vouch_tuf_client_refresh(c, io_of(r));
	if (ret != want)
		print_error("refresh: %s\n", vouch_tuf_client_error(c));
	assert_err(ret, want);
	if (strncmp(vouch_tuf_client_error(c), role, strlen(role)))
		fail_msg("error line \"%s\" does not start with %s", vouch_tuf_client_error(c),
		         role);
	assert_true(store_equal(&before, &r->w.local));
	store_free(&before);
	vouch_tuf_client_destroy(c);
}

static void update_and_download(void **state)
{
	struct repo *r = repo_new();
	struct vouch_tuf_client *c = client(r, NOW);
	const struct vouch_tuf_target *t = NULL;
	char *name = NULL;

	(void)state;
	assert_err(vouch_tuf_client_refresh(c, io_of(r)), 0);
	assert_int_equal(vouch_tuf_client_version(c, "timestamp"), 1);
	assert_int_equal(vouch_tuf_client_version(c, "snapshot"), 1);
	assert_int_equal(vouch_tuf_client_version(c, "targets"), 1);
	assert_true(store_find(&r->w.local, "timestamp.json") >= 0);
	assert_true(store_find(&r->w.local, "snapshot.json") >= 0);
	assert_true(store_find(&r->w.local, "targets.json") >= 0);
	assert_err(vouch_tuf_client_target(c, io_of(r), "a/file.txt", &t), 0);
	assert_int_equal(t->length, strlen(PAYLOAD));
	assert_int_equal(strlen(t->sha256), 64);
	assert_string_equal(t->sha512, "");
	assert_string_equal(json_string_value(json_object_get(t->custom, "kind")), "payload");
	assert_err(vouch_tuf_target_name(c, t, &name), 0);
	assert_memory_equal(name, "a/", 2);
	assert_string_equal(name + 2 + 64, ".file.txt");
	assert_memory_equal(name + 2, t->sha256, 64);
	free(name);
	assert_err(vouch_tuf_target_check(t, (const uint8_t *)PAYLOAD, strlen(PAYLOAD)), 0);
	/* A target whose length or hash is wrong. */
	assert_err(vouch_tuf_target_check(t, (const uint8_t *)PAYLOAD, strlen(PAYLOAD) - 1),
	           VOUCH_E_TUF_HASH);
	assert_err(vouch_tuf_target_check(t, (const uint8_t *)"hello, devicE\n", strlen(PAYLOAD)),
	           VOUCH_E_TUF_HASH);
	/* A target no role lists. */
	assert_err(vouch_tuf_client_target(c, io_of(r), "a/other.txt", &t), VOUCH_E_NOTFOUND);
	assert_null(t);
	vouch_tuf_client_destroy(c);
	/* From the persisted state, nothing new: only the timestamp is fetched. */
	r->w.remote.fetches = 0;
	refresh_ok(r, NOW);
	assert_int_equal(r->w.remote.fetches, 2); /* 2.root.json (absent) and timestamp.json */
	repo_free(r);
}

static void root_rotation(void **state)
{
	struct repo *r = repo_new();

	(void)state;
	refresh_ok(r, NOW);
	/* Version 2 with new root keys (threshold 2): signed by the old key and both new ones. */
	r->rootk[0] = &r->root[1];
	r->rootk[1] = &r->root[2];
	r->nroot = 2;
	r->root_threshold = 2;
	r->root_v = 2;
	put_root(r, (struct key *[]){&r->root[0], &r->root[1], &r->root[2]}, 3);
	/* Version 3 signed by the new keys of version 3 only, not the threshold of 2's: refused. */
	r->rootk[0] = &r->root[0];
	r->nroot = 1;
	r->root_threshold = 1;
	r->root_v = 3;
	put_root(r, (struct key *[]){&r->root[0]}, 1);
	refused(r, NOW, VOUCH_E_THRESHOLD, "root 3.root.json");
	/* ...and version 2, good as it is, was not kept either: a refresh takes all or nothing. */
	{
		struct vouch_tuf_client *c = client(r, NOW);

		assert_int_equal(vouch_tuf_client_version(c, "root"), 1);
		vouch_tuf_client_destroy(c);
	}
	/* Version 3 signed by 2's keys, but its own threshold not met: refused. */
	put_root(r, (struct key *[]){&r->root[1], &r->root[2]}, 2);
	r->root_threshold = 2;
	r->rootk[1] = &r->root[1];
	r->nroot = 2;
	put_root(r, (struct key *[]){&r->root[1], &r->root[2]}, 2);
	refused(r, NOW, VOUCH_E_THRESHOLD, "root 3.root.json");
	/* A file named 3.root.json holding version 4. */
	r->root_v = 4;
	put_root(r, (struct key *[]){&r->root[0], &r->root[1], &r->root[2]}, 3);
	store_put(&r->w.remote, "3.root.json",
	          r->w.remote.b[store_find(&r->w.remote, "4.root.json")],
	          r->w.remote.len[store_find(&r->w.remote, "4.root.json")]);
	store_del(&r->w.remote, "4.root.json");
	refused(r, NOW, VOUCH_E_TUF_VERSION, "root 3.root.json");
	/* Rollback of root: version 1 again as 3.root.json is refused likewise. */
	store_put(&r->w.remote, "3.root.json",
	          r->w.remote.b[store_find(&r->w.remote, "1.root.json")],
	          r->w.remote.len[store_find(&r->w.remote, "1.root.json")]);
	refused(r, NOW, VOUCH_E_THRESHOLD, "root 3.root.json");
	/* Endless data: a root past its limit. */
	{
		static char big[600000];
		struct vouch_tuf_client *c;
		struct store before;

		memset(big, ' ', sizeof(big));
		store_put(&r->w.remote, "3.root.json", big, sizeof(big));
		store_copy(&before, &r->w.local);
		c = client(r, NOW);
		assert_err(vouch_tuf_client_refresh(c, io_of(r)), VOUCH_E_TOOBIG);
		assert_true(store_equal(&before, &r->w.local));
		store_free(&before);
		vouch_tuf_client_destroy(c);
	}
	repo_free(r);
}

static void freeze_and_expiry(void **state)
{
	struct repo *r = repo_new();

	(void)state;
	/* A root that has expired. */
	r->root_v = 2;
	r->expires_root = PAST;
	put_root(r, r->rootk, 1);
	refused(r, NOW, VOUCH_E_TUF_EXPIRED, "root");
	store_del(&r->w.remote, "2.root.json");
	store_put(&r->w.local, "root.json", r->w.remote.b[store_find(&r->w.remote, "1.root.json")],
	          r->w.remote.len[store_find(&r->w.remote, "1.root.json")]);
	/* A timestamp that never moves: fine until it expires, then refused (freeze). */
	r->expires_ts = SOON;
	publish(r);
	refresh_ok(r, NOW);
	refused(r, LATER, VOUCH_E_TUF_EXPIRED, "timestamp");
	/* Expired snapshot, expired targets. */
	r->expires_ts = FUTURE;
	r->ts_v = 2;
	r->snap_v = 2;
	r->expires_snap = PAST;
	publish(r);
	refused(r, NOW, VOUCH_E_TUF_EXPIRED, "snapshot");
	r->expires_snap = FUTURE;
	r->ts_v = 3;
	r->snap_v = 3;
	r->tgt_v = 2;
	r->expires_tgt = PAST;
	publish(r);
	refused(r, NOW, VOUCH_E_TUF_EXPIRED, "targets");
	repo_free(r);
}

static void rollbacks(void **state)
{
	struct repo *r = repo_new();
	uint8_t *old_ts, *old_snap;
	size_t old_ts_len, old_snap_len;
	int i;

	(void)state;
	refresh_ok(r, NOW);
	i = store_find(&r->w.remote, "timestamp.json");
	old_ts_len = r->w.remote.len[i];
	old_ts = malloc(old_ts_len);
	memcpy(old_ts, r->w.remote.b[i], old_ts_len);
	i = store_find(&r->w.remote, "1.snapshot.json");
	old_snap_len = r->w.remote.len[i];
	old_snap = malloc(old_snap_len);
	memcpy(old_snap, r->w.remote.b[i], old_snap_len);
	r->ts_v = r->snap_v = r->tgt_v = 2;
	publish(r);
	refresh_ok(r, NOW);
	/* Timestamp rollback. */
	store_put(&r->w.remote, "timestamp.json", old_ts, old_ts_len);
	refused(r, NOW, VOUCH_E_TUF_VERSION, "timestamp");
	/* A newer timestamp listing an older snapshot. */
	r->ts_v = 3;
	r->snap_v = 1;
	publish(r);
	refused(r, NOW, VOUCH_E_TUF_VERSION, "timestamp");
	/* Snapshot rollback of targets: snapshot 3 lists targets version 1 (trusted: 2). */
	r->ts_v = 4;
	r->snap_v = 3;
	r->tgt_v = 1;
	publish(r);
	refused(r, NOW, VOUCH_E_TUF_VERSION, "snapshot");
	/* A role removed from the snapshot: no targets.json listed. */
	{
		json_t *s = common("snapshot", 3, FUTURE);
		char *st, *ts;
		size_t sl, tsl;

		json_object_set_new(s, "meta", json_pack("{s:{s:i}}", "other.json", "version", 9));
		st = sign_doc(s, (struct key *[]){&r->snap}, 1, &sl);
		store_put(&r->w.remote, "3.snapshot.json", st, sl);
		s = common("timestamp", 4, FUTURE);
		json_object_set_new(s, "meta",
		                    json_pack("{s:o}", "snapshot.json", metafile(3, st, sl, true)));
		ts = sign_doc(s, &r->tsk, 1, &tsl);
		store_put(&r->w.remote, "timestamp.json", ts, tsl);
		free(st);
		free(ts);
		refused(r, NOW, VOUCH_E_TUF_VERSION, "snapshot");
	}
	/* Mix and match: the timestamp lists snapshot 3 without hashes, and the server hands out
	 * the old snapshot (version 1) under that name. */
	r->hashes_in_ts = false;
	r->snap_v = 3;
	r->tgt_v = 2;
	publish(r);
	store_put(&r->w.remote, "3.snapshot.json", old_snap, old_snap_len);
	refused(r, NOW, VOUCH_E_TUF_VERSION, "snapshot");
	/* With hashes listed, any other bytes are refused before they are parsed. */
	r->hashes_in_ts = true;
	publish(r);
	store_put(&r->w.remote, "3.snapshot.json", old_snap, old_snap_len);
	refused(r, NOW, VOUCH_E_TUF_HASH, "snapshot");
	/* Targets served under the version the snapshot lists with other bytes (one changed, in
	 * its whitespace: the signature would still verify), or cut short. */
	r->ts_v = 5;
	r->snap_v = 4;
	r->tgt_v = 3;
	publish(r);
	{
		int k = store_find(&r->w.remote, "3.targets.json");
		size_t n = r->w.remote.len[k];
		uint8_t *copy = malloc(n);

		memcpy(copy, r->w.remote.b[k], n);
		assert_int_equal(copy[n - 2], '\n');
		copy[n - 2] = ' ';
		store_put(&r->w.remote, "3.targets.json", copy, n);
		refused(r, NOW, VOUCH_E_TUF_HASH, "targets");
		store_put(&r->w.remote, "3.targets.json", copy, n - 1);
		refused(r, NOW, VOUCH_E_TUF_HASH, "targets");
		free(copy);
	}
	free(old_ts);
	free(old_snap);
	repo_free(r);
}

static void thresholds_and_tampering(void **state)
{
	struct repo *r = repo_new();
	json_t *s;
	char *text;
	size_t len;

	(void)state;
	refresh_ok(r, NOW);
	/* Root 2 makes targets need 2 of 2 keys. */
	r->ntgt = 2;
	r->tgt_threshold = 2;
	r->root_v = 2;
	put_root(r, r->rootk, 1);
	r->ts_v = r->snap_v = r->tgt_v = 2;
	publish(r);
	refresh_ok(r, NOW);
	/* One signature only: below threshold. The same key twice: still one. */
	s = common("targets", 3, FUTURE);
	json_object_set(s, "targets", r->targets);
	text = sign_doc(s, (struct key *[]){&r->tgt[0], &r->tgt[0]}, 2, &len);
	r->ts_v = r->snap_v = r->tgt_v = 3;
	publish(r);
	store_put(&r->w.remote, "3.targets.json", text, len);
	r->hashes_in_ts = false;
	{
		/* The snapshot must not pin the hash, so that the signatures are what is tested. */
		json_t *sn = common("snapshot", 3, FUTURE);
		char *st;
		size_t sl;

		json_object_set_new(sn, "meta",
		                    json_pack("{s:{s:i}}", "targets.json", "version", 3));
		st = sign_doc(sn, (struct key *[]){&r->snap}, 1, &sl);
		store_put(&r->w.remote, "3.snapshot.json", st, sl);
		sn = common("timestamp", 3, FUTURE);
		json_object_set_new(sn, "meta",
		                    json_pack("{s:{s:i}}", "snapshot.json", "version", 3));
		free(st);
		st = sign_doc(sn, &r->tsk, 1, &sl);
		store_put(&r->w.remote, "timestamp.json", st, sl);
		free(st);
	}
	refused(r, NOW, VOUCH_E_THRESHOLD, "targets");
	free(text);
	/* A signature of a key the role does not list counts for nothing. */
	s = common("targets", 3, FUTURE);
	json_object_set(s, "targets", r->targets);
	text = sign_doc(s, (struct key *[]){&r->tgt[0], &r->team}, 2, &len);
	store_put(&r->w.remote, "3.targets.json", text, len);
	refused(r, NOW, VOUCH_E_THRESHOLD, "targets");
	free(text);
	/* Both keys: accepted; then the signed part edited after signing: refused. */
	s = common("targets", 3, FUTURE);
	json_object_set(s, "targets", r->targets);
	text = sign_doc(s, r->tgtk, 2, &len);
	store_put(&r->w.remote, "3.targets.json", text, len);
	{
		char *edit = strdup(text), *p = strstr(edit, "\"length\": 14");

		assert_non_null(p);
		p[11] = '5';
		store_put(&r->w.remote, "3.targets.json", edit, len);
		refused(r, NOW, VOUCH_E_THRESHOLD, "targets");
		free(edit);
	}
	store_put(&r->w.remote, "3.targets.json", text, len);
	refresh_ok(r, NOW);
	free(text);
	repo_free(r);
}

static void malformed(void **state)
{
	static const char *bad[] = {
	    "{",
	    "",
	    "[]",
	    "{\"signed\":{},\"signatures\":[]}",
	    "{\"signatures\":[],\"signed\":{\"_type\":\"timestamp\",\"_type\":\"timestamp\"}}",
	};
	struct repo *r = repo_new();
	int i;

	(void)state;
	refresh_ok(r, NOW);
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		store_put(&r->w.remote, "timestamp.json", bad[k], strlen(bad[k]));
		refused(r, NOW, VOUCH_E_TUF, "timestamp");
	}
	/* A real number in the signed part: no canonical form, refused. */
	{
		json_t *s = common("timestamp", 5, FUTURE), *doc;
		char *t;

		json_object_set_new(s, "meta",
		                    json_pack("{s:{s:i}}", "snapshot.json", "version", 1));
		json_object_set_new(s, "x", json_real(1.5));
		doc = json_pack("{s:[],s:o}", "signatures", "signed", s);
		t = json_dumps(doc, 0);
		json_decref(doc);
		store_put(&r->w.remote, "timestamp.json", t, strlen(t));
		refused(r, NOW, VOUCH_E_TUF, "timestamp");
		free(t);
	}
	/* The same document re-spelled (escapes, order, spacing) still verifies: the signature
	 * covers the canonical form. */
	r->ts_v = 2;
	publish(r);
	i = store_find(&r->w.remote, "timestamp.json");
	{
		json_t *doc = NULL;
		char *t;

		assert_err(vouch_tuf_parse(&doc, r->w.remote.b[i], r->w.remote.len[i]), 0);
		t = json_dumps(doc, JSON_SORT_KEYS | JSON_ENSURE_ASCII | JSON_INDENT(7));
		store_put(&r->w.remote, "timestamp.json", t, strlen(t));
		free(t);
		json_decref(doc);
	}
	refresh_ok(r, NOW);
	/* A timestamp too large for its limit. */
	{
		static char big[20000];

		memset(big, ' ', sizeof(big));
		memcpy(big, "{}", 2);
		store_put(&r->w.remote, "timestamp.json", big, sizeof(big));
		refused(r, NOW, VOUCH_E_TOOBIG, "timestamp");
	}
	repo_free(r);
}

/* A trusted timestamp pushed far ahead (its key was stolen); the new root rotates that key and
 * the client recovers. */
static void fast_forward_recovery(void **state)
{
	struct repo *r = repo_new();
	struct vouch_tuf_client *c;

	(void)state;
	r->ts_v = 1000;
	publish(r);
	refresh_ok(r, NOW);
	/* The repository rotates the timestamp key and starts again at version 2. */
	r->tsk = &r->ts[1];
	r->root_v = 2;
	put_root(r, r->rootk, 1);
	r->ts_v = 2;
	publish(r);
	r->w.local.removes = 0;
	c = client(r, NOW);
	assert_err(vouch_tuf_client_refresh(c, io_of(r)), 0);
	assert_int_equal(vouch_tuf_client_version(c, "root"), 2);
	assert_int_equal(vouch_tuf_client_version(c, "timestamp"), 2);
	assert_true(r->w.local.removes >= 1);
	vouch_tuf_client_destroy(c);
	/* Without the rotation the old one would have refused version 2: show it. */
	r->ts_v = 1000;
	publish(r);
	refresh_ok(r, NOW);
	r->ts_v = 3;
	publish(r);
	refused(r, NOW, VOUCH_E_TUF_VERSION, "timestamp");
	/* In one client's life too: a refresh after rotation forgets the in-memory timestamp. */
	c = client(r, NOW);
	r->ts_v = 1000;
	publish(r);
	assert_err(vouch_tuf_client_refresh(c, io_of(r)), 0);
	r->tsk = &r->ts[0];
	r->root_v = 3;
	put_root(r, r->rootk, 1);
	r->ts_v = 4;
	publish(r);
	assert_err(vouch_tuf_client_refresh(c, io_of(r)), 0);
	assert_int_equal(vouch_tuf_client_version(c, "timestamp"), 4);
	vouch_tuf_client_destroy(c);
	repo_free(r);
}

static json_t *delegation(struct key *k, const char *name, bool terminating, const char *pattern,
                          bool prefix)
{
	return json_pack("{s:s,s:[s],s:i,s:b,s:[s]}", "name", name, "keyids", k->id, "threshold", 1,
	                 "terminating", terminating, prefix ? "path_hash_prefixes" : "paths",
	                 pattern);
}

static int lookup(struct repo *r, const char *path)
{
	struct vouch_tuf_client *c = client(r, NOW);
	const struct vouch_tuf_target *t = NULL;
	int ret;

	assert_err(vouch_tuf_client_refresh(c, io_of(r)), 0);
	ret = vouch_tuf_client_target(c, io_of(r), path, &t);
	assert_true(ret ? t == NULL : t != NULL && !strcmp(t->path, path));
	vouch_tuf_client_destroy(c);
	return ret;
}

static void delegations(void **state)
{
	struct repo *r = repo_new();
	json_t *keys;

	(void)state;
	keys = json_pack("{s:O,s:O}", r->team.id, r->team.obj, r->team2.id, r->team2.obj);
	r->delegations = json_pack("{s:o,s:[o]}", "keys", keys, "roles",
	                           delegation(&r->team, "team/a", false, "team/*", false));
	r->team_targets =
	    json_pack("{s:o,s:o}", "team/x", target_entry("x"), "other/y", target_entry("y"));
	publish(r);
	/* A delegated role, fetched as 1.team%2Fa.json and persisted as team%2Fa.json. */
	assert_err(lookup(r, "team/x"), 0);
	assert_true(store_find(&r->w.local, "team%2Fa.json") >= 0);
	/* Outside its paths: not trusted, even though the role lists it. */
	assert_err(lookup(r, "other/y"), VOUCH_E_NOTFOUND);
	/* '*' does not cross '/'. */
	json_object_del(r->team_targets, "team/x");
	json_object_set_new(r->team_targets, "team/sub/x", target_entry("x"));
	r->team_v = 2;
	r->ts_v = r->snap_v = r->tgt_v = 2;
	publish(r);
	assert_err(lookup(r, "team/sub/x"), VOUCH_E_NOTFOUND);
	/* Loaded from the persisted copy next time (no fetch of it). */
	{
		struct vouch_tuf_client *c = client(r, NOW);
		const struct vouch_tuf_target *t;

		assert_err(vouch_tuf_client_refresh(c, io_of(r)), 0);
		store_del(&r->w.remote, "2.team%2Fa.json");
		assert_err(vouch_tuf_client_target(c, io_of(r), "team/y", &t), VOUCH_E_NOTFOUND);
		vouch_tuf_client_destroy(c);
		publish(r);
	}
	/* A delegated role signed by a key it does not list: refused. */
	json_decref(r->delegations);
	keys = json_pack("{s:O,s:O}", r->team.id, r->team.obj, r->team2.id, r->team2.obj);
	r->delegations = json_pack("{s:o,s:[o]}", "keys", keys, "roles",
	                           delegation(&r->team2, "team/a", false, "team/*/*", false));
	r->ts_v = r->snap_v = r->tgt_v = 3;
	publish(r);
	{
		struct vouch_tuf_client *c = client(r, NOW);
		const struct vouch_tuf_target *t;
		struct store before;

		assert_err(vouch_tuf_client_refresh(c, io_of(r)), 0);
		store_copy(&before, &r->w.local);
		assert_err(vouch_tuf_client_target(c, io_of(r), "team/sub/x", &t),
		           VOUCH_E_THRESHOLD);
		assert_memory_equal(vouch_tuf_client_error(c), "team/a: ", 8);
		assert_true(store_equal(&before, &r->w.local));
		store_free(&before);
		vouch_tuf_client_destroy(c);
	}
	/* Terminating: a first role that covers the path but does not list it ends the search. */
	json_decref(r->delegations);
	keys = json_pack("{s:O,s:O}", r->team.id, r->team.obj, r->team2.id, r->team2.obj);
	r->delegations = json_pack("{s:o,s:[o,o]}", "keys", keys, "roles",
	                           delegation(&r->team2, "first", true, "team/*/*", false),
	                           delegation(&r->team, "team/a", false, "team/*/*", false));
	{
		json_t *s = common("targets", 1, FUTURE);
		char *t;
		size_t len;

		json_object_set_new(s, "targets", json_object());
		t = sign_doc(s, (struct key *[]){&r->team2}, 1, &len);
		store_put(&r->w.remote, "1.first.json", t, len);
		free(t);
		/* The snapshot must list "first": published below with an extra entry. */
	}
	r->ts_v = r->snap_v = r->tgt_v = 4;
	publish(r);
	{
		/* Add first.json to the snapshot (re-sign snapshot and timestamp). */
		int k = store_find(&r->w.remote, "4.snapshot.json");
		json_t *doc = NULL, *sn;
		char *st, *ts;
		size_t sl, tsl;

		assert_err(vouch_tuf_parse(&doc, r->w.remote.b[k], r->w.remote.len[k]), 0);
		sn = json_deep_copy(json_object_get(doc, "signed"));
		json_object_set_new(json_object_get(sn, "meta"), "first.json",
		                    json_pack("{s:i}", "version", 1));
		st = sign_doc(sn, (struct key *[]){&r->snap}, 1, &sl);
		store_put(&r->w.remote, "4.snapshot.json", st, sl);
		sn = common("timestamp", 4, FUTURE);
		json_object_set_new(sn, "meta",
		                    json_pack("{s:o}", "snapshot.json", metafile(4, st, sl, true)));
		ts = sign_doc(sn, &r->tsk, 1, &tsl);
		store_put(&r->w.remote, "timestamp.json", ts, tsl);
		free(st);
		free(ts);
		json_decref(doc);
	}
	assert_err(lookup(r, "team/sub/x"), VOUCH_E_NOTFOUND);
	/* The same, not terminating: the second role is searched and lists it. */
	json_object_set_new(json_array_get(json_object_get(r->delegations, "roles"), 0),
	                    "terminating", json_false());
	r->ts_v = r->snap_v = r->tgt_v = 5;
	publish(r);
	{
		int k = store_find(&r->w.remote, "5.snapshot.json");
		json_t *doc = NULL, *sn;
		char *st, *ts;
		size_t sl, tsl;

		assert_err(vouch_tuf_parse(&doc, r->w.remote.b[k], r->w.remote.len[k]), 0);
		sn = json_deep_copy(json_object_get(doc, "signed"));
		json_object_set_new(json_object_get(sn, "meta"), "first.json",
		                    json_pack("{s:i}", "version", 1));
		st = sign_doc(sn, (struct key *[]){&r->snap}, 1, &sl);
		store_put(&r->w.remote, "5.snapshot.json", st, sl);
		sn = common("timestamp", 5, FUTURE);
		json_object_set_new(sn, "meta",
		                    json_pack("{s:o}", "snapshot.json", metafile(5, st, sl, true)));
		ts = sign_doc(sn, &r->tsk, 1, &tsl);
		store_put(&r->w.remote, "timestamp.json", ts, tsl);
		free(st);
		free(ts);
		json_decref(doc);
	}
	assert_err(lookup(r, "team/sub/x"), 0);
	repo_free(r);
}

/* Roles that delegate to each other: each visited once, and the search ends. */
static void delegation_cycle(void **state)
{
	struct repo *r = repo_new();
	json_t *keys = NULL;

	(void)state;
	keys = json_pack("{s:O}", r->team.id, r->team.obj);
	r->delegations = json_pack("{s:o,s:[o]}", "keys", keys, "roles",
	                           delegation(&r->team, "team/a", false, "*", false));
	/* team/a delegates back to itself and lists nothing. */
	keys = json_pack("{s:O}", r->team.id, r->team.obj);
	{
		json_t *s = common("targets", 1, FUTURE);
		char *t;
		size_t len;

		json_object_set_new(s, "targets", json_object());
		json_object_set_new(s, "delegations",
		                    json_pack("{s:o,s:[o]}", "keys", keys, "roles",
		                              delegation(&r->team, "team/a", false, "*", false)));
		t = sign_doc(s, (struct key *[]){&r->team}, 1, &len);
		r->team_targets = json_object();
		publish(r);
		store_put(&r->w.remote, "1.team%2Fa.json", t, len);
		free(t);
	}
	/* The snapshot lists team%2Fa.json without hashes: the replaced file passes. */
	assert_err(lookup(r, "nothing"), VOUCH_E_NOTFOUND);
	repo_free(r);
}

static void meta_rules(void **state)
{
	static const struct {
		const char *pat, *path;
		bool match;
	} pm[] = {
	    {"*", "a", true},
	    {"*", "a/b", false},
	    {"a/*", "a/b", true},
	    {"a/*.txt", "a/b.txt", true},
	    {"a/*.txt", "a/b/c.txt", false},
	    {"*/*", "a/b", true},
	    {"a?c", "abc", true},
	    {"a?c", "ac", false},
	    {"[ab]x", "bx", true},
	    {"[!ab]x", "bx", false},
	    {"[a-c]x", "cx", true},
	    {"[x", "[x", true},
	    {"a/", "a/", true},
	    {"", "", true},
	    {"*.json", "", false},
	    {"a/**", "a/b/c", false},
	    {"targets/*/f", "targets/x/f", true},
	};
	int64_t t;

	(void)state;
	for (size_t i = 0; i < sizeof(pm) / sizeof(pm[0]); i++) {
		json_t *paths = json_pack("[s]", pm[i].pat);
		struct tuf_role r = {.paths = paths};

		if (vouch_tuf_role_covers(&r, pm[i].path) != pm[i].match)
			fail_msg("pattern \"%s\" on \"%s\": expected %d", pm[i].pat, pm[i].path,
			         pm[i].match);
		json_decref(paths);
	}
	/* path_hash_prefixes: sha256("a/file.txt") starts with the prefix. */
	{
		uint8_t d[32];
		char hex[65];
		json_t *p;
		struct tuf_role r = {0};

		assert_err(vouch_sha256("a/file.txt", 10, d), 0);
		vouch_hex_encode(d, 32, hex);
		hex[4] = '\0';
		p = json_pack("[s]", hex);
		r.prefixes = p;
		assert_true(vouch_tuf_role_covers(&r, "a/file.txt"));
		assert_false(vouch_tuf_role_covers(&r, "a/file.tx"));
		json_decref(p);
	}
	assert_true(vouch_tuf_time_parse("2030-03-17T17:46:40Z", &t));
	assert_int_equal(t, NOW);
	assert_false(vouch_tuf_time_parse("2030-02-30T00:00:00Z", &t));
	assert_false(vouch_tuf_time_parse("2030-3-17T17:46:40Z", &t));
	assert_false(vouch_tuf_time_parse("2030-03-17T17:46:40", &t));
	assert_false(vouch_tuf_time_parse("2030-03-17 17:46:40Z", &t));
	assert_false(vouch_tuf_time_parse("2030-03-17T17:46:40.5Z", &t));
	assert_false(vouch_tuf_time_parse("2030-03-17T17:46:40+00:00", &t));
	/* Fields of every role. */
	{
		static const struct {
			const char *text;
			bool ok;
		} v[] = {
		    {"{\"signed\":{\"_type\":\"timestamp\",\"spec_version\":\"1.0\",\"version\":1,"
		     "\"expires\":\"2030-01-01T00:00:00Z\",\"meta\":{\"snapshot.json\":{"
		     "\"version\":1}}},"
		     "\"signatures\":[]}",
		     true},
		    {"{\"signed\":{\"_type\":\"timestamp\",\"spec_version\":\"2.0.0\",\"version\":"
		     "1,"
		     "\"expires\":\"2030-01-01T00:00:00Z\",\"meta\":{\"snapshot.json\":{"
		     "\"version\":1}}},"
		     "\"signatures\":[]}",
		     false},
		    {"{\"signed\":{\"_type\":\"timestamp\",\"spec_version\":\"1.0.x\",\"version\":"
		     "1,"
		     "\"expires\":\"2030-01-01T00:00:00Z\",\"meta\":{\"snapshot.json\":{"
		     "\"version\":1}}},"
		     "\"signatures\":[]}",
		     false},
		    {"{\"signed\":{\"_type\":\"timestamp\",\"spec_version\":\"1.0\",\"version\":0,"
		     "\"expires\":\"2030-01-01T00:00:00Z\",\"meta\":{\"snapshot.json\":{"
		     "\"version\":1}}},"
		     "\"signatures\":[]}",
		     false},
		    {"{\"signed\":{\"_type\":\"timestamp\",\"spec_version\":\"1.0\",\"version\":"
		     "true,"
		     "\"expires\":\"2030-01-01T00:00:00Z\",\"meta\":{\"snapshot.json\":{"
		     "\"version\":1}}},"
		     "\"signatures\":[]}",
		     false},
		    {"{\"signed\":{\"_type\":\"snapshot\",\"spec_version\":\"1.0\",\"version\":1,"
		     "\"expires\":\"2030-01-01T00:00:00Z\",\"meta\":{\"snapshot.json\":{"
		     "\"version\":1}}},"
		     "\"signatures\":[]}",
		     false},
		    {"{\"signed\":{\"_type\":\"timestamp\",\"spec_version\":\"1.0\",\"version\":1,"
		     "\"expires\":\"2030-01-01T00:00:00Z\",\"meta\":{\"snapshot.json\":{"
		     "\"version\":1,"
		     "\"hashes\":{}}}},\"signatures\":[]}",
		     false},
		    {"{\"signed\":{\"_type\":\"timestamp\",\"spec_version\":\"1.0\",\"version\":1,"
		     "\"expires\":\"2030-01-01T00:00:00Z\",\"meta\":{\"snapshot.json\":{"
		     "\"version\":1}}},"
		     "\"signatures\":[{\"keyid\":1,\"sig\":\"00\"}]}",
		     false},
		};
		char why[200];

		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			struct tuf_meta *m = NULL;
			int ret =
			    vouch_tuf_meta_parse(&m, (const uint8_t *)v[i].text, strlen(v[i].text),
			                         TUF_TIMESTAMP, why, sizeof(why));

			if ((ret == 0) != v[i].ok)
				fail_msg("case %zu: %d (%s)", i, ret, why);
			if (ret)
				assert_true(why[0] != '\0');
			vouch_tuf_meta_free(m);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(meta_rules),    cmocka_unit_test(update_and_download),
	    cmocka_unit_test(root_rotation), cmocka_unit_test(freeze_and_expiry),
	    cmocka_unit_test(rollbacks),     cmocka_unit_test(thresholds_and_tampering),
	    cmocka_unit_test(malformed),     cmocka_unit_test(fast_forward_recovery),
	    cmocka_unit_test(delegations),   cmocka_unit_test(delegation_cycle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
