/* SPDX-License-Identifier: Apache-2.0 */
/* Policy compilation: parse, verify each manifest's signature, merge rules into one trust set. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vouch/compile.h"
#include "vouch/error.h"
#include "vouch/file.h"
#include "vouch/grow.h"
#include "vouch/manifest.h"

struct builder {
	struct vouch_compiled *out;
	struct vouch_policy_error *err;
	size_t cap_entries, cap_strings, cap_files;
};

static int cerr(struct vouch_policy_error *err, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int cerr(struct vouch_policy_error *err, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	err->column = col;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return VOUCH_E_POLICY;
}

/* Add a string to the table; *@idx gets its index (VOUCH_NONE for NULL). */
static int add_string(struct builder *b, const char *s, uint32_t *idx)
{
	struct vouch_cpolicy *cp = &b->out->policy;
	int ret;

	if (!s) {
		*idx = VOUCH_NONE;
		return 0;
	}
	ret = vouch_grow((void **)&cp->strings, &b->cap_strings, cp->nstrings + 1,
	                 sizeof(*cp->strings));
	if (ret)
		return ret;
	cp->strings[cp->nstrings] = strdup(s);
	if (!cp->strings[cp->nstrings])
		return -ENOMEM;
	*idx = cp->nstrings++;
	return 0;
}

/* Remember that @path was read (vouch_compiled.files). */
static int add_file(struct builder *b, const char *path)
{
	struct vouch_compiled *c = b->out;
	int ret = vouch_grow((void **)&c->files, &b->cap_files, c->nfiles + 1, sizeof(*c->files));

	if (ret)
		return ret;
	c->files[c->nfiles] = strdup(path);
	if (!c->files[c->nfiles])
		return -ENOMEM;
	c->nfiles++;
	return 0;
}

static int add_entry(struct builder *b, const uint8_t sha[static 32], struct vouch_trust_rec rec)
{
	struct vouch_compiled *c = b->out;
	int ret =
	    vouch_grow((void **)&c->entries, &b->cap_entries, c->nentries + 1, sizeof(*c->entries));

	if (ret)
		return ret;
	memcpy(c->entries[c->nentries].sha256, sha, 32);
	c->entries[c->nentries].rec = rec;
	c->nentries++;
	return 0;
}

/* A manifest's path: absolute as given, else relative to the policy's directory. */
static int resolve(const char *policy_path, const char *p, char out[static PATH_MAX])
{
	const char *slash = strrchr(policy_path, '/');
	int n;

	/* "./-": a manifest named "-" is that file, not standard input (vouch_file_read()). */
	if (!slash && !strcmp(p, "-"))
		n = snprintf(out, PATH_MAX, "./-");
	else if (p[0] == '/' || !slash)
		n = snprintf(out, PATH_MAX, "%s", p);
	else
		n = snprintf(out, PATH_MAX, "%.*s/%s", (int)(slash - policy_path), policy_path, p);
	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

static const char *sig_reason(int ret)
{
	switch (ret) {
	case VOUCH_E_WRONGKEY:
		return "wrong key";
	case VOUCH_E_BADSIG:
		return "modified file: the signature does not match the manifest";
	case VOUCH_E_BADCOMMENT:
		return "modified comment";
	default:
		return vouch_strerror(ret);
	}
}

/* Read, verify and add one manifest's entries. */
static int add_manifest(struct builder *b, const char *policy_path, const struct vouch_policy *p,
                        size_t mi)
{
	const struct vouch_policy_manifest *pm = &p->manifests[mi];
	const struct vouch_policy_signer *signer = &p->signers[pm->signer];
	struct vouch_cmanifest *cm = &b->out->policy.manifests[mi];
	struct vouch_manifest m;
	struct vouch_sig *sig = NULL;
	char path[PATH_MAX], sigpath[PATH_MAX + 8], *text = NULL, *sigtext = NULL;
	uint8_t hash[VOUCH_BLAKE2B512_LEN];
	size_t len = 0, siglen = 0, errline = 0;
	int ret;

	vouch_manifest_init(&m);
	ret = resolve(policy_path, pm->path, path);
	if (!ret && pm->sigpath)
		ret = resolve(policy_path, pm->sigpath, sigpath);
	else if (!ret)
		snprintf(sigpath, sizeof(sigpath), "%s.minisig", path);
	if (ret) {
		ret = cerr(b->err, pm->line, 10, "manifest %s: %s", pm->path, vouch_strerror(ret));
		goto out;
	}
	ret = vouch_file_read(path, VOUCH_MANIFEST_MAX, &text, &len);
	if (ret) {
		ret = cerr(b->err, pm->line, 10, "manifest %s: cannot read: %s", path,
		           vouch_strerror(ret));
		goto out;
	}
	ret = vouch_file_read(sigpath, VOUCH_SIGFILE_MAX, &sigtext, &siglen);
	if (ret) {
		ret = cerr(b->err, pm->line, 10, "manifest %s: cannot read its signature %s: %s",
		           path, sigpath, vouch_strerror(ret));
		goto out;
	}
	ret = add_file(b, path);
	if (!ret)
		ret = add_file(b, sigpath);
	if (ret)
		goto out;
	ret = -ENOMEM;
	sig = malloc(sizeof(*sig));
	if (!sig)
		goto out;
	ret = vouch_sig_parse(sig, sigtext, siglen);
	if (!ret) {
		if (sig->alg == VOUCH_SIG_PREHASHED) {
			ret = vouch_blake2b(text, len, hash, sizeof(hash));
			if (!ret)
				ret = vouch_sig_verify(sig, &signer->key, hash, sizeof(hash));
		} else {
			ret = vouch_sig_verify(sig, &signer->key, (const uint8_t *)text, len);
		}
	}
	if (ret) {
		ret = cerr(b->err, pm->line, 10,
		           "manifest %s: not verified by signer '%s' (signature %s): %s", path,
		           signer->name, sigpath, sig_reason(ret));
		goto out;
	}
	ret = vouch_manifest_parse(&m, text, len, &errline);
	if (ret == -ENOMEM)
		goto out;
	if (ret) {
		ret = cerr(b->err, pm->line, 10, "manifest %s: line %zu: %s", path, errline,
		           vouch_strerror(ret));
		goto out;
	}
	ret = vouch_sha256(text, len, cm->sha256);
	if (ret)
		goto out;
	ret = add_string(b, pm->path, &cm->path);
	if (ret)
		goto out;
	cm->signer = (uint32_t)pm->signer;
	cm->entries = m.count;
	for (size_t i = 0; i < m.count; i++) {
		struct vouch_trust_rec rec = {VOUCH_TRUST_MANIFEST, VOUCH_NONE, VOUCH_NONE,
		                              (uint32_t)mi};

		ret = add_entry(b, m.entries[i].sha256, rec);
		if (ret)
			goto out;
	}
out:
	vouch_manifest_free(&m);
	free(sig);
	free(text);
	free(sigtext);
	return ret;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct vouch_trust_entry *x = a, *y = b;
	int c = memcmp(x->sha256, y->sha256, 32);

	if (c)
		return c;
	/* Ties: lower manifest index first, so the first manifest listing a hash is kept. */
	return x->rec.manifest < y->rec.manifest ? -1 : x->rec.manifest > y->rec.manifest;
}

/* Sort and fold records of the same hash into one. */
static void merge_entries(struct vouch_compiled *c)
{
	size_t o = 0;

	if (c->nentries == 0)
		return;
	qsort(c->entries, c->nentries, sizeof(*c->entries), cmp_entry);
	for (size_t i = 1; i < c->nentries; i++) {
		struct vouch_trust_entry *dst = &c->entries[o];
		const struct vouch_trust_entry *e = &c->entries[i];

		if (memcmp(dst->sha256, e->sha256, 32) != 0) {
			c->entries[++o] = *e;
			continue;
		}
		dst->rec.flags |= e->rec.flags;
		if (e->rec.deny_msg != VOUCH_NONE)
			dst->rec.deny_msg = e->rec.deny_msg;
		if (e->rec.allow_msg != VOUCH_NONE)
			dst->rec.allow_msg = e->rec.allow_msg;
		if (dst->rec.manifest == VOUCH_NONE)
			dst->rec.manifest = e->rec.manifest;
	}
	c->nentries = o + 1;
}

int vouch_policy_compile(const char *path, int64_t now, struct vouch_compiled *out,
                         struct vouch_policy_error *err)
{
	struct builder b = {.out = out, .err = err};
	struct vouch_cpolicy *cp = &out->policy;
	struct vouch_policy pol;
	char *text = NULL;
	size_t len = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	memset(&pol, 0, sizeof(pol));
	ret = vouch_file_read(path, VOUCH_POLICY_MAX, &text, &len);
	if (ret == VOUCH_E_TOOBIG)
		ret = cerr(err, 0, 0, "larger than %u bytes", VOUCH_POLICY_MAX);
	if (ret)
		goto out;
	ret = vouch_policy_parse(&pol, text, len, err);
	if (ret)
		goto out;
	if (pol.expires && pol.expires <= now) {
		char when[21];

		vouch_time_format(pol.expires, when);
		ret = cerr(err, 0, 0, "the policy expired at %s; set a later 'expires'", when);
		goto out;
	}
	cp->mode = pol.mode;
	cp->gates = pol.gates;
	cp->expires = pol.expires;
	cp->max_size = pol.max_size;
	cp->update_every = pol.update_every;
	cp->compiled = now;
	ret = vouch_sha256(text, len, cp->source_sha256);
	if (!ret)
		ret = add_string(&b, pol.message, &cp->message);
	if (ret)
		goto out;
	ret = -ENOMEM;
	cp->source = malloc(len + 1);
	if (!cp->source)
		goto out;
	memcpy(cp->source, text, len + 1);
	if (pol.nsigners) {
		cp->signers = calloc(pol.nsigners, sizeof(*cp->signers));
		if (!cp->signers)
			goto out;
	}
	for (size_t i = 0; i < pol.nsigners; i++, cp->nsigners++) {
		cp->signers[i].key = pol.signers[i].key;
		ret = add_string(&b, pol.signers[i].name, &cp->signers[i].name);
		if (ret)
			goto out;
	}
	ret = -ENOMEM;
	if (pol.nmanifests) {
		cp->manifests = calloc(pol.nmanifests, sizeof(*cp->manifests));
		if (!cp->manifests)
			goto out;
	}
	for (size_t i = 0; i < pol.nmanifests; i++) {
		ret = add_manifest(&b, path, &pol, i);
		if (ret)
			goto out;
		cp->nmanifests++;
	}
	for (size_t i = 0; i < pol.nrules; i++) {
		const struct vouch_policy_rule *r = &pol.rules[i];
		struct vouch_trust_rec rec = {r->deny ? VOUCH_TRUST_DENY : VOUCH_TRUST_ALLOW,
		                              VOUCH_NONE, VOUCH_NONE, VOUCH_NONE};

		ret = add_string(&b, r->message, r->deny ? &rec.deny_msg : &rec.allow_msg);
		if (!ret)
			ret = add_entry(&b, r->sha256, rec);
		if (ret)
			goto out;
	}
	merge_entries(out);
	ret = 0;
out:
	vouch_policy_free(&pol);
	free(text);
	return ret;
}

void vouch_compiled_free(struct vouch_compiled *c)
{
	if (!c)
		return;
	vouch_cpolicy_free(&c->policy);
	free(c->entries);
	for (size_t i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	memset(c, 0, sizeof(*c));
}
