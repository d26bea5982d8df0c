/*
 * cluster_probe: one hiredis async connection at a time, each with a
 * PROBE_NODE_MS deadline (a stopped node neither answers nor refuses).
 * hiredis frees a context itself after a failed connect and after the
 * disconnect callback, so the probe moves on from those callbacks and
 * frees itself only once no context of its own is left.
 */
#include "cluster_probe.h"

#include <stdlib.h>
#include <string.h>

#include "redis_uv.h"
#include <hiredis/async.h>

#include "chat/common/log.h"
#include "chat/common/util.h"

struct cluster_probe {
	uv_loop_t *loop;
	struct redis_addr *cands;
	size_t n, next, tried;
	redisAsyncContext *ac;
	uv_timer_t deadline;
	cluster_probe_cb cb;
	void *arg;
	bool done; /* cb called or cancelled */
};

static void try_next(struct cluster_probe *p);

static void on_closed(uv_handle_t *h)
{
	struct cluster_probe *p = h->data;

	free(p->cands);
	free(p);
}

/* Frees p once its connection is gone. */
static void finish(struct cluster_probe *p)
{
	uv_timer_stop(&p->deadline);
	if (!p->ac)
		uv_close((uv_handle_t *)&p->deadline, on_closed);
}

static void answer(struct cluster_probe *p, const redisReply *slots)
{
	if (p->done)
		return;
	p->done = true;
	p->cb(slots, p->arg);
}

static bool covers_all(const redisReply *r)
{
	size_t covered = 0;

	if (!r || r->type != REDIS_REPLY_ARRAY)
		return false;
	for (size_t i = 0; i < r->elements; i++) {
		const redisReply *e = r->element[i];

		if (e->type != REDIS_REPLY_ARRAY || e->elements < 3 ||
		    e->element[0]->type != REDIS_REPLY_INTEGER ||
		    e->element[1]->type != REDIS_REPLY_INTEGER)
			return false;
		covered += (size_t)(e->element[1]->integer -
				    e->element[0]->integer + 1);
	}
	return covered == SLOT_COUNT;
}

static void on_slots(redisAsyncContext *ac, void *r, void *privdata)
{
	struct cluster_probe *p = privdata;

	if (!r || p->done)
		return;
	if (covers_all(r)) {
		answer(p, r);
		uv_timer_stop(&p->deadline);
	}
	redisAsyncDisconnect(ac); /* -> on_disconnect: next or finish */
}

static void on_connect(const redisAsyncContext *ac, int status)
{
	struct cluster_probe *p = ac->data;

	if (status == REDIS_OK)
		return;
	p->ac = NULL; /* hiredis frees it */
	if (p->done)
		finish(p);
	else
		try_next(p);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
	struct cluster_probe *p = ac->data;

	(void)status;
	p->ac = NULL;
	if (p->done)
		finish(p);
	else
		try_next(p);
}

static void on_deadline(uv_timer_t *t)
{
	struct cluster_probe *p = t->data;
	redisAsyncContext *ac = p->ac;
	bool connected = ac && (ac->c.flags & REDIS_CONNECTED);

	if (!ac)
		return;
	redisAsyncFree(ac); /* connected: -> on_disconnect */
	if (!connected) {
		p->ac = NULL;
		try_next(p);
	}
}

static void try_next(struct cluster_probe *p)
{
	redisAsyncContext *ac;
	const struct redis_addr *a;

	for (; p->tried < p->n; p->tried++) {
		a = &p->cands[p->next++ % p->n];
		ac = a->path[0] ? redisAsyncConnectUnix(a->path)
				: redisAsyncConnect(a->host, a->port);
		if (!ac || ac->err || redis_uv_attach(ac, p->loop)) {
			if (ac)
				redisAsyncFree(ac);
			continue;
		}
		p->tried++;
		p->ac = ac;
		ac->data = p;
		redisAsyncSetConnectCallback(ac, on_connect);
		redisAsyncSetDisconnectCallback(ac, on_disconnect);
		redisAsyncCommand(ac, on_slots, p, "CLUSTER SLOTS");
		uv_timer_start(&p->deadline, on_deadline, PROBE_NODE_MS, 0);
		return;
	}
	answer(p, NULL);
	finish(p);
}

/* The first try runs from the loop, so cb never runs inside
 * cluster_probe_start(). */
static void on_kick(uv_timer_t *t)
{
	try_next(t->data);
}

struct cluster_probe *cluster_probe_start(uv_loop_t *loop,
					  const struct redis_addr *cands,
					  size_t n, size_t first,
					  cluster_probe_cb cb, void *arg)
{
	struct cluster_probe *p = xcalloc(1, sizeof(*p));

	p->loop = loop;
	p->cands = xmalloc(n * sizeof(*cands) + 1);
	memcpy(p->cands, cands, n * sizeof(*cands));
	p->n = n;
	p->next = n ? first % n : 0;
	p->cb = cb;
	p->arg = arg;
	uv_timer_init(loop, &p->deadline);
	p->deadline.data = p;
	uv_timer_start(&p->deadline, on_kick, 0, 0);
	return p;
}

void cluster_probe_cancel(struct cluster_probe *p)
{
	p->done = true;
	if (p->ac)
		redisAsyncFree(
			p->ac); /* connected: -> on_disconnect -> finish */
	if (p->ac) {		/* never connected: no callback */
		p->ac = NULL;
		finish(p);
	}
}
