/*
 * session: reassembly, rate limiting, the outbound bounds and writing for
 * one connection, and the sink through which commands answer it. Not
 * here: what requests mean (server/cmd), authentication (login.c) and
 * lws setup (transport.c).
 */
#include "session.h"

#include <stdlib.h>
#include <string.h>

#include <uv.h>
#include <libwebsockets.h>

#include "chat/cmd/router.h"
#include "chat/common/log.h"
#include "chat/common/util.h"
#include "chat/net/hub.h"
#include "feeds.h"
#include "login.h"
#include "lws_private.h"
#include "writer.h"

#define CLOSE_GRACE_S 2

#define SESSION_OF(k) ((struct session *)(k))

static void rx_release(struct session *s);

static int sink_send(struct sink *k, struct frame *f)
{
	return session_send_frame(SESSION_OF(k), f);
}

/* Bytes the session takes before it counts as slow. */
static size_t sink_room(const struct sink *k)
{
	const struct session *s = (const struct session *)k;
	size_t soft = (size_t)s->hub->cfg->out_soft_bytes;
	size_t used = outq_bytes(&s->out);

	return used >= soft ? 0 : soft - used;
}

static bool sink_is_alive(const struct sink *k)
{
	return session_alive((const struct session *)k);
}

static void sink_hold(struct sink *k)
{
	session_ref(SESSION_OF(k));
}

static void sink_release(struct sink *k)
{
	session_unref(SESSION_OF(k));
}

static const struct sink_ops session_sink_ops = {
	sink_send, sink_room, sink_is_alive, sink_hold, sink_release,
};

struct session *session_create(struct hub *hub, struct lws *wsi)
{
	struct session *s = xcalloc(1, sizeof(*s));

	s->sink.ops = &session_sink_ops;
	s->hub = hub;
	s->wsi = wsi;
	s->refs = 1; /* the connection's */
	s->created_ms = (uint32_t)mono_ms();
	rate_init(&s->rate, hub->cfg->burst, mono_ms());
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
	cmd_sink_closed(&s->hub->cmd, &s->sink);
	if (s->who && s->in_feed && session_is_agent(s))
		router_agent_gone(s->hub->cmd.router, s->who->id);
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
	return s->who && actor_is_agent(s->who);
}

/* The reason sent in the close frame: one per code, so the session keeps
 * only the code. */
static const char *reason_of(int code)
{
	switch (code) {
	case PROTO_CLOSE_GOING_AWAY:
		return "server shutting down";
	case PROTO_CLOSE_UNSUPPORTED:
		return "binary frames are not accepted";
	case PROTO_CLOSE_TOO_BIG:
		return "frame too big";
	case PROTO_CLOSE_AUTH_TIMEOUT:
		return "no auth frame in time";
	case PROTO_CLOSE_AUTH_FAILED:
		return "authentication failed";
	case PROTO_CLOSE_TOKEN_EXPIRED:
		return "token expired";
	case PROTO_CLOSE_SLOW_CONSUMER:
		return "outbound queue full";
	case PROTO_CLOSE_FLOOD:
		return "flood";
	default:
		return "internal error";
	}
}

void session_close(struct session *s, int code)
{
	if (!session_alive(s))
		return;
	s->close_code = code;
	if (code == PROTO_CLOSE_SLOW_CONSUMER)
		outq_clear(&s->out); /* the close frame goes next */
	lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_REASON_BASE + 1,
			CLOSE_GRACE_S);
	lws_callback_on_writable(s->wsi);
}

/* Closes a client that does not read: over the hard byte limit or the
 * frame limit at once, over the soft byte limit after a while. */
static bool over_limits(struct session *s)
{
	const struct config *cfg = s->hub->cfg;
	size_t bytes = outq_bytes(&s->out);
	uint32_t now;

	if (bytes > (size_t)cfg->out_hard_bytes)
		return true;
	if (bytes <= (size_t)cfg->out_soft_bytes) {
		s->soft_since_ms = 0;
		return false;
	}
	now = (uint32_t)mono_ms();
	if (!s->soft_since_ms)
		s->soft_since_ms = now ? now : 1; /* 0 means "under" */
	return (int32_t)(now - s->soft_since_ms) > cfg->out_soft_seconds * 1000;
}

static void close_slow(struct session *s)
{
	log_info("closing a slow consumer (%u frames, %zu bytes queued)",
		 outq_count(&s->out), outq_bytes(&s->out));
	session_close(s, PROTO_CLOSE_SLOW_CONSUMER);
}

void session_sweep(struct session *s, int64_t now_wall_ms, int64_t now_mono_ms)
{
	if (!session_alive(s))
		return;
	if (!s->who && (uint32_t)now_mono_ms - s->created_ms >
			       (uint32_t)s->hub->cfg->auth_timeout_ms)
		session_close(s, PROTO_CLOSE_AUTH_TIMEOUT);
	else if (s->who && s->who->exp * 1000 <= now_wall_ms)
		session_close(s, PROTO_CLOSE_TOKEN_EXPIRED);
	else if (s->soft_since_ms && over_limits(s))
		close_slow(s); /* nothing was queued since it went over */
}

int session_send_frame(struct session *s, struct frame *f)
{
	if (!session_alive(s) || !f)
		return -1;
	if (outq_push(&s->out, f, (unsigned)s->hub->cfg->out_queue) ||
	    over_limits(s)) {
		close_slow(s);
		return -1;
	}
	if (s->hub->writer)
		writer_mark(s->hub->writer, s);
	return 0;
}

/*
 * Refuses what the client sends (a frame too big, binary, a flood): what
 * was already queued for it is still written, then the close frame; what
 * it sends meanwhile is read and dropped. Closing at once instead would
 * lose the queued answers, and with unread input the kernel resets the
 * connection, so the client would often see 1006 instead of the code.
 */
static int refuse_input(struct session *s, int code)
{
	rx_release(s);
	session_close(s, code);
	return 0;
}

/*
 * Carries out a close once the queue is written: the close frame, then a
 * half-close so the client receives both before the socket goes. The
 * connection then waits (reading and dropping input) for the client's
 * close or the grace timeout. Returning -1 here instead would not do:
 * lws 4.1 on libuv closes a connection twice when WRITEABLE returns -1,
 * and the second pass drops the close frame.
 */
static int close_from_writeable(struct session *s)
{
	lwsp_write_close(s->wsi, s->close_code, reason_of(s->close_code));
	lwsp_shutdown_write(s->wsi);
	s->closing = true;
	lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_REASON_BASE + 1,
			CLOSE_GRACE_S);
	return 0;
}

static void send_error(struct session *s, const char *id,
		       enum proto_error_code code, const char *message)
{
	sink_send_error(&s->sink, id, NULL, code, message);
}

/* A frame the rate limit refuses is not decoded: the first of an episode
 * gets one rate_limited error saying when to retry, the others nothing. */
static int refuse(struct session *s, enum rate_verdict v)
{
	if (v == RATE_FLOOD)
		return refuse_input(s, PROTO_CLOSE_FLOOD);
	if (v == RATE_REFUSE)
		sink_send_owned(&s->sink,
				proto_encode_rate_limited(rate_retry_after_ms(
					&s->rate, s->hub->cfg->rate)));
	return 0;
}

static int on_frame(struct session *s, const char *buf, size_t len)
{
	enum rate_verdict v = rate_admit(&s->rate, s->hub->cfg->rate,
					 s->hub->cfg->burst, mono_ms());
	struct proto_request req;
	struct proto_error err;

	if (v != RATE_OK)
		return refuse(s, v);
	if (proto_decode(buf, len, &req, &err)) {
		send_error(s, err.id, err.code, err.message);
		return 0;
	}
	rate_charge(&s->rate, cmd_cost(&req));
	if (!s->who && req.type != PROTO_AUTH)
		send_error(s, req.id, PROTO_E_NOT_AUTHENTICATED, NULL);
	else if (!s->who)
		login_handle(s, &req);
	else
		cmd_run(&s->hub->cmd, s->who, &s->sink, &req);
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

	if (!session_alive(s))
		return 0; /* closing: input is dropped */
	if (binary)
		return refuse_input(s, PROTO_CLOSE_UNSUPPORTED);
	if (first)
		rx_release(s);
	if (rx_len(s) + len + remaining > max)
		return refuse_input(s, PROTO_CLOSE_TOO_BIG);
	if (first && final)
		return on_frame(s, in, len);
	if (rx_append(s, in, len))
		return refuse_input(s, PROTO_CLOSE_INTERNAL);
	if (!final)
		return 0;
	rc = on_frame(s, s->rx->data, s->rx->len);
	rx_release(s);
	return rc;
}

/* Frames went out: wait for the socket if some are left, restart the
 * soft limit's clock once under it, and let paused replays go on. */
static void after_write(struct session *s)
{
	if (outq_count(&s->out))
		lws_callback_on_writable(s->wsi);
	if (outq_bytes(&s->out) <= (size_t)s->hub->cfg->out_soft_bytes)
		s->soft_since_ms = 0;
	cmd_sink_drained(&s->hub->cmd, &s->sink);
}

int session_on_writeable(struct session *s)
{
	if (!s->wsi)
		return -1;
	if (s->closing)
		return 0; /* the close frame is out: waiting for the peer */
	if (writer_write(s->hub->writer, s))
		return -1;
	if (s->close_code && !outq_count(&s->out))
		return close_from_writeable(s);
	after_write(s);
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
		lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_REASON_BASE + 2,
				LWS_TO_KILL_ASYNC);
		return;
	}
	after_write(s);
}
