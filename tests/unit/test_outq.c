/* Unit tests for outq: shared frames and the bounded queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "outq.h"

static void test_queue_is_fifo_across_growth(void **state)
{
	struct outq q = {0};
	struct frame *f[20];
	char s[16];

	(void)state;
	for (int i = 0; i < 20; i++) {
		snprintf(s, sizeof(s), "%d", i);
		f[i] = frame_create(s, strlen(s));
		assert_int_equal(outq_push(&q, f[i], 100), 0);
		frame_unref(f[i]);
	}
	for (int i = 0; i < 20; i++) {
		snprintf(s, sizeof(s), "%d", i);
		assert_string_equal((char *)frame_payload(outq_peek(&q)), s);
		outq_pop(&q);
	}
	assert_null(outq_peek(&q));
	assert_null(q.ring); /* an idle queue holds no memory */
}

static void test_queue_refuses_past_its_bound(void **state)
{
	struct outq q = {0};
	struct frame *f = frame_create("x", 1);

	(void)state;
	for (int i = 0; i < 5; i++)
		assert_int_equal(outq_push(&q, f, 5), 0);
	assert_int_equal(outq_push(&q, f, 5), -1);
	assert_int_equal(outq_count(&q), 5);
	assert_int_equal(f->refs, 6);
	outq_clear(&q);
	assert_int_equal(f->refs, 1);
	frame_unref(f);
}

static void test_frame_from_string_takes_ownership(void **state)
{
	char *s = strdup("{\"type\":\"pong\"}");
	struct frame *f = frame_from_string(s);

	(void)state;
	assert_non_null(f);
	assert_int_equal(f->len, 15);
	assert_null(frame_from_string(NULL));
	frame_unref(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_is_fifo_across_growth),
		cmocka_unit_test(test_queue_refuses_past_its_bound),
		cmocka_unit_test(test_frame_from_string_takes_ownership),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
