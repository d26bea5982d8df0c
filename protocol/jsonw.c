/* jsonw: appending JSON text with RFC 8259 string escaping. */
#include "jsonw.h"
#include "utf8.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jw_init(struct jw *w, size_t hint)
{
	w->cap = hint < 64 ? 64 : hint;
	w->buf = malloc(w->cap);
	w->len = 0;
	w->first = true;
	w->failed = !w->buf;
}

static bool reserve(struct jw *w, size_t n)
{
	size_t cap;
	char *p;

	if (w->failed)
		return false;
	if (w->len + n + 1 <= w->cap)
		return true;
	cap = w->cap * 2;
	while (cap < w->len + n + 1)
		cap *= 2;
	p = realloc(w->buf, cap);
	if (!p) {
		w->failed = true;
		return false;
	}
	w->buf = p;
	w->cap = cap;
	return true;
}

void jw_raw(struct jw *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void put_char(struct jw *w, char c)
{
	if (reserve(w, 1))
		w->buf[w->len++] = c;
}

void jw_begin(struct jw *w)
{
	put_char(w, '{');
	w->first = true;
}

void jw_end(struct jw *w)
{
	put_char(w, '}');
	w->first = false;
}

void jw_elem(struct jw *w)
{
	if (!w->first)
		put_char(w, ',');
	w->first = false;
}

void jw_key(struct jw *w, const char *key)
{
	jw_elem(w);
	put_char(w, '"');
	jw_raw(w, key, strlen(key));
	jw_raw(w, "\":", 2);
}

void jw_array_begin(struct jw *w)
{
	put_char(w, '[');
	w->first = true;
}

void jw_array_end(struct jw *w)
{
	put_char(w, ']');
	w->first = false;
}

static void put_escape(struct jw *w, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

	switch (c) {
	case '"':
		jw_raw(w, "\\\"", 2);
		break;
	case '\\':
		jw_raw(w, "\\\\", 2);
		break;
	case '\b':
		jw_raw(w, "\\b", 2);
		break;
	case '\f':
		jw_raw(w, "\\f", 2);
		break;
	case '\n':
		jw_raw(w, "\\n", 2);
		break;
	case '\r':
		jw_raw(w, "\\r", 2);
		break;
	case '\t':
		jw_raw(w, "\\t", 2);
		break;
	default:
		jw_raw(w, e, sizeof(e));
	}
}

static bool plain_ascii(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

void jw_str(struct jw *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), from = 0, i = 0;

	put_char(w, '"');
	while (i < n && !w->failed) {
		size_t len;

		if (plain_ascii(p[i])) {
			i++;
			continue;
		}
		if (p[i] >= 0x80) {
			len = utf8_seq_len(p + i, n - i);
			if (!len)
				w->failed = true;
			i += len;
			continue;
		}
		jw_raw(w, s + from, i - from);
		put_escape(w, p[i]);
		from = ++i;
	}
	jw_raw(w, s + from, i - from);
	put_char(w, '"');
}

void jw_key_escaped(struct jw *w, const char *key)
{
	jw_elem(w);
	jw_str(w, key);
	put_char(w, ':');
}

void jw_int(struct jw *w, int64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%" PRId64, v);

	jw_raw(w, num, (size_t)n);
}

void jw_uint(struct jw *w, uint64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%" PRIu64, v);

	jw_raw(w, num, (size_t)n);
}

void jw_null(struct jw *w)
{
	jw_raw(w, "null", 4);
}

void jw_bool(struct jw *w, bool v)
{
	if (v)
		jw_raw(w, "true", 4);
	else
		jw_raw(w, "false", 5);
}

void jw_member_str(struct jw *w, const char *key, const char *v)
{
	if (!v)
		return;
	jw_key(w, key);
	jw_str(w, v);
}

void jw_member_int(struct jw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void jw_member_uint(struct jw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	jw_uint(w, v);
}

void jw_member_bool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

char *jw_finish(struct jw *w)
{
	char *s;

	if (w->failed || !reserve(w, 0)) {
		free(w->buf);
		w->buf = NULL;
		return NULL;
	}
	w->buf[w->len] = '\0';
	s = w->buf;
	w->buf = NULL;
	return s;
}
