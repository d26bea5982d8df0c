/*
 * conv_route: how the support package routes a conversation entering the
 * queue (an opening, or a closed conversation reopened by an email
 * reply): its class, topic and skill, scope, head start, dedicated
 * engineers, and the field-value pairs the outbox entry carries for the
 * router (route_enqueue).
 */
#ifndef CHAT_CONV_ROUTE_H
#define CHAT_CONV_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

#include "chat/cmd/cmd.h"
#include "chat/support/policy.h"

struct conv_routing {
	const char *class_key, *skill, *topic; /* borrowed from the policy */
	bool out_of_scope;
	char head_start[24], held_until[24], dedicated_delay[24];
	char dedicated[POLICY_MAX_ENGINEERS * (PROTO_USER_ID_MAX + 1) + 1];
};

/* The routing of a conversation of customer a (tier, org) on topic ("" =
 * none; a topic the policy does not list counts as none), held until
 * held_until (UTC ms, 0 = not held). */
void conv_routing_of(const struct cmd_ctx *ctx, const struct actor *a,
		     const char *topic, int64_t held_until,
		     struct conv_routing *r);

/* The pairs "nm" name, "sm" summary, "ti" tier, "cl", "hs", "sk", "tp",
 * "os", "dd", "dl", "hu" the outbox entry carries for route_enqueue. */
#define CONV_ROUTE_ARGS 22
void conv_route_args(const struct actor *a, const char *summary,
		     const struct conv_routing *r,
		     const char *out[CONV_ROUTE_ARGS]);

#endif
