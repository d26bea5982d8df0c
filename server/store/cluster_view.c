/*
 * cluster_view: the refresh throttle around cluster_probe. A probe that
 * finds no complete map is retried CLUSTER_REFRESH_MIN_MS later, for as
 * long as the owner runs: during a failover the map may be incomplete
 * for a few seconds.
 */
#include "cluster_view.h"

#include "chat/common/log.h"
#include "chat/common/util.h"

static void on_slots(const redisReply *slots, void *arg)
{
	struct cluster_view *v = arg;

	v->probe = NULL;
	v->last_ms = mono_ms();
	if (slots && cluster_map_load(&v->map, slots) == 0) {
		v->on_map(v->arg);
	} else {
		log_warn("redis cluster: no node gave the slot map");
		v->again = true;
	}
	if (v->again)
		cluster_view_refresh(v);
}

static void on_timer(uv_timer_t *t)
{
	struct cluster_view *v = t->data;

	if (v->probe || v->stopped)
		return;
	v->again = false;
	v->probe = cluster_probe_start(v->loop, v->map.nodes, v->map.n_nodes,
				       v->first++, on_slots, v);
}

void cluster_view_refresh(struct cluster_view *v)
{
	int64_t wait;

	if (v->stopped)
		return;
	if (v->probe) {
		v->again = true;
		return;
	}
	if (uv_is_active((uv_handle_t *)&v->timer))
		return;
	wait = v->last_ms + CLUSTER_REFRESH_MIN_MS - mono_ms();
	uv_timer_start(&v->timer, on_timer, wait > 0 ? (uint64_t)wait : 0, 0);
}

void cluster_view_init(struct cluster_view *v, uv_loop_t *loop,
		       const struct redis_config *cfg, cluster_view_cb on_map,
		       void *arg)
{
	cluster_map_init(&v->map, cfg->addrs, cfg->n);
	v->loop = loop;
	v->probe = NULL;
	v->again = v->stopped = false;
	v->first = 0;
	v->last_ms = 0;
	v->on_map = on_map;
	v->arg = arg;
	uv_timer_init(loop, &v->timer);
	v->timer.data = v;
	cluster_view_refresh(v);
}

void cluster_view_stop(struct cluster_view *v)
{
	v->stopped = true;
	uv_timer_stop(&v->timer);
	if (v->probe)
		cluster_probe_cancel(v->probe);
	v->probe = NULL;
}

void cluster_view_close(struct cluster_view *v, uv_close_cb closed)
{
	cluster_view_stop(v);
	v->timer.data = v->arg;
	uv_close((uv_handle_t *)&v->timer, closed);
}
