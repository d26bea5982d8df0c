/*
 * html_entity: character references in HTML text, named (the common
 * ones) and numeric, and the UTF-8 they stand for. Never reads past len.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "html_entity.h"

struct entity {
	const char *name;
	uint32_t cp;
};

static const struct entity entities[] = {
	{"amp", '&'},	    {"lt", '<'},       {"gt", '>'},
	{"quot", '"'},	    {"apos", '\''},    {"nbsp", ' '},
	{"copy", 0xa9},	    {"reg", 0xae},     {"trade", 0x2122},
	{"hellip", 0x2026}, {"mdash", 0x2014}, {"ndash", 0x2013},
	{"lsquo", 0x2018},  {"rsquo", 0x2019}, {"ldquo", 0x201c},
	{"rdquo", 0x201d},  {"laquo", 0xab},   {"raquo", 0xbb},
	{"bull", 0x2022},   {"middot", 0xb7},  {"euro", 0x20ac},
	{"pound", 0xa3},    {"yen", 0xa5},     {"cent", 0xa2},
	{"sect", 0xa7},	    {"deg", 0xb0},     {"times", 0xd7},
	{"divide", 0xf7},   {"eacute", 0xe9},  {"egrave", 0xe8},
	{"agrave", 0xe0},   {"aacute", 0xe1},  {"ccedil", 0xe7},
	{"uuml", 0xfc},	    {"ouml", 0xf6},    {"auml", 0xe4},
	{"Uuml", 0xdc},	    {"Ouml", 0xd6},    {"Auml", 0xc4},
	{"szlig", 0xdf},    {"ntilde", 0xf1},  {"iacute", 0xed},
	{"oacute", 0xf3},   {"uacute", 0xfa},  {"ecirc", 0xea},
	{"zwnj", 0x200c},   {"zwj", 0x200d},   {"lrm", 0x200e},
	{"rlm", 0x200f},    {"shy", 0xad},     {"ensp", ' '},
	{"emsp", ' '},	    {"thinsp", ' '},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_ENTITY 10

static bool is_alnum(char c)
{
	return (c >= '0' && c <= '9') ||
	       ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static bool numeric_entity(const char *s, size_t n, uint32_t *cp)
{
	int base = 10;
	uint32_t v = 0;

	if (n && (s[0] == 'x' || s[0] == 'X')) {
		base = 16;
		s++;
		n--;
	}
	if (!n || n > 8)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		uint32_t d;

		if (ch >= '0' && ch <= '9')
			d = (uint32_t)(ch - '0');
		else if (base == 16 && (ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
			d = (uint32_t)((ch | 0x20) - 'a' + 10);
		else
			return false;
		v = v * (uint32_t)base + d;
	}
	*cp = v > 0x10ffff ? 0xfffd : v;
	return true;
}

size_t html_entity_decode(const char *s, size_t len, uint32_t *cp)
{
	size_t end = 1;
	bool known = false;

	if (!len || s[0] != '&')
		return 0;
	while (end < len && end - 1 < MAX_ENTITY &&
	       (is_alnum(s[end]) || s[end] == '#'))
		end++;
	if (end > 1 && s[1] == '#') {
		known = numeric_entity(s + 2, end - 2, cp);
	} else {
		for (size_t k = 0; k < COUNT(entities) && !known; k++)
			if (strlen(entities[k].name) == end - 1 &&
			    !memcmp(entities[k].name, s + 1, end - 1)) {
				*cp = entities[k].cp;
				known = true;
			}
	}
	if (!known)
		return 0;
	return end < len && s[end] == ';' ? end + 1 : end;
}

size_t html_utf8_encode(uint32_t cp, char out[4])
{
	if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		cp = 0xfffd;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}
