/* SPDX-License-Identifier: Apache-2.0 */
/* vouchd's work queue: its bounds, a lane per user, and workers shared fairly among lanes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <pthread.h>

#include "daemon.h"

/* Nothing is lost or reordered within a lane; the bounds hold. */
static void test_bounds(void **state)
{
	struct queue q;
	struct job j;
	bool user;

	(void)state;
	assert_int_equal(queue_init(&q, 64, 8), 0);
	assert_int_equal(q.user_running, 2); /* a quarter of the workers */
	assert_int_equal(q.user_queued, 4);  /* a sixteenth of the queue */
	for (int i = 0; i < 4; i++)
		assert_true(queue_push(&q, &(struct job){.uid = 1000, .fd = i}, &user));
	/* A fifth of that user's is refused at once, and says why. */
	assert_false(queue_push(&q, &(struct job){.uid = 1000, .fd = 99}, &user));
	assert_true(user);
	/* Others are not affected; root is not bounded per user. */
	assert_true(queue_push(&q, &(struct job){.uid = 1001, .fd = 10}, &user));
	for (int i = 0; i < 20; i++)
		assert_true(queue_push(&q, &(struct job){.uid = 0, .fd = 100 + i}, &user));
	for (int i = 0; i < 4; i++) {
		assert_true(queue_pop(&q, &j));
		if (j.uid == 1000)
			break;
	}
	queue_stop(&q);
	/* Stopped: what is queued is still handed out (each event is answered). */
	for (int n = 0; queue_pop(&q, &j); n++) {
		queue_done(&q, j.uid);
		assert_true(n < 64);
	}
	queue_free(&q);
}

/* A lane at its running bound is skipped: others' work goes on. */
static void test_lanes(void **state)
{
	struct queue q;
	struct job j;
	bool user;
	int order[8], n = 0;

	(void)state;
	assert_int_equal(queue_init(&q, 64, 4), 0); /* one worker per user */
	assert_true(queue_push(&q, &(struct job){.uid = 1000, .fd = 1}, &user));
	assert_true(queue_push(&q, &(struct job){.uid = 1000, .fd = 2}, &user));
	assert_true(queue_push(&q, &(struct job){.uid = 1000, .fd = 3}, &user));
	assert_true(queue_push(&q, &(struct job){.uid = 0, .fd = 4}, &user));
	assert_true(queue_push(&q, &(struct job){.uid = 1001, .fd = 5}, &user));
	/* 1000's first job runs (and does not finish); its others wait behind it. */
	assert_true(queue_pop(&q, &j));
	assert_int_equal(j.fd, 1);
	for (int i = 0; i < 2; i++) {
		assert_true(queue_pop(&q, &j));
		order[n++] = j.fd;
		assert_int_not_equal(j.uid, 1000);
		queue_done(&q, j.uid);
	}
	assert_true((order[0] == 4 && order[1] == 5) || (order[0] == 5 && order[1] == 4));
	/* Once 1000's first is done, its next one is taken, in order. */
	queue_done(&q, 1000);
	assert_true(queue_pop(&q, &j));
	assert_int_equal(j.fd, 2);
	queue_done(&q, 1000);
	assert_true(queue_pop(&q, &j));
	assert_int_equal(j.fd, 3);
	queue_done(&q, 1000);
	{
		struct queue_stats s;

		queue_stats(&q, &s);
		assert_int_equal(s.len, 0);
		assert_int_equal(s.lanes, 0); /* lanes leave with their last job */
		assert_int_equal(s.running, 0);
		assert_int_equal(s.max, 5);
	}
	queue_stop(&q);
	assert_false(queue_pop(&q, &j));
	queue_free(&q);
}

/* Users other than root together leave a quarter of the queue to root. */
static void test_root_room(void **state)
{
	struct queue q;
	bool user;
	int pushed = 0;

	(void)state;
	assert_int_equal(queue_init(&q, 32, 4), 0);
	for (uid_t u = 1000; u < 1100; u++)
		for (int i = 0; i < 2; i++)
			pushed += queue_push(&q, &(struct job){.uid = u, .fd = i}, &user);
	assert_int_equal(pushed, 24);
	assert_true(user);
	for (int i = 0; i < 8; i++)
		assert_true(queue_push(&q, &(struct job){.uid = 0, .fd = i}, &user));
	assert_false(queue_push(&q, &(struct job){.uid = 0, .fd = 9}, &user));
	assert_false(user); /* full, not a user's limit */
	queue_free(&q);
}

/* Lanes are served round robin: thirteen lanes, thirteen pops, one job of each. */
static void test_round_robin(void **state)
{
	struct queue q;
	struct job j;
	bool user, root = false;
	unsigned users = 0;

	(void)state;
	assert_int_equal(queue_init(&q, 64, 16), 0);
	for (int i = 0; i < 3; i++) {
		for (uid_t u = 1000; u < 1012; u++)
			assert_true(queue_push(&q, &(struct job){.uid = u, .fd = i}, &user));
		assert_true(queue_push(&q, &(struct job){.uid = 0, .fd = i}, &user));
	}
	for (int i = 0; i < 13; i++) {
		assert_true(queue_pop(&q, &j));
		assert_int_equal(j.fd, 0); /* each lane's first */
		if (j.uid == 0)
			root = true;
		else
			users |= 1u << (j.uid - 1000);
	}
	assert_true(root);
	assert_int_equal(users, (1u << 12) - 1);
	/* Stopped: nothing more is taken in. */
	queue_stop(&q);
	assert_false(queue_push(&q, &(struct job){.uid = 0, .fd = 9}, &user));
	for (int n = 0; queue_pop(&q, &j); n++) {
		queue_done(&q, j.uid);
		assert_true(n < 64);
	}
	queue_free(&q);
}

struct popper {
	struct queue *q;
	int got;
};

static void *popper_main(void *arg)
{
	struct popper *p = arg;
	struct job j;

	while (queue_pop(p->q, &j)) {
		p->got++;
		queue_done(p->q, j.uid);
	}
	return NULL;
}

/* Workers waiting on an empty queue are woken by work and by stop, and lose no job. */
static void test_threads(void **state)
{
	struct queue q;
	struct popper p[4];
	pthread_t t[4];
	bool user;
	int pushed = 0, got = 0;

	(void)state;
	assert_int_equal(queue_init(&q, 256, 4), 0);
	for (int i = 0; i < 4; i++) {
		p[i] = (struct popper){.q = &q};
		assert_int_equal(pthread_create(&t[i], NULL, popper_main, &p[i]), 0);
	}
	for (int i = 0; i < 20000; i++) {
		uid_t uid = i % 3 ? 0 : (uid_t)(1000 + i % 7);

		pushed += queue_push(&q, &(struct job){.uid = uid, .fd = i}, &user);
	}
	queue_stop(&q);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		got += p[i].got;
	}
	assert_int_equal(got, pushed);
	assert_true(pushed > 0);
	queue_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_lanes),
	    cmocka_unit_test(test_root_room),
	    cmocka_unit_test(test_round_robin),
	    cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
