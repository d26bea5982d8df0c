/* outq: the growable, bounded ring of one connection's outbound frames. */
#include "outq.h"

#include <stdlib.h>
#include <string.h>

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
	q->bytes += (unsigned)f->len;
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
	q->bytes -= (unsigned)q->ring[q->head]->len;
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

size_t outq_bytes(const struct outq *q)
{
	return q->bytes;
}
