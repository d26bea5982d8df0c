/*
 * bus: channel registry and the SUBSCRIBE connection. A channel moves
 * SUBSCRIBING -> LIVE -> UNSUBSCRIBING -> freed (or back to SUBSCRIBING when
 * a subscriber arrived meanwhile); at most one SUBSCRIBE/UNSUBSCRIBE per
 * channel is in flight, which keeps hiredis's per-channel callback table
 * consistent. After a reconnect every channel is subscribed again.
 *
 * Liveness: a half-open link (no FIN, no RST) would stop live delivery
 * while commands on the store's connection still succeed, so the bus
 * probes its own link every ping_ms and drops it when nothing has come
 * back for deadline_ms. The probe is a SUBSCRIBE of chan_bus_probe(), which
 * Redis answers every time, not a PING: in subscribed mode hiredis 0.14
 * queues a PING's callback on a list that only non-array replies pop (it
 * runs once, with NULL, when the link is freed, so the list grows by one
 * per probe), and routes the ["pong", ""] reply like a pattern message:
 * not found, it goes to whatever callback the previous reply of the same
 * read used, or nowhere. A SUBSCRIBE answer reaches its channel's
 * callback. Keeping the probe subscribed also keeps the link in
 * subscribed mode for good, where every reply is an array.
 */
#include "chat/store/bus.h"
#include "chat/store/keys.h"

#include <stdlib.h>
#include <string.h>

#include "redis_uv.h"
#include <hiredis/async.h>

#include "chat/common/hmap.h"
#include "chat/common/log.h"
#include "chat/common/util.h"

enum channel_state { CH_IDLE, CH_SUBSCRIBING, CH_LIVE, CH_UNSUBSCRIBING };

struct bus_channel {
	char *name;
	enum channel_state state;
	struct bus_sub *subs; /* doubly linked, borrowed */
	size_t n_subs;
};

struct bus {
	uv_loop_t *loop;
	struct redis_addr addr;
	redisAsyncContext *ac;
	bool connected, stopping;
	struct hmap *channels; /* name -> struct bus_channel, owned */
	uv_timer_t retry_timer;
	uv_timer_t ping_timer;
	int open_timers; /* while destroying */
	uint64_t backoff_ms;
	uint64_t ping_ms, deadline_ms;
	int64_t last_heard_ms; /* mono_ms() of the last reply or connect */
	struct key probe;      /* the liveness probe's channel */
	char *pattern;	       /* NULL: none */
	bus_pattern_cb on_pattern;
	void *pattern_arg;
};

static void bus_connect(struct bus *bus);
static void on_sub_reply(redisAsyncContext *ac, void *r, void *privdata);

/* (P)SUBSCRIBE or (P)UNSUBSCRIBE name, when connected. Returns whether it
 * was sent. */
static bool send_sub_command(struct bus *bus, const char *cmd, const char *name)
{
	const char *argv[2] = {cmd, name};

	if (!bus->connected || !bus->ac)
		return false;
	redisAsyncCommandArgv(bus->ac, on_sub_reply, bus, 2, argv, NULL);
	return true;
}

static void send_cmd(struct bus *bus, const char *cmd, struct bus_channel *ch)
{
	if (!send_sub_command(bus, cmd, ch->name))
		return;
	ch->state = strcmp(cmd, "SUBSCRIBE") == 0 ? CH_SUBSCRIBING
						  : CH_UNSUBSCRIBING;
}

static void channel_free(struct bus *bus, struct bus_channel *ch)
{
	hmap_remove(bus->channels, ch->name);
	free(ch->name);
	free(ch);
}

static void channel_live(struct bus *bus, struct bus_channel *ch)
{
	struct bus_sub *s = ch->subs;

	ch->state = CH_LIVE;
	if (ch->n_subs == 0) {
		send_cmd(bus, "UNSUBSCRIBE", ch); /* everyone left meanwhile */
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
	if (ch->n_subs > 0)
		send_cmd(bus, "SUBSCRIBE", ch);
	else
		channel_free(bus, ch);
}

static void send_psubscribe(struct bus *bus)
{
	if (bus->pattern)
		send_sub_command(bus, "PSUBSCRIBE", bus->pattern);
}

/* ["pmessage", pattern, channel, payload] */
static void on_pmessage(struct bus *bus, const redisReply *reply)
{
	if (reply->elements == 4 &&
	    reply->element[2]->type == REDIS_REPLY_STRING &&
	    reply->element[3]->type == REDIS_REPLY_STRING && bus->on_pattern)
		bus->on_pattern(reply->element[2]->str, reply->element[3]->str,
				reply->element[3]->len, bus->pattern_arg);
}

static void on_sub_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct bus *bus = privdata;
	redisReply *reply = r;
	struct bus_channel *ch;
	const char *kind;

	(void)ac;
	if (!reply)
		return; /* the link is going away */
	bus->last_heard_ms = mono_ms();
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 3 ||
	    reply->element[0]->type != REDIS_REPLY_STRING ||
	    reply->element[1]->type != REDIS_REPLY_STRING ||
	    strcmp(reply->element[1]->str, bus->probe.s) == 0)
		return;
	kind = reply->element[0]->str;
	if (strcmp(kind, "pmessage") == 0) {
		on_pmessage(bus, reply);
		return;
	}
	ch = hmap_get(bus->channels, reply->element[1]->str);
	if (!ch)
		return;
	if (strcmp(kind, "message") == 0 && ch->state == CH_LIVE)
		channel_message(ch, reply->element[2]->str,
				reply->element[2]->len);
	else if (strcmp(kind, "subscribe") == 0 && ch->state == CH_SUBSCRIBING)
		channel_live(bus, ch);
	else if (strcmp(kind, "unsubscribe") == 0 &&
		 ch->state == CH_UNSUBSCRIBING)
		on_unsubscribed(bus, ch);
}

static void resubscribe_one(const char *key, void *value, void *arg)
{
	struct bus_channel *ch = value;

	(void)key;
	send_cmd(arg, "SUBSCRIBE", ch);
}

static void mark_idle(const char *key, void *value, void *arg)
{
	struct bus_channel *ch = value;

	(void)key;
	(void)arg;
	ch->state = CH_IDLE;
}

struct empty_list {
	struct bus_channel **items;
	size_t n;
};

static void collect_empty(const char *key, void *value, void *arg)
{
	struct bus_channel *ch = value;
	struct empty_list *l = arg;

	(void)key;
	if (ch->n_subs == 0)
		l->items[l->n++] = ch;
}

/* Frees channels nobody wants any more (their UNSUBSCRIBE was in flight
 * when the link broke). */
static void drop_empty(struct bus *bus)
{
	struct empty_list l = {
		xcalloc(hmap_count(bus->channels) + 1, sizeof(*l.items)), 0};

	hmap_each(bus->channels, collect_empty, &l);
	for (size_t i = 0; i < l.n; i++)
		channel_free(bus, l.items[i]);
	free(l.items);
}

static void on_retry(uv_timer_t *t)
{
	bus_connect(t->data);
}

static void on_connect(const redisAsyncContext *ac, int status)
{
	struct bus *bus = ac->data;

	if (status != REDIS_OK) {
		bus->ac = NULL;
		if (!bus->stopping)
			uv_timer_start(&bus->retry_timer, on_retry,
				       bus->backoff_ms, 0);
		bus->backoff_ms =
			bus->backoff_ms < 1000 ? bus->backoff_ms * 2 : 2000;
		return;
	}
	bus->connected = true;
	bus->backoff_ms = 50;
	bus->last_heard_ms = mono_ms();
	send_sub_command(bus, "SUBSCRIBE", bus->probe.s);
	log_info("bus: subscribed connection up, %zu channels",
		 hmap_count(bus->channels));
	hmap_each(bus->channels, resubscribe_one, bus);
	send_psubscribe(bus);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
	struct bus *bus = ac->data;

	(void)status;
	bus->ac = NULL;
	bus->connected = false;
	hmap_each(bus->channels, mark_idle, NULL);
	drop_empty(bus);
	if (!bus->stopping) {
		log_warn("bus: connection lost; resubscribing");
		uv_timer_start(&bus->retry_timer, on_retry, bus->backoff_ms, 0);
	}
}

/* Drops the link now; the retry timer brings a new one. A context that
 * never connected is freed by hiredis without a callback, so its retry
 * is scheduled here. */
static void drop_link(struct bus *bus)
{
	bool was_connected = bus->connected;

	redisAsyncFree(bus->ac); /* connected: -> on_disconnect */
	if (was_connected)
		return;
	bus->ac = NULL;
	uv_timer_start(&bus->retry_timer, on_retry, bus->backoff_ms, 0);
}

static void on_ping(uv_timer_t *t)
{
	struct bus *bus = t->data;
	int64_t quiet;

	if (!bus->ac)
		return;
	quiet = mono_ms() - bus->last_heard_ms;
	if (quiet >= (int64_t)bus->deadline_ms) {
		log_warn("bus: no answer for %lld ms, reconnecting",
			 (long long)quiet);
		drop_link(bus);
		return;
	}
	send_sub_command(bus, "SUBSCRIBE", bus->probe.s);
}

static void bus_connect(struct bus *bus)
{
	redisAsyncContext *ac =
		bus->addr.path[0]
			? redisAsyncConnectUnix(bus->addr.path)
			: redisAsyncConnect(bus->addr.host, bus->addr.port);

	if (!ac || ac->err || redis_uv_attach(ac, bus->loop)) {
		if (ac)
			redisAsyncFree(ac);
		uv_timer_start(&bus->retry_timer, on_retry, 500, 0);
		return;
	}
	ac->data = bus;
	bus->ac = ac;
	bus->last_heard_ms = mono_ms(); /* the connect has a deadline too */
	redisAsyncSetConnectCallback(ac, on_connect);
	redisAsyncSetDisconnectCallback(ac, on_disconnect);
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

struct bus *bus_create(uv_loop_t *loop, const struct redis_config *cfg)
{
	struct bus *bus = xcalloc(1, sizeof(*bus));

	bus->loop = loop;
	bus->addr = cfg->addrs[0];
	bus->probe = chan_bus_probe();
	bus->channels = hmap_create();
	bus->backoff_ms = 50;
	uv_timer_init(loop, &bus->retry_timer);
	bus->retry_timer.data = bus;
	uv_timer_init(loop, &bus->ping_timer);
	bus->ping_timer.data = bus;
	bus_set_keepalive(bus, BUS_PING_MS, BUS_DEADLINE_MS);
	bus_connect(bus);
	return bus;
}

/* Drops the connection at once, as store_stop() does. */
void bus_stop(struct bus *bus)
{
	bus->stopping = true;
	uv_timer_stop(&bus->retry_timer);
	uv_timer_stop(&bus->ping_timer); /* a running timer keeps the loop up */
	if (bus->ac)
		redisAsyncFree(bus->ac); /* -> on_disconnect when connected */
	bus->ac = NULL;
}

static void free_channel_cb(const char *key, void *value, void *arg)
{
	struct bus_channel *ch = value;

	(void)key;
	(void)arg;
	free(ch->name);
	free(ch);
}

static void on_timer_closed(uv_handle_t *h)
{
	struct bus *bus = h->data;

	if (--bus->open_timers == 0)
		free(bus);
}

void bus_destroy(struct bus *bus)
{
	if (!bus)
		return;
	bus->stopping = true;
	if (bus->ac)
		redisAsyncFree(bus->ac);
	hmap_each(bus->channels, free_channel_cb, NULL);
	hmap_destroy(bus->channels);
	free(bus->pattern);
	bus->open_timers = 2;
	uv_close((uv_handle_t *)&bus->retry_timer, on_timer_closed);
	uv_close((uv_handle_t *)&bus->ping_timer, on_timer_closed);
}

void bus_add(struct bus *bus, struct bus_sub *sub, const char *channel)
{
	struct bus_channel *ch = hmap_get(bus->channels, channel);

	if (!ch) {
		ch = xcalloc(1, sizeof(*ch));
		ch->name = xstrdup(channel);
		ch->state = CH_IDLE;
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
		send_cmd(bus, "SUBSCRIBE", ch);
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
		send_cmd(bus, "UNSUBSCRIBE", ch);
	else if (ch->state == CH_IDLE)
		channel_free(bus, ch);
	/* SUBSCRIBING/UNSUBSCRIBING: decided when the reply arrives */
}

bool bus_live(const struct bus_sub *sub)
{
	return sub->channel && sub->channel->state == CH_LIVE;
}

void bus_punsubscribe(struct bus *bus)
{
	if (!bus->pattern)
		return;
	send_sub_command(bus, "PUNSUBSCRIBE", bus->pattern);
	free(bus->pattern);
	bus->pattern = NULL;
	bus->on_pattern = NULL;
	bus->pattern_arg = NULL;
}

void bus_psubscribe(struct bus *bus, const char *pattern, bus_pattern_cb cb,
		    void *arg)
{
	free(bus->pattern);
	bus->pattern = xstrdup(pattern);
	bus->on_pattern = cb;
	bus->pattern_arg = arg;
	send_psubscribe(bus);
}
