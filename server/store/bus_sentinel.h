/*
 * bus_sentinel: where the bus connects. With one Redis or a cluster that
 * is known from the start; with Redis Sentinel it is the primary the
 * sentinels name, asked again before every connect, and a link counts as
 * up only once ROLE says it reached a primary. Knows nothing of channels.
 */
#ifndef CHAT_BUS_SENTINEL_H
#define CHAT_BUS_SENTINEL_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis/hiredis.h>
#include <uv.h>

#include "chat/store/store.h"
#include "sentinel.h"

struct bus_primary {
	uv_loop_t *loop;
	struct redis_config *sentinels; /* owned; NULL without Sentinel */
	struct sentinel_ask *asking;	/* the ask in progress */
	struct redis_addr addr;		/* one Redis, or the named primary */
	bool known;			/* addr is known */
	bool checked;			/* Sentinel: ROLE said "master" */
	size_t named_by, ask_first;	/* indexes of sentinels */
	void (*on_named)(void *arg);	/* an ask named the primary */
	void (*on_unnamed)(void *arg);	/* no sentinel did: try later */
	void *arg;
};

void bus_primary_init(struct bus_primary *p, uv_loop_t *loop,
		      const struct redis_config *cfg, void (*on_named)(void *),
		      void (*on_unnamed)(void *), void *arg);
void bus_primary_stop(struct bus_primary *p);
void bus_primary_cleanup(struct bus_primary *p);

/* The address to connect to, or NULL while the sentinels are asked
 * (on_named or on_unnamed follows). */
const struct redis_addr *bus_primary_addr(struct bus_primary *p);
/* Whether a link that is up may be used: always without Sentinel. */
bool bus_primary_usable(const struct bus_primary *p);
/* ROLE's answer on a new link: true when it reached the primary; false
 * forgets the address, and the next ask starts after the sentinel that
 * named it (it may be stale). */
bool bus_primary_role(struct bus_primary *p, const redisReply *r);
/* A link was lost or could not open: with Sentinel, ask again before the
 * next connect. */
void bus_primary_forget(struct bus_primary *p);

#endif
