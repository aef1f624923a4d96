/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for vouchd's decision cache: what makes a verdict stale, and threads. */
#include <pthread.h>

#include "cache.h"
#include "test-util.h"

static struct stat file_stat(uint64_t ino)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_dev = 42;
	st.st_ino = (ino_t)ino;
	st.st_size = 1000;
	st.st_ctim.tv_sec = 1700000000;
	st.st_ctim.tv_nsec = 5;
	st.st_mtim.tv_sec = 1600000000;
	return st;
}

static void identity_and_change(void **state)
{
	struct cache *c = cache_create(8);
	struct stat st = file_stat(7), st2;
	struct cache_key k, k2;
	struct cache_val v = {.code = true, .allow = true}, got;

	(void)state;
	assert_non_null(c);
	cache_key_from_stat(&k, &st, CACHE_EXEC);
	assert_false(cache_get(c, &k, 1, &got));
	cache_put(c, &k, 1, &v);
	assert_true(cache_get(c, &k, 1, &got));
	assert_true(got.allow && got.code);
	/* Each part of the change state makes the file a new one. */
	st2 = st;
	st2.st_ctim.tv_nsec++;
	cache_key_from_stat(&k2, &st2, CACHE_EXEC);
	assert_false(cache_get(c, &k2, 1, &got));
	st2 = st;
	st2.st_size++;
	cache_key_from_stat(&k2, &st2, CACHE_EXEC);
	assert_false(cache_get(c, &k2, 1, &got));
	st2 = st;
	st2.st_dev++;
	cache_key_from_stat(&k2, &st2, CACHE_EXEC);
	assert_false(cache_get(c, &k2, 1, &got));
	/* The other kind of access is decided on its own. */
	cache_key_from_stat(&k2, &st, CACHE_OPEN);
	assert_false(cache_get(c, &k2, 1, &got));
	/* mtime is not part of it: a user can set it back. */
	st2 = st;
	st2.st_mtim.tv_sec = 1;
	cache_key_from_stat(&k2, &st2, CACHE_EXEC);
	assert_true(cache_get(c, &k2, 1, &got));
	/* A verdict of another policy generation is never returned. */
	assert_false(cache_get(c, &k, 2, &got));
	cache_put(c, &k, 2, &v);
	assert_true(cache_get(c, &k, 2, &got));
	assert_false(cache_get(c, &k, 1, &got));
	cache_destroy(c);
	cache_destroy(NULL);
}

/* A slot holds one file: a colliding one replaces it, and never answers for it. */
static void collisions(void **state)
{
	struct cache *c = cache_create(2);
	struct cache_key k[64];
	struct cache_val v, got;
	int hits = 0;

	(void)state;
	assert_non_null(c);
	for (int i = 0; i < 64; i++) {
		struct stat st = file_stat((uint64_t)i);

		cache_key_from_stat(&k[i], &st, CACHE_EXEC);
		memset(&v, 0, sizeof(v));
		v.sha256[0] = (uint8_t)i;
		cache_put(c, &k[i], 1, &v);
	}
	for (int i = 0; i < 64; i++)
		if (cache_get(c, &k[i], 1, &got)) {
			assert_int_equal(got.sha256[0], i);
			hits++;
		}
	assert_true(hits >= 1 && hits <= 4);
	cache_destroy(c);
}

struct race {
	struct cache *c;
	int id;
	int bad;
};

/* Writers and readers on the same slots: a reader sees a whole entry or none. */
static void *racer(void *arg)
{
	struct race *r = arg;

	for (int n = 0; n < 200000; n++) {
		struct stat st = file_stat((uint64_t)(n % 16));
		struct cache_key k;
		struct cache_val v, got;

		cache_key_from_stat(&k, &st, CACHE_EXEC);
		if (r->id & 1) {
			memset(&v, 0, sizeof(v));
			memset(v.sha256, n % 16, sizeof(v.sha256));
			v.allow = n % 16 < 8;
			cache_put(r->c, &k, 1, &v);
		} else if (cache_get(r->c, &k, 1, &got)) {
			for (int i = 0; i < 32; i++)
				r->bad += got.sha256[i] != n % 16;
			r->bad += got.allow != (n % 16 < 8);
		}
	}
	return NULL;
}

static void threads(void **state)
{
	struct cache *c = cache_create(3);
	struct race r[4];
	pthread_t t[4];

	(void)state;
	assert_non_null(c);
	for (int i = 0; i < 4; i++) {
		r[i] = (struct race){c, i, 0};
		assert_int_equal(pthread_create(&t[i], NULL, racer, &r[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(r[i].bad, 0);
	}
	cache_destroy(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(identity_and_change),
	    cmocka_unit_test(collisions),
	    cmocka_unit_test(threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
