/*
 * route: the routing commands: claim, accept, decline, transfer and
 * takeover (who has a conversation, decided atomically in the routing
 * slot, then carried into the conversation), presence, agents and
 * availability.
 */
#ifndef CHAT_ROUTE_H
#define CHAT_ROUTE_H

#include "chat/cmd/cmd.h"

/* claim, accept, transfer, takeover */
void route_assign(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		  const struct proto_request *req);
void route_decline(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		   const struct proto_request *req);
void route_presence(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		    const struct proto_request *req);
void route_agents(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		  const struct proto_request *req);
void route_availability(struct cmd_ctx *ctx, const struct actor *a,
			struct sink *k, const struct proto_request *req);

#endif
