/* Unit tests for ingest_text: a mail's text made fit to be a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ingest_private.h"

static void expect(const char *in, size_t max, const char *want, bool cut)
{
	bool was_cut;
	char *out = ingest_text(in, max, &was_cut);

	assert_string_equal(out, want);
	assert_int_equal(was_cut, cut);
	free(out);
}

static void test_line_breaks_become_lf(void **state)
{
	(void)state;
	expect("one\r\ntwo\rthree\n", 100, "one\ntwo\nthree", false);
}

static void test_invalid_utf8_becomes_replacement_characters(void **state)
{
	(void)state;
	expect("H\xe9\xff!", 100, "H\xef\xbf\xbd\xef\xbf\xbd!", false);
	expect("\xed\xa0\x80", 100, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	       false); /* a surrogate is not UTF-8 */
	expect("caf\xc3\xa9 \xf0\x9f\x98\x80", 100,
	       "caf\xc3\xa9 \xf0\x9f\x98\x80", false);
}

static void test_control_characters_are_dropped(void **state)
{
	(void)state;
	expect("a\x01\x1b[31mb\tc\x7f", 100, "a[31mb\tc", false);
}

static void test_blank_lines_around_are_trimmed(void **state)
{
	(void)state;
	expect("\n  \n  indented\n\n", 100, "  indented", false);
	expect(" \r\n\t\n", 100, "", false);
	expect("", 100, "", false);
}

static void test_a_long_text_is_cut_at_a_character_with_a_note(void **state)
{
	size_t note = strlen(INGEST_CUT_NOTE), max = note + 10;
	/* 9 ASCII bytes, then a 3-byte character across the limit */
	const char *in = "123456789\xe2\x82\xac and more, more and more, "
			 "more and more, more and more, more and more, more "
			 "and more, more and more";
	bool cut;
	char *out;

	(void)state;
	out = ingest_text(in, max, &cut);
	assert_true(cut);
	assert_true(strlen(out) <= max);
	assert_memory_equal(out, "123456789", 9);
	assert_string_equal(out + 9, INGEST_CUT_NOTE);
	free(out);
}

static void test_a_text_at_the_limit_is_kept_whole(void **state)
{
	char in[101];

	(void)state;
	memset(in, 'x', 100);
	in[100] = '\0';
	expect(in, 100, in, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_breaks_become_lf),
		cmocka_unit_test(
			test_invalid_utf8_becomes_replacement_characters),
		cmocka_unit_test(test_control_characters_are_dropped),
		cmocka_unit_test(test_blank_lines_around_are_trimmed),
		cmocka_unit_test(
			test_a_long_text_is_cut_at_a_character_with_a_note),
		cmocka_unit_test(test_a_text_at_the_limit_is_kept_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
