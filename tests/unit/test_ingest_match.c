/* Unit tests for ingest_match: which conversation a mail answers, what is
 * dropped, and the ids made from a mail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ingest_private.h"

#define DOMAIN "reply.example.com"
#define CONV "Q2hhdGRDb252ZXJzYXRpbw"
#define TOKEN "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx"

/* A mail with every string "" (as inbound_mime_parse leaves absent ones). */
static struct inbound_mail mail(void)
{
	struct inbound_mail m;
	static char empty[] = "";

	memset(&m, 0, sizeof(m));
	m.from = m.from_name = m.return_path = m.subject = empty;
	m.message_id = m.in_reply_to = m.text = m.reply = empty;
	return m;
}

static void test_the_token_of_a_reply_address_is_found(void **state)
{
	struct inbound_mail m = mail();
	char *rcpt[] = {"support@example.com",
			"reply+" TOKEN "@Reply.Example.COM"};
	char token[REPLY_TOKEN_LEN + 1];

	(void)state;
	memcpy(m.recipients, rcpt, sizeof(rcpt));
	m.n_recipients = 2;
	assert_int_equal(ingest_find_token(&m, DOMAIN, token), 1);
	assert_string_equal(token, TOKEN);
}

static void test_no_reply_address_is_no_token(void **state)
{
	struct inbound_mail m = mail();
	char *rcpt[] = {"support@" DOMAIN, "reply+" TOKEN "@elsewhere.example"};
	char token[REPLY_TOKEN_LEN + 1];

	(void)state;
	memcpy(m.recipients, rcpt, sizeof(rcpt));
	m.n_recipients = 2;
	assert_int_equal(ingest_find_token(&m, DOMAIN, token), 0);
}

static void test_a_reply_address_without_a_token_is_malformed(void **state)
{
	struct inbound_mail m = mail();
	char *rcpt[] = {"reply+short@" DOMAIN};
	char token[REPLY_TOKEN_LEN + 1];

	(void)state;
	memcpy(m.recipients, rcpt, sizeof(rcpt));
	m.n_recipients = 1;
	assert_int_equal(ingest_find_token(&m, DOMAIN, token), -1);
}

static void test_in_reply_to_names_the_conversation(void **state)
{
	struct inbound_mail m = mail();
	char conv[PROTO_CONV_LEN + 1];

	(void)state;
	m.in_reply_to = "c." CONV ".transcript.7@" DOMAIN;
	assert_int_equal(ingest_thread_conv(&m, DOMAIN, conv), 0);
	assert_string_equal(conv, CONV);
	m.in_reply_to = "c." CONV ".transcript.7@other.example";
	assert_int_equal(ingest_thread_conv(&m, DOMAIN, conv), -1);
}

static void test_references_are_read_newest_first(void **state)
{
	struct inbound_mail m = mail();
	char conv[PROTO_CONV_LEN + 1];
	char *refs[] = {"c.AAAAAAAAAAAAAAAAAAAAAA.opened.1@" DOMAIN,
			"someone@mail.example", "c." CONV ".notify.4@" DOMAIN,
			"x@y"};

	(void)state;
	m.in_reply_to = "x@mail.example";
	memcpy(m.references, refs, sizeof(refs));
	m.n_references = 4;
	assert_int_equal(ingest_thread_conv(&m, DOMAIN, conv), 0);
	assert_string_equal(conv, CONV);
}

static void test_automatic_mail_and_loops_are_dropped(void **state)
{
	struct inbound_mail m = mail();

	(void)state;
	m.from = "ann@example.org";
	assert_null(ingest_drop_reason(&m, DOMAIN, NULL));
	m.auto_reply = true;
	assert_non_null(ingest_drop_reason(&m, DOMAIN, NULL));
	m.auto_reply = false;
	m.bounce = true;
	assert_non_null(ingest_drop_reason(&m, DOMAIN, NULL));
	m.bounce = false;
	m.from = "MAILER-DAEMON@mx.example.org";
	assert_non_null(ingest_drop_reason(&m, DOMAIN, NULL));
	m.from = "postmaster@mx.example.org";
	assert_non_null(ingest_drop_reason(&m, DOMAIN, NULL));
	m.from = "chat@" DOMAIN;
	assert_non_null(ingest_drop_reason(&m, DOMAIN, NULL));
	m.from = "support@company.example";
	assert_non_null(
		ingest_drop_reason(&m, DOMAIN, "Support@Company.example"));
	assert_null(ingest_drop_reason(&m, DOMAIN, NULL));
	m.from = "";
	assert_non_null(ingest_drop_reason(&m, DOMAIN, NULL));
}

static void test_the_client_id_is_the_message_id_hashed(void **state)
{
	char a[INGEST_CLIENT_ID_LEN + 1], b[INGEST_CLIENT_ID_LEN + 1];

	(void)state;
	ingest_client_id("m1@example.org", "raw", 3, a);
	ingest_client_id("m1@example.org", "other raw", 9, b);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), INGEST_CLIENT_ID_LEN);
	assert_true(strlen(a) <= PROTO_ID_MAX);
	assert_memory_equal(a, "mail-", 5);
	ingest_client_id("m2@example.org", "raw", 3, b);
	assert_string_not_equal(a, b);
	/* no Message-ID: the raw mail's hash */
	ingest_client_id("", "raw one", 7, a);
	ingest_client_id("", "raw one", 7, b);
	assert_string_equal(a, b);
	ingest_client_id("", "raw two", 7, b);
	assert_string_not_equal(a, b);
}

static void test_the_autoreply_id_is_per_sender(void **state)
{
	char id[INGEST_AUTOREPLY_ID_MAX + 1], longer[300];

	(void)state;
	ingest_autoreply_id("ann@example.org", id);
	assert_string_equal(id, "a.ann@example.org");
	memset(longer, 'x', 200);
	strcpy(longer + 200, "@example.org");
	ingest_autoreply_id(longer, id);
	assert_memory_equal(id, "a.h.", 4);
	assert_int_equal(strlen(id), 44);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_token_of_a_reply_address_is_found),
		cmocka_unit_test(test_no_reply_address_is_no_token),
		cmocka_unit_test(
			test_a_reply_address_without_a_token_is_malformed),
		cmocka_unit_test(test_in_reply_to_names_the_conversation),
		cmocka_unit_test(test_references_are_read_newest_first),
		cmocka_unit_test(test_automatic_mail_and_loops_are_dropped),
		cmocka_unit_test(test_the_client_id_is_the_message_id_hashed),
		cmocka_unit_test(test_the_autoreply_id_is_per_sender),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
