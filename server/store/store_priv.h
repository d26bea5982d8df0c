/*
 * The store's state, shared by its files: store.c (API, one Redis),
 * route.c (cluster routing, redirections, slot-map refresh) and wait.c
 * (grouped WAIT). Not for other folders.
 */
#ifndef CHAT_STORE_PRIV_H
#define CHAT_STORE_PRIV_H

#include "chat/store/store.h"

#include "cluster_map.h"
#include "cluster_view.h"
#include "link.h"

struct route_cmd;
struct route_order;

struct store {
	uv_loop_t *loop; /* borrowed */
	bool cluster;
	bool ready;	 /* single: the link is ready; cluster: every primary */
	bool ever_ready; /* cluster: the map was learned, links came up */
	bool stopping;
	struct link *links[CLUSTER_NODES_MAX];	/* by map node; single: [0] */
	struct cluster_view *view;		/* cluster only */
	struct cluster_map *map;		/* cluster only: &view->map */
	uv_timer_t retry_timer;			/* resends parked commands */
	struct route_cmd *parked, *parked_tail; /* waiting for a retry */
	struct route_order *order;		/* cluster only */
	uv_timer_t watchdog;
	int open_timers;	/* while destroying */
	size_t pending;		/* callbacks owed to callers */
	struct link *answering; /* the link whose reply is being handled */
	store_state_cb on_state;
	void *state_arg;
};

void store_set_ready(struct store *st, bool ready);
/* Formats argv as RESP into buf (cap bytes) or a heap buffer returned in
 * *heap; returns the length. */
size_t store_format(char *buf, size_t cap, char **heap, int argc,
		    const char **argv, const size_t *lens);

/* route.c */
void route_init(struct store *st, const struct redis_config *cfg);
void route_cleanup(struct store *st);
int route_command(struct store *st, store_reply_cb cb, void *arg, int argc,
		  const char **argv, const size_t *lens);
struct link *route_link_of(struct store *st, const char *key, size_t len);

#endif
