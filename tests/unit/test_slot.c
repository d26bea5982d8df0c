/* Unit tests for slot: CRC16 and hash-tag rules, against slots Redis's
 * CLUSTER KEYSLOT gives for the same keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "slot.h"

static unsigned slot(const char *key)
{
	return slot_of(key, strlen(key));
}

static void test_crc16_is_xmodem(void **state)
{
	(void)state;
	assert_int_equal(slot_crc16("123456789", 9), 0x31C3);
	assert_int_equal(slot_crc16("", 0), 0);
}

static void test_plain_keys_hash_whole(void **state)
{
	(void)state;
	assert_int_equal(slot("foo"), 12182);
	assert_int_equal(slot("123456789"), 12739);
	assert_int_equal(slot(""), 0);
}

static void test_hash_tag_is_hashed_alone(void **state)
{
	(void)state;
	assert_int_equal(slot("{user1000}.following"), 3443);
	assert_int_equal(slot("{user1000}.followers"), 3443);
	assert_int_equal(slot("{user1000}"), slot("user1000"));
	assert_int_equal(slot("foo{bar}{zap}"), 5061); /* first tag only */
	assert_int_equal(slot("foo{bar}{zap}"), slot("bar"));
	assert_int_equal(slot("{v123}:conv"), 12990);
}

static void test_empty_or_open_tags_hash_the_whole_key(void **state)
{
	(void)state;
	assert_int_equal(slot("{}"), 15257);
	assert_int_equal(slot("{"), 4092);
	assert_int_equal(slot("a{b"), 13340);
	assert_int_equal(slot("foo{}{bar}"), 8363); /* first tag is empty */
	assert_int_equal(slot("x}{y}"), 12222);
	assert_int_equal(slot("foo{{bar}}zap"), 4015); /* tag is "{bar" */
	assert_int_equal(slot("foo{{bar}}zap"), slot("{bar"));
}

static void test_key_may_hold_nul_bytes(void **state)
{
	(void)state;
	assert_int_equal(slot_of("a\0b", 3), slot_crc16("a\0b", 3) & 16383);
	assert_int_equal(slot_of("{a\0}x", 5), slot_of("a\0", 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc16_is_xmodem),
		cmocka_unit_test(test_plain_keys_hash_whole),
		cmocka_unit_test(test_hash_tag_is_hashed_alone),
		cmocka_unit_test(test_empty_or_open_tags_hash_the_whole_key),
		cmocka_unit_test(test_key_may_hold_nul_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
