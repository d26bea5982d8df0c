/* Unit tests for extract: each reply rule, the keep-everything fallback,
 * and HTML to text on well-formed and malformed markup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/mail/extract.h"

/* extract_reply(text) must equal want. */
static void check_reply(const char *text, const char *want)
{
	char *got = extract_reply(text, strlen(text));

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void check_html(const char *html, const char *want)
{
	char *got = extract_html_text(html, strlen(html));

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_plain_text_is_kept_trimmed(void **state)
{
	(void)state;
	check_reply("\n\n  Hello there.\n\nSecond line.  \n\n",
		    "  Hello there.\n\nSecond line.");
}

static void test_empty_input_gives_empty_string(void **state)
{
	(void)state;
	check_reply("", "");
	check_reply(" \n\t\n", "");
	check_html("", "");
}

static void test_on_wrote_header_and_quote_go(void **state)
{
	(void)state;
	check_reply("Thanks!\n\nOn Mon, Feb 1, 2016 at 4:58 AM, Ann <a@b.c> "
		    "wrote:\n> old\n> text\n",
		    "Thanks!");
}

static void test_localized_wrote_headers_go(void **state)
{
	static const char *const headers[] = {
		"Le 4 janv. 2016 19:03, \"Neil\" <n@x.org> a écrit :",
		"Am 03.02.2016 3:35 nachm. schrieb Max <m@x.org>:",
		"Max <m@x.org> schrieb am Fr., 28. Apr. 2017 um 11:53 Uhr:",
		"El jueves, 21 de noviembre de 2013, Ana escribió:",
		"Il 26 marzo 2016 alle 13.16 Sam <s@x.org> ha scritto:",
		"Op 16 aug. 2014 05:13 schreef \"Bo\" <b@x.org>:",
		"Em 2 de fevereiro de 2015 10:58, Rui <r@x.org> escreveu:",
		"20 окт. 2016 г. 19:37 пользователь \"Rafa\" <r@x.org> "
		"написал:",
		"Dnia 14 lip 2015 o godz. 00:25 Michał <m@x.org> napisał(a):",
		"Den 15. jun. 2016 kl. 20.42 skrev Jeff <j@x.org>:",
		"在 2016年12月12日，下午8:45，Erlend <e@x.org> 写道：",
		"2016-03-03 17:21 GMT+01:00 Some One <s@x.org>:",
	};
	char text[512], want[32];

	(void)state;
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		snprintf(text, sizeof(text), "Reply %zu\n\n%s\n\nOld text\n", i,
			 headers[i]);
		snprintf(want, sizeof(want), "Reply %zu", i);
		check_reply(text, want);
	}
}

static void test_wrote_header_split_over_lines_goes(void **state)
{
	(void)state;
	check_reply("Yes.\n\nOn Thu, Jun 20, 2013 at 4:18 PM, Matt <\nm@x.org> "
		    "wrote:\n\n> q\n",
		    "Yes.");
}

static void test_text_mentioning_wrote_stays(void **state)
{
	(void)state;
	check_reply("Here is what he wrote:\n\nIt works.",
		    "Here is what he wrote:\n\nIt works.");
}

static void test_outlook_header_block_goes(void **state)
{
	(void)state;
	check_reply(
		"Fine.\n\n________________________________\nFrom: Ann <a@b.c>\n"
		"Sent: Thursday, 28 January 2016 8:16 p.m.\nTo: Bob\n"
		"Subject: Hi\n\nOld body\n",
		"Fine.");
	check_reply("Gut.\n\nVon: Ann <a@b.c>\nGesendet: Do 11 Feb 2016\nAn: "
		    "Bob\n\nAlt\n",
		    "Gut.");
	check_reply("Ok\n\n*From:* Ann\n*Sent:* 2016-01-27\n*To:* Bob\n\nOld\n",
		    "Ok");
}

static void test_original_message_separator_goes(void **state)
{
	(void)state;
	check_reply("New\n\n-----Original Message-----\nOld\n", "New");
	check_reply("Neu\n\n-----Ursprüngliche Nachricht-----\nAlt\n", "Neu");
	check_reply("Fwd\n\n---------- Forwarded message ---------\nFrom: x\n",
		    "Fwd");
}

static void test_trailing_quotes_go_inline_quotes_stay(void **state)
{
	(void)state;
	check_reply("Answer\n\n> question\n> more\n", "Answer");
	check_reply("> question\n\nanswer\n", "> question\n\nanswer");
}

static void test_signature_delimiter_goes(void **state)
{
	(void)state;
	check_reply("Hello\n\n-- \nJohn Doe\nACME\n", "Hello");
	check_reply("Hello\n--\nJohn\n", "Hello");
}

static void test_mobile_signatures_go(void **state)
{
	(void)state;
	check_reply("Hello\n\nSent from my iPhone\n", "Hello");
	check_reply("Salut\n\nEnvoyé depuis mon iPhone\n", "Salut");
	check_reply("Hallo\n\nVon meinem Mobilgerät gesendet\n", "Hallo");
	check_reply("Hi\n\nGet Outlook for iOS\n", "Hi");
}

static void test_sent_from_in_prose_stays(void **state)
{
	static const char text[] = "Where is my order?\n"
				   "Sent via UPS on Monday, tracking 1Z999.\n"
				   "It was due Tuesday.\nThen Wednesday.\n"
				   "Now it is Friday.\nStill nothing.\n"
				   "Please help.\nThanks";

	(void)state;
	check_reply(text, text);
}

static void test_bottom_post_keeps_text_below_quote(void **state)
{
	(void)state;
	check_reply("On 04/02/2012 06:26 PM, Megan wrote:\n> Hi\nHello\n",
		    "Hello");
}

static void test_inline_reply_keeps_quotes_answered(void **state)
{
	(void)state;
	check_reply("Intro\nOn Tue, 2011-03-01 at 18:02 +0530, Ann wrote:\n> "
		    "q1\n\nanswer 1\n",
		    "Intro\n> q1\n\nanswer 1");
}

static void test_nothing_left_keeps_whole_text(void **state)
{
	(void)state;
	check_reply("> only a quote\n> here\n", "> only a quote\n> here");
	check_reply("On Mon, Feb 1, 2016 at 4:58 AM, Ann <a@b.c> wrote:\n> x\n",
		    "On Mon, Feb 1, 2016 at 4:58 AM, Ann <a@b.c> wrote:\n> x");
	check_reply("Sent from my iPhone", "Sent from my iPhone");
}

static void test_crlf_becomes_lf(void **state)
{
	(void)state;
	check_reply("Line 1\r\nLine 2\r\n\r\n> quoted\r\n", "Line 1\nLine 2");
}

static void test_nul_bytes_are_dropped_and_len_respected(void **state)
{
	static const char text[] = {'H', 'i', '\0', '!', '\n', 'X'};
	char *got = extract_reply(text, 4);

	(void)state;
	assert_non_null(got);
	assert_string_equal(got, "Hi!");
	free(got);
	got = extract_html_text("<p>ab</p>cd", 5); /* stops inside a tag */
	assert_non_null(got);
	assert_string_equal(got, "ab");
	free(got);
}

static void test_html_blocks_and_breaks_make_lines(void **state)
{
	(void)state;
	check_html("<div>Hi</div><div>there<br>you</div>", "Hi\nthere\nyou");
	check_html("<p>One</p><p>Two</p>", "One\n\nTwo");
	check_html("a   b\n\tc", "a b c");
	check_html("<pre>x\n  y</pre>", "x\n  y");
}

static void test_html_entities_are_decoded(void **state)
{
	(void)state;
	check_html("&lt;a&gt; &amp; &quot;q&quot; caf&eacute; &#233; &#x263A; "
		   "&bogus; &",
		   "<a> & \"q\" café é ☺ &bogus; &");
	check_html("a&nbsp;b &#0; &#x110000;", "a b \xef\xbf\xbd \xef\xbf\xbd");
}

static void test_html_scripts_styles_and_comments_go(void **state)
{
	(void)state;
	check_html("<head><title>T</title><style>p{}</style></head>"
		   "<script>var a = '<p>x</p>';</script><!-- c -->Body",
		   "Body");
}

static void test_html_quotes_go(void **state)
{
	(void)state;
	check_html("<div>New</div><blockquote>Old<blockquote>older</"
		   "blockquote>still old</blockquote>After",
		   "New\nAfter");
	check_html("<div>New</div><div class=\"gmail_quote\">On x "
		   "wrote:<div>old</div></div>",
		   "New");
}

static void test_html_outlook_reply_header_ends_text(void **state)
{
	(void)state;
	check_html("<p>New</p><div id=\"divRplyFwdMsg\"><b>From:</b> "
		   "A</div><p>Old</p>",
		   "New");
	check_html("<p>New</p><div style=\"border:none;border-top:solid "
		   "#B5C4DF 1.0pt\">"
		   "<p><b>From:</b> A<br><b>Sent:</b> x</p></div><p>Old</p>",
		   "New");
	check_html("<div>Hi<div>Bob<hr><b>From: </b>b@x.org<br><b>To: "
		   "</b>c</div></div>",
		   "Hi");
	/* the block holding the rule is all the reply: only the rule cuts */
	check_html("<div>Hello<br><hr><b>From: </b>b@x.org<br><b>To: </b>c"
		   "<br>Old</div>",
		   "Hello");
}

static void test_html_all_history_keeps_everything(void **state)
{
	(void)state;
	check_html("<blockquote>Only a quote</blockquote>", "Only a quote");
	check_html("<div id=\"divRplyFwdMsg\">From: A</div>", "From: A");
}

static void test_html_rule_without_header_stays(void **state)
{
	(void)state;
	check_html("<p>Part one</p><hr><p>Part two</p>",
		   "Part one\n\nPart two");
}

static void test_html_malformed_markup_is_safe(void **state)
{
	static const char *const bad[] = {
		"<",
		"<div",
		"<div class=\"unterminated",
		"</",
		"<!--",
		"<!-- x",
		"&",
		"&#",
		"&#x",
		"&#12345678901;",
		"<script>never closed",
		"<blockquote>never closed",
		"a < b > c",
		"<<<>>>",
		"<a href='x>y",
		"<p/><br/><hr/>",
		"</div></div></p>",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i]);
		char *exact =
			malloc(len ? len : 1); /* no NUL: overreads show */
		char *got, *reply;

		assert_non_null(exact);
		memcpy(exact, bad[i], len);
		got = extract_html_text(exact, len);
		reply = extract_reply(exact, len);
		assert_non_null(got);
		assert_non_null(reply);
		assert_true(strlen(got) <= len);
		free(reply);
		free(got);
		free(exact);
	}
	check_html("a < b", "a < b");
	check_html("<a href='x>reply</a> text", "reply text");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_is_kept_trimmed),
		cmocka_unit_test(test_empty_input_gives_empty_string),
		cmocka_unit_test(test_on_wrote_header_and_quote_go),
		cmocka_unit_test(test_localized_wrote_headers_go),
		cmocka_unit_test(test_wrote_header_split_over_lines_goes),
		cmocka_unit_test(test_text_mentioning_wrote_stays),
		cmocka_unit_test(test_outlook_header_block_goes),
		cmocka_unit_test(test_original_message_separator_goes),
		cmocka_unit_test(test_trailing_quotes_go_inline_quotes_stay),
		cmocka_unit_test(test_signature_delimiter_goes),
		cmocka_unit_test(test_mobile_signatures_go),
		cmocka_unit_test(test_sent_from_in_prose_stays),
		cmocka_unit_test(test_bottom_post_keeps_text_below_quote),
		cmocka_unit_test(test_inline_reply_keeps_quotes_answered),
		cmocka_unit_test(test_nothing_left_keeps_whole_text),
		cmocka_unit_test(test_crlf_becomes_lf),
		cmocka_unit_test(test_nul_bytes_are_dropped_and_len_respected),
		cmocka_unit_test(test_html_blocks_and_breaks_make_lines),
		cmocka_unit_test(test_html_entities_are_decoded),
		cmocka_unit_test(test_html_scripts_styles_and_comments_go),
		cmocka_unit_test(test_html_quotes_go),
		cmocka_unit_test(test_html_outlook_reply_header_ends_text),
		cmocka_unit_test(test_html_all_history_keeps_everything),
		cmocka_unit_test(test_html_rule_without_header_stays),
		cmocka_unit_test(test_html_malformed_markup_is_safe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
