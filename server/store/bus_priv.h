/*
 * bus_priv: the bus's state, shared by bus.c (channels, links, cluster)
 * and bus_sentinel.c (finding the primary through the sentinels). Not for
 * other files.
 */
#ifndef CHAT_BUS_PRIV_H
#define CHAT_BUS_PRIV_H

#include "chat/store/bus.h"

#include "bus_link.h"
#include "cluster_map.h"
#include "sentinel.h"

#include "chat/common/hmap.h"

#define BUS_BACKOFF_MIN_MS 50
#define BUS_BACKOFF_MAX_MS 2000

enum channel_state { CH_IDLE, CH_SUBSCRIBING, CH_LIVE, CH_UNSUBSCRIBING };

struct bus_channel {
	char *name;
	unsigned slot;
	enum channel_state state;
	int node;	      /* the link it was sent on; -1 when IDLE */
	struct bus_sub *subs; /* doubly linked, borrowed */
	size_t n_subs;
};

struct bus {
	uv_loop_t *loop;
	bool cluster, stopping, destroyed;
	struct redis_addr addr;		/* one Redis, or the named primary */
	struct redis_config *sentinels; /* owned; sentinel only */
	struct sentinel_ask *asking;	/* sentinel: the ask in progress */
	bool addr_known;		/* sentinel: addr was named */
	bool primary_checked;		/* sentinel: ROLE said "master" */
	size_t named_by, ask_first;	/* sentinel indexes */
	struct cluster_view *view;	/* cluster only */
	struct cluster_map *map;	/* cluster only: &view->map */
	struct bus_link *links[CLUSTER_NODES_MAX];
	size_t n_links;		/* open, including closing ones */
	struct hmap *channels;	/* name -> struct bus_channel, owned */
	uv_timer_t retry_timer; /* subscribes IDLE channels again */
	uv_timer_t ping_timer;
	int open_timers; /* while destroying */
	uint64_t backoff_ms;
	uint64_t ping_ms, deadline_ms;
};

/* Subscribes every IDLE channel where it belongs now. */
void bus_resync(struct bus *bus);
/* The retry timer's callback: bus_resync(). */
void bus_on_retry(uv_timer_t *t);
/* Subscribes what waits on a link that is up (and, with sentinels, known
 * to reach the primary). */
void bus_link_ready(struct bus *bus);

/* bus_sentinel.c. Whether the address to connect to is known: always
 * without sentinels; with them, once one named the primary (an ask is
 * started otherwise, and bus_resync() runs when it answers). */
bool bus_addr_ready(struct bus *bus);
/* The answer to the ROLE sent first on a new link with sentinels. */
void bus_on_role(struct bus *bus, struct bus_link *l, const redisReply *r);

#endif
