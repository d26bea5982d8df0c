/*
 * frame: one outbound frame, a reference-counted buffer with FRAME_PRE
 * bytes of headroom before the payload (the room libwebsockets needs for
 * its header, so a write needs no copy). Every holder (a queue, a
 * fan-out) takes its own reference.
 */
#ifndef CHAT_FRAME_H
#define CHAT_FRAME_H

#include <stddef.h>

/* LWS_PRE in libwebsockets 4.1; server/net checks at build time that
 * they agree. */
#define FRAME_PRE 16

struct frame {
	unsigned refs;
	size_t len;
	unsigned char buf[]; /* FRAME_PRE headroom, then len bytes, then NUL */
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

#endif
