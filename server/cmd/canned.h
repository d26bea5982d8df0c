/* canned: agents' saved responses (their own and the team's). */
#ifndef CHAT_CANNED_H
#define CHAT_CANNED_H

#include "chat/cmd/cmd.h"

void canned_list(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		 const struct proto_request *req);
void canned_save(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		 const struct proto_request *req);
void canned_delete(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		   const struct proto_request *req);

#endif
