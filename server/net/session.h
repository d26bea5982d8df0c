/*
 * session: one WebSocket connection of chat.v1 from accept to close: frame
 * reassembly under the size cap, the rate limit, authentication, request
 * dispatch, the bounded outbound queue and writing (batched by writer.c).
 * Request handlers live in conv.c, watch.c and query.c; the lws callback
 * in transport.c only calls in here.
 *
 * Ownership: the hub owns every session. A session is freed when its
 * connection has closed and no Redis callback (nor the writer's list)
 * still holds a reference.
 */
#ifndef CHAT_SESSION_H
#define CHAT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chat/common/auth.h"
#include "chat/protocol.h"
#include "outq.h"

struct lws;
struct hub;
struct watch;
struct rx_buf;

/* Who is on the other end, once authenticated. Strings live in one heap
 * block owned by the session. */
struct identity {
	const char *sub, *name, *org, *site;
	enum proto_role role;
	enum auth_tier tier;
	enum auth_org_role org_role;
	unsigned capacity;
	int64_t exp; /* seconds */
	char data[];
};

struct session {
	struct hub *hub;	     /* borrowed */
	struct lws *wsi;	     /* NULL once the connection closed */
	struct session *next, *prev; /* the hub's list */
	struct identity *who;	     /* NULL until auth */
	const char *close_reason;
	struct rx_buf *rx; /* reassembly of a fragmented frame, or NULL */
	int64_t created_ms;
	int64_t tokens_ms;
	double tokens; /* rate-limit bucket */
	struct outq out;
	struct watch *watches;	    /* conversations this session follows */
	struct session *flush_next; /* the writer's list */
	struct session *feed_next, *feed_prev; /* feeds.c's lists */
	unsigned refs;
	int close_code;		 /* non-zero: close at next WRITEABLE */
	unsigned strikes;	 /* frames refused in a row for rate */
	unsigned paused_replays; /* watches waiting for queue room */
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

/* A piece of a text/binary frame arrived. Returns 0 or -1 to close. */
int session_on_receive(struct session *s, const void *in, size_t len,
		       bool first, bool final, bool binary, size_t remaining);
/* The socket can take more. Returns 0 or -1 to close. */
int session_on_writeable(struct session *s);
/* End of a loop round: writes the queued frames (called by the writer). */
void session_flush(struct session *s);

/* Queues a frame (takes a new reference; the caller keeps its own).
 * Returns 0, or -1 when the queue is full: the session is then being
 * closed with 4008. */
int session_send_frame(struct session *s, struct frame *f);
/* Queues a heap string from the protocol encoders (freed here). */
int session_send_owned(struct session *s, char *json);
void session_send_error(struct session *s, const char *id, const char *conv,
			enum proto_error_code code, const char *message);
/* Asks lws to close the connection with code once pending frames are
 * written (or at once when the client does not read). */
void session_close(struct session *s, int code, const char *reason);
/* Room left in the outbound queue, in frames. */
unsigned session_room(const struct session *s);

bool session_is_agent(const struct session *s);

#endif
