/* SPDX-License-Identifier: Apache-2.0 */
/* TUF metadata: parsing and checking root, timestamp, snapshot and targets, and their signatures.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>

#include "tuf-internal.h"
#include "vouch/digest.h"
#include "vouch/error.h"
#include "vouch/hex.h"
#include "vouch/tuf.h"

const char *const vouch_tuf_role_names[TUF_NROLES] = {"root", "timestamp", "snapshot", "targets"};

/* A sanity bound on the counts in one file (keys, key ids, roles, meta entries). */
#define TUF_COUNT_MAX 1000000

__attribute__((format(printf, 3, 4))) static int refuse(char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (cap) {
		va_start(ap, fmt);
		(void)vsnprintf(why, cap, fmt, ap);
		va_end(ap);
	}
	return VOUCH_E_TUF;
}

bool vouch_tuf_time_parse(const char *s, int64_t *t)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	struct tm tm = {0}, back;
	int v[6] = {0}, k = 0;
	time_t r;

	if (!s || strlen(s) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return false;
	}
	for (size_t i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] != 'd')
			continue;
		v[k] = v[k] * 10 + (s[i] - '0');
		if (shape[i + 1] != 'd')
			k++;
	}
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	r = timegm(&tm);
	/* timegm() normalizes 2030-02-31 into March: a date that does not come back is refused. */
	if (!gmtime_r(&r, &back) || back.tm_year != v[0] - 1900 || back.tm_mon != v[1] - 1 ||
	    back.tm_mday != v[2] || back.tm_hour != v[3] || back.tm_min != v[4] ||
	    back.tm_sec != v[5])
		return false;
	*t = (int64_t)r;
	return true;
}

static bool get_uint(const json_t *o, const char *name, uint64_t min, uint64_t *v)
{
	const json_t *j = json_object_get(o, name);

	if (!json_is_integer(j) || json_integer_value(j) < 0 ||
	    (uint64_t)json_integer_value(j) < min)
		return false;
	*v = (uint64_t)json_integer_value(j);
	return true;
}

/* "hashes": a non-empty object of strings. */
static bool hashes_ok(const json_t *h)
{
	const char *alg;
	json_t *v;

	if (!json_is_object(h) || json_object_size(h) == 0)
		return false;
	json_object_foreach((json_t *)h, alg, v)
	{
		if (!json_is_string(v) || !*alg)
			return false;
	}
	return true;
}

static int parse_keys(struct tuf_keyring *kr, json_t *keys, const char *where, char *why,
                      size_t cap)
{
	const char *keyid;
	json_t *ko;
	size_t n;
	int ret;

	if (!json_is_object(keys))
		return refuse(why, cap, "%s: \"keys\" is not an object", where);
	n = json_object_size(keys);
	if (n > TUF_COUNT_MAX)
		return refuse(why, cap, "%s: too many keys", where);
	if (n && !(kr->v = calloc(n, sizeof(*kr->v))))
		return -ENOMEM;
	json_object_foreach(keys, keyid, ko)
	{
		struct tuf_keyent *e = &kr->v[kr->n];

		if (kr->n == n)
			break;
		e->keyid = keyid;
		ret = vouch_tuf_key_parse(&e->key, ko, keyid);
		if (ret == -ENOMEM)
			return ret;
		if (ret == VOUCH_E_TUF)
			return refuse(why, cap, "%s: key %.64s is not a key object", where, keyid);
		/* Another type or scheme, or a public key that does not parse: unusable, as
		 * python-tuf keeps it (its signatures count for nothing), not fatal. */
		kr->n++;
	}
	return 0;
}

static int parse_role(struct tuf_role *r, json_t *o, const char *where, char *why, size_t cap)
{
	json_t *ids = json_object_get(o, "keyids");
	size_t n;

	if (!json_is_object(o))
		return refuse(why, cap, "%s is not an object", where);
	if (!json_is_array(ids) || json_array_size(ids) > TUF_COUNT_MAX)
		return refuse(why, cap, "%s: \"keyids\" is not an array", where);
	if (!get_uint(o, "threshold", 1, &r->threshold))
		return refuse(why, cap, "%s: \"threshold\" is not an integer of at least 1", where);
	n = json_array_size(ids);
	if (n && !(r->keyids = calloc(n, sizeof(*r->keyids))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *id = json_string_value(json_array_get(ids, i));

		if (!id)
			return refuse(why, cap, "%s: a key id is not a string", where);
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(r->keyids[j], id))
				return refuse(why, cap, "%s: key id %.64s listed twice", where, id);
		}
		r->keyids[i] = id;
	}
	r->nkeyids = n;
	return 0;
}

static bool strings_array(const json_t *a)
{
	if (!json_is_array(a) || json_array_size(a) > TUF_COUNT_MAX)
		return false;
	for (size_t i = 0; i < json_array_size(a); i++) {
		if (!json_is_string(json_array_get(a, i)))
			return false;
	}
	return true;
}

static int parse_root(struct tuf_meta *m, char *why, size_t cap)
{
	json_t *roles = json_object_get(m->signed_, "roles"), *cs;
	int ret;

	if ((ret = parse_keys(&m->keys, json_object_get(m->signed_, "keys"), "root", why, cap)))
		return ret;
	if (!json_is_object(roles))
		return refuse(why, cap, "\"roles\" is not an object");
	if (json_object_size(roles) != TUF_NROLES)
		return refuse(why, cap,
		              "\"roles\" must list exactly root, timestamp, snapshot, targets");
	for (int i = 0; i < TUF_NROLES; i++) {
		json_t *r = json_object_get(roles, vouch_tuf_role_names[i]);
		char where[32];

		snprintf(where, sizeof(where), "role %s", vouch_tuf_role_names[i]);
		if (!r)
			return refuse(why, cap, "\"roles\" has no %s", vouch_tuf_role_names[i]);
		if ((ret = parse_role(&m->roles[i], r, where, why, cap)))
			return ret;
		m->roles[i].name = vouch_tuf_role_names[i];
	}
	cs = json_object_get(m->signed_, "consistent_snapshot");
	if (cs && !json_is_boolean(cs))
		return refuse(why, cap, "\"consistent_snapshot\" is not a boolean");
	m->consistent_snapshot = json_is_true(cs);
	return 0;
}

static int parse_metafiles(struct tuf_meta *m, char *why, size_t cap)
{
	json_t *meta = json_object_get(m->signed_, "meta"), *v;
	const char *name;
	size_t n;

	if (!json_is_object(meta))
		return refuse(why, cap, "\"meta\" is not an object");
	n = json_object_size(meta);
	if (n > TUF_COUNT_MAX)
		return refuse(why, cap, "too many \"meta\" entries");
	if (n && !(m->meta = calloc(n, sizeof(*m->meta))))
		return -ENOMEM;
	json_object_foreach(meta, name, v)
	{
		struct tuf_metafile *f = &m->meta[m->nmeta];
		json_t *len = json_object_get(v, "length"), *h = json_object_get(v, "hashes");

		if (m->nmeta == n)
			break;
		f->name = name;
		if (!json_is_object(v) || !get_uint(v, "version", 1, &f->version))
			return refuse(why, cap,
			              "meta %.200s: \"version\" is not an integer of at least 1",
			              name);
		if (len) {
			if (!get_uint(v, "length", 0, &f->length))
				return refuse(why, cap, "meta %.200s: \"length\" is not an integer",
				              name);
			f->has_length = true;
		}
		if (h) {
			if (!hashes_ok(h))
				return refuse(why, cap,
				              "meta %.200s: \"hashes\" is not an object of strings",
				              name);
			f->hashes = h;
		}
		m->nmeta++;
	}
	if (m->type == TUF_TIMESTAMP && !vouch_tuf_meta_file(m, "snapshot.json"))
		return refuse(why, cap, "\"meta\" has no snapshot.json");
	return 0;
}

static int parse_delegations(struct tuf_meta *m, json_t *d, char *why, size_t cap)
{
	json_t *roles = json_object_get(d, "roles");
	size_t n;
	int ret;

	if (!json_is_object(d))
		return refuse(why, cap, "\"delegations\" is not an object");
	if (json_object_get(d, "succinct_roles"))
		return refuse(why, cap, "succinct_roles (TAP 15) are not supported");
	if ((ret = parse_keys(&m->keys, json_object_get(d, "keys"), "delegations", why, cap)))
		return ret;
	if (!json_is_array(roles) || json_array_size(roles) > TUF_COUNT_MAX)
		return refuse(why, cap, "delegations: \"roles\" is not an array");
	n = json_array_size(roles);
	if (n && !(m->dele = calloc(n, sizeof(*m->dele))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *r = json_array_get(roles, i), *t, *paths, *prefixes;
		struct tuf_role *dr = &m->dele[i];
		const char *name = json_string_value(json_object_get(r, "name"));

		if (!name || !*name)
			return refuse(why, cap, "delegations: role %zu has no name", i);
		for (int k = 0; k < TUF_NROLES; k++) {
			if (!strcmp(name, vouch_tuf_role_names[k]))
				return refuse(why, cap, "delegations: role named %s", name);
		}
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(m->dele[j].name, name))
				return refuse(why, cap, "delegations: role %.200s listed twice",
				              name);
		}
		dr->name = name;
		m->ndele = i + 1;
		if ((ret = parse_role(dr, r, "delegated role", why, cap)))
			return ret;
		t = json_object_get(r, "terminating");
		if (!json_is_boolean(t))
			return refuse(why, cap,
			              "delegated role %.200s: \"terminating\" is not a boolean",
			              name);
		dr->terminating = json_is_true(t);
		paths = json_object_get(r, "paths");
		prefixes = json_object_get(r, "path_hash_prefixes");
		if (!paths == !prefixes)
			return refuse(
			    why, cap,
			    "delegated role %.200s: needs one of paths and path_hash_prefixes",
			    name);
		if (!strings_array(paths ? paths : prefixes))
			return refuse(why, cap, "delegated role %.200s: patterns are not strings",
			              name);
		dr->paths = paths;
		dr->prefixes = prefixes;
	}
	return 0;
}

static int parse_targets(struct tuf_meta *m, char *why, size_t cap)
{
	json_t *t = json_object_get(m->signed_, "targets"), *v, *d;
	const char *path;

	if (!json_is_object(t))
		return refuse(why, cap, "\"targets\" is not an object");
	json_object_foreach(t, path, v)
	{
		uint64_t len;
		json_t *custom = json_object_get(v, "custom");

		if (!json_is_object(v) || !get_uint(v, "length", 0, &len))
			return refuse(why, cap, "target %.200s: \"length\" is not an integer",
			              path);
		if (!hashes_ok(json_object_get(v, "hashes")))
			return refuse(why, cap,
			              "target %.200s: \"hashes\" is not an object of strings",
			              path);
		if (custom && !json_is_object(custom))
			return refuse(why, cap, "target %.200s: \"custom\" is not an object", path);
	}
	m->targets = t;
	d = json_object_get(m->signed_, "delegations");
	return d ? parse_delegations(m, d, why, cap) : 0;
}

/* spec_version "1.x" or "1.x.y": major version 1, digits only. */
static bool spec_ok(const char *s)
{
	int parts = 1;
	bool digit = false;

	if (!s || s[0] != '1' || (s[1] && s[1] != '.'))
		return false;
	if (!s[1])
		return false;
	for (const char *p = s + 2;; p++) {
		if (*p >= '0' && *p <= '9') {
			digit = true;
		} else if ((*p == '.' || !*p) && digit) {
			if (!*p)
				break;
			parts++;
			digit = false;
		} else {
			return false;
		}
	}
	return parts <= 2;
}

int vouch_tuf_meta_parse(struct tuf_meta **out, const uint8_t *bytes, size_t len,
                         enum tuf_type want, char *why, size_t cap)
{
	struct tuf_meta *m;
	const char *type, *exp;
	int ret;

	*out = NULL;
	if (cap)
		why[0] = '\0';
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->type = want;
	ret = vouch_tuf_parse(&m->doc, bytes, len);
	if (ret) {
		if (ret == VOUCH_E_TUF)
			refuse(why, cap, "not JSON (or a name given twice)");
		goto out;
	}
	ret = VOUCH_E_TUF;
	m->signed_ = json_object_get(m->doc, "signed");
	m->sigs = json_object_get(m->doc, "signatures");
	if (!json_is_object(m->signed_) || !json_is_array(m->sigs)) {
		refuse(why, cap, "no \"signed\" object and \"signatures\" array");
		goto out;
	}
	type = json_string_value(json_object_get(m->signed_, "_type"));
	if (!type || strcmp(type, vouch_tuf_role_names[want])) {
		refuse(why, cap, "\"_type\" is not \"%s\"", vouch_tuf_role_names[want]);
		goto out;
	}
	if (!spec_ok(json_string_value(json_object_get(m->signed_, "spec_version")))) {
		refuse(why, cap, "\"spec_version\" is not 1.x or 1.x.y");
		goto out;
	}
	if (!get_uint(m->signed_, "version", 1, &m->version)) {
		refuse(why, cap, "\"version\" is not an integer of at least 1");
		goto out;
	}
	exp = json_string_value(json_object_get(m->signed_, "expires"));
	if (!vouch_tuf_time_parse(exp, &m->expires)) {
		refuse(why, cap, "\"expires\" is not a time YYYY-MM-DDTHH:MM:SSZ");
		goto out;
	}
	for (size_t i = 0; i < json_array_size(m->sigs); i++) {
		json_t *s = json_array_get(m->sigs, i);

		if (!json_is_string(json_object_get(s, "keyid")) ||
		    !json_is_string(json_object_get(s, "sig"))) {
			refuse(why, cap, "signature %zu has no \"keyid\" and \"sig\" strings", i);
			goto out;
		}
	}
	switch (want) {
	case TUF_ROOT:
		ret = parse_root(m, why, cap);
		break;
	case TUF_TIMESTAMP:
	case TUF_SNAPSHOT:
		ret = parse_metafiles(m, why, cap);
		break;
	case TUF_TARGETS:
		ret = parse_targets(m, why, cap);
		break;
	}
	if (ret)
		goto out;
	/* The signed bytes: the canonical form of the whole "signed", unknown members included. */
	ret = vouch_tuf_canonical(m->signed_, &m->canon, &m->canon_len);
	if (ret) {
		if (ret == VOUCH_E_TUF)
			refuse(why, cap, "\"signed\" has no canonical form (a real number?)");
		goto out;
	}
	ret = -ENOMEM;
	m->raw = malloc(len);
	if (!m->raw)
		goto out;
	memcpy(m->raw, bytes, len);
	m->raw_len = len;
	ret = 0;
out:
	if (ret) {
		vouch_tuf_meta_free(m);
		return ret;
	}
	*out = m;
	return 0;
}

static void free_keys(struct tuf_keyring *kr)
{
	for (size_t i = 0; i < kr->n; i++)
		vouch_tuf_key_destroy(kr->v[i].key);
	free(kr->v);
}

void vouch_tuf_meta_free(struct tuf_meta *m)
{
	if (!m)
		return;
	free_keys(&m->keys);
	for (int i = 0; i < TUF_NROLES; i++)
		free(m->roles[i].keyids);
	for (size_t i = 0; i < m->ndele; i++)
		free(m->dele[i].keyids);
	free(m->dele);
	free(m->meta);
	free(m->canon);
	free(m->raw);
	json_decref(m->doc);
	free(m);
}

int vouch_tuf_meta_verify(const struct tuf_meta *m, const struct tuf_keyring *keys,
                          const struct tuf_role *role, char *why, size_t cap)
{
	uint64_t good = 0;

	/* Each key of the role at most once, however many signatures carry its key id. */
	for (size_t i = 0; i < role->nkeyids; i++) {
		const struct vouch_tuf_key *k = NULL;

		for (size_t j = 0; j < keys->n; j++) {
			if (!strcmp(keys->v[j].keyid, role->keyids[i])) {
				k = keys->v[j].key;
				break;
			}
		}
		if (!k)
			continue;
		for (size_t s = 0; s < json_array_size(m->sigs); s++) {
			json_t *sig = json_array_get(m->sigs, s);
			int r;

			if (strcmp(json_string_value(json_object_get(sig, "keyid")),
			           role->keyids[i]))
				continue;
			r = vouch_tuf_key_verify(k, (const uint8_t *)m->canon, m->canon_len,
			                         json_string_value(json_object_get(sig, "sig")));
			if (r == VOUCH_E_CRYPTO)
				return r;
			if (r == 0) {
				good++;
				break;
			}
		}
	}
	if (good >= role->threshold)
		return 0;
	if (cap)
		snprintf(why, cap, "%llu valid signatures of the %llu its threshold needs",
		         (unsigned long long)good, (unsigned long long)role->threshold);
	return VOUCH_E_THRESHOLD;
}

const struct tuf_metafile *vouch_tuf_meta_file(const struct tuf_meta *m, const char *name)
{
	for (size_t i = 0; i < m->nmeta; i++) {
		if (!strcmp(m->meta[i].name, name))
			return &m->meta[i];
	}
	return NULL;
}

/*
 * One path segment against one pattern segment, with the shell wildcards of Python's fnmatch
 * (which python-tuf uses): '*' any run, '?' one byte, [set] and [!set] with ranges a-z; a '['
 * without its ']' stands for itself; no escapes.
 */
static bool seg_match(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;

	while (si < sn) {
		if (pi < pn && p[pi] == '*') {
			star_p = ++pi;
			star_s = si;
			continue;
		}
		if (pi < pn && p[pi] == '[') {
			size_t j = pi + 1, end;
			bool neg = false, hit = false;

			if (j < pn && p[j] == '!') {
				neg = true;
				j++;
			}
			end = j;
			if (end < pn && p[end] == ']')
				end++;
			while (end < pn && p[end] != ']')
				end++;
			if (end < pn) {
				for (size_t k = j; k < end; k++) {
					if (k + 2 < end && p[k + 1] == '-') {
						if ((unsigned char)s[si] >= (unsigned char)p[k] &&
						    (unsigned char)s[si] <= (unsigned char)p[k + 2])
							hit = true;
						k += 2;
					} else if (p[k] == s[si]) {
						hit = true;
					}
				}
				if (hit != neg) {
					pi = end + 1;
					si++;
					continue;
				}
				goto backtrack;
			}
			/* No closing bracket: a literal '['. */
		}
		if (pi < pn && (p[pi] == '?' || p[pi] == s[si])) {
			pi++;
			si++;
			continue;
		}
	backtrack:
		if (star_p == (size_t)-1)
			return false;
		pi = star_p;
		si = ++star_s;
	}
	while (pi < pn && p[pi] == '*')
		pi++;
	return pi == pn;
}

/* python-tuf's rule: as many '/'-separated segments as the pattern, each matching its own. */
static bool path_match(const char *pat, const char *path)
{
	for (;;) {
		const char *pe = strchr(pat, '/'), *se = strchr(path, '/');
		size_t pn = pe ? (size_t)(pe - pat) : strlen(pat);
		size_t sn = se ? (size_t)(se - path) : strlen(path);

		if (!pe != !se || !seg_match(pat, pn, path, sn))
			return false;
		if (!pe)
			return true;
		pat = pe + 1;
		path = se + 1;
	}
}

bool vouch_tuf_role_covers(const struct tuf_role *r, const char *path)
{
	if (r->paths) {
		for (size_t i = 0; i < json_array_size(r->paths); i++) {
			if (path_match(json_string_value(json_array_get(r->paths, i)), path))
				return true;
		}
		return false;
	}
	if (r->prefixes) {
		uint8_t d[VOUCH_SHA256_LEN];
		char hex[2 * VOUCH_SHA256_LEN + 1];

		if (vouch_sha256(path, strlen(path), d))
			return false;
		vouch_hex_encode(d, sizeof(d), hex);
		for (size_t i = 0; i < json_array_size(r->prefixes); i++) {
			const char *p = json_string_value(json_array_get(r->prefixes, i));

			if (strlen(p) <= 64 && !strncmp(hex, p, strlen(p)))
				return true;
		}
	}
	return false;
}

int vouch_tuf_hashes_check(const json_t *hashes, const uint8_t *bytes, size_t len)
{
	const char *alg;
	json_t *v;

	json_object_foreach((json_t *)hashes, alg, v)
	{
		uint8_t d[64];
		char hex[129];
		size_t dl;

		if (!strcmp(alg, "sha256")) {
			if (vouch_sha256(bytes, len, d))
				return VOUCH_E_CRYPTO;
			dl = 32;
		} else if (!strcmp(alg, "sha512")) {
			unsigned int n = 0;

			if (EVP_Digest(bytes, len, d, &n, EVP_sha512(), NULL) != 1 || n != 64)
				return VOUCH_E_CRYPTO;
			dl = 64;
		} else {
			return VOUCH_E_TUF_HASH; /* a hash vouch cannot check proves nothing */
		}
		vouch_hex_encode(d, dl, hex);
		if (strcmp(hex, json_string_value(v)))
			return VOUCH_E_TUF_HASH;
	}
	return 0;
}
