/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one way an event is answered, by the fanotify readers (a cached verdict,
 * a refusal) and by the workers alike: the response to its group, the counters,
 * and the descriptor closed. And the exec tokens, which carry an allowed exec to
 * the open of the same file by the same thread that follows it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/fanotify.h>
#include <unistd.h>

#include "daemon.h"

static void respond(struct daemon *d, int fan, int fd, uint32_t response)
{
	struct fanotify_response r = {.fd = fd, .response = response};

	atomic_fetch_add(&d->c.events, 1);
	if (response == FAN_DENY)
		atomic_fetch_add(&d->c.denials, 1);
	if (write(fan, &r, sizeof(r)) != sizeof(r))
		logf_pow2(atomic_load(&d->c.events), "vouchd: cannot answer the kernel: %s",
		          strerror(errno));
}

void event_answer(struct daemon *d, const struct job *j, bool allow, bool keep)
{
	respond(d, j->fan, j->fd, allow ? FAN_ALLOW : FAN_DENY);
	if (keep)
		return;
	close(j->fd);
	atomic_fetch_sub(&d->events_held, 1);
}

void event_allow_raw(struct daemon *d, int fan, int fd)
{
	respond(d, fan, fd, FAN_ALLOW);
	close(fd);
	atomic_fetch_sub(&d->events_held, 1);
}

static struct exec_token *token_slot(struct daemon *d, pid_t tid)
{
	return &d->tok[(uint32_t)tid % EXEC_TOKENS];
}

void exec_token_put(struct daemon *d, pid_t tid, const struct cache_key *key)
{
	struct exec_token *t = token_slot(d, tid);

	pthread_mutex_lock(&d->toklock);
	t->key = *key;
	atomic_store(&t->tid, tid);
	pthread_mutex_unlock(&d->toklock);
}

/*
 * Take the token an allowed exec of this file state (@key, an open's key) by this
 * thread left, if any. The put happens before the exec's answer, and so before
 * this thread's next event: a slot without this tid has no token for it.
 */
bool exec_token_take(struct daemon *d, pid_t tid, const struct cache_key *key)
{
	struct exec_token *t = token_slot(d, tid);
	struct cache_key k;
	bool hit;

	if (atomic_load(&t->tid) != tid)
		return false;
	k = *key;
	k.access = CACHE_EXEC;
	pthread_mutex_lock(&d->toklock);
	hit = atomic_load(&t->tid) == tid && memcmp(&t->key, &k, sizeof(k)) == 0;
	if (hit)
		atomic_store(&t->tid, 0);
	pthread_mutex_unlock(&d->toklock);
	return hit;
}
