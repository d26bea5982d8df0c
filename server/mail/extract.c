/*
 * extract: the new text of a plain-text email reply. Each line has a kind
 * (extract_lines.c: blank, quote, quoted-history header, signature start,
 * delimiter, text). The reply is what comes before the first history
 * header or signature, less trailing quotes and rules. Two exceptions:
 * a header over a quote that the writer then answers below is an inline
 * reply (only the header goes), and a message that opens with a header is
 * a bottom-posted reply (the header and the quote under it go). When
 * nothing would be left the whole text stays: a reply is never lost. Not
 * MIME, not HTML (html_text.c), no I/O.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chat/mail/extract.h"
#include "extract_buf.h"
#include "extract_private.h"

/* A copy with CRLF and lone CR turned into LF and NUL bytes dropped. */
static char *normalize(const char *text, size_t len, size_t *out_len)
{
	char *out = len < SIZE_MAX ? malloc(len + 1) : NULL;
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\r') {
			out[o++] = '\n';
			if (i + 1 < len && text[i + 1] == '\n')
				i++;
		} else if (text[i]) {
			out[o++] = text[i];
		}
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

static struct extract_line *split_lines(const char *s, size_t len, size_t *n)
{
	size_t count = 1, i = 0;
	struct extract_line *l;

	for (size_t k = 0; k < len; k++)
		count += s[k] == '\n';
	l = calloc(count, sizeof(*l));
	if (!l)
		return NULL;
	for (size_t start = 0; i < count; i++) {
		const char *nl = memchr(s + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - s) : len;

		l[i].s = s + start;
		l[i].len = end - start;
		l[i].keep = true;
		start = end + 1;
	}
	*n = count;
	return l;
}

static void drop_from(struct extract_line *l, size_t from, size_t n)
{
	for (size_t i = from; i < n; i++)
		l[i].keep = false;
}

/* Quotes, rules and blank lines at the end of what is kept go. */
static void drop_trailing(struct extract_line *l, size_t n)
{
	for (size_t i = n; i-- > 0;) {
		if (!l[i].keep)
			continue;
		if (l[i].kind != K_BLANK && l[i].kind != K_QUOTE &&
		    l[i].kind != K_DELIM)
			break;
		l[i].keep = false;
	}
}

/* A header over a quote that the reply then answers below: an inline
 * reply, where the header goes and the quote stays. */
static bool answered_inline(const struct extract_line *l, size_t i, size_t n)
{
	bool quoted = false;

	for (i++; i < n && l[i].kind == K_HEADER_CONT; i++)
		;
	for (; i < n; i++) {
		if (l[i].kind == K_QUOTE)
			quoted = true;
		else if (l[i].kind != K_BLANK)
			return quoted && l[i].kind == K_TEXT;
	}
	return false;
}

/* The first history header or signature that follows something of the
 * reply's own; n when there is none. Headers of inline replies go on
 * the way. */
static size_t first_cut(struct extract_line *l, size_t from, size_t n)
{
	bool seen = false;

	for (size_t i = from; i < n; i++) {
		if (!l[i].keep)
			continue;
		if (seen && l[i].kind == K_HEADER && answered_inline(l, i, n)) {
			l[i].keep = false;
			while (i + 1 < n && l[i + 1].kind == K_HEADER_CONT)
				l[++i].keep = false;
			continue;
		}
		if (seen && (l[i].kind == K_HEADER || l[i].kind == K_SIG))
			return i;
		if (l[i].kind == K_TEXT || l[i].kind == K_QUOTE)
			seen = true;
	}
	return n;
}

/* A reply under the history it answers: the leading header and the quote
 * right below it go, and so do later headers, while the text and the
 * quotes it answers inline stay. */
static void drop_bottom_post_history(struct extract_line *l, size_t first,
				     size_t n)
{
	size_t i = first + 1;

	l[first].keep = false;
	while (i < n && l[i].kind == K_HEADER_CONT)
		l[i++].keep = false;
	while (i < n && (l[i].kind == K_BLANK || l[i].kind == K_QUOTE))
		l[i++].keep = false;
	for (; i < n; i++)
		if (l[i].kind == K_HEADER || l[i].kind == K_HEADER_CONT)
			l[i].keep = false;
}

static void select_reply(struct extract_line *l, size_t n)
{
	size_t first = 0;

	while (first < n && l[first].kind == K_BLANK)
		first++;
	if (first == n)
		return;
	if (l[first].kind == K_HEADER)
		drop_bottom_post_history(l, first, n);
	drop_from(l, first_cut(l, first, n), n);
	drop_trailing(l, n);
}

static bool only_space(const char *s, size_t len)
{
	extract_trim(&s, &len);
	return len == 0;
}

/* The kept lines joined, without leading blank lines or trailing space. */
static void join_kept(struct xbuf *b, const struct extract_line *l, size_t n)
{
	bool started = false;

	for (size_t i = 0; i < n; i++) {
		if (!l[i].keep || (!started && only_space(l[i].s, l[i].len)))
			continue;
		if (started)
			xbuf_addc(b, '\n');
		xbuf_add(b, l[i].s, l[i].len);
		started = true;
	}
	while (b->len && strchr(" \t\r\n\f\v", b->p[b->len - 1]))
		b->p[--b->len] = '\0';
}

char *extract_reply(const char *text, size_t len)
{
	struct xbuf b = {0};
	struct extract_line *l;
	size_t n, norm_len;
	char *norm = normalize(text, len, &norm_len);

	if (!norm)
		return NULL;
	l = split_lines(norm, norm_len, &n);
	if (!l) {
		free(norm);
		return NULL;
	}
	extract_classify(l, n);
	select_reply(l, n);
	join_kept(&b, l, n);
	if (!b.oom && only_space(b.p ? b.p : "", b.len)) {
		const char *s = norm;
		size_t whole = norm_len;

		extract_trim(&s, &whole);
		b.len = 0;
		xbuf_add(&b, s, whole);
	}
	free(l);
	free(norm);
	return xbuf_take(&b);
}
