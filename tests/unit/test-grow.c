/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for vouch_grow(): doubling, contents kept, and every size that would wrap refused. */
#include <errno.h>
#include <stdint.h>

#include "test-util.h"

/*
 * Allocations that cannot succeed return NULL under ASan as they do in libc, so
 * that the refusals past the allocator can be seen (the environment's options
 * still apply on top of these).
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

/* From nothing: 16 elements, then doubling; a need already met changes nothing. */
static void doubles_from_sixteen(void **state)
{
	void *p = NULL, *before;
	size_t cap = 0;

	(void)state;
	assert_err(vouch_grow(&p, &cap, 1, 4), 0);
	assert_non_null(p);
	assert_int_equal(cap, 16);
	before = p;
	assert_err(vouch_grow(&p, &cap, 16, 4), 0);
	assert_ptr_equal(p, before);
	assert_int_equal(cap, 16);
	assert_err(vouch_grow(&p, &cap, 0, 4), 0);
	assert_int_equal(cap, 16);
	assert_err(vouch_grow(&p, &cap, 17, 4), 0);
	assert_int_equal(cap, 32);
	assert_err(vouch_grow(&p, &cap, 100, 4), 0);
	assert_int_equal(cap, 128);
	assert_err(vouch_grow(&p, &cap, 129, 4), 0);
	assert_int_equal(cap, 256);
	free(p);
}

/* The elements already there survive every growth. */
static void keeps_contents(void **state)
{
	void *v = NULL;
	uint32_t *a;
	size_t cap = 0, n = 0;

	(void)state;
	for (uint32_t i = 0; i < 100000; i++) {
		assert_err(vouch_grow(&v, &cap, n + 1, sizeof(*a)), 0);
		a = v;
		a[n++] = i * 2654435761u;
		assert_true(cap >= n);
	}
	a = v;
	for (uint32_t i = 0; i < 100000; i++)
		assert_int_equal(a[i], i * 2654435761u);
	free(v);
}

/* Refused: the array stays the caller's, as it was. */
static void assert_refused(void *p, size_t cap, size_t need, size_t elem)
{
	void *q = p;
	size_t c = cap;

	assert_err(vouch_grow(&q, &c, need, elem), -ENOMEM);
	assert_ptr_equal(q, p);
	assert_int_equal(c, cap);
}

/*
 * Sizes whose bytes do not fit: need * elem past SIZE_MAX (where an unchecked
 * product wraps to a small allocation that would "succeed"), past PTRDIFF_MAX,
 * and elements of no size or of SIZE_MAX bytes.
 */
static void overflow_refused(void **state)
{
	void *p = NULL;
	size_t cap = 0;

	(void)state;
	assert_err(vouch_grow(&p, &cap, 16, 16), 0);
	memset(p, 0x5a, 16 * 16);
	assert_refused(p, cap, SIZE_MAX / 16 + 1, 16);
	/* (SIZE_MAX / 8 + 1) * 16 wraps to 16: tiny, if unchecked. */
	assert_refused(p, cap, SIZE_MAX / 8 + 1, 16);
	assert_refused(p, cap, SIZE_MAX, 16);
	assert_refused(p, cap, (size_t)PTRDIFF_MAX / 16 + 1, 16);
	assert_refused(p, cap, SIZE_MAX, 1);
	assert_refused(p, cap, (size_t)PTRDIFF_MAX + 1, 1);
	assert_refused(p, cap, 17, 0);
	assert_refused(p, cap, 17, SIZE_MAX);
	assert_refused(p, cap, 17, (size_t)PTRDIFF_MAX / 16 + 1);
	/* Still the caller's and intact. */
	for (size_t i = 0; i < 16 * 16; i++)
		assert_int_equal(((uint8_t *)p)[i], 0x5a);
	free(p);
	/* From nothing too: no allocation is made. */
	p = NULL;
	cap = 0;
	assert_refused(NULL, 0, SIZE_MAX / 4 + 1, 8);
}

/*
 * Doubling stops at the largest array: a capacity past half of it does not
 * double into a wrapped size but asks for the whole (which no allocator gives).
 * The capacities below are claimed over a small real array: vouch_grow() only
 * ever reallocates, so a claim it cannot meet leaves the real one untouched.
 */
static void doubling_past_the_top(void **state)
{
	const size_t elem = 8, max = (size_t)PTRDIFF_MAX / elem;
	void *p = malloc(64);

	(void)state;
	assert_non_null(p);
	memset(p, 0x33, 64);
	/* 2 * cap is past max, and 2 * cap * elem past SIZE_MAX. */
	assert_refused(p, max / 2 + 1, max / 2 + 2, elem);
	assert_refused(p, max - 1, max, elem);
	assert_refused(p, SIZE_MAX / 2 + 1, SIZE_MAX / 2 + 2, 1);
	assert_refused(p, (size_t)PTRDIFF_MAX - 1, (size_t)PTRDIFF_MAX, 1);
	/* The count itself near SIZE_MAX: doubling from SIZE_MAX / 2 + 1 would wrap to 0. */
	assert_refused(p, SIZE_MAX / 2 + 1, SIZE_MAX, 1);
	for (size_t i = 0; i < 64; i++)
		assert_int_equal(((uint8_t *)p)[i], 0x33);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(doubles_from_sixteen),
	    cmocka_unit_test(keeps_contents),
	    cmocka_unit_test(overflow_refused),
	    cmocka_unit_test(doubling_past_the_top),
	};

	return cmocka_run_group_tests_name("grow", tests, NULL, NULL);
}
