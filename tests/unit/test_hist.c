/* Unit tests for hist: buckets and quantiles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "chat/common/hist.h"

static void test_empty_is_zero(void **state)
{
	struct hist h = {0};

	(void)state;
	assert_int_equal(hist_quantile(&h, 0.5), 0);
}

static void test_quantiles_of_one_to_a_hundred(void **state)
{
	struct hist h = {0};

	(void)state;
	for (int i = 0; i < 100; i++)
		hist_add(&h, i); /* bucket [i, i+1) */
	assert_int_equal(hist_quantile(&h, 0.5), 50);
	assert_int_equal(hist_quantile(&h, 0.99), 99);
	assert_int_equal(hist_quantile(&h, 1.0), 100);
	assert_int_equal(hist_quantile(&h, 0.01), 1);
}

static void test_tiers_round_up_to_their_step(void **state)
{
	struct hist h = {0};

	(void)state;
	hist_add(&h, 123); /* [120, 130) */
	assert_int_equal(hist_quantile(&h, 1.0), 130);
	hist_add(&h, 4567); /* [4500, 4600) */
	assert_int_equal(hist_quantile(&h, 1.0), 4600);
	hist_add(&h, 59999); /* [59000, 60000) */
	assert_int_equal(hist_quantile(&h, 1.0), 60000);
	hist_add(&h, 3600000); /* past a minute */
	assert_int_equal(hist_quantile(&h, 1.0), -1);
	assert_int_equal(hist_quantile(&h, 0.25), 130);
}

static void test_negative_counts_as_zero(void **state)
{
	struct hist h = {0};

	(void)state;
	hist_add(&h, -5); /* clocks of two machines */
	assert_int_equal(hist_quantile(&h, 1.0), 1);
	assert_int_equal(h.n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_is_zero),
		cmocka_unit_test(test_quantiles_of_one_to_a_hundred),
		cmocka_unit_test(test_tiers_round_up_to_their_step),
		cmocka_unit_test(test_negative_counts_as_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
