/* SPDX-License-Identifier: Apache-2.0 */
/* vouchd's work queue: its bounds, a lane per user, and workers shared fairly among lanes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_lanes),
	    cmocka_unit_test(test_root_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
