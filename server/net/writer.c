/* writer: end-of-round flushing and one write per connection. */
#include "writer.h"

#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "lws_private.h"
#include "session.h"
#include "chat/common/util.h"

#define WRITER_BUF (64 * 1024) /* bytes of frames written at once */

struct writer {
	uv_check_t check;
	uv_idle_t idle;
	struct session *dirty; /* singly linked by flush_next, one ref each */
	unsigned handles;      /* open libuv handles; freed at 0 */
	unsigned char buf[LWS_PRE + WRITER_BUF];
};

/* Unlinks the first marked session; its reference passes to the caller. */
static struct session *take_marked(struct writer *w)
{
	struct session *s = w->dirty;

	if (s) {
		w->dirty = s->flush_next;
		s->flush_next = NULL;
		s->flush_marked = false;
	}
	return s;
}

static void flush(struct writer *w)
{
	struct session *s;

	uv_idle_stop(&w->idle);
	while ((s = take_marked(w))) {
		session_flush(s); /* may mark sessions again */
		session_unref(s);
	}
}

static void on_check(uv_check_t *h)
{
	flush(h->data);
}

static void on_idle(uv_idle_t *h)
{
	flush(h->data);
}

struct writer *writer_create(uv_loop_t *loop)
{
	struct writer *w = xcalloc(1, sizeof(*w));

	uv_check_init(loop, &w->check);
	uv_idle_init(loop, &w->idle);
	w->check.data = w->idle.data = w;
	w->handles = 2;
	uv_check_start(&w->check, on_check);
	uv_unref((uv_handle_t *)&w->check); /* never keeps the loop alive */
	return w;
}

static void on_closed(uv_handle_t *h)
{
	struct writer *w = h->data;

	if (--w->handles == 0)
		free(w);
}

void writer_destroy(struct writer *w)
{
	struct session *s;

	if (!w)
		return;
	while ((s = take_marked(w)))
		session_unref(s);
	uv_close((uv_handle_t *)&w->check, on_closed);
	uv_close((uv_handle_t *)&w->idle, on_closed);
}

void writer_mark(struct writer *w, struct session *s)
{
	if (s->flush_marked)
		return;
	session_ref(s);
	s->flush_marked = true;
	s->flush_next = w->dirty;
	w->dirty = s;
	/* Marked outside the poll phase (a timer, say): the idle handle keeps
	 * the next poll from blocking before the check phase flushes. */
	uv_idle_start(&w->idle, on_idle);
}

/* Frames this long or longer are written alone and framed by lws. */
#define BATCH_FRAME_MAX 0x10000

/* An unmasked, final text frame header for len (< BATCH_FRAME_MAX)
 * payload bytes (RFC 6455 5.2). Returns its length: 2 or 4. */
static size_t text_header(unsigned char *h, size_t len)
{
	h[0] = 0x81;
	if (len < 126) {
		h[1] = (unsigned char)len;
		return 2;
	}
	h[1] = 126;
	h[2] = (unsigned char)(len >> 8);
	h[3] = (unsigned char)len;
	return 4;
}

/* A frame too big for a batch goes alone; lws frames it. */
static int write_alone(struct session *s, struct frame *f)
{
	if (lws_write(s->wsi, frame_payload(f), f->len, LWS_WRITE_TEXT) <
	    (int)f->len)
		return -1;
	outq_pop(&s->out);
	return 0;
}

/*
 * The frames are framed here and handed to lws as raw bytes (its "HTTP"
 * write type, which on a WebSocket connection goes straight to the socket
 * or, when the socket is full, to lws's own buffer that it drains before
 * any later write). No extension is negotiated, so nothing else would
 * transform the frames.
 */
int writer_write(struct writer *w, struct session *s)
{
	unsigned char *out = w->buf + LWS_PRE;
	size_t used = 0;
	struct frame *f;

	while ((f = outq_peek(&s->out)) && f->len < BATCH_FRAME_MAX &&
	       used + 4 + f->len <= WRITER_BUF) {
		used += text_header(out + used, f->len);
		memcpy(out + used, frame_payload(f), f->len);
		used += f->len;
		outq_pop(&s->out);
	}
	if (!used)
		return f ? write_alone(s, f) : 0;
	return lwsp_write_raw(s->wsi, out, used);
}
