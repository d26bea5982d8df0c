/*
 * Tests of protocol/jsonw.c: the writer behind the per-message frames. Its
 * output must parse back (with jansson) to exactly what went in, and it
 * must refuse what jansson refuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "jsonw.h"

#define UNUSED __attribute__((unused))

/* {"k":s} written by jsonw, or NULL when the writer refused s. */
static char *object_with(const char *s)
{
	struct jw w;

	jw_init(&w, 0);
	jw_begin(&w);
	jw_member_str(&w, "k", s);
	jw_end(&w);
	return jw_finish(&w);
}

static void assert_round_trips(const char *s)
{
	char *out = object_with(s);
	json_error_t err;
	json_t *o;

	assert_non_null(out);
	o = json_loads(out, JSON_REJECT_DUPLICATES, &err);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "k")), s);
	json_decref(o);
	free(out);
}

static void
test_quotes_backslashes_and_controls_are_escaped(void **state UNUSED)
{
	char *out = object_with("a\"b\\c\n\t\x01\x1f");

	assert_string_equal(out, "{\"k\":\"a\\\"b\\\\c\\n\\t\\u0001\\u001f\"}");
	free(out);
}

static void test_every_control_and_ascii_byte_round_trips(void **state UNUSED)
{
	char s[128];

	for (int i = 1; i < 128; i++)
		s[i - 1] = (char)i;
	s[127] = '\0';
	assert_round_trips(s);
}

static void test_utf8_passes_through_unchanged(void **state UNUSED)
{
	const char *s =
		"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf";
	char *out = object_with(s);

	assert_non_null(strstr(out, s));
	free(out);
	assert_round_trips(s);
}

static void test_malformed_utf8_is_refused(void **state UNUSED)
{
	static const char *bad[] = {
		"\xff",		    /* never valid */
		"\xc0\x80",	    /* overlong NUL */
		"\xe0\x80\xaf",	    /* overlong slash */
		"\xed\xa0\x80",	    /* surrogate */
		"\xf4\x90\x80\x80", /* past U+10FFFF */
		"ab\xe2\x82",	    /* cut short */
		"\xc3(",	    /* bad continuation */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_null(object_with(bad[i]));
}

static void test_members_and_nested_objects_get_commas(void **state UNUSED)
{
	struct jw w;
	char *out;

	jw_init(&w, 0);
	jw_begin(&w);
	jw_member_str(&w, "a", "1");
	jw_member_str(&w, "skipped", NULL);
	jw_key(&w, "o");
	jw_begin(&w);
	jw_key(&w, "n");
	jw_int(&w, -42);
	jw_key(&w, "b");
	jw_bool(&w, false);
	jw_end(&w);
	jw_key(&w, "big");
	jw_int(&w, INT64_MAX);
	jw_end(&w);
	out = jw_finish(&w);
	assert_string_equal(out, "{\"a\":\"1\",\"o\":{\"n\":-42,\"b\":false},"
				 "\"big\":9223372036854775807}");
	free(out);
}

static void test_arrays_of_objects_and_scalars_get_commas(void **state UNUSED)
{
	struct jw w;
	char *out;

	jw_init(&w, 0);
	jw_begin(&w);
	jw_key(&w, "empty");
	jw_array_begin(&w);
	jw_array_end(&w);
	jw_key(&w, "objs");
	jw_array_begin(&w);
	for (int i = 0; i < 2; i++) {
		jw_elem(&w);
		jw_begin(&w);
		jw_member_int(&w, "i", i);
		jw_end(&w);
	}
	jw_array_end(&w);
	jw_key(&w, "vals");
	jw_array_begin(&w);
	jw_elem(&w);
	jw_null(&w);
	jw_elem(&w);
	jw_uint(&w, UINT64_MAX);
	jw_array_end(&w);
	jw_member_uint(&w, "u", 7);
	jw_end(&w);
	out = jw_finish(&w);
	assert_string_equal(out, "{\"empty\":[],\"objs\":[{\"i\":0},{\"i\":1}],"
				 "\"vals\":[null,18446744073709551615],"
				 "\"u\":7}");
	free(out);
}

static void test_escaped_keys_are_escaped_and_checked(void **state UNUSED)
{
	struct jw w;
	char *out;

	jw_init(&w, 0);
	jw_begin(&w);
	jw_key_escaped(&w, "a\"|b\n");
	jw_int(&w, 1);
	jw_key_escaped(&w, "c");
	jw_int(&w, 2);
	jw_end(&w);
	out = jw_finish(&w);
	assert_string_equal(out, "{\"a\\\"|b\\n\":1,\"c\":2}");
	free(out);
	jw_init(&w, 0);
	jw_begin(&w);
	jw_key_escaped(&w, "\xc3");
	jw_int(&w, 1);
	jw_end(&w);
	assert_null(jw_finish(&w));
}

static void test_long_strings_grow_the_buffer(void **state UNUSED)
{
	size_t n = 100000;
	char *s = malloc(n + 1);

	for (size_t i = 0; i < n; i++)
		s[i] = (char)(i % 7 == 0 ? '"' : 'a' + (int)(i % 26));
	s[n] = '\0';
	assert_round_trips(s);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_quotes_backslashes_and_controls_are_escaped),
		cmocka_unit_test(test_every_control_and_ascii_byte_round_trips),
		cmocka_unit_test(test_utf8_passes_through_unchanged),
		cmocka_unit_test(test_malformed_utf8_is_refused),
		cmocka_unit_test(test_members_and_nested_objects_get_commas),
		cmocka_unit_test(test_arrays_of_objects_and_scalars_get_commas),
		cmocka_unit_test(test_escaped_keys_are_escaped_and_checked),
		cmocka_unit_test(test_long_strings_grow_the_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
