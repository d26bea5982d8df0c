/*
 * query: the read-only commands: history (one page of stored events) and
 * list (a page of conversations from an index).
 */
#ifndef CHAT_QUERY_H
#define CHAT_QUERY_H

#include "chat/cmd/cmd.h"

void query_history(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		   const struct proto_request *req);
void query_list(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		const struct proto_request *req);

#endif
