/*
 * cluster_map: which node owns which hash slot, as CLUSTER SLOTS tells it,
 * and the parsing of MOVED/ASK redirections. Pure data: no I/O. The node
 * table only grows (seeds first, then every node a reply names), so a
 * node's index stays valid for the map's life and owners of parallel
 * tables (the store's links, the bus's links) index them the same way.
 */
#ifndef CHAT_CLUSTER_MAP_H
#define CHAT_CLUSTER_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "chat/store/store.h"
#include "slot.h"

#define CLUSTER_NODES_MAX 64

struct cluster_map {
	uint8_t owner[SLOT_COUNT]; /* index in nodes + 1; 0: unknown */
	struct redis_addr nodes[CLUSTER_NODES_MAX];
	size_t n_nodes;
	bool complete; /* every slot has an owner */
};

/* Empties m and enters the seeds as its first nodes. */
void cluster_map_init(struct cluster_map *m, const struct redis_addr *seeds,
		      size_t n);
/* Returns the index of host:port, adding it when new; -1 when the table
 * is full or the address does not fit. */
int cluster_map_node(struct cluster_map *m, const char *host, int port);
/* Replaces the owners with a CLUSTER SLOTS reply (borrowed). Returns 0,
 * or -1 when the reply is malformed (m is left as it was). */
int cluster_map_load(struct cluster_map *m, const redisReply *slots);
/* The owner's index of slot, or -1 when unknown. */
static inline int cluster_map_owner(const struct cluster_map *m, unsigned slot)
{
	return (int)m->owner[slot] - 1;
}
/* Whether node i owns any slot. */
bool cluster_map_is_primary(const struct cluster_map *m, int i);

enum redirect_kind { REDIRECT_NONE, REDIRECT_MOVED, REDIRECT_ASK };
/* Parses "MOVED <slot> <host>:<port>" or "ASK ..." (an error reply's
 * text). An empty host (Redis 7 when it knows no address) is left empty:
 * the caller uses the host it asked. */
enum redirect_kind cluster_redirect_parse(const char *err, unsigned *slot,
					  char *host, size_t hostcap,
					  int *port);

#endif
