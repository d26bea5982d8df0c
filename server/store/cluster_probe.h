/*
 * cluster_probe: asks a Redis Cluster for its slot map. Tries the
 * candidate nodes in turn, each on a short-lived connection of its own
 * with a deadline, until one answers CLUSTER SLOTS with a map that covers
 * every slot. Not here: what the map means (cluster_map.c).
 */
#ifndef CHAT_CLUSTER_PROBE_H
#define CHAT_CLUSTER_PROBE_H

#include <hiredis/hiredis.h>
#include <uv.h>

#include "chat/store/store.h"
#include "slot.h"

#define PROBE_NODE_MS 1000

struct cluster_probe;

/* slots is the CLUSTER SLOTS reply, borrowed for the call, or NULL when
 * no candidate gave a complete one. */
typedef void (*cluster_probe_cb)(const redisReply *slots, void *arg);

/* Starts asking the n candidates (copied), beginning with first % n.
 * Returns the probe, which frees itself after calling cb once. */
struct cluster_probe *cluster_probe_start(uv_loop_t *loop,
					  const struct redis_addr *cands,
					  size_t n, size_t first,
					  cluster_probe_cb cb, void *arg);
/* Stops the probe; cb is not called. */
void cluster_probe_cancel(struct cluster_probe *p);

#endif
