/* flatjson: one flat JSON object of strings, integers and literals. */
#include "flatjson.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define INT_DIGITS_MAX 18 /* always fits in json_int_t */

struct cursor {
	const unsigned char *p, *end;
	char *scratch; /* decoded string, scratch_cap bytes */
	size_t scratch_cap;
};

static void skip_ws(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
				 *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static bool take(struct cursor *c, char ch)
{
	skip_ws(c);
	if (c->p >= c->end || *c->p != ch)
		return false;
	c->p++;
	return true;
}

static int unescape(unsigned char e)
{
	switch (e) {
	case '"':
	case '\\':
	case '/':
		return e;
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	default:
		return -1; /* \u and anything else: jansson decides */
	}
}

/* Reads a string after its opening quote into c->scratch; sets *n.
 * Escapes are refused when allow_escapes is false (member names). */
static bool read_string(struct cursor *c, size_t *n, bool allow_escapes)
{
	size_t len = 0;

	while (c->p < c->end) {
		unsigned char ch = *c->p;
		size_t k = 1;
		int u = ch;

		if (ch == '"') {
			c->p++;
			*n = len;
			return true;
		}
		if (ch < 0x20)
			return false;
		if (ch == '\\') {
			if (!allow_escapes || c->p + 1 >= c->end ||
			    (u = unescape(c->p[1])) < 0)
				return false;
			k = 2;
		} else if (ch >= 0x80) {
			k = utf8_seq_len(c->p, (size_t)(c->end - c->p));
			if (!k)
				return false;
		}
		if (len + k > c->scratch_cap)
			return false; /* cannot happen: scratch is len bytes */
		if (ch == '\\')
			c->scratch[len++] = (char)u;
		else
			memcpy(c->scratch + len, c->p, k), len += k;
		c->p += k;
	}
	return false;
}

static json_t *read_integer(struct cursor *c)
{
	const unsigned char *start = c->p;
	bool neg = c->p < c->end && *c->p == '-';
	int64_t v = 0;
	size_t digits;

	if (neg)
		c->p++;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		if ((size_t)(c->p - start) - neg >= INT_DIGITS_MAX)
			return NULL; /* longer: jansson decides */
		v = v * 10 + (*c->p++ - '0');
	}
	digits = (size_t)(c->p - start) - neg;
	if (digits == 0 || (start[neg] == '0' && (digits > 1 || neg)))
		return NULL;
	if (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E'))
		return NULL; /* a real: jansson's business */
	return json_integer(neg ? -v : v);
}

static json_t *read_literal(struct cursor *c)
{
	static const struct {
		const char *word;
		size_t len;
	} words[] = {{"true", 4}, {"false", 5}, {"null", 4}};
	size_t left = (size_t)(c->end - c->p);

	for (int i = 0; i < 3; i++) {
		if (left >= words[i].len &&
		    memcmp(c->p, words[i].word, words[i].len) == 0) {
			c->p += words[i].len;
			return i == 0	? json_true()
			       : i == 1 ? json_false()
					: json_null();
		}
	}
	return NULL;
}

static json_t *read_value(struct cursor *c)
{
	size_t n;

	skip_ws(c);
	if (c->p >= c->end)
		return NULL;
	if (*c->p == '"') {
		c->p++;
		return read_string(c, &n, true)
			       ? json_stringn_nocheck(c->scratch, n)
			       : NULL;
	}
	if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9'))
		return read_integer(c);
	return read_literal(c); /* objects and arrays: NULL */
}

/* Reads "name": value and adds it to obj. */
static bool read_member(struct cursor *c, json_t *obj)
{
	char *name;
	json_t *v;
	size_t n;
	bool ok;

	if (!take(c, '"') || !read_string(c, &n, false) || !take(c, ':'))
		return false;
	name = malloc(n + 1);
	if (!name)
		return false;
	memcpy(name, c->scratch, n);
	name[n] = '\0';
	ok = !json_object_get(obj, name) && (v = read_value(c)) &&
	     json_object_set_new_nocheck(obj, name, v) == 0;
	free(name);
	return ok;
}

json_t *flatjson_parse(const char *buf, size_t len)
{
	char small[1024]; /* a decoded string is never longer than buf */
	struct cursor c = {(const unsigned char *)buf,
			   (const unsigned char *)buf + len, small, len};
	json_t *obj = NULL;

	if (len > sizeof(small))
		c.scratch = malloc(len);
	if (!c.scratch || !take(&c, '{') || !(obj = json_object()))
		goto fail;
	if (!take(&c, '}')) {
		do {
			if (!read_member(&c, obj))
				goto fail;
		} while (take(&c, ','));
		if (!take(&c, '}'))
			goto fail;
	}
	skip_ws(&c);
	if (c.p != c.end)
		goto fail;
	if (c.scratch != small)
		free(c.scratch);
	return obj;
fail:
	json_decref(obj);
	if (c.scratch != small)
		free(c.scratch);
	return NULL;
}
