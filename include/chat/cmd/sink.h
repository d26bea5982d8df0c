/*
 * sink: where the answers and events of a command go. The WebSocket
 * session is one sink; an HTTP request, an inbound email or a timer
 * supply their own. The command layer only sees this interface.
 *
 * A sink is reference-counted by its owner (hold/release): a command
 * whose answer comes later holds it. The watches (conversations followed
 * live) hang off the sink and belong to cmd/watch.c.
 */
#ifndef CHAT_SINK_H
#define CHAT_SINK_H

#include <stdbool.h>
#include <stddef.h>

#include "chat/common/frame.h"
#include "chat/protocol.h"

struct sink;
struct watch;

struct sink_ops {
	/* Queues f (the sink takes its own reference). Returns 0, or -1 when
	 * refused: the sink is closing or over its limit (it then closes
	 * itself; the caller only stops sending). */
	int (*send)(struct sink *k, struct frame *f);
	/* Bytes the sink can take before it is considered slow: replays
	 * read only while there is room. */
	size_t (*room)(const struct sink *k);
	/* False once nothing can be delivered any more. */
	bool (*alive)(const struct sink *k);
	void (*hold)(struct sink *k);
	void (*release)(struct sink *k);
};

struct sink {
	const struct sink_ops *ops;
	struct watch *watches;	 /* owned by cmd/watch.c */
	unsigned paused_replays; /* watches waiting for room */
};

static inline bool sink_alive(const struct sink *k)
{
	return k->ops->alive(k);
}

/* Queues a heap string from the protocol encoders (freed here; NULL is
 * an allocation failure and is dropped). Returns as ops->send. */
int sink_send_owned(struct sink *k, char *json);
/* Queues a copy of len bytes of JSON text. */
int sink_send_text(struct sink *k, const char *json, size_t len);
/* An error frame; id and conv may be NULL or "" (omitted). */
void sink_send_error(struct sink *k, const char *id, const char *conv,
		     enum proto_error_code code, const char *message);

#endif
