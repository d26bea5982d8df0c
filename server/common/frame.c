/*
 * frame: an outbound frame as a reference-counted buffer with LWS_PRE bytes
 * of headroom, so one event fanned out to many connections is built once
 * and written without a further copy. Not here: queues (net/outq.c).
 */
#include "chat/common/frame.h"

#include <stdlib.h>
#include <string.h>

struct frame *frame_create(const char *data, size_t len)
{
	struct frame *f = malloc(sizeof(*f) + FRAME_PRE + len + 1);

	if (!f)
		return NULL;
	f->refs = 1;
	f->len = len;
	memcpy(f->buf + FRAME_PRE, data, len);
	f->buf[FRAME_PRE + len] = '\0';
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
	return f->buf + FRAME_PRE;
}
