/*
 * Tests of protocol/jscan.c: splitting an object's text into its top-level
 * members. Inputs are heap copies of exactly their length (no NUL), so ASan
 * catches a read past the end of a truncated frame.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jscan.h"

#define UNUSED __attribute__((unused))

struct seen {
	char text[512]; /* "name=value;" for each member */
	size_t calls, stop_after;
};

static bool record(const struct jscan_member *m, void *arg)
{
	struct seen *s = arg;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "%.*s=%.*s;",
		 (int)m->name_len, m->name, (int)m->value_len, m->value);
	return ++s->calls != s->stop_after;
}

static int scan(const char *json, struct seen *s)
{
	size_t n = strlen(json);
	char *p = malloc(n ? n : 1);
	int rc;

	assert_non_null(p);
	memcpy(p, json, n);
	memset(s->text, 0, sizeof(s->text));
	s->calls = 0;
	rc = jscan_object(p, n, record, s);
	free(p);
	return rc;
}

static void test_members_are_split_with_raw_spans(void **state UNUSED)
{
	struct seen s = {.stop_after = 0};

	assert_int_equal(scan(" { \"a\" : 1e400 , \"b\\\"}\":\"x,}\\\"\","
			      "\"c\":{\"d\":[1,{\"e\":\"]}\"}]},\"f\":null} ",
			      &s),
			 0);
	assert_string_equal(s.text, "\"a\"=1e400;\"b\\\"}\"=\"x,}\\\"\";"
				    "\"c\"={\"d\":[1,{\"e\":\"]}\"}]};"
				    "\"f\"=null;");
	assert_int_equal(scan("{}", &s), 0);
	assert_int_equal(s.calls, 0);
}

static void test_callback_can_stop_early(void **state UNUSED)
{
	struct seen s = {.stop_after = 1};

	assert_int_equal(scan("{\"a\":1,\"b\":2}", &s), 0);
	assert_string_equal(s.text, "\"a\"=1;");
}

static void test_malformed_objects_are_refused(void **state UNUSED)
{
	static const char *const bad[] = {
		"",
		"[1]",
		"\"s\"",
		"{",
		"{\"a\"",
		"{\"a\":",
		"{\"a\":1",
		"{\"a\":1,}",
		"{\"a\" 1}",
		"{a:1}",
		"{\"a\":}",
		"{\"a\":\"unterminated}",
		"{\"a\":\"esc at end\\",
		"{\"a\":{\"b\":[1,2}",
		"{\"a\":\"ctl\x01\"}",
		"{\"a\":1} {}",
		"{\"a\":1}}",
	};
	struct seen s = {.stop_after = 0};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (scan(bad[i], &s) != -1)
			fail_msg("accepted %s", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members_are_split_with_raw_spans),
		cmocka_unit_test(test_callback_can_stop_early),
		cmocka_unit_test(test_malformed_objects_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
