/*
 * router: the node's part in routing. Every node runs one; none is
 * special, and every step it takes is atomic in Redis, so nodes never
 * conflict. It ticks the router (offers, their timeouts, agents gone
 * offline, held messages released) every half second and soon after
 * anything changed; sends the heartbeat of the agents connected here;
 * follows the routing notices (new offers and their end for agents here,
 * presence changes, queue changes); and sends the waiting customers
 * connected here their queue position and estimated wait, at most once
 * a second and only when it changed.
 */
#ifndef CHAT_ROUTER_H
#define CHAT_ROUTER_H

#include <uv.h>

#include "chat/cmd/cmd.h"

struct router;

/* Starts the router for ctx (ctx->router is set; ctx->policy, store,
 * bus and hooks must be set). */
struct router *router_create(uv_loop_t *loop, struct cmd_ctx *ctx);
/* Stops it; the memory goes once every handle is closed and no command
 * holds it. NULL is a no-op. */
void router_destroy(struct router *r);

/* Something changed that may allow an offer: tick soon. NULL: nothing. */
void router_kick(struct router *r);
/* An agent's connection here is authenticated / closed. */
void router_agent_connected(struct router *r, const struct actor *a);
void router_agent_gone(struct router *r, const char *id);
/* A customer connected here: their position goes out with the next
 * snapshot even if it did not change. */
void router_customer_connected(struct router *r);

#endif
