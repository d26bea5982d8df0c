/* Tests for store/keys.c: every Redis name chatd uses. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "chat/store/keys.h"

#define CONV "Q2hhdGRDb252ZXJzYXRpbw"

static void test_conversation_keys_share_one_hash_tag(void **state)
{
	(void)state;
	assert_string_equal(key_conv_meta(CONV).s, "{c:" CONV "}:m");
	assert_string_equal(key_conv_events(CONV).s, "{c:" CONV "}:e");
	assert_string_equal(key_conv_idem(CONV).s, "{c:" CONV "}:i");
	assert_string_equal(key_conv_reads(CONV).s, "{c:" CONV "}:r");
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
	assert_string_equal(chan_conv(CONV).s, "c:" CONV);
	assert_string_equal(chan_user("u1").s, "u:u1");
	assert_string_equal(chan_agents().s, "agents");
	assert_string_equal(chan_user_pattern().s, "u:*");
	assert_string_equal(chan_user_prefix(), "u:");
	assert_string_equal(chan_bus_probe().s, "bus:alive");
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
	char id[KEY_MAX + 10];

	(void)state;
	memset(id, 'x', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	assert_string_equal(key_user_convs(id).s, "{u:");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conversation_keys_share_one_hash_tag),
		cmocka_unit_test(test_indexes_and_channels),
		cmocka_unit_test(test_a_user_id_of_the_longest_valid_size_fits),
		cmocka_unit_test(test_an_id_too_long_is_never_cut_into_another),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
