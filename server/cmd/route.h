/*
 * route: the routing commands: claim, accept, decline, transfer and
 * takeover (who has a conversation, decided atomically in the routing
 * slot, then carried into the conversation), presence, agents and
 * availability.
 */
#ifndef CHAT_ROUTE_H
#define CHAT_ROUTE_H

#include <hiredis/hiredis.h>

#include "chat/cmd/cmd.h"
#include "chat/store/store.h"

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

/* The actor's skills as one comma-separated string, in buf of cap bytes. */
void route_skills_csv(const struct actor *a, char *buf, size_t cap);

struct proto_agent_item;
typedef void (*route_agent_cb)(const struct proto_agent_item *it, void *arg);
/* Calls cb for each agent of a route_agents.lua answer ({id, name,
 * status, load, capacity, skills, ...}); returns how many, or -1 when r
 * is not such an answer. */
int route_agents_each(const redisReply *r, route_agent_cb cb, void *arg);
/* Runs route_agents.lua: every agent (n_ids 0) or those named. 0 or -1
 * as store_eval. */
int route_ask_agents(struct cmd_ctx *ctx, store_reply_cb cb, void *arg,
		     int n_ids, const char **ids);

typedef void (*route_all_cb)(void *arg);
/* Applies (route_apply) every routing entry of the array r from index
 * first on; done (may be NULL) runs once all have answered. */
void route_apply_all(struct cmd_ctx *ctx, const redisReply *r, size_t first,
		     route_all_cb done, void *arg);
/* Runs route_presence.lua for agent a with status ("" = keep). */
int route_call_presence(struct cmd_ctx *ctx, const struct actor *a,
			const char *status, store_reply_cb cb, void *arg);

#endif
