/* Unit tests for the queue arithmetic: class head starts within the aging
 * bound, first come first served beyond it, and the wait estimate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "chat/support/policy.h"
#include "chat/support/queue.h"

#define T0 INT64_C(1796601600000) /* 2026-12-07T00:00:00Z */

static void test_classes_start_ahead_by_their_share_of_the_bound(void **state)
{
	struct policy p;

	(void)state;
	policy_defaults(&p); /* 3 classes, aging bound 600 s */
	assert_int_equal(queue_score(&p, 0, T0), T0 - 600000);
	assert_int_equal(queue_score(&p, 1, T0), T0 - 300000);
	assert_int_equal(queue_score(&p, 2, T0), T0);
}

static void test_no_chat_is_passed_by_one_arriving_a_bound_later(void **state)
{
	struct policy p;
	int64_t bound;

	(void)state;
	policy_defaults(&p);
	bound = p.aging_bound_ms;
	/* a top chat arriving within the bound goes first... */
	assert_true(queue_score(&p, 0, T0 + bound - 1) <
		    queue_score(&p, 2, T0));
	/* ...one arriving later than the bound does not */
	assert_true(queue_score(&p, 0, T0 + bound + 1) >
		    queue_score(&p, 2, T0));
	assert_true(queue_score(&p, 1, T0 + bound / 2 + 1) >
		    queue_score(&p, 2, T0));
	assert_true(queue_score(&p, 0, T0 + bound / 2 + 1) >
		    queue_score(&p, 1, T0));
	/* within a class, arrival order */
	assert_true(queue_score(&p, 1, T0) < queue_score(&p, 1, T0 + 1));
}

static void test_one_class_or_no_bound_is_arrival_order(void **state)
{
	struct policy p;

	(void)state;
	policy_defaults(&p);
	p.aging_bound_ms = 0;
	assert_int_equal(queue_score(&p, 0, T0), T0);
	policy_defaults(&p);
	p.n_classes = 1;
	assert_int_equal(queue_score(&p, 0, T0), T0);
	policy_defaults(&p);
	p.n_classes = 5;
	p.aging_bound_ms = 1000;
	assert_int_equal(queue_score(&p, 0, T0), T0 - 1000);
	assert_int_equal(queue_score(&p, 1, T0), T0 - 750);
	assert_int_equal(queue_score(&p, 3, T0), T0 - 250);
	assert_int_equal(queue_score(&p, 4, T0), T0);
	/* a rank past the classes gets no head start */
	assert_int_equal(queue_score(&p, 9, T0), T0);
}

static void test_eta_is_position_times_mean_interval(void **state)
{
	struct policy p;

	(void)state;
	policy_defaults(&p); /* window 900 s */
	assert_int_equal(queue_eta_ms(&p, 1, 3), 300000);
	assert_int_equal(queue_eta_ms(&p, 4, 3), 1200000);
	assert_int_equal(queue_eta_ms(&p, 1, 900), 1000);
	assert_int_equal(queue_eta_ms(&p, 2, 7), 2 * 900000 / 7);
	assert_int_equal(queue_eta_ms(&p, 1, 0), -1);
	assert_int_equal(queue_eta_ms(&p, 0, 5), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_classes_start_ahead_by_their_share_of_the_bound),
		cmocka_unit_test(
			test_no_chat_is_passed_by_one_arriving_a_bound_later),
		cmocka_unit_test(test_one_class_or_no_bound_is_arrival_order),
		cmocka_unit_test(test_eta_is_position_times_mean_interval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
