/*
 * session: reassembly, rate limiting, dispatch and writing for one
 * connection. Not here: what requests mean (conv.c, watch.c, query.c,
 * login.c) and lws setup (transport.c).
 */
#include "session.h"

#include <stdlib.h>
#include <string.h>

#include <uv.h>
#include <libwebsockets.h>

#include "chat/cmd/canned.h"
#include "chat/cmd/conv.h"
#include "feeds.h"
#include "chat/net/hub.h"
#include "chat/common/log.h"
#include "login.h"
#include "chat/cmd/query.h"
#include "chat/common/util.h"
#include "chat/cmd/watch.h"
#include "writer.h"

#define CLOSE_GRACE_S 2

struct session *session_create(struct hub *hub, struct lws *wsi)
{
	struct session *s = xcalloc(1, sizeof(*s));

	s->hub = hub;
	s->wsi = wsi;
	s->refs = 1; /* the connection's */
	s->created_ms = now_ms();
	s->tokens = (double)hub->cfg->burst;
	s->tokens_ms = s->created_ms;
	hub_add(hub, s);
	return s;
}

void session_ref(struct session *s)
{
	s->refs++;
}

void session_unref(struct session *s)
{
	if (--s->refs > 0)
		return;
	free(s->who);
	free(s->rx);
	free(s);
}

void session_closed(struct session *s)
{
	watch_remove_all(s);
	if (s->hub->feeds)
		feeds_remove(s->hub->feeds, s);
	outq_clear(&s->out);
	hub_remove(s->hub, s);
	s->wsi = NULL;
	session_unref(s);
}

bool session_alive(const struct session *s)
{
	return s->wsi && !s->close_code && !s->closing;
}

bool session_is_agent(const struct session *s)
{
	return s->who && s->who->role != PROTO_ROLE_CUSTOMER;
}

unsigned session_room(const struct session *s)
{
	unsigned max = (unsigned)s->hub->cfg->out_queue;
	unsigned n = outq_count(&s->out);

	return n >= max ? 0 : max - n;
}

void session_close(struct session *s, int code, const char *reason)
{
	if (!session_alive(s))
		return;
	s->close_code = code;
	s->close_reason = reason;
	if (code == PROTO_CLOSE_SLOW_CONSUMER)
		outq_clear(&s->out); /* the close frame goes next */
	lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_REASON_BASE + 1,
			CLOSE_GRACE_S);
	lws_callback_on_writable(s->wsi);
}

int session_send_frame(struct session *s, struct frame *f)
{
	if (!session_alive(s) || !f)
		return -1;
	if (outq_push(&s->out, f, (unsigned)s->hub->cfg->out_queue)) {
		log_info("closing a slow consumer (%u frames queued)",
			 outq_count(&s->out));
		session_close(s, PROTO_CLOSE_SLOW_CONSUMER,
			      "outbound queue full");
		return -1;
	}
	if (s->hub->writer)
		writer_mark(s->hub->writer, s);
	return 0;
}

int session_send_owned(struct session *s, char *json)
{
	struct frame *f = frame_from_string(json);
	int rc;

	if (!f)
		return -1;
	rc = session_send_frame(s, f);
	frame_unref(f);
	return rc;
}

void session_send_error(struct session *s, const char *id, const char *conv,
			enum proto_error_code code, const char *message)
{
	session_send_owned(s, proto_encode_error(id && *id ? id : NULL,
						 conv && *conv ? conv : NULL,
						 code, message));
}

/* Closes from inside an lws callback (which then returns -1): lws sends
 * the close frame, so nothing may be written after it. */
static int close_now(struct session *s, int code, const char *reason)
{
	s->closing = true;
	lws_close_reason(s->wsi, (enum lws_close_status)code,
			 (unsigned char *)reason, strlen(reason));
	return -1;
}

/*
 * Carries out a close decided outside lws (session_close). The close frame
 * is written here before returning -1: when a WRITEABLE callback returns
 * -1, lws 4.1 on libuv closes the connection twice in a row and the second
 * pass drops the close frame lws_close_reason() queued, so the peer would
 * see 1006 instead of the code. Opcode 4 is lws's close write protocol
 * (LWS_WRITE_CLOSE, not exported by its public header in 4.1).
 */
#define WRITE_CLOSE_FRAME ((enum lws_write_protocol)4)

static int close_from_writeable(struct session *s)
{
	unsigned char buf[LWS_PRE + 125];
	size_t n = strlen(s->close_reason);

	if (n > sizeof(buf) - LWS_PRE - 2)
		n = sizeof(buf) - LWS_PRE - 2;
	buf[LWS_PRE] = (unsigned char)(s->close_code >> 8);
	buf[LWS_PRE + 1] = (unsigned char)(s->close_code & 0xff);
	memcpy(buf + LWS_PRE + 2, s->close_reason, n);
	lws_write(s->wsi, buf + LWS_PRE, n + 2, WRITE_CLOSE_FRAME);
	return close_now(s, s->close_code, s->close_reason);
}

/* Token bucket; returns true when the frame may proceed. */
static bool rate_ok(struct session *s)
{
	const struct config *cfg = s->hub->cfg;
	int64_t now = now_ms();

	s->tokens += (double)(now - s->tokens_ms) * (double)cfg->rate / 1000.0;
	if (s->tokens > (double)cfg->burst)
		s->tokens = (double)cfg->burst;
	s->tokens_ms = now;
	if (s->tokens < 1.0)
		return false;
	s->tokens -= 1.0;
	s->strikes = 0;
	return true;
}

static void dispatch(struct session *s, struct proto_request *req)
{
	switch (req->type) {
	case PROTO_AUTH:
		session_send_error(s, req->id, NULL,
				   PROTO_E_ALREADY_AUTHENTICATED, NULL);
		break;
	case PROTO_OPEN:
		conv_open(s, req);
		break;
	case PROTO_SEND:
	case PROTO_NOTE:
	case PROTO_CLAIM:
	case PROTO_CLOSE:
		conv_append(s, req);
		break;
	case PROTO_TYPING:
		conv_typing(s, req);
		break;
	case PROTO_READ:
		conv_read(s, req);
		break;
	case PROTO_RESUME:
		watch_resume(s, req);
		break;
	case PROTO_HISTORY:
		query_history(s, req);
		break;
	case PROTO_LIST:
		query_list(s, req);
		break;
	case PROTO_PING:
		session_send_owned(s, proto_encode_pong(req->id, now_ms()));
		break;
	case PROTO_CANNED_LIST:
		canned_list(s, req);
		break;
	case PROTO_CANNED_SAVE:
		canned_save(s, req);
		break;
	case PROTO_CANNED_DELETE:
		canned_delete(s, req);
		break;
	case PROTO_UNWATCH:
		watch_unwatch(s, req);
		break;
	}
}

static int on_frame(struct session *s, const char *buf, size_t len)
{
	struct proto_request req;
	struct proto_error err;
	bool allowed = rate_ok(s);

	if (!allowed && ++s->strikes > (unsigned)s->hub->cfg->burst)
		return close_now(s, PROTO_CLOSE_FLOOD, "flood");
	if (proto_decode(buf, len, &req, &err)) {
		session_send_error(s, err.id, NULL, err.code, err.message);
		return 0;
	}
	if (!allowed)
		session_send_error(s, req.id, NULL, PROTO_E_RATE_LIMITED, NULL);
	else if (!s->who && req.type != PROTO_AUTH)
		session_send_error(s, req.id, NULL, PROTO_E_NOT_AUTHENTICATED,
				   NULL);
	else if (!s->who)
		login_handle(s, &req);
	else
		dispatch(s, &req);
	proto_request_cleanup(&req);
	return 0;
}

/* A fragmented frame being put together; only while one arrives. */
struct rx_buf {
	size_t len, cap;
	char data[];
};

static size_t rx_len(const struct session *s)
{
	return s->rx ? s->rx->len : 0;
}

static int rx_append(struct session *s, const void *in, size_t len)
{
	struct rx_buf *b = s->rx;
	size_t used = rx_len(s);

	if (!b || used + len > b->cap) {
		size_t cap = b ? b->cap : 1024;

		while (cap < used + len)
			cap *= 2;
		b = realloc(b, sizeof(*b) + cap);
		if (!b)
			return -1;
		b->len = used;
		b->cap = cap;
		s->rx = b;
	}
	memcpy(b->data + b->len, in, len);
	b->len += len;
	return 0;
}

static void rx_release(struct session *s)
{
	free(s->rx);
	s->rx = NULL;
}

int session_on_receive(struct session *s, const void *in, size_t len,
		       bool first, bool final, bool binary, size_t remaining)
{
	size_t max = (size_t)s->hub->cfg->max_frame;
	int rc;

	if (binary)
		return close_now(s, PROTO_CLOSE_UNSUPPORTED,
				 "binary frames are not accepted");
	if (first)
		rx_release(s);
	if (rx_len(s) + len + remaining > max)
		return close_now(s, PROTO_CLOSE_TOO_BIG, "frame too big");
	if (first && final)
		return on_frame(s, in, len);
	if (rx_append(s, in, len))
		return close_now(s, PROTO_CLOSE_INTERNAL, "out of memory");
	if (!final)
		return 0;
	rc = on_frame(s, s->rx->data, s->rx->len);
	rx_release(s);
	return rc;
}

int session_on_writeable(struct session *s)
{
	if (!s->wsi)
		return -1;
	if (writer_write(s->hub->writer, s))
		return -1;
	if (s->close_code && !outq_count(&s->out))
		return close_from_writeable(s);
	if (outq_count(&s->out))
		lws_callback_on_writable(s->wsi);
	watch_on_drain(s);
	return 0;
}

/*
 * Writes outside lws's WRITEABLE callback, which lws 4.1 allows for a
 * WebSocket on a plain or TLS socket: waiting for POLLOUT first would cost
 * a poll re-arm (an epoll_ctl DEL and ADD under libuv) and a loop round per
 * frame. Closing connections and those with bytes lws still buffers wait
 * for WRITEABLE as before.
 */
void session_flush(struct session *s)
{
	if (!session_alive(s) || lws_partial_buffered(s->wsi))
		return;
	if (writer_write(s->hub->writer, s)) {
		s->close_code = PROTO_CLOSE_INTERNAL;
		s->close_reason = "write failed";
		lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_REASON_BASE + 2,
				LWS_TO_KILL_ASYNC);
		return;
	}
	if (outq_count(&s->out))
		lws_callback_on_writable(s->wsi);
	watch_on_drain(s);
}
