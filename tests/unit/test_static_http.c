/* Unit tests for static_http: HTTP's rules for static files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "chat/common/static_http.h"

#define ALL (STATIC_HAS(STATIC_BR) | STATIC_HAS(STATIC_GZIP))

static enum static_encoding choose(const char *ae)
{
	return static_http_choose(ae, ALL);
}

static void test_browsers_get_brotli(void **state)
{
	(void)state;
	assert_int_equal(choose("gzip, deflate, br, zstd"), STATIC_BR);
	assert_int_equal(choose("br"), STATIC_BR);
	assert_int_equal(choose("BR , GZIP"), STATIC_BR);
	assert_int_equal(choose("gzip"), STATIC_GZIP);
	assert_int_equal(choose("x-gzip"), STATIC_GZIP);
	assert_int_equal(choose("deflate, gzip;q=1.0"), STATIC_GZIP);
}

static void test_no_header_or_nothing_known_is_identity(void **state)
{
	(void)state;
	assert_int_equal(choose(NULL), STATIC_IDENTITY);
	assert_int_equal(choose(""), STATIC_IDENTITY);
	assert_int_equal(choose("identity"), STATIC_IDENTITY);
	assert_int_equal(choose("deflate, zstd"), STATIC_IDENTITY);
	assert_int_equal(choose(" , ;q=1, "), STATIC_IDENTITY);
}

static void test_q_zero_refuses_a_coding(void **state)
{
	(void)state;
	assert_int_equal(choose("br;q=0, gzip"), STATIC_GZIP);
	assert_int_equal(choose("br; q=0.000, gzip;q=0.001"), STATIC_GZIP);
	assert_int_equal(choose("br;q=0, gzip;q=0"), STATIC_IDENTITY);
	assert_int_equal(choose("gzip;Q=0"), STATIC_IDENTITY);
	assert_int_equal(choose("*;q=0"), STATIC_IDENTITY); /* nothing left */
}

static void test_highest_q_wins_br_first_on_a_tie(void **state)
{
	(void)state;
	assert_int_equal(choose("br;q=0.5, gzip;q=0.8"), STATIC_GZIP);
	assert_int_equal(choose("br;q=0.8, gzip;q=0.8"), STATIC_BR);
	assert_int_equal(choose("gzip;q=0.9, identity;q=1"), STATIC_IDENTITY);
	assert_int_equal(choose("gzip;q=0.5, identity;q=0.4"), STATIC_GZIP);
	assert_int_equal(choose("br;q=0.1"), STATIC_BR); /* over identity */
}

static void test_star_covers_codings_not_named(void **state)
{
	(void)state;
	assert_int_equal(choose("*"), STATIC_BR);
	assert_int_equal(choose("br;q=0, *"), STATIC_GZIP);
	assert_int_equal(choose("*;q=0.5, gzip"), STATIC_GZIP);
	assert_int_equal(choose("*;q=0, identity"), STATIC_IDENTITY);
}

static void test_only_encodings_the_file_has(void **state)
{
	(void)state;
	assert_int_equal(
		static_http_choose("br, gzip", STATIC_HAS(STATIC_GZIP)),
		STATIC_GZIP);
	assert_int_equal(static_http_choose("br", STATIC_HAS(STATIC_GZIP)),
			 STATIC_IDENTITY);
	assert_int_equal(static_http_choose("br, gzip", 0), STATIC_IDENTITY);
}

static void test_malformed_q_counts_as_one(void **state)
{
	(void)state;
	assert_int_equal(choose("br;q=abc, gzip;q=0.9"), STATIC_BR);
	assert_int_equal(choose("gzip;level=9;q=0"), STATIC_IDENTITY);
}

static void test_encoding_names(void **state)
{
	(void)state;
	assert_string_equal(static_http_encoding_name(STATIC_BR), "br");
	assert_string_equal(static_http_encoding_name(STATIC_GZIP), "gzip");
	assert_null(static_http_encoding_name(STATIC_IDENTITY));
}

static void test_if_none_match(void **state)
{
	const char *tag = "\"abc123-br\"";

	(void)state;
	assert_true(static_http_etag_matches("\"abc123-br\"", tag));
	assert_true(static_http_etag_matches("\"x\", \"abc123-br\"", tag));
	assert_true(static_http_etag_matches(" \"x\" ,\"abc123-br\" ", tag));
	assert_true(static_http_etag_matches("W/\"abc123-br\"", tag));
	assert_true(static_http_etag_matches("*", tag));
	assert_true(static_http_etag_matches(" * ", tag));
	assert_false(static_http_etag_matches("\"abc123\"", tag));
	assert_false(static_http_etag_matches("\"abc123-gz\"", tag));
	assert_false(static_http_etag_matches("\"abc123-br", tag));
	assert_false(static_http_etag_matches("abc123-br", tag));
	assert_false(static_http_etag_matches("", tag));
	assert_false(static_http_etag_matches(NULL, tag));
	assert_false(static_http_etag_matches("\"ABC123-BR\"", tag));
}

static void test_keys(void **state)
{
	char k[32];

	(void)state;
	assert_int_equal(static_http_key("/", 1, k, sizeof(k)), 11);
	assert_string_equal(k, "/index.html");
	assert_int_equal(static_http_key("/demo/", 6, k, sizeof(k)), 16);
	assert_string_equal(k, "/demo/index.html");
	assert_int_equal(static_http_key("/widget/widget.js", 17, k, sizeof(k)),
			 17);
	assert_string_equal(k, "/widget/widget.js");
	assert_int_equal(static_http_key("/a.jsXYZ", 5, k, sizeof(k)), 5);
	assert_string_equal(k, "/a.js");
	assert_int_equal(static_http_key("", 0, k, sizeof(k)), -1);
	assert_int_equal(static_http_key("a.js", 4, k, sizeof(k)), -1);
	assert_int_equal(static_http_key("/a\0b", 4, k, sizeof(k)), -1);
	assert_int_equal(
		static_http_key("/0123456789012345678901/", 24, k, sizeof(k)),
		-1); /* with index.html it would not fit */
	assert_int_equal(static_http_key("/0123456789012345678901234567890", 32,
					 k, sizeof(k)),
			 -1);
}

static void test_hashed_names(void **state)
{
	(void)state;
	assert_true(static_http_is_hashed("/widget/widget-J5ICA2IN.js"));
	assert_true(static_http_is_hashed("/console/console-PFV4Q7WU.css"));
	assert_true(static_http_is_hashed("/widget/fr-65GWRWZL.js"));
	assert_true(static_http_is_hashed("a-b-ABCDEFGH.js"));
	assert_false(static_http_is_hashed("/widget/widget.js"));
	assert_false(static_http_is_hashed("/demo/index.html"));
	assert_false(static_http_is_hashed("/widget/widget-j5ica2in.js"));
	assert_false(static_http_is_hashed("/widget/widget-J5ICA2I.js"));
	assert_false(static_http_is_hashed("/widget/widgetJ5ICA2IN.js"));
	assert_false(static_http_is_hashed("/widget/-J5ICA2IN.js"));
	assert_false(static_http_is_hashed("/widget/widget-J5ICA2IN"));
	assert_false(static_http_is_hashed("/x-ABCDEFGH.d/widget.js"));
	assert_false(static_http_is_hashed("/widget/widget-J5IC_2IN.js"));
}

static void test_content_types(void **state)
{
	(void)state;
	assert_string_equal(static_http_content_type("/demo/index.html"),
			    "text/html; charset=utf-8");
	assert_string_equal(static_http_content_type("/widget/widget.js"),
			    "text/javascript; charset=utf-8");
	assert_string_equal(static_http_content_type("/c/console-AB.CSS"),
			    "text/css; charset=utf-8");
	assert_string_equal(static_http_content_type("/logo.svg"),
			    "image/svg+xml");
	assert_string_equal(static_http_content_type("/f.woff2"), "font/woff2");
	assert_string_equal(static_http_content_type("/x.json"),
			    "application/json");
	assert_string_equal(static_http_content_type("/README"),
			    "application/octet-stream");
	assert_string_equal(static_http_content_type("/v1.2/file"),
			    "application/octet-stream");
	assert_string_equal(static_http_content_type("/a.exe"),
			    "application/octet-stream");
}

static void test_cache_control(void **state)
{
	(void)state;
	assert_string_equal(
		static_http_cache_control("/widget/widget-J5ICA2IN.js"),
		"public, max-age=31536000, immutable");
	assert_string_equal(static_http_cache_control("/widget/widget.js"),
			    STATIC_HTTP_SHORT_CACHE);
	assert_string_equal(static_http_cache_control("/demo/index.html"),
			    "no-cache");
	assert_string_equal(static_http_cache_control("/img/logo.png"),
			    STATIC_HTTP_SHORT_CACHE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_browsers_get_brotli),
		cmocka_unit_test(test_no_header_or_nothing_known_is_identity),
		cmocka_unit_test(test_q_zero_refuses_a_coding),
		cmocka_unit_test(test_highest_q_wins_br_first_on_a_tie),
		cmocka_unit_test(test_star_covers_codings_not_named),
		cmocka_unit_test(test_only_encodings_the_file_has),
		cmocka_unit_test(test_malformed_q_counts_as_one),
		cmocka_unit_test(test_encoding_names),
		cmocka_unit_test(test_if_none_match),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_hashed_names),
		cmocka_unit_test(test_content_types),
		cmocka_unit_test(test_cache_control),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
