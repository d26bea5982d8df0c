/*
 * route_notice: what the routing notices mean to the users connected to
 * this node: an offer made to an agent here (read from the routing slot
 * and sent as an offer frame), an offer's end, and an agent's presence
 * or load changed (sent to every agent here, gathered for a moment so a
 * busy router costs one read per round).
 */
#ifndef CHAT_ROUTE_NOTICE_H
#define CHAT_ROUTE_NOTICE_H

#include <stddef.h>

#include <uv.h>

#include "chat/cmd/cmd.h"

struct route_notice;

struct route_notice *route_notice_create(uv_loop_t *loop, struct cmd_ctx *ctx);
/* NULL is a no-op; the memory goes once nothing is in flight. */
void route_notice_destroy(struct route_notice *n);

/* "LLLL" (hex length) user id, then 'o' conv (offered) or 'w' conv ':'
 * reason (the offer ended). */
void route_notice_user(struct route_notice *n, const char *p, size_t len);
/* An agent id (len bytes) whose presence or load changed. */
void route_notice_agent(struct route_notice *n, const char *id, size_t len);
/* The offers pending for agent (a comma list of conversations): shown to
 * the agent's connections here. */
void route_notice_offers(struct route_notice *n, const char *agent,
			 const char *csv);

/* Reads the agent's pending offers and shows them to its connections here
 * (after the notices were interrupted). */
void route_notice_pending(struct route_notice *n, const char *agent);

#endif
