/*
 * reply: what conv.c, watch.c and query.c share about answering a request
 * whose answer comes from Redis: the pending request (which holds a
 * session reference), and turning Redis error replies into protocol errors.
 */
#ifndef CHAT_REPLY_H
#define CHAT_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis/hiredis.h>

#include "chat/protocol.h"

struct session;

struct pending {
	struct session *s; /* referenced */
	char id[PROTO_ID_MAX + 1];
	char conv[PROTO_CONV_LEN + 1];
	int kind; /* handler-specific */
};

/* Returns a pending request holding a reference to s; free with
 * pending_destroy(). */
struct pending *pending_create(struct session *s, const char *id,
			       const char *conv);
void pending_destroy(struct pending *p);

/* Maps a Redis reply that is not the expected answer (NULL, an error,
 * the wrong type) to the protocol error to send. */
enum proto_error_code reply_error_code(const redisReply *r);
/* Sends that error for p (when the session is still there). */
void reply_fail(struct pending *p, const redisReply *r);
/*
 * Checks the answer to HMGET {c:ID}:m customer [more fields] (nfields in
 * all): true when p's user may read the conversation (agents always, a
 * customer only their own); otherwise the error (unavailable, not_found,
 * forbidden) is sent for p and false returned.
 */
bool reply_owner_ok(struct pending *p, const redisReply *r, size_t nfields);

#endif
