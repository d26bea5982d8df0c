/*
 * outq: outbound frames and the bounded per-connection queue. A frame is a
 * reference-counted buffer with LWS_PRE bytes of headroom, so one event
 * fanned out to many connections is built once. The queue is a ring that
 * grows on demand up to its bound and shrinks back to nothing when empty,
 * so an idle connection holds no queue memory.
 */
#ifndef CHAT_OUTQ_H
#define CHAT_OUTQ_H

#include <stdbool.h>
#include <stddef.h>

struct frame {
	unsigned refs;
	size_t len;
	unsigned char buf[]; /* LWS_PRE headroom, then len bytes */
};

/* Returns a frame holding a copy of data with one reference, or NULL when
 * out of memory (the data path degrades instead of aborting). */
struct frame *frame_create(const char *data, size_t len);
/* Takes ownership of a heap string from the protocol encoders (freed
 * here); NULL in gives NULL out. */
struct frame *frame_from_string(char *s);
struct frame *frame_ref(struct frame *f);
void frame_unref(struct frame *f);
unsigned char *frame_payload(struct frame *f);

struct outq {
	struct frame **ring; /* NULL while empty */
	unsigned cap, head, count;
};

/* Appends f, taking a new reference. Returns 0, or -1 when the queue
 * already holds max frames (f is untouched). */
int outq_push(struct outq *q, struct frame *f, unsigned max);
/* The oldest frame (borrowed), or NULL. */
struct frame *outq_peek(const struct outq *q);
/* Drops the oldest frame and its reference. */
void outq_pop(struct outq *q);
unsigned outq_count(const struct outq *q);
void outq_clear(struct outq *q);

#endif
