/* SPDX-License-Identifier: Apache-2.0 */
/* vouchd's work queue: bounded, with one lane per user so that nobody's work waits on another's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

#define NIL UINT32_MAX

/*
 * The rules, all under one lock:
 * - A job belongs to the lane of its subject's real uid.
 * - A user other than root has at most user_running jobs being worked on and
 *   user_queued waiting; all such users together at most three quarters of the
 *   queue, so root always finds room. Beyond that a job is refused at once (the
 *   caller answers it by the mode), never queued behind others.
 * - Workers serve lanes round robin, skipping a lane at its running bound: a user
 *   whose files take long (a stalled FUSE server, a huge file) holds at most
 *   user_running workers, and everyone else's jobs go on.
 */

int queue_init(struct queue *q, unsigned cap, unsigned workers)
{
	memset(q, 0, sizeof(*q));
	q->pool = calloc(cap, sizeof(*q->pool));
	if (!q->pool)
		return -ENOMEM;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	q->cap = cap;
	for (uint32_t i = 0; i < cap; i++)
		q->pool[i].next = i + 1 < cap ? i + 1 : NIL;
	q->free_head = 0;
	q->workers = workers;
	/* A quarter of the workers (at least one) and a sixteenth of the queue, per user. */
	q->user_running = workers / 4 ? workers / 4 : 1;
	q->user_queued = cap / 16 ? cap / 16 : 1;
	q->users_queued = cap - cap / 4 ? cap - cap / 4 : 1;
	return 0;
}

void queue_free(struct queue *q)
{
	if (!q->pool)
		return;
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->cond);
	free(q->pool);
	q->pool = NULL;
}

static struct lane *lane_find(struct queue *q, uid_t uid)
{
	for (unsigned i = 0; i < q->nlanes; i++)
		if (q->lanes[i].uid == uid)
			return &q->lanes[i];
	return NULL;
}

bool queue_push(struct queue *q, const struct job *j, bool *user)
{
	struct lane *l;
	uint32_t i;
	bool ok = false;

	*user = false;
	pthread_mutex_lock(&q->lock);
	if (q->free_head == NIL || q->stop)
		goto out;
	l = lane_find(q, j->uid);
	if (j->uid != 0 &&
	    ((l && l->queued >= q->user_queued) || q->len_users >= q->users_queued)) {
		*user = true;
		goto out;
	}
	if (!l) {
		if (q->nlanes == LANES_MAX) {
			*user = true;
			goto out;
		}
		l = &q->lanes[q->nlanes++];
		memset(l, 0, sizeof(*l));
		l->uid = j->uid;
		l->head = l->tail = NIL;
	}
	i = q->free_head;
	q->free_head = q->pool[i].next;
	q->pool[i] = *j;
	q->pool[i].next = NIL;
	if (l->tail == NIL)
		l->head = i;
	else
		q->pool[l->tail].next = i;
	l->tail = i;
	l->queued++;
	q->len++;
	if (j->uid != 0)
		q->len_users++;
	if (q->len > q->max)
		q->max = q->len;
	ok = true;
	pthread_cond_signal(&q->cond);
out:
	pthread_mutex_unlock(&q->lock);
	return ok;
}

static unsigned running_cap(const struct queue *q, uid_t uid)
{
	return uid == 0 ? q->workers : q->user_running;
}

/* The lane at @i leaves the table if it has nothing waiting or running. */
static void lane_gc(struct queue *q, unsigned i)
{
	if (q->lanes[i].queued || q->lanes[i].running)
		return;
	q->lanes[i] = q->lanes[--q->nlanes];
	if (q->rr > q->nlanes)
		q->rr = 0;
}

bool queue_pop(struct queue *q, struct job *j)
{
	bool ok = false;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		for (unsigned k = 0; k < q->nlanes; k++) {
			unsigned i = (q->rr + k) % q->nlanes;
			struct lane *l = &q->lanes[i];
			uint32_t n;

			if (!l->queued || l->running >= running_cap(q, l->uid))
				continue;
			n = l->head;
			*j = q->pool[n];
			l->head = q->pool[n].next;
			if (l->head == NIL)
				l->tail = NIL;
			q->pool[n].next = q->free_head;
			q->free_head = n;
			l->queued--;
			l->running++;
			q->len--;
			if (l->uid != 0)
				q->len_users--;
			q->rr = i + 1;
			ok = true;
			goto out;
		}
		/* On stop, every queued job is still handed out: each event is answered. */
		if (q->stop && q->len == 0)
			goto out;
		pthread_cond_wait(&q->cond, &q->lock);
	}
out:
	pthread_mutex_unlock(&q->lock);
	return ok;
}

void queue_done(struct queue *q, uid_t uid)
{
	bool waiting = false;

	pthread_mutex_lock(&q->lock);
	for (unsigned i = 0; i < q->nlanes; i++) {
		if (q->lanes[i].uid != uid)
			continue;
		if (q->lanes[i].running)
			q->lanes[i].running--;
		/* Work of this lane held back by its bound may go on now. */
		waiting = q->lanes[i].queued > 0;
		lane_gc(q, i);
		break;
	}
	if (q->stop)
		pthread_cond_broadcast(&q->cond); /* stopping workers wait for the end */
	else if (waiting)
		pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

void queue_stop(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->stop = true;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

void queue_stats(struct queue *q, struct queue_stats *s)
{
	pthread_mutex_lock(&q->lock);
	s->len = q->len;
	s->max = q->max;
	s->cap = q->cap;
	s->lanes = q->nlanes;
	s->running = 0;
	for (unsigned i = 0; i < q->nlanes; i++)
		s->running += q->lanes[i].running;
	pthread_mutex_unlock(&q->lock);
}
