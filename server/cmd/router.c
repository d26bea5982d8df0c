/*
 * router: the node's part in routing; see chat/cmd/router.h. The timers
 * and the notices live here; what an agent or a customer is shown is
 * built by route_notice.c and positions.c.
 */
#include "chat/cmd/router.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/hmap.h"
#include "chat/common/log.h"
#include "chat/common/util.h"
#include "chat/store/bus.h"
#include "chat/store/keys.h"
#include "chat/store/store.h"
#include "chat/support/policy.h"
#include "positions.h"
#include "routing.h"
#include "route_notice.h"

#define TICK_MS 500
#define KICK_MS 20
#define BEAT_MAX_MS 5000
#define PER_QUEUE "200" /* conversations looked at per skill queue */
#define BEAT_CHUNK 60

struct router {
	struct bus_sub sub; /* first: the notices channel */
	uv_timer_t tick, kick, beat;
	uv_loop_t *loop;
	struct cmd_ctx *ctx;	  /* borrowed */
	struct hmap *agents_here; /* agent id -> connections here (uintptr) */
	struct positions *positions;
	struct route_notice *notice;
	uint64_t beat_ms;
	int64_t ready_since; /* mono_ms() Redis answered from; 0 = not now */
	unsigned refs;	     /* the handles' and each command's in flight */
	bool ticking, kicked, stopped;
};

static void beat(struct router *r);

static void router_unref(struct router *r)
{
	if (--r->refs > 0)
		return;
	hmap_destroy(r->agents_here);
	free(r);
}

static void on_tick_reply(struct store *st, redisReply *reply, void *arg)
{
	struct router *r = arg;

	(void)st;
	r->ticking = false;
	if (reply && reply->type == REDIS_REPLY_ERROR)
		log_warn("router: tick: %s", reply->str);
	else if (reply && reply->type == REDIS_REPLY_ARRAY && !r->stopped)
		routing_apply_all(r->ctx, reply, 1, NULL, NULL);
	router_unref(r);
}

/* Agents may be marked gone only once every node has had time to send
 * its heartbeats since Redis came back: after an outage longer than the
 * grace period every heartbeat is old, not every agent gone. This node
 * sends its own first, on the same connection, before its first tick. */
static bool may_reap(struct router *r)
{
	if (!r->ready_since) {
		r->ready_since = mono_ms();
		beat(r);
	}
	return mono_ms() - r->ready_since >= (int64_t)(2 * r->beat_ms);
}

static void run_tick(struct router *r)
{
	const struct policy *p = r->ctx->policy;
	struct key board = key_route_board(), prefix = key_route_prefix();
	char grace[24], offer[24], fresh[24];

	if (!store_ready(r->ctx->store))
		r->ready_since = 0;
	if (r->ticking || r->stopped || !store_ready(r->ctx->store))
		return;
	snprintf(grace, sizeof(grace), "%ld", p->presence_grace_ms);
	snprintf(offer, sizeof(offer), "%ld", p->offer_timeout_ms);
	/* Offers go to agents whose heartbeat is recent: one who lost every
	 * connection is not offered chats for the rest of the grace period. */
	snprintf(fresh, sizeof(fresh), "%llu",
		 (unsigned long long)(2 * r->beat_ms + 1000));
	const char *argv[] = {board.s,
			      prefix.s,
			      grace,
			      offer,
			      PER_QUEUE,
			      fresh,
			      may_reap(r) ? "1" : "0"};
	r->refs++;
	r->ticking = true;
	if (store_eval(r->ctx->store, SCRIPT_ROUTE_TICK, on_tick_reply, r, 1, 7,
		       argv, NULL)) {
		r->ticking = false;
		r->refs--;
	}
}

static void on_tick(uv_timer_t *t)
{
	run_tick(t->data);
}

static void on_kick(uv_timer_t *t)
{
	struct router *r = t->data;

	r->kicked = false;
	run_tick(r);
}

void router_kick(struct router *r)
{
	if (!r || r->kicked || r->stopped)
		return;
	r->kicked = true;
	uv_timer_start(&r->kick, on_kick, KICK_MS, 0);
}

static void on_beat_reply(struct store *st, redisReply *reply, void *arg)
{
	struct router *r = arg;

	(void)st;
	if (reply && reply->type == REDIS_REPLY_INTEGER && reply->integer > 0)
		router_kick(r);
	router_unref(r);
}

struct beat {
	struct router *r;
	const char *argv[2 + BEAT_CHUNK];
	int argc;
};

static void beat_flush(struct beat *b)
{
	if (b->argc <= 2)
		return;
	b->r->refs++;
	if (store_eval(b->r->ctx->store, SCRIPT_ROUTE_SEEN, on_beat_reply, b->r,
		       1, b->argc, b->argv, NULL))
		b->r->refs--;
	b->argc = 2;
}

static void beat_one(const char *id, void *value, void *arg)
{
	struct beat *b = arg;

	(void)value;
	b->argv[b->argc++] = id;
	if (b->argc == 2 + BEAT_CHUNK)
		beat_flush(b);
}

static void beat(struct router *r)
{
	struct key board = key_route_board(), prefix = key_route_prefix();
	struct beat b = {.r = r, .argv = {board.s, prefix.s}, .argc = 2};

	if (!store_ready(r->ctx->store))
		return;
	hmap_each(r->agents_here, beat_one, &b);
	beat_flush(&b);
}

static void on_beat(uv_timer_t *t)
{
	beat(t->data);
}

/* An agent connecting here, waiting for their record's answer. */
struct connecting {
	struct router *r;
	char id[PROTO_USER_ID_MAX + 1];
};

static void on_connected_reply(struct store *st, redisReply *reply, void *arg)
{
	struct connecting *c = arg;
	struct router *r = c->r;

	(void)st;
	if (reply && reply->type == REDIS_REPLY_ARRAY && reply->elements >= 2 &&
	    reply->element[1]->type == REDIS_REPLY_STRING && !r->stopped)
		route_notice_offers(r->notice, c->id, reply->element[1]->str);
	free(c);
	router_kick(r);
	router_unref(r);
}

void router_agent_connected(struct router *r, const struct actor *a)
{
	uintptr_t n;

	if (!r || r->stopped)
		return;
	struct connecting *c;

	n = (uintptr_t)hmap_get(r->agents_here, a->id);
	hmap_put(r->agents_here, a->id, (void *)(n + 1));
	c = xcalloc(1, sizeof(*c));
	c->r = r;
	snprintf(c->id, sizeof(c->id), "%s", a->id);
	r->refs++;
	/* The agent's pending offers come back in the answer: a new console
	 * shows them at once. */
	if (routing_presence(r->ctx, a, "", on_connected_reply, c)) {
		r->refs--;
		free(c);
	}
}

void router_agent_gone(struct router *r, const char *id)
{
	uintptr_t n;

	if (!r)
		return;
	n = (uintptr_t)hmap_get(r->agents_here, id);
	if (n > 1)
		hmap_put(r->agents_here, id, (void *)(n - 1));
	else
		hmap_remove(r->agents_here, id);
}

void router_customer_connected(struct router *r)
{
	if (r && !r->stopped)
		positions_wanted(r->positions, true);
}

/* Notices: 'Q' + version (the queue changed), 'P' + agent (presence or
 * load changed), 'U' + length + user + what (an offer, or its end). */
static void on_notice(struct bus_sub *sub, const char *payload, size_t len)
{
	struct router *r = (struct router *)sub;

	if (len < 1 || r->stopped)
		return;
	switch (payload[0]) {
	case 'Q':
		positions_wanted(r->positions, false);
		router_kick(r);
		break;
	case 'P':
		/* No tick for these: the node that changed the agent ticks, and
		 * so does everyone's timer; offers made by ticks announce
		 * agents too, and ticking on them would multiply the work. */
		route_notice_agent(r->notice, payload + 1, len - 1);
		break;
	case 'U':
		route_notice_user(r->notice, payload + 1, len - 1);
		break;
	default:
		break; /* a newer release's notice */
	}
}

static void resend_offers(const char *id, void *value, void *arg)
{
	(void)value;
	route_notice_pending(arg, id);
}

/* Subscribed (again): notices may have been missed: the agents here get
 * their pending offers again, the customers their positions. */
static void on_live(struct bus_sub *sub)
{
	struct router *r = (struct router *)sub;

	hmap_each(r->agents_here, resend_offers, r->notice);
	positions_wanted(r->positions, true);
	router_kick(r);
}

static uint64_t beat_ms(const struct policy *p)
{
	uint64_t ms = (uint64_t)p->presence_grace_ms / 3;

	if (ms > BEAT_MAX_MS)
		ms = BEAT_MAX_MS;
	return ms < 100 ? 100 : ms;
}

struct router *router_create(uv_loop_t *loop, struct cmd_ctx *ctx)
{
	struct router *r = xcalloc(1, sizeof(*r));
	struct key ch = chan_route();

	r->loop = loop;
	r->ctx = ctx;
	r->agents_here = hmap_create();
	r->positions = positions_create(loop, ctx);
	r->notice = route_notice_create(loop, ctx);
	r->refs = 4; /* the three timers and the subscription */
	r->beat_ms = beat_ms(ctx->policy);
	uv_timer_init(loop, &r->tick);
	uv_timer_init(loop, &r->kick);
	uv_timer_init(loop, &r->beat);
	r->tick.data = r->kick.data = r->beat.data = r;
	uv_timer_start(&r->tick, on_tick, TICK_MS, TICK_MS);
	uv_timer_start(&r->beat, on_beat, r->beat_ms, r->beat_ms);
	r->sub.on_message = on_notice;
	r->sub.on_live = on_live;
	bus_add(ctx->bus, &r->sub, ch.s);
	ctx->router = r;
	return r;
}

static void on_closed(uv_handle_t *h)
{
	router_unref(h->data);
}

void router_destroy(struct router *r)
{
	if (!r)
		return;
	r->stopped = true;
	r->ctx->router = NULL;
	bus_remove(r->ctx->bus, &r->sub);
	positions_destroy(r->positions);
	route_notice_destroy(r->notice);
	uv_close((uv_handle_t *)&r->tick, on_closed);
	uv_close((uv_handle_t *)&r->kick, on_closed);
	uv_close((uv_handle_t *)&r->beat, on_closed);
	router_unref(r); /* the subscription's */
}
