/* chunked: a byte-at-a-time decoder, except for the data itself, which is
 * copied in runs. Lines end in CRLF; a bare LF is accepted too. */
#include "chunked.h"

#include <string.h>

#include "chat/common/util.h"

/* 15 hex digits: far beyond any bound a caller applies, and no overflow. */
#define MAX_DIGITS 15

enum state {
	S_SIZE,		 /* hex digits of a chunk's size */
	S_EXT,		 /* the rest of the size line */
	S_SIZE_LF,	 /* LF after the size line's CR */
	S_DATA,		 /* the chunk's bytes */
	S_DATA_CR,	 /* CRLF after the data */
	S_DATA_LF,	 /* LF after that CR */
	S_TRAILER,	 /* start of a trailer line, or the final CRLF */
	S_TRAILER_FIELD, /* inside a trailer line */
	S_END_LF,	 /* LF of the final CRLF */
	S_DONE,
	S_ERROR,
};

void chunked_init(struct chunked *c)
{
	memset(c, 0, sizeof(*c));
	c->state = S_SIZE;
}

static int size_line_end(struct chunked *c)
{
	if (c->digits == 0)
		return S_ERROR;
	return c->left ? S_DATA : S_TRAILER;
}

static int on_size(struct chunked *c, char ch)
{
	int v = hex_digit(ch);

	if (v >= 0) {
		if (++c->digits > MAX_DIGITS)
			return S_ERROR;
		c->left = c->left * 16 + (uint64_t)v;
		return S_SIZE;
	}
	if (c->digits == 0)
		return S_ERROR;
	if (ch == ';' || ch == ' ' || ch == '\t')
		return S_EXT;
	if (ch == '\r')
		return S_SIZE_LF;
	return ch == '\n' ? size_line_end(c) : S_ERROR;
}

/* The next state after one byte outside the data. */
static int step(struct chunked *c, char ch)
{
	switch (c->state) {
	case S_SIZE:
		return on_size(c, ch);
	case S_EXT:
		return ch == '\r'   ? S_SIZE_LF
		       : ch == '\n' ? size_line_end(c)
				    : S_EXT;
	case S_SIZE_LF:
		return ch == '\n' ? size_line_end(c) : S_ERROR;
	case S_DATA_CR:
		return ch == '\r' ? S_DATA_LF : ch == '\n' ? S_SIZE : S_ERROR;
	case S_DATA_LF:
		return ch == '\n' ? S_SIZE : S_ERROR;
	case S_TRAILER:
		return ch == '\r'   ? S_END_LF
		       : ch == '\n' ? S_DONE
				    : S_TRAILER_FIELD;
	case S_TRAILER_FIELD:
		return ch == '\n' ? S_TRAILER : S_TRAILER_FIELD;
	case S_END_LF:
		return ch == '\n' ? S_DONE : S_ERROR;
	default:
		return S_ERROR;
	}
}

enum chunked_result chunked_feed(struct chunked *c, const char *in, size_t len,
				 char *out, size_t *out_len)
{
	size_t i = 0;
	int next;

	*out_len = 0;
	while (i < len && c->state != S_DONE && c->state != S_ERROR) {
		if (c->state == S_DATA) {
			size_t n = len - i;

			if (n > c->left)
				n = (size_t)c->left;
			memcpy(out + *out_len, in + i, n);
			*out_len += n;
			i += n;
			c->left -= n;
			if (!c->left)
				c->state = S_DATA_CR;
			continue;
		}
		next = step(c, in[i++]);
		if (next == S_SIZE && c->state != S_SIZE) {
			c->digits = 0; /* a new size line */
			c->left = 0;
		}
		c->state = next;
	}
	if (c->state == S_DONE)
		return CHUNKED_DONE;
	return c->state == S_ERROR ? CHUNKED_ERROR : CHUNKED_MORE;
}
