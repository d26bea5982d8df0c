/* outq: shared frames and the growable, bounded ring that queues them. */
#include "outq.h"

#include <stdlib.h>
#include <string.h>

#include <uv.h>
#include <libwebsockets.h>

struct frame *frame_create(const char *data, size_t len)
{
	struct frame *f = malloc(sizeof(*f) + LWS_PRE + len + 1);

	if (!f)
		return NULL;
	f->refs = 1;
	f->len = len;
	memcpy(f->buf + LWS_PRE, data, len);
	f->buf[LWS_PRE + len] = '\0';
	return f;
}

struct frame *frame_from_string(char *s)
{
	struct frame *f;

	if (!s)
		return NULL;
	f = frame_create(s, strlen(s));
	free(s);
	return f;
}

struct frame *frame_ref(struct frame *f)
{
	f->refs++;
	return f;
}

void frame_unref(struct frame *f)
{
	if (f && --f->refs == 0)
		free(f);
}

unsigned char *frame_payload(struct frame *f)
{
	return f->buf + LWS_PRE;
}

static int grow(struct outq *q, unsigned max)
{
	unsigned cap = q->cap ? q->cap * 2 : 4;
	struct frame **ring;

	if (cap > max)
		cap = max;
	ring = malloc(cap * sizeof(*ring));
	if (!ring)
		return -1;
	for (unsigned i = 0; i < q->count; i++)
		ring[i] = q->ring[(q->head + i) % q->cap];
	free(q->ring);
	q->ring = ring;
	q->cap = cap;
	q->head = 0;
	return 0;
}

int outq_push(struct outq *q, struct frame *f, unsigned max)
{
	if (q->count >= max)
		return -1;
	if (q->count == q->cap && grow(q, max))
		return -1;
	q->ring[(q->head + q->count) % q->cap] = frame_ref(f);
	q->count++;
	return 0;
}

struct frame *outq_peek(const struct outq *q)
{
	return q->count ? q->ring[q->head] : NULL;
}

void outq_pop(struct outq *q)
{
	if (!q->count)
		return;
	frame_unref(q->ring[q->head]);
	q->head = (q->head + 1) % q->cap;
	if (--q->count == 0) {
		free(q->ring);
		q->ring = NULL;
		q->cap = q->head = 0;
	}
}

unsigned outq_count(const struct outq *q)
{
	return q->count;
}

void outq_clear(struct outq *q)
{
	while (q->count)
		outq_pop(q);
}
