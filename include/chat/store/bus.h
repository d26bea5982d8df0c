/*
 * bus: Redis sharded pub/sub (SSUBSCRIBE; publishers SPUBLISH) between
 * chatd nodes, on connections of its own: one to the one Redis, or one
 * per cluster primary that owns a subscribed channel's slot.
 * Channels are reference-counted across local subscribers; each subscriber
 * is told when its channel is live (subscription confirmed, including
 * again after a reconnect, so it can refill what it may have missed) and
 * gets every message. Publishing goes through the store, not here.
 */
#ifndef CHAT_BUS_H
#define CHAT_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "chat/store/store.h"

struct bus;
struct bus_sub;

typedef void (*bus_message_cb)(struct bus_sub *sub, const char *payload,
			       size_t len);
/* The channel is subscribed: everything published from now on arrives. */
typedef void (*bus_live_cb)(struct bus_sub *sub);

/* A subscriber, embedded in its owner; the bus links it, never frees it. */
struct bus_sub {
	struct bus_sub *next, *prev;
	struct bus_channel *channel; /* NULL when not added */
	bus_message_cb on_message;
	bus_live_cb on_live;
};

#define BUS_PING_MS 1000
#define BUS_DEADLINE_MS 3000

/* Returns a bus that starts connecting at once (cfg is copied), probing
 * its links every BUS_PING_MS and dropping one after BUS_DEADLINE_MS
 * without an answer. */
struct bus *bus_create(uv_loop_t *loop, const struct redis_config *cfg);
/* Probes the link every ping_ms; a link that has answered nothing for
 * deadline_ms is dropped and replaced (subscribers' on_live runs again,
 * so they refill what they missed). Detection takes deadline_ms to
 * deadline_ms + ping_ms. Returns 0, or -1 (nothing changed) unless
 * 0 < ping_ms < deadline_ms. */
int bus_set_keepalive(struct bus *bus, uint64_t ping_ms, uint64_t deadline_ms);
/* Frees the bus; subscribers must have been removed. */
void bus_destroy(struct bus *bus);
void bus_stop(struct bus *bus);

/* Adds sub (with on_message/on_live set) to channel. on_live is called
 * when the channel is confirmed, immediately if it already is. */
void bus_add(struct bus *bus, struct bus_sub *sub, const char *channel);
/* Removes sub from its channel; a no-op when not added. */
void bus_remove(struct bus *bus, struct bus_sub *sub);
bool bus_live(const struct bus_sub *sub);

#endif
