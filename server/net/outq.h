/*
 * outq: the per-connection queue of outbound frames. A ring that grows on
 * demand up to its bound in frames and shrinks back to nothing when empty,
 * so an idle connection holds no queue memory; it counts the bytes it
 * holds so the session can bound them too.
 */
#ifndef CHAT_OUTQ_H
#define CHAT_OUTQ_H

#include <stdbool.h>
#include <stddef.h>

#include "chat/common/frame.h"

struct outq {
	struct frame **ring; /* NULL while empty */
	unsigned cap, head, count;
	unsigned bytes; /* payload bytes of the queued frames */
};

/* Appends f, taking a new reference. Returns 0, or -1 when the queue
 * already holds max frames (f is untouched). */
int outq_push(struct outq *q, struct frame *f, unsigned max);
/* The oldest frame (borrowed), or NULL. */
struct frame *outq_peek(const struct outq *q);
/* Drops the oldest frame and its reference. */
void outq_pop(struct outq *q);
unsigned outq_count(const struct outq *q);
size_t outq_bytes(const struct outq *q);
void outq_clear(struct outq *q);

#endif
