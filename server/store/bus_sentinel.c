/*
 * bus_sentinel: with Redis Sentinel the bus has one link, to the primary
 * the sentinels name (asked again before every connect), and the link
 * counts as up only once ROLE says it reached a primary.
 */
#include "bus_priv.h"

#include <string.h>

#include "chat/common/log.h"

static void on_primary_named(const struct redis_addr *primary, size_t which,
			     void *arg)
{
	struct bus *bus = arg;

	bus->asking = NULL;
	if (!primary) {
		log_warn("bus: no sentinel names the primary %s",
			 bus->sentinels->master);
		uv_timer_start(&bus->retry_timer, bus_on_retry,
			       BUS_BACKOFF_MAX_MS, 0);
		return;
	}
	bus->named_by = bus->ask_first = which; /* it answered: ask it first */
	bus->addr = *primary;
	bus->addr_known = true;
	bus_resync(bus);
}

/* With sentinels, the address comes from them first. */
bool bus_addr_ready(struct bus *bus)
{
	if (!bus->sentinels || bus->addr_known)
		return true;
	if (!bus->asking)
		bus->asking = sentinel_ask_start(bus->loop, bus->sentinels,
						 bus->ask_first,
						 on_primary_named, bus);
	return false;
}

/* The answer to ROLE: ["master", offset, replicas] on a primary. */
void bus_on_role(struct bus *bus, struct bus_link *l, const redisReply *r)
{
	bus_link_pop(l);
	if (r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
	    r->element[0]->type == REDIS_REPLY_STRING &&
	    strcmp(r->element[0]->str, "master") == 0) {
		bus->primary_checked = true;
		bus_link_ready(bus);
		return;
	}
	log_warn("bus: %s:%d is not the primary; asking the sentinels again",
		 l->addr.host, l->addr.port);
	bus->ask_first = bus->named_by + 1; /* that sentinel may be stale */
	bus_link_close(l);
}
