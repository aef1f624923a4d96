/* SPDX-License-Identifier: Apache-2.0 */
/* The TUF client workflow of spec section 5 (root chain, timestamp, snapshot, targets,
 * delegations), I/O by callbacks. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tuf-internal.h"
#include "vouch/error.h"
#include "vouch/grow.h"
#include "vouch/tuf.h"

#define WHY 400

struct dele {
	char *name;
	struct tuf_meta *m;
};

struct pending {
	char *file;
	uint8_t *bytes;
	size_t len;
};

struct vouch_tuf_client {
	int64_t now;
	struct vouch_tuf_limits lim;
	struct tuf_meta *root, *timestamp, *snapshot, *targets;
	struct dele *dele;
	size_t ndele, dcap;
	struct pending *pend;
	size_t npend, pcap;
	struct vouch_tuf_target tgt;
	/*
	 * During a refresh: the trusted roles as it found them. Every role it takes is held in
	 * memory only until all of 5.3-5.6 have passed; then they are persisted, and the old
	 * ones freed. A refusal anywhere puts these back: the trusted state is as it was.
	 */
	bool staging, forgot_ts, forgot_snap;
	struct tuf_meta *saved[TUF_NROLES];
	char err[2 * WHY];
};

__attribute__((format(printf, 4, 5))) static int fail(struct vouch_tuf_client *c, int ret,
                                                      const char *role, const char *fmt, ...)
{
	int n = snprintf(c->err, sizeof(c->err), "%.200s: ", role);
	va_list ap;

	if (n > 0 && (size_t)n < sizeof(c->err)) {
		va_start(ap, fmt);
		(void)vsnprintf(c->err + n, sizeof(c->err) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* Role names in file names: Python's urllib.parse.quote(name, safe=""), as python-tuf does. */
static int quoted_file(const char *name, const char *prefix, char **out)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t n = strlen(name), plen = strlen(prefix), k = 0;
	char *s;

	if (n > (SIZE_MAX - plen - 6) / 3)
		return -ENOMEM;
	s = malloc(plen + 3 * n + 6);
	if (!s)
		return -ENOMEM;
	memcpy(s, prefix, plen);
	k = plen;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-' || ch == '~') {
			s[k++] = (char)ch;
		} else {
			s[k++] = '%';
			s[k++] = hexd[ch >> 4];
			s[k++] = hexd[ch & 15];
		}
	}
	memcpy(s + k, ".json", 6);
	*out = s;
	return 0;
}

static const struct pending *pending_get(const struct vouch_tuf_client *c, const char *file)
{
	for (size_t i = 0; i < c->npend; i++) {
		if (!strcmp(c->pend[i].file, file))
			return &c->pend[i];
	}
	return NULL;
}

static void pending_drop(struct vouch_tuf_client *c, const char *file)
{
	for (size_t i = 0; i < c->npend; i++) {
		if (strcmp(c->pend[i].file, file))
			continue;
		free(c->pend[i].file);
		free(c->pend[i].bytes);
		c->pend[i] = c->pend[--c->npend];
		return;
	}
}

static void dele_clear(struct vouch_tuf_client *c)
{
	for (size_t i = 0; i < c->ndele; i++) {
		free(c->dele[i].name);
		vouch_tuf_meta_free(c->dele[i].m);
	}
	c->ndele = 0;
}

static void target_clear(struct vouch_tuf_client *c)
{
	free(c->tgt.path);
	memset(&c->tgt, 0, sizeof(c->tgt));
}

/* Parse @bytes as @type and verify them against @keys and @role; the refusal in c->err. */
static int load_verified(struct vouch_tuf_client *c, struct tuf_meta **m, const char *label,
                         const uint8_t *bytes, size_t len, enum tuf_type type,
                         const struct tuf_keyring *keys, const struct tuf_role *role)
{
	char why[WHY];
	int ret = vouch_tuf_meta_parse(m, bytes, len, type, why, sizeof(why));

	if (ret)
		return ret == VOUCH_E_TUF ? fail(c, ret, label, "%s", why) : ret;
	ret = vouch_tuf_meta_verify(*m, keys, role, why, sizeof(why));
	if (ret) {
		vouch_tuf_meta_free(*m);
		*m = NULL;
		return fail(c, ret, label, "%s", why);
	}
	return 0;
}

static bool expired(const struct vouch_tuf_client *c, const struct tuf_meta *m)
{
	return c->now >= m->expires;
}

static int fetch(struct vouch_tuf_client *c, const struct vouch_tuf_io *io, const char *label,
                 const char *name, size_t max, uint8_t **b, size_t *len)
{
	int ret;

	*b = NULL;
	*len = 0;
	ret = io->fetch_meta(io->ctx, name, max, b, len);
	if (!ret && *len > max) {
		free(*b);
		*b = NULL;
		ret = VOUCH_E_TOOBIG;
	}
	if (!ret && !*b)
		ret = VOUCH_E_EMPTY;
	if (ret == VOUCH_E_TOOBIG)
		return fail(c, ret, label, "%s is larger than %zu bytes", name, max);
	if (ret)
		return fail(c, ret, label, "fetching %s: %s", name, vouch_strerror(ret));
	return 0;
}

/* Length and hashes of fetched bytes against the entry that lists them. */
static int check_listed(struct vouch_tuf_client *c, const char *label, const struct tuf_metafile *f,
                        const uint8_t *b, size_t len)
{
	int ret;

	if (f->has_length && f->length != len)
		return fail(c, VOUCH_E_TUF_HASH, label, "%zu bytes, not the %llu listed", len,
		            (unsigned long long)f->length);
	if (f->hashes && (ret = vouch_tuf_hashes_check(f->hashes, b, len)))
		return fail(c, ret, label, "the bytes do not have the hashes listed");
	return 0;
}

static bool is_saved(const struct vouch_tuf_client *c, const struct tuf_meta *m)
{
	for (int i = 0; i < TUF_NROLES; i++) {
		if (c->staging && m && c->saved[i] == m)
			return true;
	}
	return false;
}

/*
 * Take @m over into *@slot. During a refresh it is only staged (persisted at its end); a
 * delegated role found by a lookup is persisted first: a persist that fails leaves the trusted
 * role as it was.
 */
static int accept(struct vouch_tuf_client *c, const struct vouch_tuf_io *io, const char *file,
                  struct tuf_meta **slot, struct tuf_meta *m, const char *label)
{
	if (!c->staging) {
		int ret = io->persist(io->ctx, file, m->raw, m->raw_len);

		if (ret) {
			vouch_tuf_meta_free(m);
			return fail(c, ret, label, "persisting %s: %s", file, vouch_strerror(ret));
		}
	}
	if (!is_saved(c, *slot))
		vouch_tuf_meta_free(*slot);
	*slot = m;
	return 0;
}

/* 5.3.11: a trusted timestamp or snapshot the new root's keys no longer sign is forgotten. */
static void forget(struct vouch_tuf_client *c, struct tuf_meta **slot, bool *flag)
{
	if (!is_saved(c, *slot))
		vouch_tuf_meta_free(*slot);
	*slot = NULL;
	*flag = true;
}

/* 5.3: the root chain. */
static int update_root(struct vouch_tuf_client *c, const struct vouch_tuf_io *io)
{
	bool rotated = false;
	int ret;

	for (unsigned i = 0; i < c->lim.max_root_rotations; i++) {
		uint64_t want = c->root->version + 1;
		struct tuf_meta *m = NULL;
		char name[32], label[48], why[WHY];
		uint8_t *b = NULL;
		size_t len = 0;

		snprintf(name, sizeof(name), "%llu.root.json", (unsigned long long)want);
		snprintf(label, sizeof(label), "root %s", name);
		ret = fetch(c, io, label, name, c->lim.root_max, &b, &len);
		if (ret == VOUCH_E_NOTFOUND) {
			c->err[0] = '\0';
			break;
		}
		if (ret)
			return ret;
		/* Signed by a threshold of the trusted root's root keys, then of its own. */
		ret = vouch_tuf_meta_parse(&m, b, len, TUF_ROOT, why, sizeof(why));
		free(b);
		if (ret)
			return ret == VOUCH_E_TUF ? fail(c, ret, label, "%s", why) : ret;
		ret =
		    vouch_tuf_meta_verify(m, &c->root->keys, &c->root->roles[0], why, sizeof(why));
		if (ret) {
			vouch_tuf_meta_free(m);
			return fail(c, ret, label, "not signed by the trusted root's keys: %s",
			            why);
		}
		if (m->version != want) {
			ret = fail(c, VOUCH_E_TUF_VERSION, label, "version %llu, not %llu",
			           (unsigned long long)m->version, (unsigned long long)want);
			vouch_tuf_meta_free(m);
			return ret;
		}
		ret = vouch_tuf_meta_verify(m, &m->keys, &m->roles[0], why, sizeof(why));
		if (ret) {
			vouch_tuf_meta_free(m);
			return fail(c, ret, label, "not signed by its own root keys: %s", why);
		}
		if ((ret = accept(c, NULL, "root.json", &c->root, m, label)))
			return ret;
		rotated = true;
	}
	if (expired(c, c->root))
		return fail(c, VOUCH_E_TUF_EXPIRED, "root", "version %llu has expired",
		            (unsigned long long)c->root->version);
	if (rotated) {
		/* 5.3.11: trusted roles the new root's keys no longer sign are forgotten. */
		char why[WHY];

		bool unused = false;

		if (c->timestamp && vouch_tuf_meta_verify(c->timestamp, &c->root->keys,
		                                          &c->root->roles[1], why, sizeof(why)))
			forget(c, &c->timestamp, &c->forgot_ts);
		if (c->snapshot && vouch_tuf_meta_verify(c->snapshot, &c->root->keys,
		                                         &c->root->roles[2], why, sizeof(why)))
			forget(c, &c->snapshot, &c->forgot_snap);
		if (c->targets && vouch_tuf_meta_verify(c->targets, &c->root->keys,
		                                        &c->root->roles[3], why, sizeof(why)))
			forget(c, &c->targets, &unused);
	}
	return 0;
}

/* A locally held copy of @file verified against @keys/@role, or NULL (ignored, 5.x). */
static struct tuf_meta *local(struct vouch_tuf_client *c, const char *file, enum tuf_type type,
                              const struct tuf_keyring *keys, const struct tuf_role *role,
                              bool *forget_bad)
{
	const struct pending *p = pending_get(c, file);
	struct tuf_meta *m = NULL;
	char saved[sizeof(c->err)];

	if (!p)
		return NULL;
	memcpy(saved, c->err, sizeof(saved));
	if (load_verified(c, &m, file, p->bytes, p->len, type, keys, role))
		m = NULL;
	memcpy(c->err, saved, sizeof(saved));
	if (!m && forget_bad)
		*forget_bad = true;
	/* Kept until a refresh succeeds (then dropped): a refused one may start again from it. */
	if (!c->staging)
		pending_drop(c, file);
	return m;
}

/* 5.4 */
static int update_timestamp(struct vouch_tuf_client *c, const struct vouch_tuf_io *io, bool rotated)
{
	struct tuf_meta *m = NULL;
	const struct tuf_metafile *nf, *of;
	uint8_t *b = NULL;
	size_t len = 0;
	int ret;

	if (!c->timestamp)
		c->timestamp = local(c, "timestamp.json", TUF_TIMESTAMP, &c->root->keys,
		                     &c->root->roles[1], rotated ? &c->forgot_ts : NULL);
	if ((ret = fetch(c, io, "timestamp", "timestamp.json", c->lim.timestamp_max, &b, &len)))
		return ret;
	ret = load_verified(c, &m, "timestamp", b, len, TUF_TIMESTAMP, &c->root->keys,
	                    &c->root->roles[1]);
	free(b);
	if (ret)
		return ret;
	if (c->timestamp) {
		if (m->version < c->timestamp->version) {
			ret = fail(c, VOUCH_E_TUF_VERSION, "timestamp",
			           "version %llu is older than the trusted version %llu",
			           (unsigned long long)m->version,
			           (unsigned long long)c->timestamp->version);
			vouch_tuf_meta_free(m);
			return ret;
		}
		if (m->version == c->timestamp->version) {
			/* Nothing new: the trusted one stays, and must itself be current. */
			vouch_tuf_meta_free(m);
			m = NULL;
		} else {
			nf = vouch_tuf_meta_file(m, "snapshot.json");
			of = vouch_tuf_meta_file(c->timestamp, "snapshot.json");
			if (nf->version < of->version) {
				ret =
				    fail(c, VOUCH_E_TUF_VERSION, "timestamp",
				         "lists snapshot version %llu, older than the trusted %llu",
				         (unsigned long long)nf->version,
				         (unsigned long long)of->version);
				vouch_tuf_meta_free(m);
				return ret;
			}
		}
	}
	if (m) {
		if (expired(c, m)) {
			ret = fail(c, VOUCH_E_TUF_EXPIRED, "timestamp", "version %llu has expired",
			           (unsigned long long)m->version);
			vouch_tuf_meta_free(m);
			return ret;
		}
		return accept(c, io, "timestamp.json", &c->timestamp, m, "timestamp");
	}
	if (expired(c, c->timestamp))
		return fail(c, VOUCH_E_TUF_EXPIRED, "timestamp", "version %llu has expired",
		            (unsigned long long)c->timestamp->version);
	return 0;
}

/* 5.5 */
static int update_snapshot(struct vouch_tuf_client *c, const struct vouch_tuf_io *io, bool rotated)
{
	const struct tuf_metafile *sm = vouch_tuf_meta_file(c->timestamp, "snapshot.json");
	struct tuf_meta *m = NULL;
	uint8_t *b = NULL;
	size_t len = 0, max;
	char name[40];
	int ret;

	if (!c->snapshot)
		c->snapshot = local(c, "snapshot.json", TUF_SNAPSHOT, &c->root->keys,
		                    &c->root->roles[2], rotated ? &c->forgot_snap : NULL);
	if (c->snapshot && c->snapshot->version == sm->version && !expired(c, c->snapshot))
		return 0;
	max = sm->has_length ? (size_t)sm->length : c->lim.snapshot_max;
	if (sm->has_length && sm->length > SIZE_MAX)
		max = c->lim.snapshot_max;
	if (c->root->consistent_snapshot)
		snprintf(name, sizeof(name), "%llu.snapshot.json", (unsigned long long)sm->version);
	else
		snprintf(name, sizeof(name), "snapshot.json");
	if ((ret = fetch(c, io, "snapshot", name, max, &b, &len)))
		return ret;
	ret = check_listed(c, "snapshot", sm, b, len);
	if (!ret)
		ret = load_verified(c, &m, "snapshot", b, len, TUF_SNAPSHOT, &c->root->keys,
		                    &c->root->roles[2]);
	free(b);
	if (ret)
		return ret;
	ret = VOUCH_E_TUF_VERSION;
	if (m->version != sm->version) {
		fail(c, ret, "snapshot", "version %llu, not the %llu the timestamp lists",
		     (unsigned long long)m->version, (unsigned long long)sm->version);
		goto refuse;
	}
	if (c->snapshot) {
		if (m->version < c->snapshot->version) {
			fail(c, ret, "snapshot",
			     "version %llu is older than the trusted version %llu",
			     (unsigned long long)m->version,
			     (unsigned long long)c->snapshot->version);
			goto refuse;
		}
		for (size_t i = 0; i < c->snapshot->nmeta; i++) {
			const struct tuf_metafile *o = &c->snapshot->meta[i];
			const struct tuf_metafile *n = vouch_tuf_meta_file(m, o->name);

			if (!n) {
				fail(c, ret, "snapshot",
				     "%.200s, listed by the trusted snapshot, is gone", o->name);
				goto refuse;
			}
			if (n->version < o->version) {
				fail(c, ret, "snapshot",
				     "lists %.200s version %llu, older than the trusted %llu",
				     o->name, (unsigned long long)n->version,
				     (unsigned long long)o->version);
				goto refuse;
			}
		}
	}
	if (expired(c, m)) {
		ret = fail(c, VOUCH_E_TUF_EXPIRED, "snapshot", "version %llu has expired",
		           (unsigned long long)m->version);
		goto refuse;
	}
	return accept(c, io, "snapshot.json", &c->snapshot, m, "snapshot");
refuse:
	vouch_tuf_meta_free(m);
	return ret;
}

/*
 * 5.6: the targets role @name (top-level or delegated), trusted in *@slot when its version is
 * the snapshot's, otherwise from the local copy or fetched; signed per @keys and @role.
 */
static int update_targets(struct vouch_tuf_client *c, const struct vouch_tuf_io *io,
                          const char *name, const struct tuf_keyring *keys,
                          const struct tuf_role *role, struct tuf_meta **slot)
{
	const struct tuf_metafile *f;
	struct tuf_meta *m = NULL;
	char *file = NULL, *remote = NULL, vprefix[24];
	uint8_t *b = NULL;
	size_t len = 0, max;
	int ret;

	if (expired(c, c->snapshot))
		return fail(c, VOUCH_E_TUF_EXPIRED, "snapshot", "version %llu has expired",
		            (unsigned long long)c->snapshot->version);
	if ((ret = quoted_file(name, "", &file)))
		return ret;
	f = vouch_tuf_meta_file(c->snapshot, file);
	if (!f) {
		ret = fail(c, VOUCH_E_NOTFOUND, name, "the snapshot does not list %.200s", file);
		goto out;
	}
	if (*slot && (*slot)->version == f->version && !expired(c, *slot)) {
		ret = 0;
		goto out;
	}
	m = local(c, file, TUF_TARGETS, keys, role, NULL);
	if (m && m->version == f->version && !expired(c, m)) {
		if (!is_saved(c, *slot))
			vouch_tuf_meta_free(*slot);
		*slot = m;
		ret = 0;
		goto out;
	}
	vouch_tuf_meta_free(m);
	m = NULL;
	snprintf(vprefix, sizeof(vprefix), "%llu.", (unsigned long long)f->version);
	if ((ret = quoted_file(name, c->root->consistent_snapshot ? vprefix : "", &remote)))
		goto out;
	max = f->has_length && f->length <= SIZE_MAX ? (size_t)f->length : c->lim.targets_max;
	if ((ret = fetch(c, io, name, remote, max, &b, &len)))
		goto out;
	ret = check_listed(c, name, f, b, len);
	if (!ret)
		ret = load_verified(c, &m, name, b, len, TUF_TARGETS, keys, role);
	free(b);
	if (ret)
		goto out;
	if (m->version != f->version) {
		ret = fail(c, VOUCH_E_TUF_VERSION, name,
		           "version %llu, not the %llu the snapshot lists",
		           (unsigned long long)m->version, (unsigned long long)f->version);
		vouch_tuf_meta_free(m);
		goto out;
	}
	if (expired(c, m)) {
		ret = fail(c, VOUCH_E_TUF_EXPIRED, name, "version %llu has expired",
		           (unsigned long long)m->version);
		vouch_tuf_meta_free(m);
		goto out;
	}
	ret = accept(c, io, file, slot, m, name);
out:
	free(file);
	free(remote);
	return ret;
}

static struct tuf_meta **top_slot(struct vouch_tuf_client *c, int i)
{
	struct tuf_meta **slots[TUF_NROLES] = {&c->root, &c->timestamp, &c->snapshot, &c->targets};

	return slots[i];
}

/* Put the roles a refresh found back from role @from on, freeing what it staged. */
static void unstage(struct vouch_tuf_client *c, int from)
{
	for (int i = from; i < TUF_NROLES; i++) {
		struct tuf_meta **slot = top_slot(c, i);

		if (*slot != c->saved[i]) {
			vouch_tuf_meta_free(*slot);
			*slot = c->saved[i];
		}
		c->saved[i] = NULL;
	}
}

int vouch_tuf_client_refresh(struct vouch_tuf_client *c, const struct vouch_tuf_io *io)
{
	static const char *const files[TUF_NROLES] = {"root.json", "timestamp.json",
	                                              "snapshot.json", "targets.json"};
	uint64_t v0 = c->root->version;
	bool changed_trust;
	int ret;

	c->err[0] = '\0';
	target_clear(c);
	for (int i = 0; i < TUF_NROLES; i++)
		c->saved[i] = *top_slot(c, i);
	c->staging = true;
	c->forgot_ts = c->forgot_snap = false;
	ret = update_root(c, io);
	if (!ret)
		ret = update_timestamp(c, io, c->root->version != v0);
	if (!ret)
		ret = update_snapshot(c, io, c->root->version != v0);
	if (!ret)
		ret = update_targets(c, io, "targets", &c->root->keys, &c->root->roles[3],
		                     &c->targets);
	if (ret) {
		c->staging = false;
		unstage(c, 0);
		return ret;
	}
	/* Everything verified: the forgotten files go, then the new roles are persisted in the
	 * spec's order (a failure there keeps the roles before it, which verify on their own). */
	if (c->forgot_ts && io->remove)
		(void)io->remove(io->ctx, "timestamp.json");
	if (c->forgot_snap && io->remove)
		(void)io->remove(io->ctx, "snapshot.json");
	changed_trust = c->root != c->saved[0] || c->targets != c->saved[3];
	for (int i = 0; i < TUF_NROLES; i++) {
		struct tuf_meta *m = *top_slot(c, i);

		if (m == c->saved[i])
			continue;
		ret = io->persist(io->ctx, files[i], m->raw, m->raw_len);
		if (ret) {
			fail(c, ret, vouch_tuf_role_names[i], "persisting %s: %s", files[i],
			     vouch_strerror(ret));
			c->staging = false;
			unstage(c, i);
			return ret;
		}
	}
	c->staging = false;
	for (int i = 0; i < TUF_NROLES; i++) {
		if (*top_slot(c, i) != c->saved[i])
			vouch_tuf_meta_free(c->saved[i]);
		c->saved[i] = NULL;
		if (i)
			pending_drop(c, files[i]);
	}
	/* Delegated roles were trusted under the old keys or the old top-level targets. */
	if (changed_trust)
		dele_clear(c);
	return 0;
}

int vouch_tuf_client_create(struct vouch_tuf_client **out, const uint8_t *root, size_t len,
                            int64_t now)
{
	struct vouch_tuf_client *c = calloc(1, sizeof(*c));
	struct tuf_meta *m = NULL;
	char why[WHY];
	int ret;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	ret = vouch_tuf_meta_parse(&m, root, len, TUF_ROOT, why, sizeof(why));
	if (!ret)
		ret = vouch_tuf_meta_verify(m, &m->keys, &m->roles[0], why, sizeof(why));
	if (ret) {
		vouch_tuf_meta_free(m);
		free(c);
		return ret;
	}
	c->root = m;
	c->now = now;
	c->lim = (struct vouch_tuf_limits){
	    .root_max = 512000,
	    .timestamp_max = 16384,
	    .snapshot_max = 2000000,
	    .targets_max = 5000000,
	    .max_root_rotations = 256,
	    .max_delegations = 32,
	};
	*out = c;
	return 0;
}

struct vouch_tuf_limits *vouch_tuf_client_limits(struct vouch_tuf_client *c)
{
	return &c->lim;
}

int vouch_tuf_client_load(struct vouch_tuf_client *c, const char *file, const uint8_t *bytes,
                          size_t len)
{
	struct pending *p;
	void *arr = c->pend;
	size_t n = strlen(file);

	if (n < 6 || strcmp(file + n - 5, ".json") || !strcmp(file, "root.json") ||
	    strchr(file, '/'))
		return VOUCH_E_RANGE;
	pending_drop(c, file);
	if (vouch_grow(&arr, &c->pcap, c->npend + 1, sizeof(*c->pend)))
		return -ENOMEM;
	c->pend = arr;
	p = &c->pend[c->npend];
	p->file = vouch_tuf_strdup(file);
	p->bytes = malloc(len ? len : 1);
	if (!p->file || !p->bytes) {
		free(p->file);
		free(p->bytes);
		return -ENOMEM;
	}
	memcpy(p->bytes, bytes, len);
	p->len = len;
	c->npend++;
	return 0;
}

static struct tuf_meta **dele_slot(struct vouch_tuf_client *c, const char *name)
{
	void *arr = c->dele;

	for (size_t i = 0; i < c->ndele; i++) {
		if (!strcmp(c->dele[i].name, name))
			return &c->dele[i].m;
	}
	if (vouch_grow(&arr, &c->dcap, c->ndele + 1, sizeof(*c->dele)))
		return NULL;
	c->dele = arr;
	c->dele[c->ndele].name = vouch_tuf_strdup(name);
	if (!c->dele[c->ndele].name)
		return NULL;
	c->dele[c->ndele].m = NULL;
	return &c->dele[c->ndele++].m;
}

static int fill_target(struct vouch_tuf_client *c, const char *path, json_t *t)
{
	json_t *h = json_object_get(t, "hashes");
	const char *s256 = json_string_value(json_object_get(h, "sha256"));
	const char *s512 = json_string_value(json_object_get(h, "sha512"));

	target_clear(c);
	c->tgt.path = vouch_tuf_strdup(path);
	if (!c->tgt.path)
		return -ENOMEM;
	c->tgt.length = (uint64_t)json_integer_value(json_object_get(t, "length"));
	if (s256 && strlen(s256) == 64)
		memcpy(c->tgt.sha256, s256, 65);
	if (s512 && strlen(s512) == 128)
		memcpy(c->tgt.sha512, s512, 129);
	c->tgt.custom = json_object_get(t, "custom");
	c->tgt.hashes = h;
	return 0;
}

int vouch_tuf_client_target(struct vouch_tuf_client *c, const struct vouch_tuf_io *io,
                            const char *path, const struct vouch_tuf_target **t)
{
	/* The stack of roles to visit: a role, and the role that delegates to it. */
	struct visit {
		const char *name;
		struct tuf_meta *parent; /* NULL: the root delegates the top-level targets */
		size_t idx;              /* in parent->dele */
	};
	struct visit *stack = NULL;
	const char **seen = NULL;
	size_t n = 0, cap = 0, nseen = 0, seencap = 0;
	unsigned budget = c->lim.max_delegations;
	void *arr;
	int ret = 0;

	*t = NULL;
	c->err[0] = '\0';
	if (!c->snapshot || !c->targets)
		return fail(c, VOUCH_E_NOTFOUND, "targets", "no trusted targets (refresh first)");
	arr = stack;
	if (vouch_grow(&arr, &cap, 1, sizeof(*stack)))
		return -ENOMEM;
	stack = arr;
	stack[n++] = (struct visit){"targets", NULL, 0};
	ret = VOUCH_E_NOTFOUND;
	while (n && budget) {
		struct visit v = stack[--n];
		struct tuf_meta *m, **slot;
		json_t *hit;
		bool dup = false;
		size_t first;

		for (size_t i = 0; i < nseen; i++)
			dup = dup || !strcmp(seen[i], v.name);
		if (dup)
			continue;
		if (!v.parent) {
			m = c->targets;
		} else {
			slot = dele_slot(c, v.name);
			if (!slot) {
				ret = -ENOMEM;
				goto out;
			}
			ret = update_targets(c, io, v.name, &v.parent->keys, &v.parent->dele[v.idx],
			                     slot);
			if (ret)
				goto out;
			m = *slot;
			ret = VOUCH_E_NOTFOUND;
		}
		hit = json_object_get(m->targets, path);
		if (hit) {
			ret = fill_target(c, path, hit);
			if (!ret)
				*t = &c->tgt;
			goto out;
		}
		arr = seen;
		if (vouch_grow(&arr, &seencap, nseen + 1, sizeof(*seen))) {
			ret = -ENOMEM;
			goto out;
		}
		seen = arr;
		/* The name lives in m's document, which stays trusted through this lookup. */
		seen[nseen++] = v.parent ? v.parent->dele[v.idx].name : "targets";
		budget--;
		/* Children in order, pushed reversed so that the first is visited first. */
		first = n;
		for (size_t i = 0; i < m->ndele; i++) {
			if (!vouch_tuf_role_covers(&m->dele[i], path))
				continue;
			arr = stack;
			if (vouch_grow(&arr, &cap, n + 1, sizeof(*stack))) {
				ret = -ENOMEM;
				goto out;
			}
			stack = arr;
			stack[n++] = (struct visit){m->dele[i].name, m, i};
			if (m->dele[i].terminating) {
				/* Nothing else is searched: the roles still waiting are dropped
				 * too. */
				memmove(stack, stack + first, (n - first) * sizeof(*stack));
				n -= first;
				first = 0;
				break;
			}
		}
		for (size_t a = first, b = n ? n - 1 : 0; a < b; a++, b--) {
			struct visit tmp = stack[a];

			stack[a] = stack[b];
			stack[b] = tmp;
		}
	}
	fail(c, VOUCH_E_NOTFOUND, path, "no trusted targets role lists it");
out:
	free(stack);
	free(seen);
	return ret;
}

int vouch_tuf_target_name(const struct vouch_tuf_client *c, const struct vouch_tuf_target *t,
                          char **name)
{
	const char *slash, *hash = NULL, *alg;
	size_t n, dl, hl;
	json_t *v;

	*name = NULL;
	if (!c->root->consistent_snapshot || !t->hashes) {
		*name = vouch_tuf_strdup(t->path);
		return *name ? 0 : -ENOMEM;
	}
	json_object_foreach(t->hashes, alg, v)
	{
		hash = json_string_value(v);
		break;
	}
	if (!hash)
		return VOUCH_E_TUF;
	slash = strrchr(t->path, '/');
	dl = slash ? (size_t)(slash - t->path) + 1 : 0;
	hl = strlen(hash);
	n = strlen(t->path);
	*name = malloc(n + hl + 2);
	if (!*name)
		return -ENOMEM;
	memcpy(*name, t->path, dl);
	memcpy(*name + dl, hash, hl);
	(*name)[dl + hl] = '.';
	memcpy(*name + dl + hl + 1, t->path + dl, n - dl + 1);
	return 0;
}

int vouch_tuf_target_check(const struct vouch_tuf_target *t, const uint8_t *bytes, size_t len)
{
	if (t->length != len || !t->hashes)
		return VOUCH_E_TUF_HASH;
	return vouch_tuf_hashes_check(t->hashes, bytes, len);
}

const char *vouch_tuf_client_error(const struct vouch_tuf_client *c)
{
	return c->err;
}

uint64_t vouch_tuf_client_version(const struct vouch_tuf_client *c, const char *role)
{
	const struct tuf_meta *m = NULL;

	if (!strcmp(role, "root"))
		m = c->root;
	else if (!strcmp(role, "timestamp"))
		m = c->timestamp;
	else if (!strcmp(role, "snapshot"))
		m = c->snapshot;
	else if (!strcmp(role, "targets"))
		m = c->targets;
	else
		for (size_t i = 0; i < c->ndele; i++) {
			if (!strcmp(c->dele[i].name, role))
				m = c->dele[i].m;
		}
	return m ? m->version : 0;
}

void vouch_tuf_client_destroy(struct vouch_tuf_client *c)
{
	if (!c)
		return;
	vouch_tuf_meta_free(c->root);
	vouch_tuf_meta_free(c->timestamp);
	vouch_tuf_meta_free(c->snapshot);
	vouch_tuf_meta_free(c->targets);
	dele_clear(c);
	free(c->dele);
	for (size_t i = 0; i < c->npend; i++) {
		free(c->pend[i].file);
		free(c->pend[i].bytes);
	}
	free(c->pend);
	target_clear(c);
	free(c);
}
