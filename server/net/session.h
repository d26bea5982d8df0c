/*
 * session: one WebSocket connection of chat.v1 from accept to close: frame
 * reassembly under the size cap, the rate limit, authentication, handing
 * requests to the command layer as a sink, the outbound queue bounded in
 * frames and bytes, and writing (batched by writer.c). The lws callback in
 * transport.c only calls in here.
 *
 * Ownership: the hub lists every live session. A session is freed when its
 * connection has closed and no pending command, watch or the writer's
 * list still holds it.
 */
#ifndef CHAT_SESSION_H
#define CHAT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chat/cmd/cmd.h"
#include "outq.h"
#include "rate.h"

struct lws;
struct hub;
struct rx_buf;

struct session {
	struct sink sink;	     /* first: the command layer's view */
	struct hub *hub;	     /* borrowed */
	struct lws *wsi;	     /* NULL once the connection closed */
	struct session *next, *prev; /* the hub's list */
	struct actor *who;	     /* owned; NULL until auth */
	struct rx_buf *rx; /* reassembly of a fragmented frame, or NULL */
	struct rate rate;
	/* Monotonic milliseconds, low 32 bits: only differences under 24
	 * days are taken, so they wrap harmlessly and keep the session
	 * small. soft_since_ms is 0 while under the soft limit. */
	uint32_t created_ms, soft_since_ms;
	struct outq out;
	struct session *flush_next;	       /* the writer's list */
	struct session *feed_next, *feed_prev; /* feeds.c's lists */
	unsigned refs;
	int close_code; /* non-zero: close once the queue is written */
	bool flush_marked;
	bool in_feed;
	bool closing; /* lws is sending a close frame: write nothing more */
};

struct session *session_create(struct hub *hub, struct lws *wsi);
/* The connection closed: detaches from lws and Redis subscriptions; the
 * memory goes when the last reference does. */
void session_closed(struct session *s);
void session_ref(struct session *s);
void session_unref(struct session *s);
/* True when replies may still be sent (connection open, not closing). */
bool session_alive(const struct session *s);
bool session_is_agent(const struct session *s);

/* A piece of a text/binary frame arrived. Returns 0 or -1 to close. */
int session_on_receive(struct session *s, const void *in, size_t len,
		       bool first, bool final, bool binary, size_t remaining);
/* The socket can take more. Returns 0 or -1 to close. */
int session_on_writeable(struct session *s);
/* End of a loop round: writes the queued frames (called by the writer). */
void session_flush(struct session *s);

/* Queues a frame (takes a new reference; the caller keeps its own).
 * Returns 0, or -1 when the session is closing or went over its limits:
 * it is then being closed with 4008. */
int session_send_frame(struct session *s, struct frame *f);
/* Asks lws to close the connection with code (and the reason that goes
 * with it) once pending frames are written, or when the grace time runs
 * out for a client that does not read. */
void session_close(struct session *s, int code);
/* The token expired or the auth deadline passed (the hub's sweep). */
void session_sweep(struct session *s, int64_t now_wall_ms, int64_t now_mono_ms);

#endif
