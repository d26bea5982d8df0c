/*
 * cluster_view: a cluster's slot map kept fresh. Learned at start and
 * refreshed on request: one probe at a time (cluster_probe.c), at most
 * every CLUSTER_REFRESH_MIN_MS, and again until one succeeds. The store
 * and the bus each keep their own. Not here: what they do with the map.
 */
#ifndef CHAT_CLUSTER_VIEW_H
#define CHAT_CLUSTER_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "chat/store/store.h"
#include "cluster_map.h"
#include "cluster_probe.h"

#define CLUSTER_REFRESH_MIN_MS 100

/* The map was loaded anew (complete: every slot has an owner). */
typedef void (*cluster_view_cb)(void *arg);

struct cluster_view {
	struct cluster_map map;
	uv_loop_t *loop;	     /* borrowed */
	struct cluster_probe *probe; /* in flight */
	uv_timer_t timer;
	bool again; /* asked for while a probe ran */
	bool stopped;
	size_t first; /* rotates the probe's first candidate */
	int64_t last_ms;
	cluster_view_cb on_map;
	void *arg;
};

/* Fills v (embedded in its owner) with the seeds of cfg and starts
 * learning the map; on_map runs after every successful load. */
void cluster_view_init(struct cluster_view *v, uv_loop_t *loop,
		       const struct redis_config *cfg, cluster_view_cb on_map,
		       void *arg);
/* Asks for a refresh; a no-op once stopped. */
void cluster_view_refresh(struct cluster_view *v);
/* Stops refreshing; on_map is not called again. */
void cluster_view_stop(struct cluster_view *v);
/* Stops and closes the timer; closed(h) runs with h->data == arg. */
void cluster_view_close(struct cluster_view *v, uv_close_cb closed);

#endif
