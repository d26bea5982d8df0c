/* Unit tests for ingest_outcome: what each outcome of an inbound email
 * means to an MTA pipe, to the HTTP endpoint and in words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sysexits.h>

#include <cmocka.h>

#include "chat/inbound/ingest.h"

static void test_an_mta_gets_sysexits_codes(void **state)
{
	(void)state;
	assert_int_equal(ingest_exit_code(INGEST_APPENDED), 0);
	assert_int_equal(ingest_exit_code(INGEST_DUPLICATE), 0);
	assert_int_equal(ingest_exit_code(INGEST_DROPPED), 0);
	assert_int_equal(ingest_exit_code(INGEST_AUTOREPLIED), 0);
	assert_int_equal(ingest_exit_code(INGEST_UNKNOWN_RECIPIENT), 67);
	assert_int_equal(ingest_exit_code(INGEST_REJECTED), 77);
	assert_int_equal(ingest_exit_code(INGEST_MALFORMED), 65);
	assert_int_equal(ingest_exit_code(INGEST_TOO_LARGE), 65);
	assert_int_equal(ingest_exit_code(INGEST_TRY_LATER), 75);
	assert_int_equal(EX_TEMPFAIL, 75);
}

static void test_the_http_endpoint_gets_statuses(void **state)
{
	(void)state;
	assert_int_equal(ingest_http_status(INGEST_APPENDED), 200);
	assert_int_equal(ingest_http_status(INGEST_DUPLICATE), 200);
	assert_int_equal(ingest_http_status(INGEST_DROPPED), 200);
	assert_int_equal(ingest_http_status(INGEST_AUTOREPLIED), 200);
	assert_int_equal(ingest_http_status(INGEST_UNKNOWN_RECIPIENT), 404);
	assert_int_equal(ingest_http_status(INGEST_REJECTED), 403);
	assert_int_equal(ingest_http_status(INGEST_MALFORMED), 400);
	assert_int_equal(ingest_http_status(INGEST_TOO_LARGE), 413);
	assert_int_equal(ingest_http_status(INGEST_TRY_LATER), 503);
}

static void test_names_are_the_documented_ones(void **state)
{
	static const char *names[] = {
		"appended",	"duplicate",	     "dropped",
		"auto_replied", "unknown_recipient", "rejected",
		"malformed",	"too_large",	     "try_later"};

	(void)state;
	for (int o = INGEST_APPENDED; o <= INGEST_TRY_LATER; o++)
		assert_string_equal(ingest_outcome_name((enum ingest_outcome)o),
				    names[o]);
}

static void test_an_unknown_outcome_keeps_the_mail(void **state)
{
	enum ingest_outcome bad = (enum ingest_outcome)99;

	(void)state;
	assert_int_equal(ingest_exit_code(bad), 75);
	assert_int_equal(ingest_http_status(bad), 503);
	assert_string_equal(ingest_outcome_name(bad), "try_later");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_mta_gets_sysexits_codes),
		cmocka_unit_test(test_the_http_endpoint_gets_statuses),
		cmocka_unit_test(test_names_are_the_documented_ones),
		cmocka_unit_test(test_an_unknown_outcome_keeps_the_mail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
