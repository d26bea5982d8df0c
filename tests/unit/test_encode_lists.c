/*
 * Tests of protocol/encode_lists.c: the server frames that carry lists
 * (history, conversations, canned, synced with reads). Each must match the
 * exact JSON of its example in protocol/examples/ or spelled out here, and
 * escape or refuse hostile strings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "chat/protocol.h"

#define UNUSED __attribute__((unused))
#define CONV "Q2hhdGRDb252ZXJzYXRpbw"

/* Checks that s equals the one line of protocol/examples/name; frees s. */
static void assert_matches_example(char *s, const char *name)
{
	char path[256], line[4096];
	FILE *f;

	snprintf(path, sizeof(path), "protocol/examples/%s", name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s (run from the repo root)", path);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	assert_non_null(s);
	assert_string_equal(s, line);
	free(s);
}

static void assert_equals(char *s, const char *want)
{
	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

static void test_history_reproduces_the_example(void **state UNUSED)
{
	const char *ev = "{\"type\":\"event\",\"kind\":\"opened\",\"seq\":1}";
	struct proto_raw raw = {ev, strlen(ev)};

	assert_matches_example(proto_encode_history("r9", CONV, &raw, 1, false),
			       "s2c-history.json");
}

static void test_history_copies_events_by_length(void **state UNUSED)
{
	/* Lengths, not NULs, bound each event: the header-stripped JSON
	 * points into a longer stored value. */
	const char *stored = "{\"a\":1}{\"b\":2}trailing";
	struct proto_raw raw[] = {{stored, 7}, {stored + 7, 7}};

	assert_equals(proto_encode_history("r\"1", CONV, raw, 2, true),
		      "{\"type\":\"history\",\"id\":\"r\\\"1\",\"conv\":\"" CONV
		      "\",\"events\":[{\"a\":1},{\"b\":2}],\"more\":true}");
	assert_equals(proto_encode_history("r", CONV, NULL, 0, false),
		      "{\"type\":\"history\",\"id\":\"r\",\"conv\":\"" CONV
		      "\",\"events\":[],\"more\":false}");
	assert_null(proto_encode_history("r\xc3", CONV, raw, 2, true));
}

static const struct proto_conv_item assigned = {
	.conv = CONV,
	.status = "assigned",
	.summary = "Live site returns 502",
	.environment = "live",
	.tier = "gold",
	.org = "org-1",
	.site = "site-1",
	.context = "site",
	.customer = {"cust-1", "Ann", PROTO_ROLE_CUSTOMER},
	.agent = {"agent-1", "Bo", PROTO_ROLE_AGENT},
	.opened_at = 1764145200000,
	.closed_at = 0,
	.last_seq = 7,
	.class_key = "normal",
	.topic = "dns",
};

static void test_conversations_reproduce_the_examples(void **state UNUSED)
{
	struct proto_conv_item waiting = {
		.conv = CONV,
		.status = "waiting",
		.summary = "Live site returns 502",
		.environment = "",
		.tier = "gold",
		.context = "personal",
		.customer = {"cust-1", "Ann", PROTO_ROLE_CUSTOMER},
		.agent = {"", "ignored", PROTO_ROLE_AGENT},
		.opened_at = 1764145200000,
		.last_seq = 1,
		.class_key = "priority",
		.out_of_scope = true,
		.position = 3,
	};

	assert_matches_example(
		proto_encode_conversations("r10", &assigned, 1,
					   "1764145200000:" CONV),
		"s2c-conversations.json");
	assert_matches_example(
		proto_encode_conversations("r11", &waiting, 1, NULL),
		"s2c-conversations-last-page.json");
}

static void test_conversations_empty_page_and_null_agent(void **state UNUSED)
{
	struct proto_conv_item bare = {.conv = CONV};

	assert_equals(proto_encode_conversations("r", NULL, 0, NULL),
		      "{\"type\":\"conversations\",\"id\":\"r\",\"items\":[],"
		      "\"next\":null}");
	assert_equals(
		proto_encode_conversations("r", &bare, 1, NULL),
		"{\"type\":\"conversations\",\"id\":\"r\",\"items\":[{"
		"\"conv\":\"" CONV "\",\"status\":\"\",\"summary\":\"\","
		"\"environment\":\"\",\"tier\":\"\",\"org\":\"\",\"site\":"
		"\"\",\"context\":\"\",\"customer\":{\"id\":\"\",\"name\":"
		"\"\"},\"agent\":null,\"opened_at\":0,\"closed_at\":0,"
		"\"last_seq\":0,\"out_of_scope\":false}],\"next\":null}");
}

static void test_conversations_route_members(void **state UNUSED)
{
	struct proto_conv_item held = {.conv = CONV,
				       .status = "held",
				       .class_key = "",
				       .topic = NULL,
				       .held_until = 1764565200000};
	char *s = proto_encode_conversations("r", &held, 1, NULL);
	json_t *root, *item;

	assert_non_null(s);
	root = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(root);
	item = json_array_get(json_object_get(root, "items"), 0);
	assert_null(json_object_get(item, "class"));
	assert_null(json_object_get(item, "topic"));
	assert_null(json_object_get(item, "position"));
	assert_true(json_is_false(json_object_get(item, "out_of_scope")));
	assert_int_equal(
		json_integer_value(json_object_get(item, "held_until")),
		1764565200000);
	json_decref(root);
	free(s);
	held.topic = "\xff";
	assert_null(proto_encode_conversations("r", &held, 1, NULL));
}

static void test_conversations_escape_and_refuse(void **state UNUSED)
{
	struct proto_conv_item items[2] = {assigned, assigned};
	char *s;
	json_t *root, *first;

	items[1].summary = "\"}],\"next\":\"x\x01\n";
	items[1].agent.name = "B\\o";
	items[1].last_seq = INT64_MAX;
	s = proto_encode_conversations("r", items, 2, "1:" CONV);
	root = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(root);
	assert_int_equal(json_array_size(json_object_get(root, "items")), 2);
	first = json_array_get(json_object_get(root, "items"), 1);
	assert_string_equal(
		json_string_value(json_object_get(first, "summary")),
		items[1].summary);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(first, "agent"), "name")),
			    "B\\o");
	assert_non_null(strstr(s, "\"last_seq\":9223372036854775807,"));
	assert_string_equal(json_string_value(json_object_get(root, "next")),
			    "1:" CONV);
	json_decref(root);
	free(s);
	items[0].site = "\xed\xa0\x80"; /* a surrogate */
	assert_null(proto_encode_conversations("r", items, 2, NULL));
	assert_null(proto_encode_conversations("r", &assigned, 1, "\xff"));
}

static void test_canned_reproduces_the_example(void **state UNUSED)
{
	struct proto_canned_item item = {"mine", "hello", "Greeting",
					 "Hi! I'm looking into this now."};

	assert_matches_example(proto_encode_canned("r13", &item, 1),
			       "s2c-canned.json");
}

static void test_canned_escapes_and_fills_absent_members(void **state UNUSED)
{
	struct proto_canned_item items[] = {
		{"team", "a-b", NULL, "line\n\"quoted\"\t\\"},
		{"mine", "k", "T", NULL},
	};

	assert_equals(proto_encode_canned("r", items, 2),
		      "{\"type\":\"canned\",\"id\":\"r\",\"items\":[{\"scope\":"
		      "\"team\",\"key\":\"a-b\",\"title\":\"\",\"text\":"
		      "\"line\\n\\\"quoted\\\"\\t\\\\\"},{\"scope\":\"mine\","
		      "\"key\":\"k\",\"title\":\"T\",\"text\":\"\"}]}");
	assert_equals(proto_encode_canned("r", NULL, 0),
		      "{\"type\":\"canned\",\"id\":\"r\",\"items\":[]}");
	items[1].text = "\xc0\x80";
	assert_null(proto_encode_canned("r", items, 2));
}

static void test_synced_reads_reproduce_the_example(void **state UNUSED)
{
	struct proto_read_pos reads[] = {{"cust-1", 7}, {"agent-1", 5}};

	assert_matches_example(
		proto_encode_synced_reads("r8", CONV, 7, reads, 2),
		"s2c-synced-reads.json");
}

static void test_synced_reads_escape_user_ids(void **state UNUSED)
{
	struct proto_read_pos reads[] = {{"a\"b", 1}, {NULL, 9}, {"c|d\n", 2}};

	assert_equals(proto_encode_synced_reads("r", CONV, 3, reads, 3),
		      "{\"type\":\"synced\",\"id\":\"r\",\"conv\":\"" CONV
		      "\",\"seq\":3,\"reads\":{\"a\\\"b\":1,\"c|d\\n\":2}}");
	assert_equals(proto_encode_synced_reads("r", CONV, 0, NULL, 0),
		      "{\"type\":\"synced\",\"id\":\"r\",\"conv\":\"" CONV
		      "\",\"seq\":0,\"reads\":{}}");
	reads[0].user = "\xff";
	assert_null(proto_encode_synced_reads("r", CONV, 3, reads, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_history_reproduces_the_example),
		cmocka_unit_test(test_history_copies_events_by_length),
		cmocka_unit_test(test_conversations_reproduce_the_examples),
		cmocka_unit_test(test_conversations_empty_page_and_null_agent),
		cmocka_unit_test(test_conversations_route_members),
		cmocka_unit_test(test_conversations_escape_and_refuse),
		cmocka_unit_test(test_canned_reproduces_the_example),
		cmocka_unit_test(test_canned_escapes_and_fills_absent_members),
		cmocka_unit_test(test_synced_reads_reproduce_the_example),
		cmocka_unit_test(test_synced_reads_escape_user_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
