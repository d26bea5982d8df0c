/*
 * compose_body: renders the entries of a mail as plain text and as HTML,
 * and encodes bodies as quoted-printable. No headers here.
 */
#include "compose_body.h"

#include <string.h>
#include <time.h>

#include "mime_header.h"

#define QP_LINE 76
#define NAME_MAX_BYTES 200

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void compose_body_time(struct compose_buf *out, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		compose_buf_puts(out, "?");
		return;
	}
	compose_buf_printf(out, "%d %s %d, %02d:%02d UTC", tm.tm_mday,
			   months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
			   tm.tm_min);
}

/* ---- plain text ---------------------------------------------------- */

/* Appends text with CRLF and CR turned into LF and invalid UTF-8 into
 * U+FFFD; other characters as written. */
static void put_text(struct compose_buf *out, const char *text)
{
	size_t n = text ? strlen(text) : 0;

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = compose_utf8_next(text + i, n - i, &cp);

		if (cp == '\r') {
			compose_buf_putc(out, '\n');
			if (i + 1 < n && text[i + 1] == '\n')
				len++;
		} else if (cp == 0xfffd && len == 1) {
			compose_buf_put_cp(out, cp);
		} else {
			compose_buf_put(out, text + i, len);
		}
		i += len;
	}
}

void compose_body_plain(struct compose_buf *out, const struct compose_mail *m)
{
	if (m->intro && *m->intro) {
		put_text(out, m->intro);
		compose_buf_puts(out, "\n\n");
	}
	for (size_t i = 0; i < m->n_entries; i++) {
		const struct compose_entry *e = &m->entries[i];

		mime_header_clean(out, e->sender, NAME_MAX_BYTES);
		compose_buf_puts(out, " (");
		compose_body_time(out, e->at_ms);
		compose_buf_puts(out, "):\n");
		put_text(out, e->text);
		compose_buf_puts(out, "\n\n");
	}
	if (m->footer && *m->footer) {
		compose_buf_puts(out, "-- \n");
		put_text(out, m->footer);
		compose_buf_putc(out, '\n');
	}
}

/* ---- HTML ---------------------------------------------------------- */

/* Appends text escaped for HTML: line breaks become <br>, control
 * characters other than tab are dropped, invalid UTF-8 is U+FFFD. */
static void put_escaped(struct compose_buf *out, const char *text)
{
	size_t n = text ? strlen(text) : 0;

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = compose_utf8_next(text + i, n - i, &cp);

		switch (cp) {
		case '&':
			compose_buf_puts(out, "&amp;");
			break;
		case '<':
			compose_buf_puts(out, "&lt;");
			break;
		case '>':
			compose_buf_puts(out, "&gt;");
			break;
		case '"':
			compose_buf_puts(out, "&quot;");
			break;
		case '\'':
			compose_buf_puts(out, "&#39;");
			break;
		case '\r':
			if (i + 1 < n && text[i + 1] == '\n')
				len++;
			/* fall through */
		case '\n':
			compose_buf_puts(out, "<br>\n");
			break;
		default:
			if (cp == '\t' || (cp >= 0x20 && cp != 0x7f &&
					   (cp < 0x80 || cp > 0x9f)))
				compose_buf_put_cp(out, cp);
		}
		i += len;
	}
}

/* A sender's name on one line, escaped. */
static void put_name(struct compose_buf *out, const char *name)
{
	struct compose_buf clean = {0};

	mime_header_clean(&clean, name, NAME_MAX_BYTES);
	if (clean.failed)
		out->failed = true;
	else
		put_escaped(out, clean.data);
	compose_buf_cleanup(&clean);
}

void compose_body_html(struct compose_buf *out, const struct compose_mail *m)
{
	compose_buf_puts(out, "<!DOCTYPE html>\n<html><head>"
			      "<meta charset=\"utf-8\"><title>");
	put_escaped(out, m->subject);
	compose_buf_puts(out, "</title></head>\n<body style=\"font-family:"
			      "sans-serif;font-size:14px;color:#222\">\n");
	if (m->intro && *m->intro) {
		compose_buf_puts(out, "<p>");
		put_escaped(out, m->intro);
		compose_buf_puts(out, "</p>\n");
	}
	for (size_t i = 0; i < m->n_entries; i++) {
		const struct compose_entry *e = &m->entries[i];

		compose_buf_puts(out, "<div style=\"margin:0 0 12px\"><b>");
		put_name(out, e->sender);
		compose_buf_puts(out, "</b> <span style=\"color:#777\">");
		compose_body_time(out, e->at_ms);
		compose_buf_puts(out, "</span><br>\n");
		put_escaped(out, e->text);
		compose_buf_puts(out, "</div>\n");
	}
	if (m->footer && *m->footer) {
		compose_buf_puts(out, "<p style=\"color:#777\">");
		put_escaped(out, m->footer);
		compose_buf_puts(out, "</p>\n");
	}
	compose_buf_puts(out, "</body></html>\n");
}

/* ---- quoted-printable ---------------------------------------------- */

static void qp_put(struct compose_buf *out, size_t *col, const char *s,
		   size_t n)
{
	if (*col + n > QP_LINE - 1) { /* room for the soft break's "=" */
		compose_buf_puts(out, "=\r\n");
		*col = 0;
	}
	compose_buf_put(out, s, n);
	*col += n;
}

void compose_body_qp(struct compose_buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool line_end = i + 1 == n || s[i + 1] == '\n';
		char enc[3] = {'=', hex[c >> 4], hex[c & 15]};

		if (c == '\n') {
			compose_buf_puts(out, "\r\n");
			col = 0;
		} else if ((c >= 33 && c <= 126 && c != '=') ||
			   ((c == ' ' || c == '\t') && !line_end)) {
			qp_put(out, &col, (const char *)&s[i], 1);
		} else {
			qp_put(out, &col, enc, 3);
		}
	}
}
