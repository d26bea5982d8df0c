/* Unit tests for reply_token: signed reply tokens and reply addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "chat/mail/reply_token.h"

#define CONV "AAECAwQFBgcICQoLDA0ODw"
#define HEX_A "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define HEX_B "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff0001020304050607080910111213141f"
#define NOW INT64_C(1800000000)

static void keys_from(struct reply_keys *keys, const char *spec)
{
	char err[200];

	assert_int_equal(reply_keys_parse(keys, spec, err, sizeof(err)), 0);
}

static void make(const struct reply_keys *keys, const char *to, int64_t expires,
		 char tok[REPLY_TOKEN_LEN + 1])
{
	assert_int_equal(reply_token_make(keys, CONV, to, expires, tok), 0);
}

static void test_token_round_trips_to_its_conversation(void **state)
{
	struct reply_keys keys;
	char tok[REPLY_TOKEN_LEN + 1], conv[PROTO_CONV_LEN + 1];
	int64_t exp = 0;

	(void)state;
	keys_from(&keys, "1:" HEX_A);
	make(&keys, "ann@example.com", NOW + 60, tok);
	assert_int_equal(strlen(tok), REPLY_TOKEN_LEN);
	for (size_t i = 0; i < REPLY_TOKEN_LEN; i++)
		assert_non_null(
			strchr("abcdefghijklmnopqrstuvwxyz234567", tok[i]));
	assert_int_equal(reply_token_verify(&keys, tok, "ann@example.com", NOW,
					    conv, &exp),
			 REPLY_TOKEN_OK);
	assert_string_equal(conv, CONV);
	assert_int_equal(exp, NOW + 60);
}

static void test_token_is_stable_for_the_same_input(void **state)
{
	struct reply_keys keys;
	char a[REPLY_TOKEN_LEN + 1], b[REPLY_TOKEN_LEN + 1];

	(void)state;
	keys_from(&keys, "1:" HEX_A);
	make(&keys, "ann@example.com", NOW, a);
	make(&keys, "ann@example.com", NOW, b);
	assert_string_equal(a, b);
}

static void test_every_altered_character_is_refused(void **state)
{
	struct reply_keys keys;
	char tok[REPLY_TOKEN_LEN + 1], conv[PROTO_CONV_LEN + 1];

	(void)state;
	keys_from(&keys, "1:" HEX_A);
	make(&keys, "ann@example.com", NOW + 60, tok);
	for (size_t i = 0; i < REPLY_TOKEN_LEN; i++) {
		char bad[REPLY_TOKEN_LEN + 1];
		int rc;

		memcpy(bad, tok, sizeof(bad));
		bad[i] = bad[i] == 'a' ? 'b' : 'a';
		rc = reply_token_verify(&keys, bad, "ann@example.com", NOW,
					conv, NULL);
		assert_true(rc == REPLY_TOKEN_BAD_SIGNATURE ||
			    rc == REPLY_TOKEN_MALFORMED ||
			    rc == REPLY_TOKEN_UNKNOWN_KEY);
	}
}

static void test_other_sender_is_refused(void **state)
{
	struct reply_keys keys;
	char tok[REPLY_TOKEN_LEN + 1], conv[PROTO_CONV_LEN + 1];

	(void)state;
	keys_from(&keys, "1:" HEX_A);
	make(&keys, "ann@example.com", NOW + 60, tok);
	assert_int_equal(reply_token_verify(&keys, tok, "bob@example.com", NOW,
					    conv, NULL),
			 REPLY_TOKEN_BAD_SIGNATURE);
	assert_int_equal(reply_token_verify(&keys, tok, "ann@example.co", NOW,
					    conv, NULL),
			 REPLY_TOKEN_BAD_SIGNATURE);
}

static void test_uppercase_token_and_sender_are_accepted(void **state)
{
	struct reply_keys keys;
	char tok[REPLY_TOKEN_LEN + 1], conv[PROTO_CONV_LEN + 1];

	(void)state;
	keys_from(&keys, "1:" HEX_A);
	make(&keys, "Ann@Example.com", NOW + 60, tok);
	for (size_t i = 0; i < REPLY_TOKEN_LEN; i++)
		if (tok[i] >= 'a' && tok[i] <= 'z')
			tok[i] = (char)(tok[i] - 32);
	assert_int_equal(reply_token_verify(&keys, tok, "ANN@EXAMPLE.COM", NOW,
					    conv, NULL),
			 REPLY_TOKEN_OK);
	assert_string_equal(conv, CONV);
}

static void test_expired_token_is_refused_after_its_last_second(void **state)
{
	struct reply_keys keys;
	char tok[REPLY_TOKEN_LEN + 1], conv[PROTO_CONV_LEN + 1];
	int64_t exp = 0;

	(void)state;
	keys_from(&keys, "1:" HEX_A);
	make(&keys, "ann@example.com", NOW, tok);
	assert_int_equal(reply_token_verify(&keys, tok, "ann@example.com", NOW,
					    conv, NULL),
			 REPLY_TOKEN_OK);
	assert_int_equal(reply_token_verify(&keys, tok, "ann@example.com",
					    NOW + 1, conv, &exp),
			 REPLY_TOKEN_EXPIRED);
	assert_int_equal(exp, NOW);
}

static void test_unknown_key_id_is_refused(void **state)
{
	struct reply_keys a, b;
	char tok[REPLY_TOKEN_LEN + 1], conv[PROTO_CONV_LEN + 1];

	(void)state;
	keys_from(&a, "7:" HEX_A);
	keys_from(&b, "8:" HEX_A);
	make(&a, "ann@example.com", NOW + 60, tok);
	assert_int_equal(
		reply_token_verify(&b, tok, "ann@example.com", NOW, conv, NULL),
		REPLY_TOKEN_UNKNOWN_KEY);
}

static void test_same_id_other_secret_is_a_bad_signature(void **state)
{
	struct reply_keys a, b;
	char tok[REPLY_TOKEN_LEN + 1], conv[PROTO_CONV_LEN + 1];

	(void)state;
	keys_from(&a, "1:" HEX_A);
	keys_from(&b, "1:" HEX_B);
	make(&a, "ann@example.com", NOW + 60, tok);
	assert_int_equal(
		reply_token_verify(&b, tok, "ann@example.com", NOW, conv, NULL),
		REPLY_TOKEN_BAD_SIGNATURE);
}

static void test_rotation_signs_with_new_and_verifies_old(void **state)
{
	struct reply_keys old, rotated;
	char t_old[REPLY_TOKEN_LEN + 1], t_new[REPLY_TOKEN_LEN + 1];
	char conv[PROTO_CONV_LEN + 1];

	(void)state;
	keys_from(&old, "1:" HEX_A);
	keys_from(&rotated, "2:" HEX_B ",1:" HEX_A);
	make(&old, "ann@example.com", NOW + 60, t_old);
	make(&rotated, "ann@example.com", NOW + 60, t_new);
	assert_string_not_equal(t_old, t_new);
	assert_int_equal(reply_token_verify(&rotated, t_old, "ann@example.com",
					    NOW, conv, NULL),
			 REPLY_TOKEN_OK);
	assert_int_equal(reply_token_verify(&rotated, t_new, "ann@example.com",
					    NOW, conv, NULL),
			 REPLY_TOKEN_OK);
	assert_int_equal(reply_token_verify(&old, t_new, "ann@example.com", NOW,
					    conv, NULL),
			 REPLY_TOKEN_UNKNOWN_KEY);
}

static void test_conv_reads_the_conversation_unverified(void **state)
{
	struct reply_keys keys;
	char tok[REPLY_TOKEN_LEN + 1], conv[PROTO_CONV_LEN + 1];

	(void)state;
	keys_from(&keys, "1:" HEX_A);
	make(&keys, "ann@example.com", NOW + 60, tok);
	assert_int_equal(reply_token_conv(tok, conv), 0);
	assert_string_equal(conv, CONV);
	/* an altered signature: still names it, though it never verifies */
	tok[REPLY_TOKEN_LEN - 1] = tok[REPLY_TOKEN_LEN - 1] == 'a' ? 'b' : 'a';
	assert_int_equal(reply_token_verify(&keys, tok, "ann@example.com", NOW,
					    conv, NULL),
			 REPLY_TOKEN_BAD_SIGNATURE);
	assert_int_equal(reply_token_conv(tok, conv), 0);
	assert_string_equal(conv, CONV);
	assert_int_equal(reply_token_conv("short", conv), -1);
}

static void test_malformed_tokens_are_refused(void **state)
{
	struct reply_keys keys;
	char tok[REPLY_TOKEN_LEN + 1], conv[PROTO_CONV_LEN + 1];
	char shorter[REPLY_TOKEN_LEN];

	(void)state;
	keys_from(&keys, "1:" HEX_A);
	make(&keys, "ann@example.com", NOW + 60, tok);
	memcpy(shorter, tok, REPLY_TOKEN_LEN - 1);
	shorter[REPLY_TOKEN_LEN - 1] = '\0';
	assert_int_equal(reply_token_verify(&keys, shorter, "ann@example.com",
					    NOW, conv, NULL),
			 REPLY_TOKEN_MALFORMED);
	assert_int_equal(reply_token_verify(&keys, "", "ann@example.com", NOW,
					    conv, NULL),
			 REPLY_TOKEN_MALFORMED);
	tok[10] = '1'; /* not in the base32 alphabet */
	assert_int_equal(reply_token_verify(&keys, tok, "ann@example.com", NOW,
					    conv, NULL),
			 REPLY_TOKEN_MALFORMED);
}

static void test_make_refuses_bad_input(void **state)
{
	struct reply_keys keys, none;
	char tok[REPLY_TOKEN_LEN + 1], long_addr[256];

	(void)state;
	memset(&none, 0, sizeof(none));
	keys_from(&keys, "1:" HEX_A);
	assert_int_equal(reply_token_make(&none, CONV, "a@b.c", NOW, tok), -1);
	assert_int_equal(reply_token_make(&keys, "short", "a@b.c", NOW, tok),
			 -1);
	/* 22 characters, but not the canonical encoding of 16 bytes */
	assert_int_equal(reply_token_make(&keys, "AAECAwQFBgcICQoLDA0ODx",
					  "a@b.c", NOW, tok),
			 -1);
	assert_int_equal(reply_token_make(&keys, CONV, "", NOW, tok), -1);
	memset(long_addr, 'a', sizeof(long_addr) - 1);
	long_addr[sizeof(long_addr) - 1] = '\0';
	assert_int_equal(reply_token_make(&keys, CONV, long_addr, NOW, tok),
			 -1);
	assert_int_equal(reply_token_make(&keys, CONV, "a@b.c", -1, tok), -1);
	assert_int_equal(reply_token_make(&keys, CONV, "a@b.c",
					  REPLY_EXPIRY_MAX + 1, tok),
			 -1);
	assert_int_equal(
		reply_token_make(&keys, CONV, "a@b.c", REPLY_EXPIRY_MAX, tok),
		0);
}

static void test_keys_parse_refuses_bad_specs(void **state)
{
	struct reply_keys keys;
	char err[200];

	(void)state;
	assert_int_equal(reply_keys_parse(&keys, "", err, sizeof(err)), -1);
	assert_int_equal(reply_keys_parse(&keys, "1:abcd", err, sizeof(err)),
			 -1);
	assert_null(strstr(err, "abcd"));
	assert_int_equal(
		reply_keys_parse(&keys, "256:" HEX_A, err, sizeof(err)), -1);
	assert_int_equal(reply_keys_parse(&keys, "x:" HEX_A, err, sizeof(err)),
			 -1);
	assert_int_equal(reply_keys_parse(&keys, "1:" HEX_A ",1:" HEX_B, err,
					  sizeof(err)),
			 -1);
	assert_int_equal(
		reply_keys_parse(&keys, "1:" HEX_A "zz", err, sizeof(err)), -1);
}

static void test_address_round_trips_and_fits_a_local_part(void **state)
{
	struct reply_keys keys;
	char addr[REPLY_ADDRESS_MAX], tok[REPLY_TOKEN_LEN + 1];
	char conv[PROTO_CONV_LEN + 1];
	const char *at;

	(void)state;
	keys_from(&keys, "1:" HEX_A);
	assert_int_equal(reply_address_make(&keys, CONV, "ann@example.com",
					    NOW + 60, "reply.example.net", addr,
					    sizeof(addr)),
			 0);
	at = strchr(addr, '@');
	assert_non_null(at);
	assert_true(at - addr <= 64);
	assert_int_equal(at - addr, 6 + REPLY_TOKEN_LEN);
	for (char *p = addr; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 32);
	assert_int_equal(reply_address_parse(addr, "reply.example.net", tok),
			 0);
	assert_int_equal(reply_token_verify(&keys, tok, "ann@example.com", NOW,
					    conv, NULL),
			 REPLY_TOKEN_OK);
	assert_string_equal(conv, CONV);
}

static void test_address_parse_refuses_other_addresses(void **state)
{
	char tok[REPLY_TOKEN_LEN + 1];
	char t56[REPLY_TOKEN_LEN + 1];
	char addr[200];

	(void)state;
	memset(t56, 'a', REPLY_TOKEN_LEN);
	t56[REPLY_TOKEN_LEN] = '\0';
	snprintf(addr, sizeof(addr), "reply+%s@other.net", t56);
	assert_int_equal(reply_address_parse(addr, "reply.example.net", tok),
			 -1);
	snprintf(addr, sizeof(addr), "replyx%s@reply.example.net", t56);
	assert_int_equal(reply_address_parse(addr, "reply.example.net", tok),
			 -1);
	snprintf(addr, sizeof(addr), "reply+%sa@reply.example.net", t56);
	assert_int_equal(reply_address_parse(addr, "reply.example.net", tok),
			 -1);
	assert_int_equal(reply_address_parse("support@reply.example.net",
					     "reply.example.net", tok),
			 -1);
	snprintf(addr, sizeof(addr), "reply+%s@reply.example.net", t56);
	assert_int_equal(reply_address_parse(addr, "reply.example.net", tok),
			 0);
	assert_string_equal(tok, t56);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_round_trips_to_its_conversation),
		cmocka_unit_test(test_token_is_stable_for_the_same_input),
		cmocka_unit_test(test_every_altered_character_is_refused),
		cmocka_unit_test(test_other_sender_is_refused),
		cmocka_unit_test(test_uppercase_token_and_sender_are_accepted),
		cmocka_unit_test(
			test_expired_token_is_refused_after_its_last_second),
		cmocka_unit_test(test_unknown_key_id_is_refused),
		cmocka_unit_test(test_same_id_other_secret_is_a_bad_signature),
		cmocka_unit_test(test_rotation_signs_with_new_and_verifies_old),
		cmocka_unit_test(test_malformed_tokens_are_refused),
		cmocka_unit_test(test_conv_reads_the_conversation_unverified),
		cmocka_unit_test(test_make_refuses_bad_input),
		cmocka_unit_test(test_keys_parse_refuses_bad_specs),
		cmocka_unit_test(
			test_address_round_trips_and_fits_a_local_part),
		cmocka_unit_test(test_address_parse_refuses_other_addresses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
