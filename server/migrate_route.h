/*
 * migrate_route: gives the conversations a release before routing left
 * open their routing state (part of chatd migrate-keys): a waiting one
 * enters the queue at the place its arrival and its package's class give
 * it, an assigned one stays with its agent (whose load counts it).
 */
#ifndef CHAT_MIGRATE_ROUTE_H
#define CHAT_MIGRATE_ROUTE_H

#include <stdbool.h>

#include <hiredis/hiredis.h>

#include "chat/support/policy.h"

/* Adds every open conversation without routing state; dry: counts only.
 * Sets *routed to how many. Returns 0, or -1 (printed) when Redis fails. */
int migrate_route(redisContext *c, const struct policy *p, bool dry,
		  unsigned long *routed);

#endif
