/*
 * routing: the routing steps shared by the commands (route.c), the router
 * and its notices.
 */
#ifndef CHAT_ROUTING_H
#define CHAT_ROUTING_H

#include <stddef.h>

#include <hiredis/hiredis.h>

#include "chat/cmd/cmd.h"
#include "chat/store/store.h"

/* What joins the ids of a list (skills, dedicated engineers, agents who
 * declined) in the routing state: a control character, which ids and
 * skills never hold (tokens refuse them). */
#define ROUTING_SEP "\x1f"

/* The actor's skills as one ROUTING_SEP list, in buf of cap bytes. */
void routing_skills_csv(const struct actor *a, char *buf, size_t cap);

struct proto_agent_item;
typedef void (*routing_agent_cb)(const struct proto_agent_item *it, void *arg);
/* Calls cb for each agent of a route_agents.lua answer ({id, name,
 * status, load, capacity, skills, ...}); returns how many, or -1 when r
 * is not such an answer. */
int routing_agents_each(const redisReply *r, routing_agent_cb cb, void *arg);
/* Runs route_agents.lua: every agent (n_ids 0) or those named. 0 or -1
 * as store_eval. */
int routing_agents(struct cmd_ctx *ctx, store_reply_cb cb, void *arg, int n_ids,
		   const char **ids);

typedef void (*routing_all_cb)(void *arg);
/* Applies (route_apply) every routing entry of the array r from index
 * first on; done (may be NULL) runs once all have answered. */
void routing_apply_all(struct cmd_ctx *ctx, const redisReply *r, size_t first,
		       routing_all_cb done, void *arg);
/* Runs route_presence.lua for agent a with status ("" = keep). */
int routing_presence(struct cmd_ctx *ctx, const struct actor *a,
		     const char *status, store_reply_cb cb, void *arg);

#endif
