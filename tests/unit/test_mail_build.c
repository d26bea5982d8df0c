/* Unit tests for mail_build: what each kind of mail shows and leaves out,
 * its ids and threading, and the jobs that cannot be mailed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mail_build.h"

#define CONV "AAECAwQFBgcICQoLDA0ODw"
#define DOMAIN "reply.example.com"
#define UNUSED __attribute__((unused))

static struct reply_keys keys;

static const struct mail_site site = {.from_addr = "chat@" DOMAIN,
				      .from_name = "Example Support",
				      .domain = DOMAIN,
				      .dashboard_url =
					      "https://dash.example.com",
				      .keys = &keys,
				      .reply_days = 30};

/* Stored events, newest first, as the conversation's stream holds them. */
static const char *const events[] = {
	"E*x6 {\"type\":\"event\",\"kind\":\"closed\",\"from\":{\"id\":\"c1\","
	"\"role\":\"customer\",\"name\":\"Ann\"},\"seq\":6,\"ts\":"
	"1800000060000}",
	"E*m5 {\"type\":\"event\",\"kind\":\"message\",\"from\":{\"id\":\"a1\","
	"\"role\":\"agent\",\"name\":\"Bo\"},\"text\":\"Cleared the cache\","
	"\"seq\":5,\"ts\":1800000050000}",
	"Ean4 {\"type\":\"event\",\"kind\":\"note\",\"from\":{\"id\":\"a1\","
	"\"role\":\"agent\",\"name\":\"Bo\"},\"text\":\"internal only\","
	"\"seq\":4,\"ts\":1800000040000}",
	"E*m3 {\"type\":\"event\",\"kind\":\"message\",\"from\":{\"id\":\"c1\","
	"\"role\":\"customer\",\"name\":\"Ann\"},\"text\":\"Still broken\","
	"\"seq\":3,\"ts\":1800000030000}",
	"E*j2 {\"type\":\"event\",\"kind\":\"joined\",\"from\":{\"id\":\"a1\","
	"\"role\":\"agent\",\"name\":\"Bo\"},\"seq\":2,\"ts\":1800000020000}",
	"E*o1 {\"type\":\"event\",\"kind\":\"opened\",\"from\":{\"id\":\"c1\","
	"\"role\":\"customer\",\"name\":\"Ann\"},\"details\":{\"summary\":"
	"\"Checkout returns 502\"},\"seq\":1,\"ts\":1800000000000}",
};
#define N_EVENTS (sizeof(events) / sizeof(events[0]))

static size_t lens[N_EVENTS];

static int setup(void **state UNUSED)
{
	char err[100];

	for (size_t i = 0; i < N_EVENTS; i++)
		lens[i] = strlen(events[i]);
	return reply_keys_parse(&keys,
				"1:00112233445566778899aabbccddeeff0011223344"
				"5566778899aabbccddeeff",
				err, sizeof(err));
}

static struct mail_build_in job(enum mail_kind kind)
{
	return (struct mail_build_in){.kind = kind,
				      .entry_id = "1800000000000-0",
				      .conv = CONV,
				      .to = "ann@customer.example",
				      .to_name = "Ann",
				      .summary = "Checkout returns 502",
				      .hi = 6,
				      .events = events,
				      .event_lens = lens,
				      .n_events = N_EVENTS,
				      .now_s = 1800000100};
}

/* Quoted-printable soft line breaks removed, so text can be searched. */
static void unfold(char *m)
{
	char *w = m;

	for (char *r = m; *r;) {
		if (r[0] == '=' && r[1] == '\r' && r[2] == '\n') {
			r += 3;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}

static char *build(const struct mail_build_in *in, int want)
{
	char *out = NULL;
	size_t len = 0;
	const char *why;

	assert_int_equal(mail_build(&site, in, &out, &len, &why), want);
	if (want != 0)
		return NULL;
	assert_non_null(out);
	assert_int_equal(strlen(out), len);
	unfold(out);
	return out;
}

static void test_transcript_shows_what_the_customer_saw(void **state UNUSED)
{
	struct mail_build_in in = job(MAIL_TRANSCRIPT);
	char *m = build(&in, 0);

	assert_non_null(strstr(m, "Message-ID: <c." CONV ".t.6@" DOMAIN ">"));
	assert_non_null(strstr(m, "In-Reply-To: <c." CONV ".o.1@" DOMAIN ">"));
	assert_non_null(strstr(m, "References: <c." CONV ".o.1@" DOMAIN ">"));
	assert_non_null(strstr(m, "Reply-To: <reply+"));
	assert_non_null(strstr(m, "@" DOMAIN ">"));
	assert_non_null(strstr(m, "[#AAECAwQF]"));
	assert_non_null(strstr(m, "Checkout returns 502"));
	assert_non_null(strstr(m, "Still broken"));
	assert_non_null(strstr(m, "Cleared the cache"));
	assert_null(strstr(m, "internal only"));
	/* oldest first */
	assert_true(strstr(m, "Still broken") < strstr(m, "Cleared the cache"));
	free(m);
}

static void test_notification_shows_only_agents_messages(void **state UNUSED)
{
	struct mail_build_in in = job(MAIL_NOTIFY);
	char *m;

	in.n_events = 4; /* (2, 6]: what was loaded for the unread range */
	m = build(&in, 0);
	assert_non_null(strstr(m, "Message-ID: <c." CONV ".n.6@" DOMAIN ">"));
	assert_non_null(strstr(m, "Cleared the cache"));
	assert_non_null(strstr(m, "1 new reply"));
	assert_null(strstr(m, "Still broken"));
	assert_null(strstr(m, "internal only"));
	free(m);
}

static void test_nothing_unread_is_nothing_to_send(void **state UNUSED)
{
	struct mail_build_in in = job(MAIL_NOTIFY);

	in.events = events + 2; /* a note and the customer's own message */
	in.event_lens = lens + 2;
	in.n_events = 2;
	build(&in, 1);
}

static void test_auto_reply_answers_the_mail(void **state UNUSED)
{
	struct mail_build_in in = job(MAIL_AUTOREPLY);
	char *m;

	in.conv = NULL;
	in.to = "someone@elsewhere.example";
	in.subject = "Help with billing";
	in.in_reply_to = "CAF123@mail.example.net";
	in.n_events = 0;
	m = build(&in, 0);
	assert_non_null(
		strstr(m, "Message-ID: <a.1800000000000-0@" DOMAIN ">"));
	assert_non_null(strstr(m, "In-Reply-To: <CAF123@mail.example.net>"));
	assert_non_null(strstr(m, "Subject: Re: Help with billing"));
	assert_non_null(strstr(m, "https://dash.example.com"));
	assert_null(strstr(m, "\r\nReply-To:"));
	free(m);
	/* A Message-ID that cannot be quoted is left out, not copied. */
	in.in_reply_to = "bad id\r\nBcc: victim@example.com";
	m = build(&in, 0);
	assert_null(strstr(m, "In-Reply-To:"));
	assert_null(strstr(m, "\r\nBcc:"));
	free(m);
}

static void test_an_address_compose_refuses_cannot_be_built(void **state UNUSED)
{
	struct mail_build_in in = job(MAIL_TRANSCRIPT);

	in.to = "ann@customer.example\r\nBcc: x@y.example";
	build(&in, -1);
}

static void test_long_conversations_keep_the_newest_text(void **state UNUSED)
{
	enum { N = 40 };
	char *ev[N], body[8 * 1024];
	const char *cev[N];
	size_t l[N];
	struct mail_build_in in = job(MAIL_TRANSCRIPT);
	char *m;

	memset(body, 'x', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	for (int i = 0; i < N; i++) {
		size_t cap = sizeof(body) + 256;

		ev[i] = malloc(cap);
		/* newest first: seq N - i; the newest says "newest" */
		snprintf(ev[i], cap,
			 "E*m%d {\"kind\":\"message\",\"from\":{\"role\":"
			 "\"agent\",\"name\":\"Bo\"},\"text\":\"%s %s\","
			 "\"ts\":1800000000000}",
			 N - i, i == 0 ? "newest" : "older", body);
		cev[i] = ev[i];
		l[i] = strlen(ev[i]);
	}
	in.events = cev;
	in.event_lens = l;
	in.n_events = N;
	m = build(&in, 0);
	assert_non_null(strstr(m, "newest"));
	assert_non_null(strstr(m, "Earlier messages are in your dashboard"));
	assert_true(strlen(m) < 2 * MAIL_BUILD_TEXT_MAX);
	free(m);
	for (int i = 0; i < N; i++)
		free(ev[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transcript_shows_what_the_customer_saw),
		cmocka_unit_test(test_notification_shows_only_agents_messages),
		cmocka_unit_test(test_nothing_unread_is_nothing_to_send),
		cmocka_unit_test(test_auto_reply_answers_the_mail),
		cmocka_unit_test(
			test_an_address_compose_refuses_cannot_be_built),
		cmocka_unit_test(test_long_conversations_keep_the_newest_text),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
