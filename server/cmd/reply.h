/*
 * reply: what the commands share about answering a request whose answer
 * comes from Redis: the pending request (which holds its sink), and
 * turning Redis error replies into protocol errors.
 */
#ifndef CHAT_REPLY_H
#define CHAT_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis/hiredis.h>

#include "chat/cmd/cmd.h"

struct pending {
	struct cmd_ctx *ctx;	 /* borrowed */
	const struct actor *who; /* borrowed: lives while k is held */
	struct sink *k;		 /* held */
	char id[PROTO_ID_MAX + 1];
	char conv[PROTO_CONV_LEN + 1];
	unsigned kind; /* handler-specific */
};

/* Returns a pending request holding k; free with pending_destroy(). */
struct pending *pending_create(struct cmd_ctx *ctx, const struct actor *who,
			       struct sink *k, const char *id,
			       const char *conv);
void pending_destroy(struct pending *p);
/* True when the answer can still be delivered. */
bool pending_alive(const struct pending *p);

/* Maps a Redis reply that is not the expected answer (NULL, an error,
 * the wrong type) to the protocol error to send. */
enum proto_error_code reply_error_code(const redisReply *r);
/* Sends that error for p (when the sink is still there). */
void reply_fail(struct pending *p, const redisReply *r);
/* Sends an error for p with the given code and message. */
void reply_error(struct pending *p, enum proto_error_code code,
		 const char *message);
/*
 * Checks the answer to HMGET {c:ID}:m customer [more fields] (nfields in
 * all): true when p's actor may read the conversation; otherwise the
 * error (unavailable, not_found, forbidden) is sent and false returned.
 */
bool reply_owner_ok(struct pending *p, const redisReply *r, size_t nfields);

#endif
