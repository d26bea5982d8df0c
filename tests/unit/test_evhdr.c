/*
 * Tests of protocol/evhdr.c: the event and relay headers. Parsers get the
 * exact number of bytes (heap copies, no NUL) so ASan catches a read past
 * the end, and are fed truncated, malformed and hostile headers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chat/protocol.h"

#define UNUSED __attribute__((unused))

/* A heap copy of the first n bytes of s, without a NUL after them. */
static char *exact(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	assert_non_null(p);
	memcpy(p, s, n);
	return p;
}

static int evhdr_parse_exact(const char *s, size_t n, struct proto_evhdr *h)
{
	char *p = exact(s, n);
	int rc = proto_evhdr_parse(p, n, h);

	free(p);
	return rc;
}

static int relay_parse_str(const char *s)
{
	struct proto_relay r;
	char *p = exact(s, strlen(s));
	int rc = proto_relay_parse(p, strlen(s), &r);

	free(p);
	return rc;
}

static void test_event_header_is_what_lua_writes(void **state UNUSED)
{
	const char *ev = "Ean42 {\"type\":\"event\"}";
	struct proto_evhdr h;
	size_t n;

	assert_int_equal(proto_evhdr_parse(ev, strlen(ev), &h), 0);
	assert_true(h.seq == 42);
	assert_int_equal(h.audience, 'a');
	assert_int_equal(h.kind, 'n');
	assert_int_equal(h.len, 6);
	assert_ptr_equal(proto_evhdr_json(ev, strlen(ev), &n), ev + 6);
	assert_int_equal(n, strlen("{\"type\":\"event\"}"));
}

static void test_event_header_round_trips_every_seq_width(void **state UNUSED)
{
	static const uint64_t seqs[] = {0, 1, 9, 10, 0xabcdef, UINT64_MAX};
	char buf[PROTO_EVHDR_MAX + 1];
	struct proto_evhdr in = {.audience = '*', .kind = 'm'}, out;

	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		int n;

		in.seq = seqs[i];
		n = proto_evhdr_write(buf, &in);
		assert_true(n >= PROTO_EVHDR_MIN && n <= PROTO_EVHDR_MAX);
		assert_int_equal(strlen(buf), n);
		assert_int_equal(evhdr_parse_exact(buf, (size_t)n, &out), 0);
		assert_true(out.seq == seqs[i]);
		assert_int_equal(out.len, n);
		assert_int_equal(out.audience, '*');
		assert_int_equal(out.kind, 'm');
	}
	assert_string_equal(buf, "E*m18446744073709551615 ");
}

static void test_event_header_refuses_malformed_input(void **state UNUSED)
{
	static const char *const bad[] = {
		"",
		"E",
		"E*m",			       /* cut short */
		"E*m42",		       /* no space */
		"X*m42 ",		       /* not an event */
		"E?m42 ",		       /* unknown audience */
		"E*z42 ",		       /* unknown kind */
		"E*m042 ",		       /* a leading zero */
		"E*m4a ",		       /* not decimal */
		"E*m-42 ",		       /* sign */
		"E*m 42",		       /* no digits */
		"E*m18446744073709551616 ",    /* past UINT64_MAX */
		"E*m123456789012345678901 ",   /* 21 digits */
		"{\"type\":\"event\",\"seq\"", /* old, headerless */
	};
	struct proto_evhdr h;
	size_t n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(evhdr_parse_exact(bad[i], strlen(bad[i]), &h),
				 -1);
		assert_null(proto_evhdr_json(bad[i], strlen(bad[i]), &n));
	}
	/* A NUL where the kind letter goes is not a kind. */
	assert_int_equal(evhdr_parse_exact("E*\0"
					   "42 ",
					   6, &h),
			 -1);
	assert_int_equal(proto_evhdr_parse(NULL, 0, &h), -1);
}

static void test_event_header_needs_only_its_own_bytes(void **state UNUSED)
{
	struct proto_evhdr h;
	size_t n = 99;

	assert_int_equal(evhdr_parse_exact("E*c1 ", 5, &h), 0);
	assert_non_null(proto_evhdr_json("E*c1 ", 5, &n));
	assert_int_equal(n, 0);
	/* Digits that run to the end are not a header. */
	assert_int_equal(evhdr_parse_exact("E*c12345", 8, &h), -1);
}

static void test_writer_refuses_unknown_letters(void **state UNUSED)
{
	char buf[PROTO_EVHDR_MAX + 1];
	struct proto_evhdr bad_aud = {.seq = 1, .audience = 'x', .kind = 'm'},
			   bad_kind = {.seq = 1, .audience = '*', .kind = 'q'},
			   nul_kind = {.seq = 1, .audience = '*', .kind = '\0'};

	assert_int_equal(proto_evhdr_write(buf, &bad_aud), -1);
	assert_int_equal(proto_evhdr_write(buf, &bad_kind), -1);
	assert_int_equal(proto_evhdr_write(buf, &nul_kind), -1);
}

static void test_kind_letters_and_audience(void **state UNUSED)
{
	assert_int_equal(proto_event_kind_letter("opened"), 'o');
	assert_int_equal(proto_event_kind_letter("message"), 'm');
	assert_int_equal(proto_event_kind_letter("note"), 'n');
	assert_int_equal(proto_event_kind_letter("joined"), 'j');
	assert_int_equal(proto_event_kind_letter("closed"), 'c');
	assert_int_equal(proto_event_kind_letter("reopened"), 'r');
	assert_int_equal(proto_event_kind_letter("Message"), 'x');
	assert_int_equal(proto_event_kind_letter(""), 'x');
	assert_int_equal(proto_event_kind_letter(NULL), 'x');
	assert_int_equal(proto_event_audience("note"), 'a');
	assert_int_equal(proto_event_audience("message"), '*');
	assert_int_equal(proto_event_audience("notes"), '*');
	assert_int_equal(proto_event_audience(NULL), '*');
}

/* ---- relay headers ------------------------------------------------------ */

/* Builds header + json in a heap buffer of exactly the needed length and
 * parses it back. */
static void assert_relay_round_trips(char audience, bool self,
				     const char *sender, const char *json)
{
	char hdr[256];
	int n = proto_relay_header(hdr, sizeof(hdr), audience, self, sender);
	size_t total;
	char *p;
	struct proto_relay r;

	assert_true(n > 0);
	total = (size_t)n + strlen(json);
	p = malloc(total);
	assert_non_null(p);
	memcpy(p, hdr, (size_t)n);
	memcpy(p + n, json, strlen(json));
	assert_int_equal(proto_relay_parse(p, total, &r), 0);
	assert_int_equal(r.audience, audience);
	assert_int_equal(r.self, self);
	assert_int_equal(r.sender_len, strlen(sender));
	assert_memory_equal(r.sender, sender, r.sender_len);
	assert_int_equal(r.json_len, strlen(json));
	assert_memory_equal(r.json, json, r.json_len);
	free(p);
}

static void test_relay_header_layout(void **state UNUSED)
{
	char buf[64];
	int n = proto_relay_header(buf, sizeof(buf), 'a', true, "cust-1");

	assert_int_equal(n, 13);
	assert_memory_equal(buf, "Ra10006cust-1", 13);
}

static void test_relay_sender_may_hold_any_byte(void **state UNUSED)
{
	assert_relay_round_trips('*', false, "cust-1", "{\"type\":\"typing\"}");
	assert_relay_round_trips('a', true, "a|b|c", "{\"x\":1}");
	assert_relay_round_trips('*', true, "\"quoted\" |!*a1|", "{}");
	assert_relay_round_trips('*', false, "R*10004", "R*10000");
	assert_relay_round_trips('a', false, "", "{}");
	assert_relay_round_trips('*', false, "x", "");
}

static void test_relay_header_refuses_what_it_cannot_write(void **state UNUSED)
{
	char buf[16];
	char *long_id = malloc(PROTO_RELAY_SENDER_MAX + 2);

	assert_int_equal(proto_relay_header(buf, sizeof(buf), '?', true, "u"),
			 -1);
	assert_int_equal(proto_relay_header(buf, sizeof(buf), '*', true, NULL),
			 -1);
	/* 7 fixed bytes + 9 = 16 fits exactly; 10 does not. */
	assert_int_equal(
		proto_relay_header(buf, sizeof(buf), '*', true, "123456789"),
		16);
	assert_int_equal(
		proto_relay_header(buf, sizeof(buf), '*', true, "1234567890"),
		-1);
	assert_non_null(long_id);
	memset(long_id, 'u', PROTO_RELAY_SENDER_MAX + 1);
	long_id[PROTO_RELAY_SENDER_MAX + 1] = '\0';
	assert_int_equal(proto_relay_header(buf, SIZE_MAX, '*', true, long_id),
			 -1);
	free(long_id);
}

static void test_relay_parse_refuses_malformed_input(void **state UNUSED)
{
	static const char *const bad[] = {
		"",
		"R*1000",	   /* length cut short */
		"R*10005abcd",	   /* sender past the end */
		"R*1ffffab",	   /* length far past the end */
		"R*100A1x{}",	   /* uppercase hex */
		"R*1 001x{}",	   /* space in the length */
		"R*1-001x{}",	   /* sign */
		"R*100g1x{}",	   /* not hex */
		"R*2001x{}",	   /* self is not 0/1 */
		"R?1001x{}",	   /* unknown audience */
		"E*1001x{}",	   /* an event, not a relay */
		"!*1cust|cust|{}", /* the old layout */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (relay_parse_str(bad[i]) != -1)
			fail_msg("accepted %s", bad[i]);
	assert_int_equal(relay_parse_str("R*10005abcde"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_header_is_what_lua_writes),
		cmocka_unit_test(test_event_header_round_trips_every_seq_width),
		cmocka_unit_test(test_event_header_refuses_malformed_input),
		cmocka_unit_test(test_event_header_needs_only_its_own_bytes),
		cmocka_unit_test(test_writer_refuses_unknown_letters),
		cmocka_unit_test(test_kind_letters_and_audience),
		cmocka_unit_test(test_relay_header_layout),
		cmocka_unit_test(test_relay_sender_may_hold_any_byte),
		cmocka_unit_test(
			test_relay_header_refuses_what_it_cannot_write),
		cmocka_unit_test(test_relay_parse_refuses_malformed_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
