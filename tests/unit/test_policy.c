/* Unit tests for the support policy: the shipped file, the built-in
 * values, and one refusal per kind of invalid member. Run from the
 * repository root (the shipped file is read by its relative path). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "chat/support/hours.h"
#include "chat/support/policy.h"

#define SHIPPED "deploy/support-policy.json"

static void assert_target_equal(const struct policy_target *a,
				const struct policy_target *b)
{
	assert_int_equal(a->offered, b->offered);
	if (!a->offered)
		return;
	assert_int_equal(a->hours, b->hours);
	assert_int_equal(a->response_s, b->response_s);
}

static void assert_policy_equal(const struct policy *a, const struct policy *b)
{
	assert_string_equal(a->support_tz, b->support_tz);
	assert_int_equal(a->n_holidays, b->n_holidays);
	for (unsigned i = 0; i < a->n_holidays; i++)
		assert_int_equal(a->holidays[i], b->holidays[i]);
	assert_int_equal(a->aging_bound_ms, b->aging_bound_ms);
	assert_int_equal(a->offer_timeout_ms, b->offer_timeout_ms);
	assert_int_equal(a->dedicated_delay_ms, b->dedicated_delay_ms);
	assert_int_equal(a->presence_grace_ms, b->presence_grace_ms);
	assert_int_equal(a->service_window_ms, b->service_window_ms);
	assert_int_equal(a->n_classes, b->n_classes);
	for (unsigned i = 0; i < a->n_classes; i++) {
		assert_string_equal(a->classes[i].key, b->classes[i].key);
		assert_string_equal(a->classes[i].label, b->classes[i].label);
	}
	assert_int_equal(a->n_scopes, b->n_scopes);
	for (unsigned i = 0; i < a->n_scopes; i++) {
		assert_string_equal(a->scopes[i].key, b->scopes[i].key);
		assert_string_equal(a->scopes[i].label, b->scopes[i].label);
		assert_string_equal(a->scopes[i].covers, b->scopes[i].covers);
	}
	for (unsigned i = 0; i < AUTH_TIER__COUNT; i++) {
		const struct policy_tier *x = &a->tiers[i], *y = &b->tiers[i];

		assert_int_equal(x->chat_hours, y->chat_hours);
		assert_int_equal(x->class_rank, y->class_rank);
		assert_int_equal(x->scope, y->scope);
		assert_target_equal(&x->tickets, &y->tickets);
		assert_target_equal(&x->emergency, &y->emergency);
		assert_string_equal(x->professional_services,
				    y->professional_services);
	}
	assert_int_equal(a->n_topics, b->n_topics);
	for (unsigned i = 0; i < a->n_topics; i++) {
		assert_string_equal(a->topics[i].key, b->topics[i].key);
		assert_string_equal(a->topics[i].label, b->topics[i].label);
		assert_int_equal(a->topics[i].scope, b->topics[i].scope);
		assert_string_equal(a->topics[i].skill, b->topics[i].skill);
	}
	assert_int_equal(a->n_dedicated, b->n_dedicated);
	for (unsigned i = 0; i < a->n_dedicated; i++) {
		const struct policy_dedicated *x = &a->dedicated[i],
					      *y = &b->dedicated[i];

		assert_string_equal(x->org, y->org);
		assert_int_equal(x->n_engineers, y->n_engineers);
		for (unsigned j = 0; j < x->n_engineers; j++)
			assert_string_equal(x->engineers[j], y->engineers[j]);
	}
}

static void test_shipped_file_equals_the_defaults(void **state)
{
	struct policy shipped, builtin;
	char err[512];

	(void)state;
	if (policy_load(&shipped, SHIPPED, err, sizeof(err)))
		fail_msg("%s", err);
	policy_defaults(&builtin);
	assert_policy_equal(&shipped, &builtin);
}

static void test_defaults_have_the_example_values(void **state)
{
	struct policy p;
	int32_t christmas;

	(void)state;
	policy_defaults(&p);
	assert_string_equal(p.support_tz, "America/New_York");
	assert_int_equal(hours_parse_date("2026-12-25", &christmas), 0);
	assert_int_equal(p.holidays[0], christmas);
	assert_int_equal(p.aging_bound_ms, 600000);
	assert_int_equal(p.offer_timeout_ms, 30000);
	assert_int_equal(p.dedicated_delay_ms, 120000);
	assert_int_equal(p.presence_grace_ms, 60000);
	assert_int_equal(p.service_window_ms, 900000);
	assert_int_equal(p.n_classes, 3);
	assert_string_equal(p.classes[0].key, "top_priority");
	assert_int_equal(p.tiers[AUTH_TIER_SILVER].chat_hours,
			 POLICY_HOURS_24X5);
	assert_int_equal(p.tiers[AUTH_TIER_GOLD].chat_hours, POLICY_HOURS_24X7);
	assert_int_equal(p.tiers[AUTH_TIER_DIAMOND].class_rank, 0);
	assert_int_equal(p.tiers[AUTH_TIER_PLATINUM].class_rank, 1);
	assert_int_equal(p.tiers[AUTH_TIER_SILVER].class_rank, 2);
	assert_false(p.tiers[AUTH_TIER_SILVER].tickets.offered);
	assert_int_equal(p.tiers[AUTH_TIER_GOLD].tickets.hours,
			 POLICY_HOURS_24X5);
	assert_int_equal(p.tiers[AUTH_TIER_GOLD].tickets.response_s, 28800);
	assert_int_equal(p.tiers[AUTH_TIER_DIAMOND].emergency.response_s, 900);
	assert_int_equal(p.n_topics, 7);
	assert_int_equal(p.n_dedicated, 1);
}

static void test_topics_scope_and_dedicated_are_answered(void **state)
{
	struct policy p;
	const struct policy_topic *dash, *wp, *perf, *debug;
	const struct policy_dedicated *d;

	(void)state;
	policy_defaults(&p);
	dash = policy_topic(&p, "dashboard");
	wp = policy_topic(&p, "wordpress");
	perf = policy_topic(&p, "performance");
	debug = policy_topic(&p, "debugging");
	assert_non_null(dash);
	assert_non_null(wp);
	assert_non_null(perf);
	assert_non_null(debug);
	assert_null(policy_topic(&p, "billing"));
	assert_string_equal(wp->skill, "wordpress");
	assert_true(policy_in_scope(&p, AUTH_TIER_SILVER, dash));
	assert_false(policy_in_scope(&p, AUTH_TIER_SILVER, wp));
	assert_true(policy_in_scope(&p, AUTH_TIER_GOLD, wp));
	assert_false(policy_in_scope(&p, AUTH_TIER_GOLD, perf));
	assert_true(policy_in_scope(&p, AUTH_TIER_PLATINUM, perf));
	assert_false(policy_in_scope(&p, AUTH_TIER_PLATINUM, debug));
	assert_true(policy_in_scope(&p, AUTH_TIER_DIAMOND, debug));
	assert_true(policy_in_scope(&p, AUTH_TIER_SILVER, NULL));
	d = policy_dedicated_of(&p, "org-diamond");
	assert_non_null(d);
	assert_int_equal(d->n_engineers, 2);
	assert_string_equal(d->engineers[1], "agent-ded-2");
	assert_null(policy_dedicated_of(&p, "org-other"));
	assert_null(policy_dedicated_of(&p, ""));
	assert_string_equal(policy_hours_str(POLICY_HOURS_24X5), "24x5");
	assert_string_equal(policy_hours_str(POLICY_HOURS_24X7), "24x7");
}

/* The shipped file as a tree, to be changed one member at a time. */
static json_t *shipped_tree(void)
{
	json_error_t jerr;
	json_t *root = json_load_file(SHIPPED, 0, &jerr);

	if (!root)
		fail_msg("%s: %s", SHIPPED, jerr.text);
	return root;
}

/* The object or array holding the last segment of path ("a.b.2.c"),
 * borrowed; *last is that segment. */
static json_t *parent_of(json_t *root, const char *path, char *last)
{
	char buf[256], *seg, *next;
	json_t *at = root;

	snprintf(buf, sizeof(buf), "%s", path);
	seg = buf;
	while ((next = strchr(seg, '.'))) {
		*next = '\0';
		at = json_is_array(at) ? json_array_get(at, atoi(seg))
				       : json_object_get(at, seg);
		assert_non_null(at);
		seg = next + 1;
	}
	strcpy(last, seg);
	return at;
}

/* Sets (value stolen) or, with value NULL, removes the member at path. */
static void change(json_t *root, const char *path, json_t *value)
{
	char last[256];
	json_t *parent = parent_of(root, path, last);

	if (json_is_array(parent)) {
		if (value)
			json_array_set_new(parent, atoi(last), value);
		else
			json_array_remove(parent, atoi(last));
	} else if (value) {
		json_object_set_new(parent, last, value);
	} else {
		json_object_del(parent, last);
	}
}

static void assert_refused_text(const char *text, const char *want)
{
	struct policy p;
	char err[512];

	err[0] = '\0';
	assert_int_equal(policy_parse(&p, text, strlen(text), err, sizeof(err)),
			 -1);
	if (strcmp(err, want) != 0)
		fail_msg("got   %s\nwant  %s", err, want);
}

/* The shipped file with path set to value (NULL: removed) is refused
 * with the message want. */
static void assert_refused(const char *path, json_t *value, const char *want)
{
	json_t *root = shipped_tree();
	char *text;

	change(root, path, value);
	text = json_dumps(root, JSON_PRESERVE_ORDER);
	json_decref(root);
	assert_non_null(text);
	assert_refused_text(text, want);
	free(text);
}

static void test_wrong_names_are_refused(void **state)
{
	(void)state;
	assert_refused("tiers.gold.chat.class", json_string("x"),
		       "policy: tiers.gold.chat.class: no class named \"x\"");
	assert_refused("tiers.silver.scope", json_string("all"),
		       "policy: tiers.silver.scope: no scope named \"all\"");
	assert_refused("topics.2.scope", json_string("cosmic"),
		       "policy: topics[2].scope: no scope named \"cosmic\"");
	assert_refused("tiers.bronze", json_object(),
		       "policy: tiers.bronze: no such tier (want silver, "
		       "gold, platinum and diamond)");
	assert_refused("tiers.platinum", NULL,
		       "policy: tiers.platinum: missing");
	assert_refused("tiers.gold.chat.hours", json_string("24x6"),
		       "policy: tiers.gold.chat.hours: want \"24x7\" or "
		       "\"24x5\", not \"24x6\"");
	assert_refused("routing.offer_timeout", json_integer(30),
		       "policy: routing.offer_timeout: unknown member");
	assert_refused("tiers.gold.chat.queue", json_string("fast"),
		       "policy: tiers.gold.chat.queue: unknown member");
	assert_refused("extra", json_true(), "policy: extra: unknown member");
}

static void test_keys_must_be_well_formed_and_unique(void **state)
{
	(void)state;
	assert_refused("topics.0.key", json_string("Bad Key"),
		       "policy: topics[0].key: \"Bad Key\" is not 1 to 32 of "
		       "a-z 0-9 _ -");
	assert_refused("topics.0.key",
		       json_string("a23456789012345678901234567890123"),
		       "policy: topics[0].key: "
		       "\"a23456789012345678901234567890123\" is not 1 to 32 "
		       "of a-z 0-9 _ -");
	assert_refused("topics.1.key", json_string("dashboard"),
		       "policy: topics[1].key: listed twice");
	assert_refused("classes.1.key", json_string("top_priority"),
		       "policy: classes[1].key: listed twice");
	assert_refused("scopes.3.key", json_string("platform"),
		       "policy: scopes[3].key: listed twice");
	assert_refused("classes.0.label", json_string(""),
		       "policy: classes[0].label: want 1 to 100 bytes of text "
		       "without control characters");
	assert_refused("classes", json_array(),
		       "policy: classes: want 1 to 8 entries");
	assert_refused("topics.0.skill", json_string("a,b"),
		       "policy: topics[0].skill: want \"\" or 1 to 32 bytes "
		       "without control characters or ','");
	assert_refused("dedicated.org-diamond.1", json_string("agent-ded-1"),
		       "policy: dedicated.org-diamond[1]: listed twice");
	assert_refused("dedicated.org-diamond", json_array(),
		       "policy: dedicated.org-diamond: want 1 to 16 agent ids");
}

static void test_dates_and_time_zones_are_checked(void **state)
{
	(void)state;
	assert_refused("holidays.1", json_string("2027-02-29"),
		       "policy: holidays[1]: \"2027-02-29\" is not a date "
		       "YYYY-MM-DD");
	assert_refused("holidays.1", json_string("2027-1-01"),
		       "policy: holidays[1]: \"2027-1-01\" is not a date "
		       "YYYY-MM-DD");
	assert_refused("holidays.1", json_string("2026-12-25"),
		       "policy: holidays[1]: 2026-12-25 is listed twice");
	assert_refused("holidays.0", json_integer(20261225),
		       "policy: holidays[0]: want a string, not an integer");
	assert_refused("support_timezone", json_string("Mars/Olympus_Mons"),
		       "policy: support_timezone: unknown time zone "
		       "\"Mars/Olympus_Mons\"");
	assert_refused("support_timezone", json_string("../../etc/passwd"),
		       "policy: support_timezone: unknown time zone "
		       "\"../../etc/passwd\"");
	assert_refused("support_timezone", json_string("zone.tab"),
		       "policy: support_timezone: unknown time zone "
		       "\"zone.tab\"");
	assert_refused("support_timezone", NULL,
		       "policy: support_timezone: missing");
}

static void test_durations_and_numbers_are_checked(void **state)
{
	(void)state;
	assert_refused("routing.offer_timeout_s", json_integer(0),
		       "policy: routing.offer_timeout_s: want seconds from 1 "
		       "to 31622400, not 0");
	assert_refused("routing.presence_grace_s", json_integer(0),
		       "policy: routing.presence_grace_s: want seconds from 1 "
		       "to 31622400, not 0");
	assert_refused("routing.aging_bound_s", json_integer(-1),
		       "policy: routing.aging_bound_s: want seconds from 0 to "
		       "31622400, not -1");
	assert_refused("routing.service_window_s", json_string("900"),
		       "policy: routing.service_window_s: want an integer, not "
		       "a string");
	assert_refused("routing.dedicated_delay_s", json_real(1.5),
		       "policy: routing.dedicated_delay_s: want an integer, "
		       "not a real number");
	assert_refused("routing.service_window_s", NULL,
		       "policy: routing.service_window_s: missing");
	assert_refused("tiers.gold.tickets.first_response_s", json_integer(0),
		       "policy: tiers.gold.tickets.first_response_s: want "
		       "seconds from 1 to 31622400, not 0");
	assert_refused("tiers.diamond.emergency", json_string("always"),
		       "policy: tiers.diamond.emergency: want an object, not a "
		       "string");
	assert_refused("tiers.silver.tickets", NULL,
		       "policy: tiers.silver.tickets: missing (null when not "
		       "offered)");
	assert_refused("version", json_integer(2),
		       "policy: version: want 1, not 2");
}

static void test_bad_json_is_one_line(void **state)
{
	(void)state;
	assert_refused_text("[1]", "policy: want an object, not an array");
	assert_refused_text("{\"version\": 1,\n\"version\": 1}",
			    "policy: line 2 column 9: duplicate object key "
			    "near '\"version\"'");
	assert_refused_text("{\"version\":\n",
			    "policy: line 2 column 0: "
			    "unexpected token near end of file");
	assert_refused("tiers.gold.chat.class", json_string("a\nb"),
		       "policy: tiers.gold.chat.class: no class named "
		       "\"a?b\"");
}

static void test_load_names_the_file(void **state)
{
	struct policy p;
	char path[] = "/tmp/chatd-policy-XXXXXX", err[512], want[600];
	int fd = mkstemp(path);
	json_t *root = shipped_tree();

	(void)state;
	assert_true(fd >= 0);
	change(root, "tiers.gold.chat.class", json_string("x"));
	assert_int_equal(json_dumpfd(root, fd, 0), 0);
	close(fd);
	json_decref(root);
	assert_int_equal(policy_load(&p, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "policy %s: tiers.gold.chat.class: no class named \"x\"",
		 path);
	assert_string_equal(err, want);
	unlink(path);
	assert_int_equal(policy_load(&p, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "policy %s: cannot read: No such file or directory", path);
	assert_string_equal(err, want);
}

static void test_optional_members_may_be_left_out(void **state)
{
	json_t *root = shipped_tree();
	struct policy p;
	char *text, err[512];

	(void)state;
	change(root, "holidays", NULL);
	change(root, "dedicated", NULL);
	change(root, "topics.0.skill", NULL);
	change(root, "scopes.0.covers", NULL);
	change(root, "tiers.diamond.emergency", json_null());
	text = json_dumps(root, 0);
	json_decref(root);
	if (policy_parse(&p, text, strlen(text), err, sizeof(err)))
		fail_msg("%s", err);
	free(text);
	assert_int_equal(p.n_holidays, 0);
	assert_int_equal(p.n_dedicated, 0);
	assert_string_equal(p.topics[0].skill, "");
	assert_string_equal(p.scopes[0].covers, "");
	assert_false(p.tiers[AUTH_TIER_DIAMOND].emergency.offered);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_file_equals_the_defaults),
		cmocka_unit_test(test_defaults_have_the_example_values),
		cmocka_unit_test(test_topics_scope_and_dedicated_are_answered),
		cmocka_unit_test(test_wrong_names_are_refused),
		cmocka_unit_test(test_keys_must_be_well_formed_and_unique),
		cmocka_unit_test(test_dates_and_time_zones_are_checked),
		cmocka_unit_test(test_durations_and_numbers_are_checked),
		cmocka_unit_test(test_bad_json_is_one_line),
		cmocka_unit_test(test_load_names_the_file),
		cmocka_unit_test(test_optional_members_may_be_left_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
