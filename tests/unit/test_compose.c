/* Unit tests for compose: complete messages, headers safe from injection,
 * encodings that decode back, message ids and subjects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "chat/mail/compose.h"

#define CONV "AAECAwQFBgcICQoLDA0ODw"
#define MSGID "<c." CONV ".notify.3@mail.example.com>"
#define T0 INT64_C(1800000000)

static const char *const refs[] = {
	"<c." CONV ".transcript.1@mail.example.com>",
	"<CAF1234567890abcdef@mail.gmail.com>",
	"<c." CONV ".notify.2@mail.example.com>",
};

static struct compose_entry entries[] = {
	{"Ann", T0 * 1000, "Hello <script>alert(1)</script>\nsecond line"},
	{"Jürgen", T0 * 1000 + 60000, "Grüße € 😀 = done \r\nthird"},
};

static struct compose_mail sample(void)
{
	struct compose_mail m = {
		.from_name = "Example Support",
		.from_addr = "support@example.com",
		.to_name = "Ann Customer",
		.to_addr = "ann@example.org",
		.reply_to = "reply+abc@reply.example.com",
		.subject = "Printer won't print [#AAECAwQF]",
		.message_id = MSGID,
		.in_reply_to = refs[2],
		.references = refs,
		.n_references = 3,
		.date_s = T0,
		.intro = "Here is your conversation:",
		.footer = "Reply to this mail to continue.",
		.entries = entries,
		.n_entries = 2,
	};
	return m;
}

static char *build(const struct compose_mail *m)
{
	char *out = NULL;
	size_t len = 0;

	assert_int_equal(compose_build(m, &out, &len), COMPOSE_OK);
	assert_non_null(out);
	assert_int_equal(strlen(out), len);
	return out;
}

/* ---- a small reader for what compose writes ------------------------ */

static char *xdup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	assert_non_null(p);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Every line ends in CRLF, no CR or LF alone, every line <= 998. */
static void assert_lines_sane(const char *raw)
{
	size_t line = 0;

	for (const char *p = raw; *p; p++) {
		if (*p == '\r') {
			assert_int_equal(p[1], '\n');
			assert_true(line <= 998);
			line = 0;
			p++;
		} else {
			assert_int_not_equal(*p, '\n');
			line++;
		}
	}
	assert_int_equal(line, 0); /* ends with CRLF */
}

/* Every header line is at most max characters. */
static void assert_header_lines_within(const char *raw, size_t max)
{
	for (const char *l = raw; strncmp(l, "\r\n", 2);
	     l = strstr(l, "\r\n") + 2)
		assert_true((size_t)(strstr(l, "\r\n") - l) <= max);
}

/* The header block, unfolded: one field per LF-terminated line. */
static char *unfolded_headers(const char *raw)
{
	const char *end = strstr(raw, "\r\n\r\n");
	char *h, *o;

	assert_non_null(end);
	h = xdup(raw, (size_t)(end - raw) + 2);
	o = h;
	for (char *p = h; *p; p++) {
		if (p[0] == '\r' && p[1] == '\n' &&
		    (p[2] == ' ' || p[2] == '\t'))
			p++; /* unfold: drop CRLF, keep the white space */
		else if (p[0] == '\r')
			continue;
		else
			*o++ = *p;
	}
	*o = '\0';
	return h;
}

/* The value of header name (unfolded), a heap copy, or NULL. */
static char *header(const char *raw, const char *name)
{
	char *h = unfolded_headers(raw), *v = NULL;
	size_t n = strlen(name);

	for (char *l = h; *l; l = strchr(l, '\n') + 1) {
		if (strncasecmp(l, name, n) == 0 && l[n] == ':') {
			const char *s = l + n + 1;

			while (*s == ' ')
				s++;
			v = xdup(s, strcspn(s, "\n"));
			break;
		}
	}
	free(h);
	return v;
}

static int count_fields(const char *raw, const char *name)
{
	char *h = unfolded_headers(raw);
	size_t n = strlen(name);
	int count = 0;

	for (char *l = h; *l; l = strchr(l, '\n') + 1)
		if (strncasecmp(l, name, n) == 0 && l[n] == ':')
			count++;
	free(h);
	return count;
}

static int b64_value(char c)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(t, c) : NULL;

	return p ? (int)(p - t) : -1;
}

/* Decodes the RFC 2047 B-words of an unfolded value (white space between
 * adjacent words dropped); plain text is kept as is. */
static char *decode_words(const char *v)
{
	char *out = calloc(1, strlen(v) + 1), *o = out, *word_end = NULL;

	assert_non_null(out);
	while (*v) {
		if (strncmp(v, "=?UTF-8?B?", 10) == 0) {
			const char *end = strstr(v + 10, "?=");
			unsigned acc = 0, bits = 0;

			assert_non_null(end);
			assert_true(end + 2 - v <= 75);
			if (word_end)
				o = word_end; /* white space between words */
			for (const char *p = v + 10; p < end && *p != '=';
			     p++) {
				int d = b64_value(*p);

				assert_true(d >= 0);
				acc = acc << 6 | (unsigned)d;
				bits += 6;
				if (bits >= 8) {
					bits -= 8;
					*o++ = (char)(acc >> bits & 0xff);
				}
			}
			v = end + 2;
			word_end = o;
		} else {
			if (*v != ' ')
				word_end = NULL;
			*o++ = *v++;
		}
	}
	*o = '\0';
	return out;
}

static int hexv(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes quoted-printable (CRLF line breaks become LF). */
static char *qp_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;

	assert_non_null(out);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=' && s[i + 1] == '\r' && s[i + 2] == '\n') {
			i += 2;
		} else if (s[i] == '=') {
			assert_true(hexv(s[i + 1]) >= 0 && hexv(s[i + 2]) >= 0);
			*o++ = (char)(hexv(s[i + 1]) << 4 | hexv(s[i + 2]));
			i += 2;
		} else if (s[i] == '\r') {
			assert_int_equal(s[i + 1], '\n');
			*o++ = '\n';
			i++;
		} else {
			assert_true(s[i] == ' ' || s[i] == '\t' ||
				    (s[i] > 32 && s[i] < 127));
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* The decoded body of part index (0 plain, 1 HTML); checks the boundary
 * lines on the way. */
static char *part(const char *raw, int index, const char *want_type)
{
	char *ct = header(raw, "Content-Type"), *body;
	char delim[100], close[100];
	const char *b, *p, *start, *end;

	assert_non_null(ct);
	b = strstr(ct, "boundary=\"");
	assert_non_null(b);
	b += 10;
	snprintf(delim, sizeof(delim), "\r\n--%.*s\r\n", (int)strcspn(b, "\""),
		 b);
	snprintf(close, sizeof(close), "\r\n--%.*s--\r\n",
		 (int)strcspn(b, "\""), b);
	free(ct);
	p = strstr(raw, delim);
	assert_non_null(p);
	for (int i = 0; i < index; i++) {
		p = strstr(p + 1, delim);
		assert_non_null(p);
	}
	start = strstr(p + strlen(delim), "\r\n\r\n");
	assert_non_null(start);
	assert_non_null(strstr(p, want_type));
	start += 4;
	end = strstr(start, delim);
	if (!end)
		end = strstr(start, close);
	assert_non_null(end);
	assert_true(strncmp(end, delim, strlen(delim)) == 0 ||
		    strcmp(end, close) == 0);
	body = qp_decode(start, (size_t)(end - start));
	return body;
}

/* ---- tests --------------------------------------------------------- */

static void test_message_has_the_headers_of_a_threaded_mail(void **state)
{
	struct compose_mail m = sample();
	char *raw = build(&m), *v;

	(void)state;
	assert_lines_sane(raw);
	v = header(raw, "Date");
	assert_string_equal(v, "Fri, 15 Jan 2027 08:00:00 +0000");
	free(v);
	v = header(raw, "From");
	assert_string_equal(v, "\"Example Support\" <support@example.com>");
	free(v);
	v = header(raw, "To");
	assert_string_equal(v, "\"Ann Customer\" <ann@example.org>");
	free(v);
	v = header(raw, "Reply-To");
	assert_string_equal(v, "<reply+abc@reply.example.com>");
	free(v);
	v = header(raw, "Message-ID");
	assert_string_equal(v, MSGID);
	free(v);
	v = header(raw, "In-Reply-To");
	assert_string_equal(v, refs[2]);
	free(v);
	v = header(raw, "References");
	assert_non_null(v);
	assert_non_null(strstr(v, refs[0]));
	assert_non_null(strstr(v, refs[1]));
	assert_true(strstr(v, refs[1]) < strstr(v, refs[2]));
	free(v);
	v = header(raw, "Auto-Submitted");
	assert_string_equal(v, "auto-generated");
	free(v);
	v = header(raw, "MIME-Version");
	assert_string_equal(v, "1.0");
	free(v);
	v = header(raw, "Content-Type");
	assert_non_null(strstr(v, "multipart/alternative"));
	free(v);
	v = header(raw, "Subject");
	assert_string_equal(v, "Printer won't print [#AAECAwQF]");
	free(v);
	free(raw);
}

static void test_bodies_decode_back_to_the_text(void **state)
{
	struct compose_mail m = sample();
	char *raw = build(&m), *plain, *html;

	(void)state;
	plain = part(raw, 0, "text/plain; charset=utf-8");
	assert_non_null(strstr(plain, "Here is your conversation:\n\n"));
	assert_non_null(strstr(plain, "Ann (15 Jan 2027, 08:00 UTC):\n"
				      "Hello <script>alert(1)</script>\n"
				      "second line\n\n"));
	assert_non_null(strstr(plain, "Jürgen (15 Jan 2027, 08:01 UTC):\n"
				      "Grüße € 😀 = done \nthird\n"));
	assert_non_null(strstr(plain, "Reply to this mail to continue."));
	html = part(raw, 1, "text/html; charset=utf-8");
	assert_null(strstr(html, "<script>"));
	assert_non_null(strstr(html, "Hello &lt;script&gt;alert(1)&lt;/"
				     "script&gt;<br>\nsecond line"));
	assert_non_null(strstr(html, "<b>Jürgen</b>"));
	assert_non_null(strstr(html, "Grüße € 😀 = done <br>\nthird"));
	assert_non_null(strstr(html, "won&#39;t"));
	free(plain);
	free(html);
	free(raw);
}

static void test_boundary_delimits_exactly_two_parts(void **state)
{
	struct compose_mail m = sample();
	char *raw = build(&m), *ct = header(raw, "Content-Type");
	char b[64];
	int delims = 0, closes = 0, mentions = 0;
	size_t blen;

	(void)state;
	assert_int_equal(
		sscanf(strstr(ct, "boundary=\""), "boundary=\"%63[^\"]", b), 1);
	blen = strlen(b);
	assert_true(blen >= 10);
	for (const char *l = raw; *l; l = strstr(l, "\r\n") + 2) {
		if (l[0] == '-' && l[1] == '-' && strncmp(l + 2, b, blen) == 0)
			strncmp(l + 2 + blen, "--\r\n", 4) == 0 ? closes++
								: delims++;
	}
	for (const char *p = raw; (p = strstr(p, b)); p += blen)
		mentions++;
	assert_int_equal(delims, 2);
	assert_int_equal(closes, 1);
	assert_int_equal(mentions, 4); /* the header, two parts, the end */
	assert_int_equal(strncmp(raw + strlen(raw) - blen - 6, "--", 2), 0);
	assert_string_equal(raw + strlen(raw) - blen - 4, strcat(b, "--\r\n"));
	free(ct);
	free(raw);
}

static void test_same_input_gives_the_same_bytes(void **state)
{
	struct compose_mail m = sample();
	char *a = build(&m), *b = build(&m), *c;

	(void)state;
	assert_string_equal(a, b);
	m.message_id = "<c." CONV ".notify.4@mail.example.com>";
	c = build(&m);
	assert_string_not_equal(a, c); /* another mail, another boundary */
	free(a);
	free(b);
	free(c);
}

static void assert_no_injected_field(const char *raw)
{
	assert_lines_sane(raw);
	assert_int_equal(count_fields(raw, "Bcc"), 0);
	assert_int_equal(count_fields(raw, "Subject"), 1);
	assert_int_equal(count_fields(raw, "To"), 1);
	assert_int_equal(count_fields(raw, "From"), 1);
	for (const char *l = raw; *l && strncmp(l, "\r\n", 2);
	     l = strstr(l, "\r\n") + 2)
		assert_true(strncasecmp(l, "Bcc", 3) != 0);
}

static void test_line_breaks_in_names_and_subject_start_no_header(void **state)
{
	static const char *const evil[] = {
		"Ann\r\nBcc: x@y",
		"Ann\nBcc: x@y",
		"Ann\rBcc: x@y",
		"Ann\r\n\r\nbody",
		"Ann\xc2\x85"
		"Bcc: x@y",
		"\r\nBcc: x@y",
		"Ann\x0b\x0c\x1b\x7f"
		"Bcc: x@y",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		struct compose_mail m = sample();
		char *raw, *v, *d;

		m.from_name = evil[i];
		m.to_name = evil[i];
		m.subject = evil[i];
		raw = build(&m);
		assert_no_injected_field(raw);
		v = header(raw, "Subject");
		d = decode_words(v);
		assert_null(strpbrk(d, "\r\n\x0b\x0c\x1b\x7f"));
		free(v);
		free(d);
		free(raw);
	}
}

static void test_non_ascii_headers_are_encoded_words_that_decode(void **state)
{
	struct compose_mail m = sample();
	const char *subject =
		"Drucker druckt nicht — Grüße aus Köln, 😀 und ein sehr "
		"langer Betreff, der über mehrere Zeilen gefaltet wird";
	char *raw, *v, *d;

	(void)state;
	m.subject = subject;
	m.to_name = "Jürgen Müller-Lüdenscheidt von und zu Überlänge der "
		    "Namen im Kopf";
	raw = build(&m);
	assert_lines_sane(raw);
	assert_header_lines_within(raw, 78);
	v = header(raw, "Subject");
	d = decode_words(v);
	assert_string_equal(d, subject);
	free(v);
	free(d);
	v = header(raw, "To");
	d = decode_words(v);
	assert_string_equal(d,
			    "Jürgen Müller-Lüdenscheidt von und zu Überlänge "
			    "der Namen im Kopf <ann@example.org>");
	free(v);
	free(d);
	free(raw);
}

static void test_ascii_that_looks_encoded_is_encoded(void **state)
{
	struct compose_mail m = sample();
	char *raw, *v, *d;

	(void)state;
	m.subject = "=?UTF-8?B?SGk=?= \"quoted\" \\";
	m.from_name = "Eve \"the\" =?x?=";
	raw = build(&m);
	v = header(raw, "Subject");
	d = decode_words(v);
	assert_string_equal(d, m.subject);
	free(v);
	free(d);
	v = header(raw, "From");
	d = decode_words(v);
	assert_string_equal(d, "Eve \"the\" =?x?= <support@example.com>");
	free(v);
	free(d);
	free(raw);
}

static void test_bad_addresses_and_ids_are_refused(void **state)
{
	static const char *const bad_addr[] = {
		"ann@example.org\r\nBcc: x@y",
		"Ann <ann@example.org>",
		"ann",
		"@example.org",
		"ann@",
		"ann@exa mple.org",
		"a..b@example.org",
		".a@example.org",
		"ann@-example.org",
		"ann@example..org",
		"\"a b\"@example.org",
		"ann@ex_ample.org",
		"",
	};
	static const char *const bad_id[] = {
		"c.x@y",   "<c.x@y>\r\nBcc: x@y",
		"<no-at>", "<a b@c>",
		"<a@b>>",  "<<a@b>",
		"",
	};
	char *out = (char *)1;
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_addr) / sizeof(bad_addr[0]); i++) {
		struct compose_mail m = sample();

		assert_false(compose_address_valid(bad_addr[i]));
		m.to_addr = bad_addr[i];
		assert_int_equal(compose_build(&m, &out, &len),
				 COMPOSE_ERR_ADDRESS);
		assert_null(out);
		m = sample();
		m.reply_to = bad_addr[i];
		assert_int_equal(compose_build(&m, &out, &len),
				 COMPOSE_ERR_ADDRESS);
	}
	for (size_t i = 0; i < sizeof(bad_id) / sizeof(bad_id[0]); i++) {
		struct compose_mail m = sample();
		const char *one[1] = {bad_id[i]};

		m.message_id = bad_id[i];
		assert_int_equal(compose_build(&m, &out, &len), COMPOSE_ERR_ID);
		m = sample();
		m.references = one;
		m.n_references = 1;
		assert_int_equal(compose_build(&m, &out, &len), COMPOSE_ERR_ID);
	}
	assert_true(compose_address_valid("reply+abc234@reply.example.com"));
	assert_true(compose_address_valid("o'neil.x_y@sub.example.co.uk"));
}

static void test_long_and_broken_text_stays_within_limits(void **state)
{
	struct compose_mail m = sample();
	struct compose_entry e[1];
	char *text = malloc(20001), *raw, *plain;

	(void)state;
	for (int i = 0; i < 20000; i++)
		text[i] = "ab\xc3\xa9=. "[i % 7];
	text[20000] = '\0';
	text[7] = '\xff'; /* invalid UTF-8 */
	e[0] = (struct compose_entry){"Bob", T0 * 1000, text};
	m.entries = e;
	m.n_entries = 1;
	m.subject = "";
	raw = build(&m);
	assert_lines_sane(raw);
	for (const char *l = strstr(raw, "\r\n\r\n"); *l;
	     l = strstr(l, "\r\n") + 2)
		assert_true(strstr(l, "\r\n") - l <= 76);
	plain = part(raw, 0, "text/plain");
	assert_non_null(strstr(plain, "ab\xc3\xa9=. \xef\xbf\xbd"
				      "b\xc3\xa9"));
	assert_null(strchr(plain, '\xff'));
	free(plain);
	free(raw);
	free(text);
}

static void test_long_ascii_subject_and_references_fold(void **state)
{
	struct compose_mail m = sample();
	const char *many[40];
	char ids[40][80], subject[600] = "";
	char *raw, *v;

	(void)state;
	for (int i = 0; i < 40; i++) {
		snprintf(ids[i], sizeof(ids[i]),
			 "<c." CONV ".notify.%d@mail.example.com>", i);
		many[i] = ids[i];
		strcat(subject, i ? " word" : "Start");
	}
	m.subject = subject;
	m.references = many;
	m.n_references = 40;
	raw = build(&m);
	assert_lines_sane(raw);
	assert_header_lines_within(raw, 78);
	v = header(raw, "Subject");
	assert_string_equal(v, subject);
	free(v);
	v = header(raw, "References");
	assert_non_null(strstr(v, ids[0]));
	assert_non_null(strstr(v, ids[39]));
	assert_true(strstr(v, ids[38]) < strstr(v, ids[39]));
	free(v);
	free(raw);
}

static void test_minimal_mail_has_no_optional_headers(void **state)
{
	struct compose_mail m = {
		.from_addr = "support@example.com",
		.to_addr = "ann@example.org",
		.subject = "Hi",
		.message_id = MSGID,
		.date_s = 0,
	};
	char *raw = build(&m), *v, *plain;

	(void)state;
	assert_lines_sane(raw);
	assert_int_equal(count_fields(raw, "Reply-To"), 0);
	assert_int_equal(count_fields(raw, "In-Reply-To"), 0);
	assert_int_equal(count_fields(raw, "References"), 0);
	v = header(raw, "From");
	assert_string_equal(v, "<support@example.com>");
	free(v);
	v = header(raw, "Date");
	assert_string_equal(v, "Thu, 01 Jan 1970 00:00:00 +0000");
	free(v);
	plain = part(raw, 0, "text/plain");
	assert_string_equal(plain, "");
	free(plain);
	free(raw);
}

static void test_message_id_is_stable_and_parses_back(void **state)
{
	char id[COMPOSE_ID_MAX + 1], again[COMPOSE_ID_MAX + 1];
	char conv[PROTO_CONV_LEN + 1];

	(void)state;
	assert_int_equal(compose_message_id(CONV, "transcript", 7,
					    "mail.example.com", id, sizeof(id)),
			 0);
	assert_string_equal(id, "<c." CONV ".transcript.7@mail.example.com>");
	assert_true(compose_message_id_valid(id));
	assert_int_equal(compose_message_id(CONV, "transcript", 7,
					    "mail.example.com", again,
					    sizeof(again)),
			 0);
	assert_string_equal(id, again);
	assert_int_equal(compose_message_id_parse(id, "MAIL.example.com", conv),
			 0);
	assert_string_equal(conv, CONV);
	assert_int_equal(compose_message_id_parse(id, "other.com", conv), -1);
	assert_int_equal(compose_message_id_parse("<CAF123@mail.gmail.com>",
						  "mail.gmail.com", conv),
			 -1);
	assert_int_equal(
		compose_message_id("short", "x", 1, "a.b", id, sizeof(id)), -1);
	assert_int_equal(
		compose_message_id(CONV, "Bad Kind", 1, "a.b", id, sizeof(id)),
		-1);
	assert_int_equal(compose_message_id(CONV, "x", 1, "a.b>\r\nX: y", id,
					    sizeof(id)),
			 -1);
	assert_int_equal(compose_message_id(CONV, "x", 1, "a.b", id, 10), -1);
}

static void test_subject_is_stable_short_and_single_line(void **state)
{
	char a[200], b[200], big[400];

	(void)state;
	assert_int_equal(compose_subject("AAECAwQF", "  Printer\r\nBcc: x@y  ",
					 a, sizeof(a)),
			 0);
	assert_string_equal(a, "Printer Bcc: x@y [#AAECAwQF]");
	assert_int_equal(compose_subject("AAECAwQF", "  Printer\r\nBcc: x@y  ",
					 b, sizeof(b)),
			 0);
	assert_string_equal(a, b);
	assert_int_equal(compose_subject("AAECAwQF", NULL, a, sizeof(a)), 0);
	assert_string_equal(a, "Conversation [#AAECAwQF]");
	memset(big, 0, sizeof(big));
	for (int i = 0; i < 100; i++)
		strcat(big, "é"); /* 200 bytes */
	assert_int_equal(compose_subject("x", big, a, sizeof(a)), 0);
	assert_int_equal(strlen(a), COMPOSE_SUMMARY_MAX + strlen(" [#x]"));
	assert_int_equal(compose_subject("bad id", "x", a, sizeof(a)), -1);
	assert_int_equal(compose_subject("x", "summary", a, 5), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_message_has_the_headers_of_a_threaded_mail),
		cmocka_unit_test(test_bodies_decode_back_to_the_text),
		cmocka_unit_test(test_boundary_delimits_exactly_two_parts),
		cmocka_unit_test(test_same_input_gives_the_same_bytes),
		cmocka_unit_test(
			test_line_breaks_in_names_and_subject_start_no_header),
		cmocka_unit_test(
			test_non_ascii_headers_are_encoded_words_that_decode),
		cmocka_unit_test(test_ascii_that_looks_encoded_is_encoded),
		cmocka_unit_test(test_bad_addresses_and_ids_are_refused),
		cmocka_unit_test(test_long_and_broken_text_stays_within_limits),
		cmocka_unit_test(test_long_ascii_subject_and_references_fold),
		cmocka_unit_test(test_minimal_mail_has_no_optional_headers),
		cmocka_unit_test(test_message_id_is_stable_and_parses_back),
		cmocka_unit_test(test_subject_is_stable_short_and_single_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
