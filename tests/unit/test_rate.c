/* Tests for net/rate.c: the request budget in cost units. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rate.h"

#define RATE 10
#define BURST 5

static void test_burst_is_admitted_then_one_notice_then_drops(void **state)
{
	struct rate r;

	(void)state;
	rate_init(&r, BURST, 0);
	for (int i = 0; i < BURST; i++)
		assert_int_equal(rate_admit(&r, RATE, BURST, 0), RATE_OK);
	assert_int_equal(rate_admit(&r, RATE, BURST, 0), RATE_REFUSE);
	assert_int_equal(rate_admit(&r, RATE, BURST, 0), RATE_DROP);
	assert_true(rate_retry_after_ms(&r, RATE) > 0);
	/* 100 ms later one unit is back: admitted, and the episode ends. */
	assert_int_equal(rate_admit(&r, RATE, BURST, 100), RATE_OK);
	assert_int_equal(rate_admit(&r, RATE, BURST, 100), RATE_REFUSE);
}

static void test_a_costly_request_leaves_the_bucket_in_debt(void **state)
{
	struct rate r;

	(void)state;
	rate_init(&r, BURST, 0);
	assert_int_equal(rate_admit(&r, RATE, BURST, 0), RATE_OK);
	rate_charge(&r, 26); /* a resume of 200 conversations */
	assert_int_equal(rate_admit(&r, RATE, BURST, 0), RATE_REFUSE);
	/* 22 units short: 2.2 s at 10 per second. */
	assert_in_range(rate_retry_after_ms(&r, RATE), 2200, 2202);
	assert_int_equal(rate_admit(&r, RATE, BURST, 1000), RATE_DROP);
	assert_int_equal(rate_admit(&r, RATE, BURST, 2300), RATE_OK);
}

static void
test_a_steady_flood_is_closed_although_frames_get_through(void **state)
{
	struct rate r;
	int ok = 0;
	int64_t t;

	(void)state;
	rate_init(&r, BURST, 0);
	/* Three times the rate: every third frame finds a unit again. */
	for (t = 0; t < 10000; t += 33) {
		enum rate_verdict v = rate_admit(&r, RATE, BURST, t);

		if (v == RATE_FLOOD)
			break;
		ok += v == RATE_OK;
	}
	assert_true(t < 3000);
	assert_true(ok > BURST); /* the bucket did let some through */
}

static void test_a_client_at_its_rate_is_never_a_flood(void **state)
{
	struct rate r;

	(void)state;
	rate_init(&r, BURST, 0);
	for (int64_t t = 0; t < 60000; t += 1000 / RATE)
		assert_int_equal(rate_admit(&r, RATE, BURST, t), RATE_OK);
}

static void test_refusals_drain_with_time(void **state)
{
	struct rate r;

	(void)state;
	rate_init(&r, BURST, 0);
	for (int i = 0; i < BURST; i++)
		rate_admit(&r, RATE, BURST, 0);
	for (int i = 0; i < BURST; i++) /* refused up to the burst */
		assert_int_not_equal(rate_admit(&r, RATE, BURST, 0),
				     RATE_FLOOD);
	/* A second later the count has drained: refused again, not closed. */
	rate_charge(&r, 100);
	assert_int_not_equal(rate_admit(&r, RATE, BURST, 1000), RATE_FLOOD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_burst_is_admitted_then_one_notice_then_drops),
		cmocka_unit_test(
			test_a_costly_request_leaves_the_bucket_in_debt),
		cmocka_unit_test(
			test_a_steady_flood_is_closed_although_frames_get_through),
		cmocka_unit_test(test_a_client_at_its_rate_is_never_a_flood),
		cmocka_unit_test(test_refusals_drain_with_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
