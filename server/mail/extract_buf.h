/*
 * extract_buf: a growing byte buffer for the extractors, private to
 * server/mail. Out of memory is remembered, not fatal: the data path
 * degrades, the caller checks oom once at the end.
 */
#ifndef EXTRACT_BUF_H
#define EXTRACT_BUF_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct xbuf {
	char *p;
	size_t len;
	size_t cap;
	bool oom;
};

static inline bool xbuf_reserve(struct xbuf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 64;
	char *p;

	if (b->oom)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	while (cap < b->len + more + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

static inline void xbuf_add(struct xbuf *b, const char *s, size_t n)
{
	if (!xbuf_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static inline void xbuf_addc(struct xbuf *b, char c)
{
	xbuf_add(b, &c, 1);
}

/* The NUL-ended string, owned by the caller from now on; NULL when out of
 * memory (and the buffer is freed). */
static inline char *xbuf_take(struct xbuf *b)
{
	if (!b->oom && !b->p)
		xbuf_reserve(b, 0);
	if (b->oom) {
		free(b->p);
		b->p = NULL;
		return NULL;
	}
	b->p[b->len] = '\0';
	return b->p;
}

#endif
