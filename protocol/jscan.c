/* jscan: the top-level member layout of a JSON object's text. */
#include "jscan.h"

#include <string.h>

struct scan {
	const char *p, *end;
};

static void skip_ws(struct scan *s)
{
	while (s->p < s->end && strchr(" \t\n\r", *s->p) && *s->p)
		s->p++;
}

static bool take(struct scan *s, char c)
{
	skip_ws(s);
	if (s->p >= s->end || *s->p != c)
		return false;
	s->p++;
	return true;
}

/* Skips a string whose opening quote is at s->p. */
static bool skip_string(struct scan *s)
{
	for (s->p++; s->p < s->end; s->p++) {
		unsigned char c = (unsigned char)*s->p;

		if (c == '"') {
			s->p++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\' && ++s->p >= s->end)
			return false;
	}
	return false;
}

/* Skips an object or array at s->p, counting brackets outside strings. */
static bool skip_nested(struct scan *s)
{
	size_t depth = 0;

	while (s->p < s->end) {
		char c = *s->p;

		if (c == '"') {
			if (!skip_string(s))
				return false;
			continue;
		}
		s->p++;
		if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && --depth == 0)
			return true;
	}
	return false;
}

static bool is_scalar_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '-' || c == '+' || c == '.';
}

static bool skip_value(struct scan *s)
{
	const char *start;

	skip_ws(s);
	if (s->p >= s->end)
		return false;
	if (*s->p == '"')
		return skip_string(s);
	if (*s->p == '{' || *s->p == '[')
		return skip_nested(s);
	start = s->p;
	while (s->p < s->end && is_scalar_char(*s->p))
		s->p++;
	return s->p > start;
}

static bool scan_member(struct scan *s, struct jscan_member *m)
{
	skip_ws(s);
	m->name = s->p;
	if (s->p >= s->end || *s->p != '"' || !skip_string(s))
		return false;
	m->name_len = (size_t)(s->p - m->name);
	if (!take(s, ':'))
		return false;
	skip_ws(s);
	m->value = s->p;
	if (!skip_value(s))
		return false;
	m->value_len = (size_t)(s->p - m->value);
	return true;
}

int jscan_object(const char *buf, size_t len, jscan_member_cb cb, void *arg)
{
	struct scan s = {buf, buf + len};
	struct jscan_member m;
	bool more = true;

	if (!take(&s, '{'))
		return -1;
	if (!take(&s, '}')) {
		do {
			if (!scan_member(&s, &m))
				return -1;
			if (more)
				more = cb(&m, arg);
		} while (take(&s, ','));
		if (!take(&s, '}'))
			return -1;
	}
	skip_ws(&s);
	return s.p == s.end ? 0 : -1;
}
