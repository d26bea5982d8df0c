/* Tests for store/keys.c: every Redis name chatd uses. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "chat/store/keys.h"

#define CONV "Q2hhdGRDb252ZXJzYXRpbw"

/* The layout is fixed once data exists: these pin it. */
static void test_a_conversation_belongs_to_one_shard(void **state)
{
	(void)state;
	assert_int_equal(key_shard_of(CONV), 8);
	assert_string_equal(key_shard_tag(8), "v8.52");
	assert_int_equal(key_shard_of(""), 5);
	assert_true(key_shard_of("any string at all") < KEYS_SHARDS);
}

static void test_conversation_keys_share_their_shard_tag(void **state)
{
	(void)state;
	assert_string_equal(key_conv_meta(CONV).s, "{v8.52}:c:" CONV ":m");
	assert_string_equal(key_conv_events(CONV).s, "{v8.52}:c:" CONV ":e");
	assert_string_equal(key_conv_idem(CONV).s, "{v8.52}:c:" CONV ":i");
	assert_string_equal(key_conv_reads(CONV).s, "{v8.52}:c:" CONV ":r");
	assert_string_equal(chan_conv(CONV).s, "{v8.52}:c:" CONV);
	assert_string_equal(key_outbox(8).s, "{v8.52}:ob");
	assert_string_equal(key_outbox_lease(8).s, "{v8.52}:ob:lease");
	assert_string_equal(key_outbox_cursor(8).s, "{v8.52}:ob:done");
	assert_string_equal(chan_feed(8).s, "{v8.52}:feed");
}

static void test_shard_tags_are_distinct(void **state)
{
	(void)state;
	for (unsigned i = 0; i < KEYS_SHARDS; i++)
		for (unsigned j = i + 1; j < KEYS_SHARDS; j++)
			assert_string_not_equal(key_shard_tag(i),
						key_shard_tag(j));
}

static void test_indexes_and_channels(void **state)
{
	(void)state;
	assert_string_equal(key_user_convs("u|1").s, "{u:u|1}:c");
	assert_string_equal(key_org_convs("o1").s, "{o:o1}:c");
	assert_string_equal(key_site_convs("s1").s, "{s:s1}:c");
	assert_string_equal(key_agent_convs("a1").s, "{a:a1}:c");
	assert_string_equal(key_canned_agent("a1").s, "{a:a1}:canned");
	assert_string_equal(key_canned_team().s, "canned:team");
	assert_string_equal(key_open_convs().s, "convs:open");
	assert_string_equal(key_active_convs().s, "convs:active");
}

static void test_a_user_id_of_the_longest_valid_size_fits(void **state)
{
	char id[129];

	(void)state;
	memset(id, 'x', 128);
	id[128] = '\0';
	assert_int_equal(strlen(key_canned_agent(id).s), 3 + 128 + 8);
}

static void test_an_id_too_long_is_never_cut_into_another(void **state)
{
	char id[KEY_MAX + 10], want[32];

	(void)state;
	memset(id, 'x', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	assert_string_equal(key_user_convs(id).s, "{u:");
	/* A conversation key keeps its shard's tag, unclosed: no other key
	 * is named so. */
	snprintf(want, sizeof(want), "{%s", key_shard_tag(key_shard_of(id)));
	assert_string_equal(key_conv_meta(id).s, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_conversation_belongs_to_one_shard),
		cmocka_unit_test(test_conversation_keys_share_their_shard_tag),
		cmocka_unit_test(test_shard_tags_are_distinct),
		cmocka_unit_test(test_indexes_and_channels),
		cmocka_unit_test(test_a_user_id_of_the_longest_valid_size_fits),
		cmocka_unit_test(test_an_id_too_long_is_never_cut_into_another),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
