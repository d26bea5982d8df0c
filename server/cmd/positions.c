/* positions: queue frames for the waiting customers here; see the
 * header. */
#include "positions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/hmap.h"
#include "chat/common/log.h"
#include "chat/common/util.h"
#include "chat/store/keys.h"
#include "chat/store/store.h"
#include "chat/support/policy.h"
#include "chat/support/queue.h"

#define SNAPSHOT_EVERY_MS 1000
/* An estimate is shown again only when it moved by this much: a wait
 * that drifts by seconds is not news. */
#define ETA_STEP_MS 15000

struct shown {
	unsigned position, waiting;
	int64_t eta_step;
	unsigned mark;
};

struct positions {
	uv_timer_t timer;
	struct cmd_ctx *ctx; /* borrowed */
	struct hmap *shown;  /* conv -> struct shown (owned) */
	int64_t last_ms;     /* mono_ms() of the last snapshot */
	unsigned mark;
	unsigned refs; /* the timer's and the snapshot in flight */
	bool want, all, busy, stopped;
	bool resend; /* this snapshot goes to everyone */
};

static void positions_unref(struct positions *p)
{
	if (--p->refs > 0)
		return;
	hmap_destroy(p->shown);
	free(p);
}

struct served {
	const char *class_key[POLICY_MAX_CLASSES];
	unsigned n[POLICY_MAX_CLASSES];
	size_t count;
};

static unsigned served_of(const struct served *s, const char *class_key,
			  size_t len)
{
	for (size_t i = 0; i < s->count; i++)
		if (strlen(s->class_key[i]) == len &&
		    memcmp(s->class_key[i], class_key, len) == 0)
			return s->n[i];
	return 0;
}

static void read_served(const redisReply *r, struct served *s)
{
	s->count = 0;
	for (size_t i = 0; i + 1 < r->elements && s->count < POLICY_MAX_CLASSES;
	     i += 2) {
		if (r->element[i]->type != REDIS_REPLY_STRING)
			continue;
		s->class_key[s->count] = r->element[i]->str;
		s->n[s->count++] = (unsigned)r->element[i + 1]->integer;
	}
}

/* One waiting conversation at position (1-based) of waiting. */
static void show(struct positions *p, const char *conv, const char *who,
		 unsigned position, unsigned waiting, const struct served *s)
{
	const struct cmd_hooks *h = &p->ctx->hooks;
	const char *colon = strchr(who, ':');
	struct shown *sh;
	int64_t eta;
	char class_key[POLICY_KEY_MAX + 1];

	if (!colon || !h->customer_here(h->arg, colon + 1))
		return;
	snprintf(class_key, sizeof(class_key), "%.*s", (int)(colon - who), who);
	eta = queue_eta_ms(p->ctx->policy, position,
			   served_of(s, who, (size_t)(colon - who)));
	sh = hmap_get(p->shown, conv);
	if (!sh) {
		sh = xcalloc(1, sizeof(*sh));
		hmap_put(p->shown, conv, sh);
	} else if (!p->resend && sh->position == position &&
		   sh->waiting == waiting &&
		   sh->eta_step == (eta < 0 ? -1 : eta / ETA_STEP_MS)) {
		sh->mark = p->mark;
		return;
	}
	sh->position = position;
	sh->waiting = waiting;
	sh->eta_step = eta < 0 ? -1 : eta / ETA_STEP_MS;
	sh->mark = p->mark;
	char *frame =
		proto_encode_queue(conv, position, waiting, eta, class_key);
	if (frame)
		h->to_customer(h->arg, colon + 1, frame, strlen(frame));
	free(frame);
}

struct stale {
	char **convs;
	size_t n, cap;
	unsigned mark;
};

static void find_stale(const char *conv, void *value, void *arg)
{
	struct stale *s = arg;
	const struct shown *sh = value;

	if (sh->mark == s->mark)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->convs = xrealloc(s->convs, s->cap * sizeof(*s->convs));
	}
	s->convs[s->n++] = xstrdup(conv);
}

/* Conversations no longer waiting are forgotten. */
static void forget_stale(struct positions *p)
{
	struct stale s = {.mark = p->mark};

	hmap_each(p->shown, find_stale, &s);
	for (size_t i = 0; i < s.n; i++) {
		free(hmap_remove(p->shown, s.convs[i]));
		free(s.convs[i]);
	}
	free(s.convs);
}

static void schedule(struct positions *p);

static void on_snapshot(struct store *st, redisReply *r, void *arg)
{
	struct positions *p = arg;
	struct served s;

	(void)st;
	p->busy = false;
	if (p->stopped || !r || r->type != REDIS_REPLY_ARRAY ||
	    r->elements != 3 || r->element[1]->type != REDIS_REPLY_ARRAY ||
	    r->element[2]->type != REDIS_REPLY_ARRAY) {
		if (r && r->type == REDIS_REPLY_ERROR)
			log_warn("positions: %s", r->str);
		positions_unref(p);
		return;
	}
	const redisReply *order = r->element[1];
	unsigned waiting = (unsigned)(order->elements / 2);

	read_served(r->element[2], &s);
	p->mark++;
	for (unsigned i = 0; i < waiting; i++) {
		const redisReply *c = order->element[2 * i],
				 *w = order->element[2 * i + 1];

		if (c->type == REDIS_REPLY_STRING &&
		    w->type == REDIS_REPLY_STRING)
			show(p, c->str, w->str, i + 1, waiting, &s);
	}
	forget_stale(p);
	schedule(p);
	positions_unref(p);
}

static void take(struct positions *p)
{
	struct key board = key_route_board(), prefix = key_route_prefix();
	char window[24];

	snprintf(window, sizeof(window), "%ld",
		 p->ctx->policy->service_window_ms);
	const char *argv[] = {board.s, prefix.s, window};
	p->want = false;
	p->resend = p->all;
	p->all = false;
	p->busy = true;
	p->last_ms = mono_ms();
	p->refs++;
	if (store_eval(p->ctx->store, SCRIPT_ROUTE_SNAPSHOT, on_snapshot, p, 1,
		       3, argv, NULL)) {
		p->busy = false;
		p->want = true; /* Redis is away: again when it is back */
		p->refs--;
	}
}

static void on_timer(uv_timer_t *t)
{
	struct positions *p = t->data;
	const struct cmd_hooks *h = &p->ctx->hooks;

	if (!p->want || p->busy || p->stopped)
		return;
	/* Nobody here to tell: a customer who connects asks again. */
	if (!h->any_customer(h->arg)) {
		p->want = false;
		return;
	}
	take(p);
}

static void schedule(struct positions *p)
{
	int64_t wait;

	if (!p->want || p->busy || p->stopped)
		return;
	wait = p->last_ms + SNAPSHOT_EVERY_MS - mono_ms();
	uv_timer_start(&p->timer, on_timer, wait > 0 ? (uint64_t)wait : 0, 0);
}

void positions_wanted(struct positions *p, bool all)
{
	if (!p || p->stopped)
		return;
	p->want = true;
	p->all = p->all || all;
	schedule(p);
}

struct positions *positions_create(uv_loop_t *loop, struct cmd_ctx *ctx)
{
	struct positions *p = xcalloc(1, sizeof(*p));

	p->ctx = ctx;
	p->shown = hmap_create();
	p->refs = 1;
	p->last_ms = mono_ms() - SNAPSHOT_EVERY_MS;
	uv_timer_init(loop, &p->timer);
	p->timer.data = p;
	return p;
}

static void free_shown(const char *key, void *value, void *arg)
{
	(void)key;
	(void)arg;
	free(value);
}

static void on_closed(uv_handle_t *h)
{
	struct positions *p = h->data;

	hmap_each(p->shown, free_shown, NULL);
	hmap_destroy(p->shown);
	p->shown = hmap_create();
	positions_unref(p);
}

void positions_destroy(struct positions *p)
{
	if (!p)
		return;
	p->stopped = true;
	uv_close((uv_handle_t *)&p->timer, on_closed);
}
