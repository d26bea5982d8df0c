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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_remove_through_growth),
		cmocka_unit_test(test_put_replaces_and_returns_old),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
