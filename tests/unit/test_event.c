/* Unit tests for event: seq and note detection on stored event JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "chat/common/event.h"

#define EV(kind, text, tail)                                                   \
	"{\"type\":\"event\",\"conv\":\"Q2hhdGRDb252ZXJzYXRpbw\",\"kind\":"    \
	"\"" kind "\",\"channel\":\"chat\",\"from\":{\"id\":\"a\",\"role\":"   \
	"\"agent\",\"name\":\"Bo\"},\"text\":\"" text "\"" tail

static void test_seq_is_read_from_the_trailing_member(void **state)
{
	const char *e = EV("message", "hi", ",\"seq\":42,\"ts\":1764}");

	(void)state;
	assert_int_equal(event_seq(e, strlen(e)), 42);
}

static void test_seq_in_user_text_does_not_confuse_it(void **state)
{
	const char *e = EV("message", "\\\"seq\\\":7", ",\"seq\":9,\"ts\":1}");

	(void)state;
	assert_int_equal(event_seq(e, strlen(e)), 9);
}

static void test_seq_missing_is_zero(void **state)
{
	(void)state;
	assert_int_equal(event_seq("{}", 2), 0);
	assert_int_equal(event_seq("", 0), 0);
}

static void test_note_is_detected(void **state)
{
	const char *n = EV("note", "x", ",\"seq\":1,\"ts\":1}");
	const char *m = EV("message", "\\\"kind\\\":\\\"note\\\"",
			   ",\"seq\":1,\"ts\":1}");

	(void)state;
	assert_true(event_is_note(n, strlen(n)));
	assert_false(event_is_note(m, strlen(m)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seq_is_read_from_the_trailing_member),
		cmocka_unit_test(test_seq_in_user_text_does_not_confuse_it),
		cmocka_unit_test(test_seq_missing_is_zero),
		cmocka_unit_test(test_note_is_detected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
