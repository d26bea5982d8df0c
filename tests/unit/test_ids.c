/* Unit tests for ids: conversation ids and idempotency records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "chat/common/ids.h"

static const unsigned char secret[32] = "0123456789abcdef0123456789abcdef";

static void test_conv_id_is_stable_for_a_retried_open(void **state)
{
	char a[PROTO_CONV_LEN + 1], b[PROTO_CONV_LEN + 1];

	(void)state;
	ids_conv_derive(secret, sizeof(secret), "cust-1", "c-1", a);
	ids_conv_derive(secret, sizeof(secret), "cust-1", "c-1", b);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), PROTO_CONV_LEN);
	assert_true(proto_conv_id_valid(a));
}

static void test_conv_id_differs_per_customer_client_id_and_secret(void **state)
{
	static const unsigned char other[32] =
		"fedcba9876543210fedcba9876543210";
	char a[23], b[23], c[23], d[23];

	(void)state;
	ids_conv_derive(secret, sizeof(secret), "cust-1", "c-1", a);
	ids_conv_derive(secret, sizeof(secret), "cust-2", "c-1", b);
	ids_conv_derive(secret, sizeof(secret), "cust-1", "c-2", c);
	ids_conv_derive(other, sizeof(other), "cust-1", "c-1", d);
	assert_string_not_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d);
}

static void test_idem_field_separates_sender_and_client_id(void **state)
{
	char a[200], b[200];

	(void)state;
	assert_int_equal(ids_idem_field(a, sizeof(a), "a:b", "c"), 0);
	assert_int_equal(ids_idem_field(b, sizeof(b), "a", "b:c"), 0);
	assert_string_not_equal(a, b);
	assert_string_equal(a, "3:a:b:c");
}

static void test_idem_field_too_long_fails(void **state)
{
	char small[10];

	(void)state;
	assert_int_equal(ids_idem_field(small, sizeof(small), "sender", "xy"),
			 -1);
}

static void test_fingerprint_tells_requests_apart(void **state)
{
	char a[IDS_FP_LEN + 1], b[IDS_FP_LEN + 1], c[IDS_FP_LEN + 1];
	const char *one = "{\"kind\":\"message\",\"text\":\"hello\"";
	const char *two = "{\"kind\":\"message\",\"text\":\"hellp\"";

	(void)state;
	ids_fingerprint(one, strlen(one), a);
	ids_fingerprint(one, strlen(one), b);
	ids_fingerprint(two, strlen(two), c);
	assert_int_equal(strlen(a), IDS_FP_LEN);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	for (size_t i = 0; i < IDS_FP_LEN; i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
	/* FNV-1a of the empty input is its offset basis. */
	ids_fingerprint("", 0, a);
	assert_string_equal(a, "cbf29ce484222325");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conv_id_is_stable_for_a_retried_open),
		cmocka_unit_test(test_fingerprint_tells_requests_apart),
		cmocka_unit_test(
			test_conv_id_differs_per_customer_client_id_and_secret),
		cmocka_unit_test(
			test_idem_field_separates_sender_and_client_id),
		cmocka_unit_test(test_idem_field_too_long_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
