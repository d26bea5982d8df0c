/*
 * Tests of the routing frames and members: protocol/encode_route.c
 * (availability, queue, offer, agents, agent) and the routing parts of
 * protocol/encode.c (opened's routing members, joined's via/by, the left
 * event, the requeued feed prefix, outside_hours with opens_at) and of
 * protocol/evhdr.c (the left kind letter). Each must match the exact JSON
 * of its example in protocol/examples/ and read back with jansson as the
 * members PROTOCOL.md lists.
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

static const struct proto_user ann = {"cust-1", "Ann", PROTO_ROLE_CUSTOMER};
static const struct proto_user bo = {"agent-1", "Bo", PROTO_ROLE_AGENT};
static const struct proto_user cy = {"agent-2", "Cy", PROTO_ROLE_AGENT};

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
	if (strcmp(s, line) != 0)
		fail_msg("%s differs:\n%s\n%s", name, s, line);
	free(s);
}

/* Parses s (which must be one JSON object) and frees it; returns the new
 * reference. */
static json_t *parse_owned(char *s)
{
	json_error_t jerr;
	json_t *root;

	assert_non_null(s);
	root = json_loads(s, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(root))
		fail_msg("%s: %s", s, jerr.text);
	free(s);
	return root;
}

/* Closes an event or feed prefix as the store does; frees prefix. */
static char *close_prefix(char *prefix, uint64_t seq, int64_t ts)
{
	char *s;

	assert_non_null(prefix);
	assert_true(asprintf(&s, "%s,\"seq\":%llu,\"ts\":%lld}", prefix,
			     (unsigned long long)seq, (long long)ts) > 0);
	free(prefix);
	return s;
}

static const char *str_of(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_string(v))
		fail_msg("%s is not a string", key);
	return json_string_value(v);
}

/* ---- availability ------------------------------------------------------ */

static const struct proto_topic_item topics[] = {
	{"dashboard", "Dashboard and workflow", true},
	{"wordpress", "WordPress", true},
	{"performance", "Performance and caching", false},
};

static void test_availability_reproduces_the_examples(void **state UNUSED)
{
	struct proto_availability open = {
		.tier = "gold",
		.class_key = "normal",
		.class_label = "Normal",
		.hours = "24x7",
		.timezone = "America/New_York",
		.scope = "technical",
		.scope_label = "Technical",
		.open = true,
		.opens_at = 1764565200000, /* ignored while open */
		.agents_online = 4,
		.topics = topics,
		.n_topics = 3,
	};
	struct proto_availability closed = {
		.tier = "silver",
		.class_key = "normal",
		.class_label = "Normal",
		.hours = "24x5",
		.timezone = "America/New_York",
		.scope = "platform",
		.scope_label = "Platform",
		.open = false,
		.opens_at = 1764565200000,
		.topics = topics,
		.n_topics = 1,
	};

	assert_matches_example(proto_encode_availability("r32", &open),
			       "s2c-availability.json");
	assert_matches_example(proto_encode_availability("r33", &closed),
			       "s2c-availability-closed.json");
}

static void test_availability_sends_every_member(void **state UNUSED)
{
	struct proto_availability bare = {.open = false, .opens_at = 5};
	json_t *root = parse_owned(proto_encode_availability("r", &bare));
	static const char *const strings[] = {
		"tier",	    "class", "class_label", "hours",
		"timezone", "scope", "scope_label"};

	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		assert_string_equal(str_of(root, strings[i]), "");
	assert_true(json_is_false(json_object_get(root, "open")));
	assert_int_equal(json_integer_value(json_object_get(root, "opens_at")),
			 5);
	assert_int_equal(
		json_integer_value(json_object_get(root, "agents_online")), 0);
	assert_int_equal(json_array_size(json_object_get(root, "topics")), 0);
	json_decref(root);
}

static void test_availability_escapes_and_refuses(void **state UNUSED)
{
	struct proto_topic_item t = {"k", "A \"quoted\"\n label", false};
	struct proto_availability a = {
		.tier = "gold", .open = true, .topics = &t, .n_topics = 1};
	json_t *root = parse_owned(proto_encode_availability("r", &a)), *item;

	assert_true(json_is_null(json_object_get(root, "opens_at")));
	item = json_array_get(json_object_get(root, "topics"), 0);
	assert_string_equal(str_of(item, "label"), t.label);
	assert_true(json_is_false(json_object_get(item, "in_scope")));
	json_decref(root);
	t.label = "\xff";
	assert_null(proto_encode_availability("r", &a));
}

/* ---- queue ------------------------------------------------------------- */

static void test_queue_reproduces_the_examples(void **state UNUSED)
{
	assert_matches_example(
		proto_encode_queue(CONV, 3, 12, 240000, "priority"),
		"s2c-queue.json");
	assert_matches_example(proto_encode_queue(CONV, 1, 1, -1, "normal"),
			       "s2c-queue-no-eta.json");
}

static void test_queue_eta_zero_is_a_number(void **state UNUSED)
{
	json_t *root = parse_owned(proto_encode_queue(CONV, 1, 2, 0, NULL));

	assert_true(json_is_integer(json_object_get(root, "eta_ms")));
	assert_int_equal(json_integer_value(json_object_get(root, "eta_ms")),
			 0);
	assert_string_equal(str_of(root, "class"), "");
	assert_string_equal(str_of(root, "conv"), CONV);
	assert_null(json_object_get(root, "id"));
	json_decref(root);
}

/* ---- offer ------------------------------------------------------------- */

static const struct proto_offer offer = {
	.conv = CONV,
	.summary = "WordPress admin is slow",
	.tier = "platinum",
	.class_key = "priority",
	.topic = "wordpress",
	.out_of_scope = false,
	.customer = {"cust-1", "Ann", PROTO_ROLE_CUSTOMER},
	.expires_at = 1764145230000,
};

static void test_offer_reproduces_the_examples(void **state UNUSED)
{
	assert_matches_example(proto_encode_offer(&offer), "s2c-offer.json");
	assert_matches_example(proto_encode_offer_withdrawn(CONV, "expired"),
			       "s2c-offer-withdrawn.json");
}

static void test_offer_without_topic_omits_it(void **state UNUSED)
{
	struct proto_offer o = offer;
	json_t *root;

	o.topic = "";
	o.out_of_scope = true;
	o.summary = "</script>\"";
	root = parse_owned(proto_encode_offer(&o));
	assert_null(json_object_get(root, "topic"));
	assert_true(json_is_true(json_object_get(root, "out_of_scope")));
	assert_string_equal(str_of(root, "state"), "offered");
	assert_string_equal(str_of(root, "summary"), o.summary);
	assert_string_equal(str_of(json_object_get(root, "customer"), "name"),
			    "Ann");
	assert_null(json_object_get(json_object_get(root, "customer"), "role"));
	json_decref(root);
	o.topic = NULL;
	root = parse_owned(proto_encode_offer(&o));
	assert_null(json_object_get(root, "topic"));
	json_decref(root);
	o.customer.name = "\xc3";
	assert_null(proto_encode_offer(&o));
}

static void test_offer_withdrawn_carries_the_reason(void **state UNUSED)
{
	static const char *const reasons[] = {"accepted", "declined", "expired",
					      "taken", "closed"};

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		json_t *root = parse_owned(
			proto_encode_offer_withdrawn(CONV, reasons[i]));

		assert_string_equal(str_of(root, "type"), "offer");
		assert_string_equal(str_of(root, "state"), "withdrawn");
		assert_string_equal(str_of(root, "reason"), reasons[i]);
		json_decref(root);
	}
}

/* ---- agents ------------------------------------------------------------ */

static const char *const bo_skills[] = {"platform", "wordpress"};
static const char *const dns_skill[] = {"dns"};

static void test_agents_reproduce_the_examples(void **state UNUSED)
{
	struct proto_agent_item items[] = {
		{"agent-1", "Bo", "online", 2, 3, bo_skills, 2},
		{"agent-2", "Cy", "offline", 0, 2, NULL, 0},
	};
	struct proto_agent_item one = {"agent-1", "Bo",	     "away", 1,
				       3,	  dns_skill, 1};

	assert_matches_example(proto_encode_agents("r34", items, 2),
			       "s2c-agents.json");
	assert_matches_example(proto_encode_agent(&one), "s2c-agent.json");
}

static void test_agents_empty_list_and_odd_rows(void **state UNUSED)
{
	const char *skills[] = {NULL, "a\"b"};
	struct proto_agent_item odd = {NULL, "B\\o", NULL, 0, 0, skills, 2};
	json_t *root, *agent, *arr;

	root = parse_owned(proto_encode_agents("r", NULL, 0));
	assert_int_equal(json_array_size(json_object_get(root, "items")), 0);
	json_decref(root);
	root = parse_owned(proto_encode_agent(&odd));
	agent = json_object_get(root, "agent");
	assert_string_equal(str_of(agent, "id"), "");
	assert_string_equal(str_of(agent, "name"), "B\\o");
	assert_string_equal(str_of(agent, "status"), "");
	arr = json_object_get(agent, "skills");
	assert_int_equal(json_array_size(arr), 1);
	assert_string_equal(json_string_value(json_array_get(arr, 0)), "a\"b");
	json_decref(root);
	skills[1] = "\xed\xa0\x80";
	assert_null(proto_encode_agent(&odd));
}

/* ---- errors, feed ------------------------------------------------------ */

static void test_outside_hours_error_carries_opens_at(void **state UNUSED)
{
	json_t *root;

	assert_matches_example(
		proto_encode_error_opens("r30",
					 "Chat for your support package opens "
					 "Monday at 00:00 (Europe/Paris time)",
					 1764565200000),
		"s2c-error-outside-hours.json");
	root = parse_owned(proto_encode_error_opens(NULL, NULL, 0));
	assert_string_equal(str_of(root, "code"), "outside_hours");
	assert_string_equal(str_of(root, "message"),
			    proto_error_message(PROTO_E_OUTSIDE_HOURS));
	assert_true(json_is_false(json_object_get(root, "retryable")));
	assert_true(json_is_null(json_object_get(root, "opens_at")));
	assert_null(json_object_get(root, "id"));
	json_decref(root);
}

static void test_requeued_feed_prefix_is_unterminated(void **state UNUSED)
{
	char *prefix = proto_feed_requeued_prefix(CONV);

	assert_non_null(prefix);
	assert_int_not_equal(prefix[strlen(prefix) - 1], '}');
	assert_matches_example(close_prefix(prefix, 5, 1764145260000),
			       "s2c-feed-requeued.json");
	assert_null(proto_feed_requeued_prefix("\xff"));
}

/* ---- events ------------------------------------------------------------ */

static void test_joined_members_reproduce_the_examples(void **state UNUSED)
{
	char *body = proto_joined_members("offer", NULL);

	assert_string_equal(body, "\"via\":\"offer\"");
	assert_matches_example(
		close_prefix(
			proto_event_prefix(CONV, "joined", &bo, "c-35", body),
			2, 1764145205000),
		"s2c-event-joined-offer.json");
	free(body);
	body = proto_joined_members("transfer", &bo);
	assert_matches_example(close_prefix(proto_event_prefix(CONV, "joined",
							       &cy, NULL, body),
					    4, 1764145320000),
			       "s2c-event-joined-transfer.json");
	free(body);
	body = proto_joined_members(NULL, NULL);
	assert_string_equal(body, "");
	free(body);
}

static void test_left_members_reproduce_the_examples(void **state UNUSED)
{
	char *body = proto_left_members("transfer", &cy);

	assert_matches_example(
		close_prefix(proto_event_prefix(CONV, "left", &bo, NULL, body),
			     3, 1764145320000),
		"s2c-event-left.json");
	free(body);
	body = proto_left_members("queue", NULL);
	assert_string_equal(body, "\"reason\":\"queue\"");
	assert_matches_example(
		close_prefix(proto_event_prefix(CONV, "left", &bo, NULL, body),
			     3, 1764145320000),
		"s2c-event-left-queue.json");
	free(body);
}

static void test_person_members_escape_and_refuse(void **state UNUSED)
{
	struct proto_user odd = {"a\"}", "N\n", PROTO_ROLE_ADMIN};
	char *body = proto_left_members("takeover", &odd), *frame;
	json_t *root, *to;

	assert_true(asprintf(&frame, "{%s}", body) > 0);
	free(body);
	root = parse_owned(frame);
	to = json_object_get(root, "to");
	assert_string_equal(str_of(to, "id"), odd.id);
	assert_string_equal(str_of(to, "name"), odd.name);
	assert_null(json_object_get(to, "role"));
	json_decref(root);
	odd.name = "\xff";
	assert_null(proto_left_members("takeover", &odd));
	assert_null(proto_joined_members("takeover", &odd));
}

static void test_opened_members_carry_route_info(void **state UNUSED)
{
	struct proto_details d = {.summary = "WordPress admin is slow"};
	struct proto_route_info ri = {"normal", "wordpress", true,
				      1764565200000};
	char *body =
		proto_opened_members(&d, "personal", NULL, "", "silver", &ri);

	assert_matches_example(
		close_prefix(
			proto_event_prefix(CONV, "opened", &ann, "c-30", body),
			1, 1764145200000),
		"s2c-event-opened-routing.json");
	free(body);
}

static void test_opened_members_omit_empty_route_info(void **state UNUSED)
{
	struct proto_details d = {.summary = "s"};
	struct proto_route_info ri = {"priority", "", false, 0};
	char *body = proto_opened_members(&d, NULL, NULL, NULL, "gold", &ri);

	assert_string_equal(body, "\"details\":{\"summary\":\"s\"},\"tier\":"
				  "\"gold\",\"class\":\"priority\","
				  "\"out_of_scope\":false");
	free(body);
	ri.topic = NULL;
	ri.class_key = NULL;
	body = proto_opened_members(&d, NULL, NULL, NULL, "gold", &ri);
	assert_string_equal(body, "\"details\":{\"summary\":\"s\"},\"tier\":"
				  "\"gold\",\"class\":\"\","
				  "\"out_of_scope\":false");
	free(body);
	ri.topic = "\xff";
	assert_null(proto_opened_members(&d, NULL, NULL, NULL, "gold", &ri));
}

static void test_left_has_its_kind_letter(void **state UNUSED)
{
	struct proto_evhdr h = {.seq = 12, .audience = PROTO_AUD_ALL};
	char buf[PROTO_EVHDR_MAX + 1];

	assert_int_equal(proto_event_kind_letter("left"), 'l');
	assert_int_equal(proto_event_audience("left"), PROTO_AUD_ALL);
	h.kind = proto_event_kind_letter("left");
	assert_int_equal(proto_evhdr_write(buf, &h), 6);
	assert_string_equal(buf, "E*l12 ");
	memset(&h, 0, sizeof(h));
	assert_int_equal(proto_evhdr_parse("E*l12 {}", 8, &h), 0);
	assert_int_equal(h.kind, 'l');
	assert_int_equal(h.seq, 12);
	assert_int_equal(h.len, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_availability_reproduces_the_examples),
		cmocka_unit_test(test_availability_sends_every_member),
		cmocka_unit_test(test_availability_escapes_and_refuses),
		cmocka_unit_test(test_queue_reproduces_the_examples),
		cmocka_unit_test(test_queue_eta_zero_is_a_number),
		cmocka_unit_test(test_offer_reproduces_the_examples),
		cmocka_unit_test(test_offer_without_topic_omits_it),
		cmocka_unit_test(test_offer_withdrawn_carries_the_reason),
		cmocka_unit_test(test_agents_reproduce_the_examples),
		cmocka_unit_test(test_agents_empty_list_and_odd_rows),
		cmocka_unit_test(test_outside_hours_error_carries_opens_at),
		cmocka_unit_test(test_requeued_feed_prefix_is_unterminated),
		cmocka_unit_test(test_joined_members_reproduce_the_examples),
		cmocka_unit_test(test_left_members_reproduce_the_examples),
		cmocka_unit_test(test_person_members_escape_and_refuse),
		cmocka_unit_test(test_opened_members_carry_route_info),
		cmocka_unit_test(test_opened_members_omit_empty_route_info),
		cmocka_unit_test(test_left_has_its_kind_letter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
