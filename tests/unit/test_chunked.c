/* Tests for net/chunked.c: a chunked request body, decoded in pieces. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "chunked.h"

/* Feeds enc in pieces of step bytes; returns the last result and the
 * decoded body in out. */
static enum chunked_result decode(const char *enc, size_t step, char *out,
				  size_t *out_len)
{
	struct chunked c;
	enum chunked_result r = CHUNKED_MORE;
	size_t len = strlen(enc), n;

	chunked_init(&c);
	*out_len = 0;
	for (size_t i = 0; i < len && r == CHUNKED_MORE; i += step) {
		n = len - i < step ? len - i : step;
		r = chunked_feed(&c, enc + i, n, out + *out_len, &n);
		*out_len += n;
	}
	out[*out_len] = '\0';
	return r;
}

static void assert_decodes(const char *enc, const char *body)
{
	char out[256];
	size_t len;

	/* Whole, and byte by byte: the split points must not matter. */
	for (size_t step = 1; step <= strlen(enc); step += strlen(enc) - 1) {
		assert_int_equal(decode(enc, step, out, &len), CHUNKED_DONE);
		assert_int_equal(len, strlen(body));
		assert_string_equal(out, body);
	}
}

static void assert_refused(const char *enc)
{
	char out[256];
	size_t len;

	assert_int_equal(decode(enc, 1, out, &len), CHUNKED_ERROR);
	assert_int_equal(decode(enc, strlen(enc), out, &len), CHUNKED_ERROR);
}

static void test_chunks_are_joined_in_any_split(void **state)
{
	(void)state;
	assert_decodes("5\r\nHello\r\n7\r\n, world\r\n0\r\n\r\n",
		       "Hello, world");
	assert_decodes("1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n",
		       "abcdefghijklmnopqrstuvwxyz");
	assert_decodes("A\r\n0123456789\r\n0\r\n\r\n", "0123456789");
}

static void test_an_empty_body_is_the_last_chunk_alone(void **state)
{
	(void)state;
	assert_decodes("0\r\n\r\n", "");
}

static void test_extensions_and_trailers_are_skipped(void **state)
{
	(void)state;
	assert_decodes(
		"3;name=value\r\nabc\r\n0;x\r\nTrailer: 1\r\nB: 2\r\n\r\n",
		"abc");
}

static void test_bare_lf_line_ends_are_accepted(void **state)
{
	(void)state;
	assert_decodes("3\nabc\n0\n\n", "abc");
}

static void test_bytes_after_the_body_are_not_read(void **state)
{
	struct chunked c;
	const char *enc = "2\r\nok\r\n0\r\n\r\nGET / HTTP/1.1\r\n";
	char out[64];
	size_t n;

	(void)state;
	chunked_init(&c);
	assert_int_equal(chunked_feed(&c, enc, strlen(enc), out, &n),
			 CHUNKED_DONE);
	assert_int_equal(n, 2);
	assert_int_equal(chunked_feed(&c, "x", 1, out, &n), CHUNKED_DONE);
	assert_int_equal(n, 0);
}

static void test_a_body_that_has_not_ended_asks_for_more(void **state)
{
	char out[64];
	size_t len;

	(void)state;
	assert_int_equal(decode("5\r\nHel", 2, out, &len), CHUNKED_MORE);
	assert_string_equal(out, "Hel");
	assert_int_equal(decode("5\r\nHello\r\n", 3, out, &len), CHUNKED_MORE);
	assert_int_equal(decode("0\r\n", 1, out, &len), CHUNKED_MORE);
}

static void test_what_is_not_chunked_is_an_error(void **state)
{
	(void)state;
	assert_refused("hello\r\n");
	assert_refused("\r\n");
	assert_refused(";x\r\n");
	assert_refused("5\rX");
	assert_refused("3\r\nabcX0\r\n\r\n");
	assert_refused("3\r\nabc\rX");
	assert_refused("0\r\n\rX");
}

static void test_a_size_too_long_to_hold_is_an_error(void **state)
{
	(void)state;
	assert_refused("1000000000000000\r\n");
	assert_refused("fffffffffffffffff\r\n");
}

static void test_after_an_error_nothing_more_is_decoded(void **state)
{
	struct chunked c;
	char out[64];
	size_t n;

	(void)state;
	chunked_init(&c);
	assert_int_equal(chunked_feed(&c, "zz", 2, out, &n), CHUNKED_ERROR);
	assert_int_equal(chunked_feed(&c, "3\r\nabc", 6, out, &n),
			 CHUNKED_ERROR);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunks_are_joined_in_any_split),
		cmocka_unit_test(test_an_empty_body_is_the_last_chunk_alone),
		cmocka_unit_test(test_extensions_and_trailers_are_skipped),
		cmocka_unit_test(test_bare_lf_line_ends_are_accepted),
		cmocka_unit_test(test_bytes_after_the_body_are_not_read),
		cmocka_unit_test(test_a_body_that_has_not_ended_asks_for_more),
		cmocka_unit_test(test_what_is_not_chunked_is_an_error),
		cmocka_unit_test(test_a_size_too_long_to_hold_is_an_error),
		cmocka_unit_test(test_after_an_error_nothing_more_is_decoded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
