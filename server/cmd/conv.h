/*
 * conv: the commands that change a conversation (open, send, note, claim,
 * close), read positions and the typing relay.
 */
#ifndef CHAT_CONV_H
#define CHAT_CONV_H

#include "chat/cmd/cmd.h"

void conv_open(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
	       const struct proto_request *req);
/* send, note, claim, close */
void conv_append(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		 const struct proto_request *req);
/* Closes conv for the server (actor_system()) with reason, only if its
 * last activity is still last_at (as read from its meta hash): a message
 * that arrived meanwhile keeps it open. Answers through k like close. */
void conv_close_idle(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		     const char *conv, const char *reason, const char *last_at);
void conv_typing(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		 const struct proto_request *req);
void conv_read(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
	       const struct proto_request *req);

#endif
