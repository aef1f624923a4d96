/* SPDX-License-Identifier: Apache-2.0 */
/* vouchd's policy: the installed store opened, swapped whole on reload, and asked for decisions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"

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
	if (ret) {
		snprintf(err, errlen, "%s: cannot open the trust store: %s", d->store_path,
		         vouch_strerror(ret));
		vouch_store_close(p->store);
		free(p);
		return ret;
	}
	/* The old policy stays in force until the new one is whole: no gap in enforcement. */
	pthread_rwlock_wrlock(&d->plock);
	old = d->pol;
	p->gen = old ? old->gen + 1 : 1;
	d->pol = p;
	atomic_store(&d->gen, p->gen);
	atomic_store(&d->enforce, vouch_store_policy(p->store)->mode == VOUCH_MODE_ENFORCE);
	atomic_store(&d->max_size, vouch_cpolicy_max_size(vouch_store_policy(p->store)));
	pthread_rwlock_unlock(&d->plock);
	dlog_policy(d);
	if (old) {
		vouch_store_reader_destroy(old->reader);
		vouch_store_close(old->store);
		free(old);
	}
	return 0;
}

uint32_t policy_decide(struct daemon *d, const struct vouch_subject *subj,
                       const struct vouch_object *obj, struct vouch_decision *dec,
                       char msg[static VOUCH_MESSAGE_MAX + 1])
{
	struct vouch_trust_rec rec;
	uint32_t gen;
	int ret = VOUCH_E_NOTFOUND;

	pthread_rwlock_rdlock(&d->plock);
	if (obj->sha256)
		ret = vouch_store_lookup(d->pol->reader, obj->sha256, &rec);
	vouch_decide(vouch_store_policy(d->pol->store), subj, obj, ret ? NULL : &rec,
	             (int64_t)time(NULL), dec);
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
