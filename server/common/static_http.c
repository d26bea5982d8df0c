/*
 * static_http: HTTP's rules for static files, pure; see static_http.h.
 * Headers are parsed as RFC 9110 writes them (12.5.3 Accept-Encoding,
 * 13.1.2 If-None-Match), leniently about spaces and case.
 */
#include "chat/common/static_http.h"

#include <string.h>
#include <strings.h>

#define Q_UNSET -1

static const char *const names[STATIC_ENCODINGS] = {"br", "gzip", NULL};

const char *static_http_encoding_name(enum static_encoding enc)
{
	return enc < STATIC_ENCODINGS ? names[enc] : NULL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* A q-value in thousandths ("0.5" -> 500); 1000 when malformed, as a
 * lenient reader takes a parameter it cannot read. */
static int parse_q(const char *p, const char *end)
{
	int q = 0, digits = 0;

	if (p < end && *p == '1')
		return 1000;
	if (p >= end || *p != '0')
		return 1000;
	p++;
	if (p < end && *p == '.')
		for (p++; p < end && digits < 3 && *p >= '0' && *p <= '9';
		     p++, digits++)
			q = q * 10 + (*p - '0');
	while (digits++ < 3)
		q *= 10;
	return q;
}

/* The q of one element "coding *(; param)" (from s to end). */
static int element_q(const char *s, const char *end)
{
	const char *p = memchr(s, ';', (size_t)(end - s));

	while (p && p < end) {
		p++;
		while (p < end && is_space(*p))
			p++;
		if (end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=')
			return parse_q(p + 2, end);
		p = memchr(p, ';', (size_t)(end - p));
	}
	return 1000;
}

static bool token_is(const char *s, size_t n, const char *word)
{
	return n == strlen(word) && strncasecmp(s, word, n) == 0;
}

/* q-values of br, gzip, identity and "*" named in the header. */
struct accept_q {
	int q[STATIC_ENCODINGS];
	int any;
};

static void note_element(struct accept_q *a, const char *s, const char *end)
{
	const char *t = s;
	size_t n;
	int q;

	while (t < end && is_space(*t))
		t++;
	for (n = 0; t + n < end && t[n] != ';' && !is_space(t[n]); n++)
		;
	if (!n)
		return;
	q = element_q(t, end);
	if (token_is(t, n, "br"))
		a->q[STATIC_BR] = q;
	else if (token_is(t, n, "gzip") || token_is(t, n, "x-gzip"))
		a->q[STATIC_GZIP] = q;
	else if (token_is(t, n, "identity"))
		a->q[STATIC_IDENTITY] = q;
	else if (token_is(t, n, "*"))
		a->any = q;
}

enum static_encoding static_http_choose(const char *accept_encoding,
					unsigned available)
{
	struct accept_q a = {{Q_UNSET, Q_UNSET, Q_UNSET}, Q_UNSET};
	enum static_encoding best = STATIC_IDENTITY;
	int best_q = 0;

	if (!accept_encoding)
		return STATIC_IDENTITY;
	for (const char *s = accept_encoding; *s;) {
		const char *end = strchr(s, ',');

		if (!end)
			end = s + strlen(s);
		note_element(&a, s, end);
		s = *end ? end + 1 : end;
	}
	/* Codings not named take "*"; identity not named is acceptable
	 * unless "*" refused it. */
	for (int e = 0; e < STATIC_ENCODINGS; e++) {
		int q = a.q[e];

		if (q == Q_UNSET)
			q = e == STATIC_IDENTITY ? (a.any == 0 ? 0 : 1)
			    : a.any == Q_UNSET	 ? 0
						 : a.any;
		if (e != STATIC_IDENTITY && !(available & STATIC_HAS(e)))
			continue;
		if (q > best_q) {
			best = (enum static_encoding)e;
			best_q = q;
		}
	}
	return best;
}

/* The opaque part of an entity tag from s (up to end), without W/ and
 * quotes; NULL when it is not one. */
static const char *opaque_tag(const char *s, const char *end, size_t *n)
{
	const char *close;

	while (s < end && is_space(*s))
		s++;
	if (end - s >= 2 && s[0] == 'W' && s[1] == '/')
		s += 2;
	if (s >= end || *s != '"')
		return NULL;
	close = memchr(s + 1, '"', (size_t)(end - s - 1));
	if (!close)
		return NULL;
	*n = (size_t)(close - s - 1);
	return s + 1;
}

bool static_http_etag_matches(const char *if_none_match, const char *etag)
{
	size_t want_n, n;
	const char *want = opaque_tag(etag, etag + strlen(etag), &want_n);
	const char *s = if_none_match;

	if (!s || !want)
		return false;
	while (*s) {
		const char *end = strchr(s, ',');
		const char *t;

		if (!end)
			end = s + strlen(s);
		t = s;
		while (t < end && is_space(*t))
			t++;
		if (t < end && *t == '*')
			return true;
		t = opaque_tag(s, end, &n);
		if (t && n == want_n && memcmp(t, want, n) == 0)
			return true;
		s = *end ? end + 1 : end;
	}
	return false;
}

int static_http_key(const char *uri, size_t len, char *out, size_t cap)
{
	static const char index[] = "index.html";
	bool dir;

	if (!len || uri[0] != '/' || memchr(uri, '\0', len))
		return -1;
	dir = uri[len - 1] == '/';
	if (len + (dir ? sizeof(index) - 1 : 0) + 1 > cap)
		return -1;
	memcpy(out, uri, len);
	if (dir) {
		memcpy(out + len, index, sizeof(index) - 1);
		len += sizeof(index) - 1;
	}
	out[len] = '\0';
	return (int)len;
}

#define HASH_LEN 8

bool static_http_is_hashed(const char *path)
{
	const char *name = strrchr(path, '/');
	const char *dot;

	name = name ? name + 1 : path;
	dot = strrchr(name, '.');
	if (!dot || dot - name < HASH_LEN + 2 || dot[-HASH_LEN - 1] != '-')
		return false;
	for (const char *c = dot - HASH_LEN; c < dot; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
			return false;
	return true;
}

static const char *const types[][2] = {
	{".html", "text/html; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".json", "application/json"},
	{".map", "application/json"},
	{".webmanifest", "application/manifest+json"},
	{".txt", "text/plain; charset=utf-8"},
	{".xml", "application/xml"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".jpg", "image/jpeg"},
	{".jpeg", "image/jpeg"},
	{".gif", "image/gif"},
	{".webp", "image/webp"},
	{".avif", "image/avif"},
	{".ico", "image/x-icon"},
	{".woff2", "font/woff2"},
	{".woff", "font/woff"},
};

const char *static_http_content_type(const char *path)
{
	const char *name = strrchr(path, '/');
	const char *dot = strrchr(name ? name : path, '.');

	if (dot)
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcasecmp(dot, types[i][0]) == 0)
				return types[i][1];
	return "application/octet-stream";
}

const char *static_http_cache_control(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (static_http_is_hashed(path))
		return "public, max-age=31536000, immutable";
	if (dot && strcasecmp(dot, ".html") == 0)
		return "no-cache";
	return STATIC_HTTP_SHORT_CACHE;
}
