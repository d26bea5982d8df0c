/*
 * transcript: the customer asks for the conversation by email (the
 * widget's "Email me the transcript"). Queues a transcript mail job up to
 * the conversation's current event; asked again with nothing new since,
 * it is a duplicate and nothing more is sent.
 */
#ifndef CHAT_CMD_TRANSCRIPT_H
#define CHAT_CMD_TRANSCRIPT_H

#include "chat/cmd/cmd.h"

void transcript_request(struct cmd_ctx *ctx, const struct actor *a,
			struct sink *k, const struct proto_request *req);

#endif
