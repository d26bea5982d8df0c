/* Unit tests for util: the monotonic clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "chat/common/util.h"

static int64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_mono_ms_follows_the_monotonic_clock(void **state)
{
	int64_t before = clock_ms(CLOCK_MONOTONIC), m = mono_ms();
	int64_t after = clock_ms(CLOCK_MONOTONIC);

	(void)state;
	assert_true(m >= before && m <= after);
	/* Not the wall clock, which is decades past the monotonic origin. */
	assert_true(now_ms() - m > 1000LL * 3600 * 24 * 365);
}

static void test_mono_ms_never_goes_back_and_advances(void **state)
{
	int64_t start = mono_ms(), prev = start, now;
	struct timespec nap = {0, 2 * 1000 * 1000};

	(void)state;
	for (int i = 0; i < 5; i++) {
		nanosleep(&nap, NULL);
		now = mono_ms();
		assert_true(now >= prev);
		prev = now;
	}
	assert_true(prev - start >= 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mono_ms_follows_the_monotonic_clock),
		cmocka_unit_test(test_mono_ms_never_goes_back_and_advances),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
