/*
 * Tests of protocol/flatjson.c, the fast path in front of jansson. The
 * rule: whatever it accepts, jansson (with the decoder's flags) accepts
 * and parses to an equal tree; everything else it leaves to jansson. It
 * is checked on every example frame and on many generated ones.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "flatjson.h"

#define UNUSED __attribute__((unused))
#define FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)

static json_t *reference(const char *buf, size_t len)
{
	json_error_t err;

	return json_loadb(buf, len, FLAGS, &err);
}

/* Returns true when the fast path took the frame (and then agreed). */
static bool assert_agrees(const char *buf, size_t len)
{
	json_t *fast = flatjson_parse(buf, len);
	json_t *ref;

	if (!fast)
		return false;
	ref = reference(buf, len);
	if (!ref || !json_equal(fast, ref))
		fail_msg("fast path disagrees with jansson on: %.*s", (int)len,
			 buf);
	json_decref(ref);
	json_decref(fast);
	return true;
}

static bool agrees(const char *s)
{
	return assert_agrees(s, strlen(s));
}

static void test_a_send_frame_takes_the_fast_path(void **state UNUSED)
{
	assert_true(agrees("{\"type\":\"send\",\"id\":\"r1\",\"client_id\":"
			   "\"c1\",\"conv\":\"Q2hhdGRDb252ZXJzYXRpbw\","
			   "\"text\":\"caf\xc3\xa9 \\\"quoted\\\"\\nline\"}"));
	assert_true(agrees(" { \"a\" : 1 , \"b\" :\ttrue,\r\n\"c\":false,"
			   "\"d\":null,\"e\":-42,\"f\":0,\"g\":\"\\/\\b\\f\\r"
			   "\\t\\\\\"} "));
	assert_true(agrees("{}"));
	assert_true(agrees("{\"n\":123456789012345678}"));
}

static void test_what_jansson_must_judge_is_left_to_it(void **state UNUSED)
{
	static const char *left[] = {
		"{\"a\":{\"b\":1}}",		/* nesting */
		"{\"a\":[1]}",			/* arrays */
		"{\"a\":\"\\u0041\"}",		/* \u escapes */
		"{\"a\":\"\\u0000\"}",		/* NUL */
		"{\"a\":1,\"a\":2}",		/* duplicates */
		"{\"a\\n\":1}",			/* escaped names */
		"{\"a\":1.5}",			/* reals */
		"{\"a\":1e3}",			/* exponents */
		"{\"a\":01}",			/* leading zeros */
		"{\"a\":-0}",			/* negative zero */
		"{\"a\":1234567890123456789}",	/* 19 digits */
		"{\"a\":99999999999999999999}", /* past 64 bits */
		"{\"a\":1.0}",			/* whole reals */
		"{\"a\":1e400}",		/* real overflow */
		"{\"a\":-1e400}",		/* negative overflow */
		"{\"a\":\"\xff\"}",		/* bad UTF-8 */
		"{\"a\":\"\xed\xa0\x80\"}",	/* surrogate */
		"{\"a\":\"tab\there\"}",	/* raw control */
		"{\"a\":1,}",			/* trailing comma */
		"{\"a\":1} x",			/* trailing bytes */
		"{\"a\":tru}",			/* bad literal */
		"{\"a\":truex}",		/* literal run-on */
		"[1]",				/* not an object */
		"",				/* nothing */
		"{\"a\":\"unterminated}",	/* cut short */
		"{\"a\" 1}",			/* no colon */
	};

	for (size_t i = 0; i < sizeof(left) / sizeof(left[0]); i++)
		if (flatjson_parse(left[i], strlen(left[i])))
			fail_msg("took %s", left[i]);
}

static void test_18_digit_integers_are_taken_exactly(void **state UNUSED)
{
	static const char *const frames[] = {"{\"a\":999999999999999999}",
					     "{\"a\":-999999999999999999}"};
	static const json_int_t want[] = {999999999999999999LL,
					  -999999999999999999LL};

	for (size_t i = 0; i < 2; i++) {
		json_t *o = flatjson_parse(frames[i], strlen(frames[i]));

		assert_non_null(o);
		assert_true(json_integer_value(json_object_get(o, "a")) ==
			    want[i]);
		json_decref(o);
	}
}

static void test_every_example_frame_agrees(void **state UNUSED)
{
	const char *dir = getenv("CHAT_EXAMPLES");
	char path[600], buf[70000];
	struct dirent *ent;
	unsigned taken = 0, seen = 0;
	DIR *d;

	dir = dir && *dir ? dir : "protocol/examples";
	d = opendir(dir);
	assert_non_null(d);
	while ((ent = readdir(d))) {
		FILE *f;
		size_t n;

		if (!strstr(ent->d_name, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, ent->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		seen++;
		taken += assert_agrees(buf, n);
	}
	closedir(d);
	assert_true(seen > 100);
	assert_true(taken > 20); /* most client frames are flat */
}

/* ---- generated frames ---------------------------------------------------- */

static uint64_t rng = 88172645463325252ull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void put(char *buf, size_t *len, const char *s)
{
	size_t n = strlen(s);

	memcpy(buf + *len, s, n);
	*len += n;
}

static void put_token(char *buf, size_t *len)
{
	static const char *tokens[] = {
		"\"type\"",
		"\"send\"",
		"\"text\"",
		"\"x\"",
		"\"\"",
		"\"\\n\"",
		"\"\\\"\"",
		"\"\\u00e9\"",
		"\"\xc3\xa9\"",
		"\"\xe2\x82\xac\"",
		"\"\xf0\x9f\x98\x80\"",
		"\"\xc3\"",
		"\"\x80\"",
		"\"\\q\"",
		"0",
		"-1",
		"17",
		"1.5",
		"2e9",
		"00",
		"-",
		"true",
		"false",
		"null",
		"nul",
		"{",
		"}",
		"[",
		"]",
		",",
		":",
		" ",
		"\n",
		"\t",
		"\"a\\",
	};

	put(buf, len, tokens[rnd(sizeof(tokens) / sizeof(tokens[0]))]);
}

static void test_generated_frames_agree(void **state UNUSED)
{
	char buf[4096];
	unsigned taken = 0;

	for (int round = 0; round < 200000; round++) {
		size_t len = 0;
		unsigned members = rnd(5);

		if (rnd(4)) {
			/* mostly well-formed objects with random values */
			put(buf, &len, "{");
			for (unsigned m = 0; m < members; m++) {
				if (m)
					put(buf, &len, ",");
				put(buf, &len, rnd(8) ? "\"k" : "\"j");
				buf[len++] = (char)('a' + rnd(4));
				put(buf, &len, "\":");
				put_token(buf, &len);
				if (!rnd(6))
					put_token(buf, &len);
			}
			put(buf, &len, "}");
		} else {
			for (unsigned t = 0; t < 3 + rnd(12); t++)
				put_token(buf, &len);
		}
		taken += assert_agrees(buf, len);
	}
	assert_true(taken > 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_send_frame_takes_the_fast_path),
		cmocka_unit_test(test_what_jansson_must_judge_is_left_to_it),
		cmocka_unit_test(test_18_digit_integers_are_taken_exactly),
		cmocka_unit_test(test_every_example_frame_agrees),
		cmocka_unit_test(test_generated_frames_agree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
