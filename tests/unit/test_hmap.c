/* Unit tests for hmap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "chat/common/hmap.h"

static void test_put_get_remove_through_growth(void **state)
{
	struct hmap *m = hmap_create();
	static int values[1000];
	char key[32];

	(void)state;
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "c:%d", i);
		assert_null(hmap_put(m, key, &values[i]));
	}
	assert_int_equal(hmap_count(m), 1000);
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "c:%d", i);
		assert_ptr_equal(hmap_get(m, key), &values[i]);
	}
	assert_ptr_equal(hmap_remove(m, "c:5"), &values[5]);
	assert_null(hmap_get(m, "c:5"));
	assert_null(hmap_remove(m, "c:5"));
	assert_int_equal(hmap_count(m), 999);
	hmap_destroy(m);
}

static void test_put_replaces_and_returns_old(void **state)
{
	struct hmap *m = hmap_create();
	int a, b;

	(void)state;
	hmap_put(m, "k", &a);
	assert_ptr_equal(hmap_put(m, "k", &b), &a);
	assert_ptr_equal(hmap_get(m, "k"), &b);
	assert_int_equal(hmap_count(m), 1);
	hmap_destroy(m);
	hmap_destroy(NULL);
}

static void key_of(char *key, size_t cap, int i)
{
	snprintf(key, cap, "u:%d", i);
}

static void test_capacity_comes_back_down_after_a_burst(void **state)
{
	struct hmap *m = hmap_create();
	size_t small = hmap_capacity(m);
	static int value;
	char key[32];

	(void)state;
	for (int i = 0; i < 100000; i++) {
		key_of(key, sizeof(key), i);
		hmap_put(m, key, &value);
	}
	assert_true(hmap_capacity(m) >= 100000);
	/* Keep a few: they must survive every shrink. */
	for (int i = 0; i < 100000; i++) {
		key_of(key, sizeof(key), i);
		if (i % 20000 != 7)
			assert_ptr_equal(hmap_remove(m, key), &value);
	}
	assert_int_equal(hmap_count(m), 5);
	assert_int_equal(hmap_capacity(m), small);
	for (int i = 7; i < 100000; i += 20000) {
		key_of(key, sizeof(key), i);
		assert_ptr_equal(hmap_get(m, key), &value);
	}
	hmap_destroy(m);
}

/* Adds key n then removes it, rounds times; returns how often the
 * capacity changed. */
static size_t toggle_key(struct hmap *m, int n, int rounds)
{
	static int value;
	size_t changes = 0, before;
	char key[32];

	key_of(key, sizeof(key), n);
	for (int i = 0; i < rounds; i++) {
		before = hmap_capacity(m);
		hmap_put(m, key, &value);
		changes += hmap_capacity(m) != before;
		before = hmap_capacity(m);
		hmap_remove(m, key);
		changes += hmap_capacity(m) != before;
	}
	return changes;
}

/* A key added and removed again and again right after the table grew, or
 * right after it shrank, does not resize it back and forth. */
static void test_add_remove_at_a_boundary_does_not_thrash(void **state)
{
	struct hmap *m = hmap_create();
	static int value;
	size_t cap;
	char key[32];
	int n = 0;

	(void)state;
	do { /* add until the table has just grown */
		cap = hmap_capacity(m);
		key_of(key, sizeof(key), n++);
		hmap_put(m, key, &value);
	} while (hmap_capacity(m) == cap || n < 2000);
	key_of(key, sizeof(key), --n);
	hmap_remove(m, key); /* one below the growth point */
	assert_int_equal(toggle_key(m, n, 1000), 0);
	do { /* remove until the table has just shrunk */
		cap = hmap_capacity(m);
		key_of(key, sizeof(key), --n);
		hmap_remove(m, key);
	} while (hmap_capacity(m) == cap);
	assert_int_equal(toggle_key(m, n, 1000), 0);
	hmap_destroy(m);
}

struct walk {
	size_t seen;
};

static void count_entry(const char *key, void *value, void *arg)
{
	struct walk *w = arg;

	(void)key;
	(void)value;
	w->seen++;
}

static void test_each_visits_every_entry_after_shrinking(void **state)
{
	struct hmap *m = hmap_create();
	static int value;
	struct walk w = {0};
	char key[32];

	(void)state;
	for (int i = 0; i < 5000; i++) {
		key_of(key, sizeof(key), i);
		hmap_put(m, key, &value);
	}
	for (int i = 0; i < 4900; i++) {
		key_of(key, sizeof(key), i);
		hmap_remove(m, key);
	}
	hmap_each(m, count_entry, &w);
	assert_int_equal(w.seen, 100);
	assert_true(hmap_capacity(m) < 5000 / 4);
	hmap_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_remove_through_growth),
		cmocka_unit_test(test_put_replaces_and_returns_old),
		cmocka_unit_test(test_capacity_comes_back_down_after_a_burst),
		cmocka_unit_test(test_add_remove_at_a_boundary_does_not_thrash),
		cmocka_unit_test(test_each_visits_every_entry_after_shrinking),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
