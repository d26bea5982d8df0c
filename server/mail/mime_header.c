/*
 * mime_header: header fields safe from injection: cleaning, RFC 2047
 * encoded-words, quoted display names and folding. Knows nothing of the
 * message around them.
 */
#include "mime_header.h"

#include <string.h>

#define LINE_SOFT 78	  /* RFC 5322 recommends at most 78 characters */
#define EW_MAX 75	  /* RFC 2047: an encoded-word's length */
#define EW_FRAME 12	  /* "=?UTF-8?B?" and "?=" */
#define PLAIN_WORD_MAX 60 /* longer words are encoded, so they can split */
#define ATEXT_EXTRA "!#$%&'*+-/=?^_`{|}~"

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* ---- validation ---------------------------------------------------- */

static bool atext(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr(ATEXT_EXTRA, c));
}

/* dot-atom-text: atext runs separated by single dots. */
static bool dot_atom(const char *s, size_t n)
{
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.' ? s[i + 1] == '.' : !atext(s[i]))
			return false;
	}
	return true;
}

static bool label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-';
}

static bool domain_valid(const char *s, size_t n)
{
	size_t label = 0;

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-' ||
			    s[i - label] == '-')
				return false;
			label = 0;
		} else if (label_char(s[i])) {
			label++;
		} else {
			return false;
		}
	}
	return true;
}

bool mime_header_domain_valid(const char *domain)
{
	return domain && domain_valid(domain, strlen(domain));
}

bool mime_header_address_valid(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;
	size_t local;

	if (!at)
		return false;
	local = (size_t)(at - addr);
	return local <= 64 && dot_atom(addr, local) &&
	       domain_valid(at + 1, strlen(at + 1));
}

bool mime_header_id_valid(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	const char *at;

	if (n < 5 || n > 250 || id[0] != '<' || id[n - 1] != '>')
		return false;
	at = memchr(id, '@', n);
	return at && dot_atom(id + 1, (size_t)(at - id - 1)) &&
	       dot_atom(at + 1, (size_t)(id + n - 1 - at - 1));
}

/* ---- cleaning ------------------------------------------------------ */

static bool is_space_like(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	       cp == 0x2028 || cp == 0x2029;
}

void mime_header_clean(struct compose_buf *out, const char *text, size_t max)
{
	size_t n = text ? strlen(text) : 0, start = out->len, kept = 0;
	bool space = false;

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = compose_utf8_next(text + i, n - i, &cp);
		size_t want = cp < 0x80	     ? 1
			      : cp < 0x800   ? 2
			      : cp < 0x10000 ? 3
					     : 4;

		i += len;
		if (cp == ' ' || is_space_like(cp)) {
			space = out->len > start;
			continue;
		}
		if (kept + space + want > max)
			break;
		if (space)
			compose_buf_putc(out, ' ');
		compose_buf_put_cp(out, cp);
		kept += space + want;
		space = false;
	}
}

/* ---- writing ------------------------------------------------------- */

static void put_b64(struct compose_buf *b, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16;
		char q[4];

		if (i + 1 < n)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		q[0] = b64[v >> 18 & 63];
		q[1] = b64[v >> 12 & 63];
		q[2] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? b64[v & 63] : '=';
		compose_buf_put(b, q, 4);
	}
}

/* Writes " token", first folding the line when it would pass 78 and the
 * token is not the field's first (a field's first line keeps a token). */
static void put_token(struct compose_buf *b, size_t *col, bool may_fold,
		      const char *s, size_t n)
{
	if (may_fold && *col + 1 + n > LINE_SOFT) {
		compose_buf_put(b, "\r\n", 2);
		*col = 0;
	}
	compose_buf_putc(b, ' ');
	compose_buf_put(b, s, n);
	*col += 1 + n;
}

/* Ends a chunk of take bytes (of n left) after a space in its second half
 * when there is one, so a reader that wrongly keeps the white space
 * between encoded-words does not break a word. */
static size_t split_at_space(const char *s, size_t take, size_t n)
{
	if (take >= n)
		return take;
	for (size_t j = take; j > take / 2; j--)
		if (s[j - 1] == ' ')
			return j;
	return take;
}

/* Writes s (clean UTF-8) as encoded-words, each whole characters and
 * fitting its line when it can. */
static void put_encoded(struct compose_buf *b, size_t *col, const char *s,
			size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t room = LINE_SOFT - *col - 1, raw_max, take = 0;

		if (*col >= LINE_SOFT - 1 || room < EW_FRAME + 8) {
			compose_buf_put(b, "\r\n", 2);
			*col = 0;
			room = LINE_SOFT - 1;
		}
		if (room > EW_MAX)
			room = EW_MAX;
		raw_max = (room - EW_FRAME) / 4 * 3;
		while (i + take < n) {
			uint32_t cp;
			size_t len = compose_utf8_next(s + i + take,
						       n - i - take, &cp);

			if (take + len > raw_max)
				break;
			take += len;
		}
		take = split_at_space(s + i, take, n - i);
		compose_buf_puts(b, " =?UTF-8?B?");
		put_b64(b, (const unsigned char *)s + i, take);
		compose_buf_puts(b, "?=");
		*col += 1 + EW_FRAME + (take + 2) / 3 * 4;
		i += take;
	}
}

/* Plain when printable ASCII in words of at most PLAIN_WORD_MAX, with no
 * "=?" a reader could take for an encoded-word. */
static bool plain_ok(const char *s, size_t n)
{
	size_t word = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e || (c == '=' && s[i + 1] == '?'))
			return false;
		word = c == ' ' ? 0 : word + 1;
		if (word > PLAIN_WORD_MAX)
			return false;
	}
	return true;
}

static void put_plain_words(struct compose_buf *b, size_t *col, const char *s,
			    size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t w = strcspn(s + i, " ");

		if (i + w > n)
			w = n - i;
		put_token(b, col, i > 0, s + i, w);
		i += w + 1;
	}
}

void mime_header_text(struct compose_buf *b, const char *name, const char *text)
{
	struct compose_buf clean = {0};
	size_t col = strlen(name) + 1;

	mime_header_clean(&clean, text, (size_t)-1);
	compose_buf_puts(b, name);
	compose_buf_putc(b, ':');
	if (clean.failed)
		b->failed = true;
	else if (plain_ok(clean.data ? clean.data : "", clean.len))
		put_plain_words(b, &col, clean.data, clean.len);
	else
		put_encoded(b, &col, clean.data, clean.len);
	compose_buf_put(b, "\r\n", 2);
	compose_buf_cleanup(&clean);
}

/* A display name: a quoted-string when plain, else encoded-words. */
static void put_display(struct compose_buf *b, size_t *col, const char *s,
			size_t n)
{
	struct compose_buf q = {0};

	if (n + 2 > PLAIN_WORD_MAX || !plain_ok(s, n)) {
		put_encoded(b, col, s, n);
		return;
	}
	compose_buf_putc(&q, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			compose_buf_putc(&q, '\\');
		compose_buf_putc(&q, s[i]);
	}
	compose_buf_putc(&q, '"');
	if (q.failed)
		b->failed = true;
	else
		put_token(b, col, false, q.data, q.len);
	compose_buf_cleanup(&q);
}

void mime_header_address(struct compose_buf *b, const char *name,
			 const char *display, const char *addr)
{
	struct compose_buf clean = {0}, angle = {0};
	size_t col = strlen(name) + 1;

	mime_header_clean(&clean, display, 200);
	compose_buf_puts(b, name);
	compose_buf_putc(b, ':');
	if (clean.failed)
		b->failed = true;
	else if (clean.len)
		put_display(b, &col, clean.data, clean.len);
	compose_buf_putc(&angle, '<');
	compose_buf_puts(&angle, addr);
	compose_buf_putc(&angle, '>');
	if (angle.failed)
		b->failed = true;
	else
		put_token(b, &col, clean.len > 0, angle.data, angle.len);
	compose_buf_cleanup(&angle);
	compose_buf_cleanup(&clean);
	compose_buf_put(b, "\r\n", 2);
}

void mime_header_ids(struct compose_buf *b, const char *name,
		     const char *const *ids, size_t n)
{
	size_t col = strlen(name) + 1;

	compose_buf_puts(b, name);
	compose_buf_putc(b, ':');
	for (size_t i = 0; i < n; i++)
		put_token(b, &col, i > 0, ids[i], strlen(ids[i]));
	compose_buf_put(b, "\r\n", 2);
}
