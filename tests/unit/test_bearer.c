/* Tests for net/bearer.c: the shared secret of an HTTP request. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "bearer.h"

#define SECRET "0123456789abcdef-secret"

static void test_the_right_secret_matches(void **state)
{
	(void)state;
	assert_true(bearer_matches("Bearer " SECRET, SECRET));
}

static void test_the_scheme_is_any_case_and_blanks_are_allowed(void **state)
{
	(void)state;
	assert_true(bearer_matches("bearer " SECRET, SECRET));
	assert_true(bearer_matches("BEARER\t  " SECRET "  ", SECRET));
}

static void test_a_wrong_secret_does_not_match(void **state)
{
	(void)state;
	assert_false(bearer_matches("Bearer " SECRET "x", SECRET));
	assert_false(bearer_matches("Bearer x" SECRET, SECRET));
	assert_false(bearer_matches("Bearer 0123456789abcdef", SECRET));
	assert_false(bearer_matches("Bearer 0123456789ABCDEF-secret", SECRET));
}

static void test_other_schemes_and_bare_secrets_do_not_match(void **state)
{
	(void)state;
	assert_false(bearer_matches(SECRET, SECRET));
	assert_false(bearer_matches("Basic " SECRET, SECRET));
	assert_false(bearer_matches("Bearer" SECRET, SECRET));
	assert_false(bearer_matches("Bearer:" SECRET, SECRET));
	assert_false(bearer_matches("XBearer " SECRET, SECRET));
}

static void test_absent_or_empty_never_matches(void **state)
{
	(void)state;
	assert_false(bearer_matches(NULL, SECRET));
	assert_false(bearer_matches("", SECRET));
	assert_false(bearer_matches("Bearer ", SECRET));
	assert_false(bearer_matches("Bearer    ", SECRET));
	assert_false(bearer_matches("Bearer x", ""));
	assert_false(bearer_matches("Bearer ", ""));
	assert_false(bearer_matches("Bearer x", NULL));
}

static void test_a_secret_with_a_nul_inside_the_header_stops_there(void **state)
{
	static const char header[] = "Bearer 0123456789abcdef\0-secret";

	(void)state;
	assert_false(bearer_matches(header, SECRET));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_right_secret_matches),
		cmocka_unit_test(
			test_the_scheme_is_any_case_and_blanks_are_allowed),
		cmocka_unit_test(test_a_wrong_secret_does_not_match),
		cmocka_unit_test(
			test_other_schemes_and_bare_secrets_do_not_match),
		cmocka_unit_test(test_absent_or_empty_never_matches),
		cmocka_unit_test(
			test_a_secret_with_a_nul_inside_the_header_stops_there),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
