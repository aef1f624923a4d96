/* SPDX-License-Identifier: Apache-2.0 */
/* vouchd's policy: the installed store opened, swapped whole on reload, and asked for decisions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"

/*
 * What vouchd enforces when the store cannot be had at start (vouchd(8),
 * FAIL-SAFETY): a store that is damaged falls back to the copy of the bundle it
 * was installed from; with neither, monitor mode and an empty trust set. Never
 * a refusal to start (systemd would restart it in a loop, enforcing nothing),
 * never an enforce mode that denies everything (the machine could not be
 * mended), and never quietly: the reason is in the journal and in every status.
 */
static void policy_free(struct policy *p)
{
	if (!p)
		return;
	vouch_store_reader_destroy(p->reader);
	vouch_store_close(p->store);
	vouch_bundle_free(&p->b);
	free(p->bdata);
	free(p);
}

/* The copy of the installed bundle, parsed as strictly as an install parses it. */
static int open_bundle(struct daemon *d, struct policy *p, char *why, size_t whylen)
{
	struct vouch_sig sig;
	size_t len;
	int ret;

	ret = vouch_file_read(d->bundle_path, VOUCH_BUNDLE_MAX, &p->bdata, &len);
	if (!ret)
		ret = vouch_bundle_parse(&p->b, &sig, (const uint8_t *)p->bdata, len);
	if (ret) {
		snprintf(why, whylen, "%s: %s", d->bundle_path, vouch_strerror(ret));
		free(p->bdata);
		p->bdata = NULL;
		return ret;
	}
	p->src = POLICY_BUNDLE;
	p->cp = &p->b.policy;
	p->count = p->b.nentries;
	return 0;
}

/* Nothing to enforce: monitor mode, the default gates and log level, no trust at all. */
static void open_empty(struct policy *p)
{
	p->src = POLICY_NONE;
	memset(&p->empty, 0, sizeof(p->empty));
	p->empty.mode = VOUCH_MODE_MONITOR;
	p->empty.gates = VOUCH_GATE_DEFAULT;
	p->empty.message = VOUCH_NONE;
	p->cp = &p->empty;
	p->count = 0;
}

/* At start only: what to enforce instead of a store that could not be opened (@ret). */
static void fall_back(struct daemon *d, struct policy *p, int ret)
{
	char why[PATH_MAX + 128];

	if (ret == -ENOENT) {
		open_empty(p);
		snprintf(p->problem, sizeof(p->problem),
		         "no policy is installed (no %s): monitor mode with an empty trust set, "
		         "so nothing is denied and every program would be; install one with "
		         "'vouch policy install' and load it with 'vouch reload'",
		         d->store_path);
		return;
	}
	if (open_bundle(d, p, why, sizeof(why)) == 0) {
		snprintf(p->problem, sizeof(p->problem),
		         "the trust store %s cannot be opened (%s): enforcing the copy of the "
		         "bundle installed with it, %s, as it was checked when installed (vouchd "
		         "has no owner key to check its signature again); install the policy "
		         "again with 'vouch policy install'",
		         d->store_path, vouch_strerror(ret), d->bundle_path);
		return;
	}
	open_empty(p);
	snprintf(p->problem, sizeof(p->problem),
	         "the trust store %s cannot be opened (%s), nor its bundle (%s): monitor mode "
	         "with an empty trust set, so nothing is denied and every program would be; "
	         "install the policy again with 'vouch policy install' and 'vouch reload'",
	         d->store_path, vouch_strerror(ret), why);
}

int policy_load(struct daemon *d, char *err, size_t errlen)
{
	struct policy *p = calloc(1, sizeof(*p)), *old;
	int ret;

	if (!p) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	ret = vouch_store_open(&p->store, d->store_path);
	if (!ret)
		ret = vouch_store_reader_create(p->store, &p->reader);
	if (!ret) {
		p->src = POLICY_STORE;
		p->cp = vouch_store_policy(p->store);
		p->count = vouch_store_count(p->store);
	} else {
		snprintf(err, errlen, "%s: cannot open the trust store: %s", d->store_path,
		         vouch_strerror(ret));
		vouch_store_reader_destroy(p->reader);
		vouch_store_close(p->store);
		p->reader = NULL;
		p->store = NULL;
		/* A reload that fails keeps the policy in force; only a start falls back. */
		if (d->pol) {
			free(p);
			return ret;
		}
		fall_back(d, p, ret);
	}
	/* The old policy stays in force until the new one is whole: no gap in enforcement. */
	pthread_rwlock_wrlock(&d->plock);
	old = d->pol;
	p->gen = old ? old->gen + 1 : 1;
	d->pol = p;
	atomic_store(&d->gen, p->gen);
	atomic_store(&d->enforce, p->cp->mode == VOUCH_MODE_ENFORCE);
	atomic_store(&d->max_size, vouch_cpolicy_max_size(p->cp));
	pthread_rwlock_unlock(&d->plock);
	dlog_policy(d);
	if (p->src != POLICY_STORE)
		logf_("vouchd: WARNING: %s", p->problem);
	policy_free(old);
	return 0;
}

void policy_unload(struct daemon *d)
{
	policy_free(d->pol);
	d->pol = NULL;
}

uint32_t policy_decide(struct daemon *d, const struct vouch_subject *subj,
                       const struct vouch_object *obj, struct vouch_decision *dec,
                       char msg[static VOUCH_MESSAGE_MAX + 1])
{
	struct vouch_trust_rec rec;
	uint32_t gen;
	int ret = VOUCH_E_NOTFOUND;

	pthread_rwlock_rdlock(&d->plock);
	if (obj->sha256 && d->pol->src == POLICY_STORE)
		ret = vouch_store_lookup(d->pol->reader, obj->sha256, &rec);
	else if (obj->sha256 && d->pol->src == POLICY_BUNDLE)
		ret = vouch_bundle_lookup(&d->pol->b, obj->sha256, &rec);
	vouch_decide(d->pol->cp, subj, obj, ret ? NULL : &rec, (int64_t)time(NULL), dec);
	/* The message lives in the policy, which a reload frees once the lock is dropped. */
	if (dec->message) {
		snprintf(msg, VOUCH_MESSAGE_MAX + 1, "%s", dec->message);
		dec->message = msg;
	}
	gen = d->pol->gen;
	pthread_rwlock_unlock(&d->plock);
	return gen;
}

uint64_t policy_max_size(struct daemon *d)
{
	return atomic_load(&d->max_size);
}

const char *policy_source_name(enum policy_source src)
{
	switch (src) {
	case POLICY_STORE:
		return "installed";
	case POLICY_BUNDLE:
		return "bundle-copy";
	case POLICY_NONE:
		break;
	}
	return "none";
}
