/* bus_sentinel: where the bus connects; see bus_sentinel.h. */
#include "bus_sentinel.h"

#include <stdlib.h>
#include <string.h>

#include "chat/common/util.h"

void bus_primary_init(struct bus_primary *p, uv_loop_t *loop,
		      const struct redis_config *cfg, void (*on_named)(void *),
		      void (*on_unnamed)(void *), void *arg)
{
	memset(p, 0, sizeof(*p));
	p->loop = loop;
	p->addr = cfg->addrs[0];
	p->known = !cfg->sentinel;
	p->on_named = on_named;
	p->on_unnamed = on_unnamed;
	p->arg = arg;
	if (cfg->sentinel) {
		p->sentinels = xmalloc(sizeof(*p->sentinels));
		*p->sentinels = *cfg;
	}
}

void bus_primary_stop(struct bus_primary *p)
{
	sentinel_ask_cancel(p->asking);
	p->asking = NULL;
}

void bus_primary_cleanup(struct bus_primary *p)
{
	free(p->sentinels);
	p->sentinels = NULL;
}

static void on_primary_named(const struct redis_addr *primary, size_t which,
			     void *arg)
{
	struct bus_primary *p = arg;

	p->asking = NULL;
	if (!primary) {
		p->on_unnamed(p->arg);
		return;
	}
	p->named_by = p->ask_first = which; /* it answered: ask it first */
	p->addr = *primary;
	p->known = true;
	p->on_named(p->arg);
}

const struct redis_addr *bus_primary_addr(struct bus_primary *p)
{
	if (p->known)
		return &p->addr;
	if (!p->asking)
		p->asking =
			sentinel_ask_start(p->loop, p->sentinels, p->ask_first,
					   on_primary_named, p);
	return NULL;
}

bool bus_primary_usable(const struct bus_primary *p)
{
	return !p->sentinels || p->checked;
}

/* ["master", offset, replicas] on a primary. */
bool bus_primary_role(struct bus_primary *p, const redisReply *r)
{
	if (r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
	    r->element[0]->type == REDIS_REPLY_STRING &&
	    strcmp(r->element[0]->str, "master") == 0) {
		p->checked = true;
		return true;
	}
	p->ask_first = p->named_by + 1;
	return false;
}

void bus_primary_forget(struct bus_primary *p)
{
	if (p->sentinels)
		p->known = p->checked = false;
}
