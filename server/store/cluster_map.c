/*
 * cluster_map: slot table and node addresses of a Redis Cluster.
 * CLUSTER SLOTS (Redis 7.0) answers an array of ranges, each
 * [start, end, [host, port, id, ...], replica entries...]; only the first
 * entry of a range, its primary, owns the slots.
 */
#include "cluster_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cluster_map_init(struct cluster_map *m, const struct redis_addr *seeds,
		      size_t n)
{
	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < n && i < CLUSTER_NODES_MAX; i++)
		m->nodes[m->n_nodes++] = seeds[i];
}

int cluster_map_node(struct cluster_map *m, const char *host, int port)
{
	size_t hlen = strlen(host);

	for (size_t i = 0; i < m->n_nodes; i++)
		if (m->nodes[i].port == port && !m->nodes[i].path[0] &&
		    strcmp(m->nodes[i].host, host) == 0)
			return (int)i;
	if (m->n_nodes == CLUSTER_NODES_MAX || !hlen ||
	    hlen >= sizeof(m->nodes[0].host) || port < 1 || port > 65535)
		return -1;
	memset(&m->nodes[m->n_nodes], 0, sizeof(m->nodes[0]));
	memcpy(m->nodes[m->n_nodes].host, host, hlen + 1);
	m->nodes[m->n_nodes].port = port;
	return (int)m->n_nodes++;
}

static bool is_int(const redisReply *r)
{
	return r->type == REDIS_REPLY_INTEGER;
}

/* A node entry [host, port, ...]; returns its index or -1. */
static int entry_node(struct cluster_map *m, const redisReply *e)
{
	if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 ||
	    e->element[0]->type != REDIS_REPLY_STRING || !is_int(e->element[1]))
		return -1;
	return cluster_map_node(m, e->element[0]->str,
				(int)e->element[1]->integer);
}

int cluster_map_load(struct cluster_map *m, const redisReply *slots)
{
	uint8_t owner[SLOT_COUNT];
	size_t covered = 0;

	if (!slots || slots->type != REDIS_REPLY_ARRAY)
		return -1;
	memset(owner, 0, sizeof(owner));
	for (size_t i = 0; i < slots->elements; i++) {
		const redisReply *r = slots->element[i];
		long long lo, hi;
		int node;

		if (r->type != REDIS_REPLY_ARRAY || r->elements < 3 ||
		    !is_int(r->element[0]) || !is_int(r->element[1]))
			return -1;
		lo = r->element[0]->integer;
		hi = r->element[1]->integer;
		if (lo < 0 || hi >= SLOT_COUNT || lo > hi)
			return -1;
		if ((node = entry_node(m, r->element[2])) < 0)
			return -1;
		for (size_t j = 3; j < r->elements; j++)
			entry_node(m, r->element[j]); /* replicas: candidates */
		for (long long s = lo; s <= hi; s++)
			owner[s] = (uint8_t)(node + 1);
		covered += (size_t)(hi - lo + 1);
	}
	memcpy(m->owner, owner, sizeof(owner));
	m->complete = covered == SLOT_COUNT;
	return 0;
}

bool cluster_map_is_primary(const struct cluster_map *m, int i)
{
	uint8_t want = (uint8_t)(i + 1);

	for (size_t s = 0; s < SLOT_COUNT; s++)
		if (m->owner[s] == want)
			return true;
	return false;
}

enum redirect_kind cluster_redirect_parse(const char *err, unsigned *slot,
					  char *host, size_t hostcap, int *port)
{
	enum redirect_kind kind;
	const char *p, *colon;
	char *end;
	unsigned long s;
	long pt;

	if (strncmp(err, "MOVED ", 6) == 0)
		kind = REDIRECT_MOVED, p = err + 6;
	else if (strncmp(err, "ASK ", 4) == 0)
		kind = REDIRECT_ASK, p = err + 4;
	else
		return REDIRECT_NONE;
	s = strtoul(p, &end, 10);
	if (end == p || *end != ' ' || s >= SLOT_COUNT)
		return REDIRECT_NONE;
	p = end + 1;
	colon = strrchr(p, ':');
	if (!colon || (size_t)(colon - p) >= hostcap)
		return REDIRECT_NONE;
	pt = strtol(colon + 1, &end, 10);
	if (*end || pt < 1 || pt > 65535)
		return REDIRECT_NONE;
	memcpy(host, p, (size_t)(colon - p));
	host[colon - p] = '\0';
	*slot = (unsigned)s;
	*port = (int)pt;
	return kind;
}
