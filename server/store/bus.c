/*
 * bus: channel registry over sharded pub/sub. A channel moves
 * IDLE -> SUBSCRIBING -> LIVE -> UNSUBSCRIBING -> freed (or back to
 * SUBSCRIBING when a subscriber arrived meanwhile); at most one
 * SSUBSCRIBE/SUNSUBSCRIBE per channel is in flight. Each channel is
 * subscribed on the link to its slot's owner: the one Redis, or in a
 * cluster the primary the slot map names (one link per such primary).
 *
 * Links are bus_link.c's raw connections, not hiredis async: hiredis 0.14
 * does not know SSUBSCRIBE (it files the callback on a list never popped
 * and drops smessage pushes for channels it did not register). With our
 * own reader every reply reaches on_reply, and the link's list of
 * commands owed a reply tells answers (and errors) from pushes.
 *
 * A channel drops back to IDLE when its link is lost, when Redis pushes
 * an unasked sunsubscribe (its slot moved away, or its primary became a
 * replica) or refuses the SSUBSCRIBE (MOVED); then, in a cluster, the map
 * is refreshed, and IDLE channels are subscribed again on their owner.
 * Every (re)subscription calls on_live, so subscribers refill.
 *
 * With Redis Sentinel there is one link, as with one Redis, to the
 * primary the sentinels name, asked again before every connect
 * (bus_sentinel.c, sentinel.c). The link counts as up only once ROLE says it
 * reached a primary; if not, it is dropped and the sentinels asked again. A
 * failover ends the old primary's connections (the sentinels' CLIENT
 * KILL, or its death), so link loss is what sends the bus to the new one.
 *
 * Liveness: a half-open link (no FIN, no RST) would stop live delivery
 * while commands still succeed, so every link is sent a PING each ping_ms
 * (answered ["pong", ""] in subscribed mode) and dropped when nothing has
 * come back for deadline_ms.
 */
#include "chat/store/bus.h"

#include <stdlib.h>
#include <string.h>

#include "bus_link.h"
#include "cluster_view.h"
#include "bus_sentinel.h"

#include "chat/common/hmap.h"
#include "chat/common/log.h"
#include "chat/common/util.h"

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
	struct bus_primary primary; /* where the one link goes */
	struct cluster_view *view;  /* cluster only */
	struct cluster_map *map;    /* cluster only: &view->map */
	struct bus_link *links[CLUSTER_NODES_MAX];
	size_t n_links;		/* open, including closing ones */
	struct hmap *channels;	/* name -> struct bus_channel, owned */
	uv_timer_t retry_timer; /* subscribes IDLE channels again */
	uv_timer_t ping_timer;
	int open_timers; /* while destroying */
	uint64_t backoff_ms;
	uint64_t ping_ms, deadline_ms;
};

static const struct bus_link_ops link_ops;
static void request_refresh(struct bus *bus);
static void on_retry(uv_timer_t *t);
static void resync(struct bus *bus);

static int owner_of(struct bus *bus, unsigned slot)
{
	return bus->cluster ? cluster_map_owner(bus->map, slot) : 0;
}

/* The sentinels named the primary: connect. */
static void on_named(void *arg)
{
	resync(arg);
}

/* No sentinel named the primary: ask again later. */
static void on_unnamed(void *arg)
{
	struct bus *bus = arg;

	log_warn("bus: no sentinel names the primary %s",
		 bus->primary.sentinels->master);
	uv_timer_start(&bus->retry_timer, on_retry, BUS_BACKOFF_MAX_MS, 0);
}

static struct bus_link *link_for(struct bus *bus, int node)
{
	const struct redis_addr *a;

	if (bus->links[node] || bus->stopping)
		return bus->links[node];
	a = bus->cluster ? &bus->map->nodes[node]
			 : bus_primary_addr(&bus->primary);
	if (!a)
		return NULL; /* the sentinels are asked */
	bus->links[node] = bus_link_open(bus->loop, a, node, &link_ops, bus);
	if (bus->links[node]) {
		bus->n_links++;
		return bus->links[node];
	}
	bus_primary_forget(&bus->primary);
	if (!uv_is_active((uv_handle_t *)&bus->retry_timer))
		uv_timer_start(&bus->retry_timer, on_retry, BUS_BACKOFF_MAX_MS,
			       0); /* cannot resolve the host: later */
	return NULL;
}

/* The link to node when it is up, opening it when there is none. */
static struct bus_link *up_link(struct bus *bus, int node)
{
	struct bus_link *l = node >= 0 ? link_for(bus, node) : NULL;

	if (!bus_primary_usable(&bus->primary))
		return NULL;
	return l && l->up ? l : NULL;
}

static void channel_free(struct bus *bus, struct bus_channel *ch)
{
	hmap_remove(bus->channels, ch->name);
	free(ch->name);
	free(ch);
}

/* SSUBSCRIBE on the slot's owner; the channel stays IDLE when that link
 * is not up yet (its on_up subscribes it). */
static void subscribe(struct bus *bus, struct bus_channel *ch)
{
	int node = owner_of(bus, ch->slot);
	struct bus_link *l = up_link(bus, node);

	if (node < 0)
		request_refresh(bus);
	if (!l || bus_link_send(l, "SSUBSCRIBE", ch->name))
		return;
	ch->state = CH_SUBSCRIBING;
	ch->node = node;
}

static void unsubscribe(struct bus *bus, struct bus_channel *ch)
{
	struct bus_link *l = bus->links[ch->node];

	if (l && bus_link_send(l, "SUNSUBSCRIBE", ch->name) == 0) {
		ch->state = CH_UNSUBSCRIBING;
		return;
	}
	channel_free(bus, ch); /* the link is going: nothing to undo */
}

static void channel_live(struct bus *bus, struct bus_channel *ch)
{
	struct bus_sub *s = ch->subs;

	ch->state = CH_LIVE;
	if (ch->n_subs == 0) {
		unsubscribe(bus, ch); /* everyone left meanwhile */
		return;
	}
	while (s) {
		struct bus_sub *next = s->next; /* on_live may remove s */

		s->on_live(s);
		s = next;
	}
}

static void channel_message(struct bus_channel *ch, const char *p, size_t n)
{
	struct bus_sub *s = ch->subs;

	while (s) {
		struct bus_sub *next = s->next;

		s->on_message(s, p, n);
		s = next;
	}
}

static void on_unsubscribed(struct bus *bus, struct bus_channel *ch)
{
	ch->state = CH_IDLE;
	ch->node = -1;
	if (ch->n_subs > 0)
		subscribe(bus, ch);
	else
		channel_free(bus, ch);
}

/* The channel is no longer subscribed where it was: try again once the
 * map says where it lives now. */
static void lost(struct bus *bus, struct bus_channel *ch)
{
	ch->state = CH_IDLE;
	ch->node = -1;
	if (bus->cluster)
		request_refresh(bus);
	if (!uv_is_active((uv_handle_t *)&bus->retry_timer) && !bus->stopping)
		uv_timer_start(&bus->retry_timer, on_retry, bus->backoff_ms, 0);
}

struct sweep {
	struct bus *bus;
	int node; /* -1: every channel */
	struct bus_channel **empty;
	size_t n_empty;
};

/* Subscribes an IDLE channel that has subscribers; marks channels of a
 * lost link IDLE; collects empty IDLE ones. */
static void sweep_one(const char *key, void *value, void *arg)
{
	struct bus_channel *ch = value;
	struct sweep *sw = arg;

	(void)key;
	if (sw->node >= 0 && ch->node == sw->node) {
		ch->state = CH_IDLE;
		ch->node = -1;
	}
	if (ch->state != CH_IDLE)
		return;
	if (ch->n_subs == 0)
		sw->empty[sw->n_empty++] = ch;
	else if (sw->node < 0)
		subscribe(sw->bus, ch);
}

static void sweep(struct bus *bus, int lost_node)
{
	struct sweep sw = {
		bus, lost_node,
		xcalloc(hmap_count(bus->channels) + 1, sizeof(*sw.empty)), 0};

	hmap_each(bus->channels, sweep_one, &sw);
	for (size_t i = 0; i < sw.n_empty; i++)
		channel_free(bus, sw.empty[i]);
	free(sw.empty);
}

/* Subscribes every IDLE channel where it belongs now. */
static void resync(struct bus *bus)
{
	if (bus->stopping)
		return;
	if (!bus->cluster)
		link_for(bus, 0); /* one Redis: the link is always kept */
	sweep(bus, -1);
}

static void on_retry(uv_timer_t *t)
{
	resync(t->data);
}

/* Subscribes what is waiting on a link that is up (and, with sentinels,
 * known to reach the primary). */
static void link_ready(struct bus *bus)
{
	bus->backoff_ms = BUS_BACKOFF_MIN_MS;
	log_info("bus: subscribed connection up, %zu channels",
		 hmap_count(bus->channels));
	resync(bus);
}

static void on_link_up(struct bus_link *l, void *arg)
{
	struct bus *bus = arg;

	if (bus->primary.sentinels)
		bus_link_send(l, "ROLE", NULL); /* on_role goes on */
	else
		link_ready(bus);
}

/* The answer to ROLE: ["master", offset, replicas] on a primary. */
static void on_role(struct bus *bus, struct bus_link *l, const redisReply *r)
{
	bus_link_pop(l);
	if (bus_primary_role(&bus->primary, r)) {
		link_ready(bus);
		return;
	}
	log_warn("bus: %s:%d is not the primary; asking the sentinels again",
		 l->addr.host, l->addr.port);
	bus_link_close(l);
}

static void maybe_free(struct bus *bus);

static void on_link_down(struct bus_link *l, void *arg)
{
	struct bus *bus = arg;
	bool was_up = l->ever_up && !bus->stopping;

	bus->links[l->node] = NULL;
	bus->n_links--;
	bus_primary_forget(&bus->primary);
	if (bus->destroyed) {
		maybe_free(bus);
		return;
	}
	sweep(bus, l->node);
	if (bus->stopping)
		return;
	if (was_up)
		log_warn("bus: connection lost; resubscribing");
	if (bus->cluster)
		request_refresh(bus);
	uv_timer_start(&bus->retry_timer, on_retry, bus->backoff_ms, 0);
	bus->backoff_ms *= 2;
	if (bus->backoff_ms > BUS_BACKOFF_MAX_MS)
		bus->backoff_ms = BUS_BACKOFF_MAX_MS;
}

/* Is the oldest command owed a reply "verb name"? */
static bool expecting(struct bus_link *l, const char *verb, const char *name)
{
	const struct bus_expect *e = bus_link_expected(l);

	return e && strcmp(e->verb, verb) == 0 &&
	       (!name || (e->arg && strcmp(e->arg, name) == 0));
}

/* ["sunsubscribe", channel, count]: our SUNSUBSCRIBE's answer, or a push
 * saying Redis dropped the subscription (the slot moved). */
static void on_sunsubscribe(struct bus *bus, struct bus_link *l,
			    struct bus_channel *ch, bool asked)
{
	if (!ch || ch->node != l->node)
		return;
	if (ch->state == CH_UNSUBSCRIBING) {
		on_unsubscribed(bus, ch);
	} else if (!asked) {
		log_info("bus: %s moved; subscribing where it lives now",
			 ch->name);
		lost(bus, ch);
	}
}

/* An error answers the oldest command owed a reply. */
static void on_error(struct bus *bus, struct bus_link *l, const char *err)
{
	const struct bus_expect *e = bus_link_expected(l);
	struct bus_channel *ch;
	enum redirect_kind kind;
	unsigned slot;
	char host[256];
	int port, node;

	if (!e || !e->arg || !(ch = hmap_get(bus->channels, e->arg)) ||
	    ch->node != l->node)
		return;
	if (strcmp(e->verb, "SUNSUBSCRIBE") == 0 &&
	    ch->state == CH_UNSUBSCRIBING) {
		on_unsubscribed(bus, ch); /* not subscribed there anyway */
		return;
	}
	if (strcmp(e->verb, "SSUBSCRIBE") != 0 || ch->state != CH_SUBSCRIBING)
		return;
	log_warn("bus: SSUBSCRIBE %s refused: %s", ch->name, err);
	kind = cluster_redirect_parse(err, &slot, host, sizeof(host), &port);
	if (bus->cluster && kind == REDIRECT_MOVED &&
	    (node = cluster_map_node(bus->map, host[0] ? host : l->addr.host,
				     port)) >= 0)
		bus->map->owner[slot] = (uint8_t)(node + 1);
	lost(bus, ch);
}

static bool is_str(const redisReply *r)
{
	return r->type == REDIS_REPLY_STRING;
}

static void on_push(struct bus *bus, struct bus_link *l, const redisReply *r)
{
	const char *kind = r->element[0]->str, *name = r->element[1]->str;
	struct bus_channel *ch = hmap_get(bus->channels, name);
	bool asked;

	if (strcmp(kind, "smessage") == 0 && is_str(r->element[2])) {
		if (ch && ch->state == CH_LIVE && ch->node == l->node)
			channel_message(ch, r->element[2]->str,
					r->element[2]->len);
	} else if (strcmp(kind, "ssubscribe") == 0) {
		if (expecting(l, "SSUBSCRIBE", name))
			bus_link_pop(l);
		if (ch && ch->state == CH_SUBSCRIBING && ch->node == l->node)
			channel_live(bus, ch);
	} else if (strcmp(kind, "sunsubscribe") == 0) {
		if ((asked = expecting(l, "SUNSUBSCRIBE", name)))
			bus_link_pop(l);
		on_sunsubscribe(bus, l, ch, asked);
	} else if (expecting(l,
			     strcmp(kind, "pong") == 0	       ? "PING"
			     : strcmp(kind, "psubscribe") == 0 ? "PSUBSCRIBE"
							       : "PUNSUBSCRIBE",
			     NULL)) {
		bus_link_pop(l); /* ["pong", ""], ["psubscribe", p, n]... */
	}
}

static void on_reply(struct bus_link *l, const redisReply *r, void *arg)
{
	struct bus *bus = arg;

	if (bus->primary.sentinels && expecting(l, "ROLE", NULL)) {
		on_role(bus, l, r);
		return;
	}
	if (r->type == REDIS_REPLY_ARRAY && r->elements >= 2 &&
	    is_str(r->element[0]) && is_str(r->element[1])) {
		if (r->elements >= 3)
			on_push(bus, l, r);
		else if (expecting(l, "PING", NULL))
			bus_link_pop(l);
		return;
	}
	if (r->type == REDIS_REPLY_ERROR)
		on_error(bus, l, r->str);
	bus_link_pop(l); /* +PONG before any subscription, or the error */
}

static const struct bus_link_ops link_ops = {
	.on_up = on_link_up,
	.on_reply = on_reply,
	.on_down = on_link_down,
};

static void on_ping(uv_timer_t *t)
{
	struct bus *bus = t->data;
	int64_t now = mono_ms(), quiet;

	for (size_t i = 0; i < CLUSTER_NODES_MAX; i++) {
		struct bus_link *l = bus->links[i];

		if (!l || l->closing)
			continue;
		quiet = now - l->last_heard_ms;
		if (quiet >= (int64_t)bus->deadline_ms) {
			log_warn("bus: no answer for %lld ms, reconnecting",
				 (long long)quiet);
			bus_link_close(l);
		} else if (l->up) {
			bus_link_send(l, "PING", NULL);
		}
	}
}

int bus_set_keepalive(struct bus *bus, uint64_t ping_ms, uint64_t deadline_ms)
{
	if (ping_ms == 0 || deadline_ms <= ping_ms)
		return -1;
	bus->ping_ms = ping_ms;
	bus->deadline_ms = deadline_ms;
	if (!bus->stopping)
		uv_timer_start(&bus->ping_timer, on_ping, ping_ms, ping_ms);
	return 0;
}

static void on_map(void *arg)
{
	resync(arg);
}

static void request_refresh(struct bus *bus)
{
	if (bus->cluster && !bus->stopping)
		cluster_view_refresh(bus->view);
}

struct bus *bus_create(uv_loop_t *loop, const struct redis_config *cfg)
{
	struct bus *bus = xcalloc(1, sizeof(*bus));

	bus->loop = loop;
	bus->cluster = cfg->cluster;
	bus_primary_init(&bus->primary, loop, cfg, on_named, on_unnamed, bus);
	bus->channels = hmap_create();
	bus->backoff_ms = BUS_BACKOFF_MIN_MS;
	uv_timer_init(loop, &bus->retry_timer);
	bus->retry_timer.data = bus;
	uv_timer_init(loop, &bus->ping_timer);
	bus->ping_timer.data = bus;
	bus_set_keepalive(bus, BUS_PING_MS, BUS_DEADLINE_MS);
	if (bus->cluster) {
		bus->view = xmalloc(sizeof(*bus->view));
		bus->map = &bus->view->map;
		cluster_view_init(bus->view, loop, cfg, on_map, bus);
	} else {
		link_for(bus, 0);
	}
	return bus;
}

/* Drops every link at once, as store_stop() does. */
void bus_stop(struct bus *bus)
{
	bus->stopping = true;
	uv_timer_stop(&bus->retry_timer);
	uv_timer_stop(&bus->ping_timer); /* a running timer keeps the loop up */
	bus_primary_stop(&bus->primary);
	if (bus->cluster)
		cluster_view_stop(bus->view);
	for (size_t i = 0; i < CLUSTER_NODES_MAX; i++)
		if (bus->links[i])
			bus_link_close(bus->links[i]);
}

static void free_channel_cb(const char *key, void *value, void *arg)
{
	struct bus_channel *ch = value;

	(void)key;
	(void)arg;
	free(ch->name);
	free(ch);
}

static void maybe_free(struct bus *bus)
{
	if (bus->open_timers > 0 || bus->n_links > 0)
		return;
	bus_primary_cleanup(&bus->primary);
	free(bus->view);
	free(bus);
}

static void on_timer_closed(uv_handle_t *h)
{
	struct bus *bus = h->data;

	bus->open_timers--;
	maybe_free(bus);
}

void bus_destroy(struct bus *bus)
{
	if (!bus)
		return;
	bus_stop(bus);
	bus->destroyed = true;
	hmap_each(bus->channels, free_channel_cb, NULL);
	hmap_destroy(bus->channels);
	bus->channels = NULL;
	bus->open_timers = 2;
	if (bus->cluster) {
		bus->open_timers++;
		cluster_view_close(bus->view, on_timer_closed);
	}
	uv_close((uv_handle_t *)&bus->retry_timer, on_timer_closed);
	uv_close((uv_handle_t *)&bus->ping_timer, on_timer_closed);
}

void bus_add(struct bus *bus, struct bus_sub *sub, const char *channel)
{
	struct bus_channel *ch = hmap_get(bus->channels, channel);

	if (!ch) {
		ch = xcalloc(1, sizeof(*ch));
		ch->name = xstrdup(channel);
		ch->slot = bus->cluster ? slot_of(channel, strlen(channel)) : 0;
		ch->state = CH_IDLE;
		ch->node = -1;
		hmap_put(bus->channels, channel, ch);
	}
	sub->channel = ch;
	sub->prev = NULL;
	sub->next = ch->subs;
	if (ch->subs)
		ch->subs->prev = sub;
	ch->subs = sub;
	ch->n_subs++;
	if (ch->state == CH_IDLE)
		subscribe(bus, ch);
	else if (ch->state == CH_LIVE)
		sub->on_live(sub);
}

void bus_remove(struct bus *bus, struct bus_sub *sub)
{
	struct bus_channel *ch = sub->channel;

	if (!ch)
		return;
	if (sub->prev)
		sub->prev->next = sub->next;
	else
		ch->subs = sub->next;
	if (sub->next)
		sub->next->prev = sub->prev;
	sub->channel = NULL;
	sub->next = sub->prev = NULL;
	if (--ch->n_subs > 0)
		return;
	if (ch->state == CH_LIVE)
		unsubscribe(bus, ch);
	else if (ch->state == CH_IDLE)
		channel_free(bus, ch);
	/* SUBSCRIBING/UNSUBSCRIBING: decided when the reply arrives */
}

bool bus_live(const struct bus_sub *sub)
{
	return sub->channel && sub->channel->state == CH_LIVE;
}
