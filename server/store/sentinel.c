/*
 * sentinel: one ask walks the sentinel list once. Each sentinel gets a
 * fresh hiredis async connection (the command is queued before the
 * connect completes) and SENTINEL_ASK_MS to answer SENTINEL MASTER; a
 * refusal, an unknown name, a lost connection or the deadline moves on to
 * the next. Of the answers, the one with the highest config-epoch wins:
 * a sentinel not yet told of a failover still names the old primary, at
 * the old epoch. Every step runs from the ask's timer, so found is never
 * called inside sentinel_ask_start() or inside a hiredis callback that
 * still uses the context.
 */
#include "sentinel.h"

#include <stdlib.h>
#include <string.h>

#include <hiredis/async.h>

#include "redis_uv.h"

#include "chat/common/log.h"
#include "chat/common/util.h"

struct sentinel_ask {
	uv_loop_t *loop; /* borrowed */
	struct redis_config cfg;
	size_t first, next; /* next counts from first, mod cfg.n */
	redisAsyncContext *ac;
	uv_timer_t timer; /* the step to run, or the deadline */
	bool found, over;
	struct redis_addr primary;
	long long epoch; /* of the primary found */
	size_t found_at; /* the index of the sentinel that named it */
	sentinel_found_cb cb;
	void *arg;
};

static void on_step(uv_timer_t *t);

static void on_closed(uv_handle_t *h)
{
	free(h->data);
}

/* Frees the connection; its callbacks see ac->data NULL and do nothing. */
static void drop_connection(struct sentinel_ask *ask)
{
	redisAsyncContext *ac = ask->ac;

	ask->ac = NULL;
	if (!ac)
		return;
	ac->data = NULL;
	redisAsyncFree(ac); /* deferred by hiredis inside its callbacks */
}

static const struct redis_addr *asked(const struct sentinel_ask *ask)
{
	return &ask->cfg.addrs[(ask->first + ask->next - 1) % ask->cfg.n];
}

/* Runs the next step from the loop. */
static void step_soon(struct sentinel_ask *ask)
{
	drop_connection(ask);
	uv_timer_start(&ask->timer, on_step, 0, 0);
}

static void finish(struct sentinel_ask *ask)
{
	sentinel_found_cb cb = ask->cb;
	void *arg = ask->arg;
	struct redis_addr primary = ask->primary;
	bool found = ask->found;
	size_t which = ask->found_at;

	sentinel_ask_cancel(ask);
	cb(found ? &primary : NULL, which, arg);
}

/* SENTINEL MASTER's answer: field, value, ... with "ip", "port" and
 * "config-epoch" among them; an error when the name is unknown there. */
static int parse_answer(const redisReply *r, struct redis_addr *out,
			long long *epoch)
{
	const char *ip = NULL, *port_s = NULL, *epoch_s = NULL;
	char *end;
	long port;

	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements % 2)
		return -1;
	for (size_t i = 0; i + 1 < r->elements; i += 2) {
		const redisReply *f = r->element[i], *v = r->element[i + 1];

		if (f->type != REDIS_REPLY_STRING ||
		    v->type != REDIS_REPLY_STRING)
			continue;
		if (strcmp(f->str, "ip") == 0)
			ip = v->str;
		else if (strcmp(f->str, "port") == 0)
			port_s = v->str;
		else if (strcmp(f->str, "config-epoch") == 0)
			epoch_s = v->str;
	}
	if (!ip || !port_s || !*ip || strlen(ip) >= sizeof(out->host))
		return -1;
	port = strtol(port_s, &end, 10);
	if (*end || port < 1 || port > 65535)
		return -1;
	memset(out, 0, sizeof(*out));
	memcpy(out->host, ip, strlen(ip));
	out->port = (int)port;
	*epoch = epoch_s ? strtoll(epoch_s, NULL, 10) : 0;
	return 0;
}

static void on_answer(redisAsyncContext *ac, void *r, void *privdata)
{
	struct sentinel_ask *ask = ac->data;
	const struct redis_addr *s;
	const redisReply *reply = r;
	struct redis_addr named;
	long long epoch;

	(void)privdata;
	if (!ask || ask->ac != ac)
		return;
	s = asked(ask);
	if (parse_answer(reply, &named, &epoch) == 0) {
		/* the highest epoch so far; on a tie, the first asked */
		if (!ask->found || epoch > ask->epoch) {
			ask->found = true;
			ask->primary = named;
			ask->epoch = epoch;
			ask->found_at =
				(ask->first + ask->next - 1) % ask->cfg.n;
		}
	} else {
		log_warn("redis: sentinel %s:%d does not name %s: %s", s->host,
			 s->port, ask->cfg.master,
			 reply && reply->type == REDIS_REPLY_ERROR ? reply->str
								   : "no");
	}
	step_soon(ask);
}

static void on_connect(const redisAsyncContext *ac, int status)
{
	struct sentinel_ask *ask = ac->data;

	if (status == REDIS_OK || !ask || ask->ac != ac)
		return;
	log_warn("redis: sentinel %s:%d: %s", asked(ask)->host,
		 asked(ask)->port, ac->errstr);
	ask->ac = NULL; /* hiredis frees it */
	uv_timer_start(&ask->timer, on_step, 0, 0);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
	struct sentinel_ask *ask = ac->data;

	(void)status;
	if (!ask || ask->ac != ac)
		return;
	ask->ac = NULL; /* hiredis frees it */
	uv_timer_start(&ask->timer, on_step, 0, 0);
}

static void on_deadline(uv_timer_t *t)
{
	struct sentinel_ask *ask = t->data;
	const struct redis_addr *s = asked(ask);

	log_warn("redis: sentinel %s:%d: no answer in %d ms", s->host, s->port,
		 SENTINEL_ASK_MS);
	step_soon(ask);
}

/* Asks sentinel ask->next; returns -1 when it cannot even be tried. */
static int ask_one(struct sentinel_ask *ask)
{
	const struct redis_addr *s =
		&ask->cfg.addrs[(ask->first + ask->next++) % ask->cfg.n];
	const char *argv[] = {"SENTINEL", "MASTER", ask->cfg.master};
	redisAsyncContext *ac;

	ac = s->path[0] ? redisAsyncConnectUnix(s->path)
			: redisAsyncConnect(s->host, s->port);
	if (!ac || ac->err || redis_uv_attach(ac, ask->loop)) {
		log_warn("redis: sentinel %s:%d: %s", s->host, s->port,
			 ac ? ac->errstr : "out of memory");
		if (ac)
			redisAsyncFree(ac);
		return -1;
	}
	ac->data = ask;
	ask->ac = ac;
	redisAsyncSetConnectCallback(ac, on_connect);
	redisAsyncSetDisconnectCallback(ac, on_disconnect);
	if (redisAsyncCommandArgv(ac, on_answer, NULL, 3, argv, NULL) !=
	    REDIS_OK) {
		drop_connection(ask);
		return -1;
	}
	uv_timer_start(&ask->timer, on_deadline, SENTINEL_ASK_MS, 0);
	return 0;
}

static void on_step(uv_timer_t *t)
{
	struct sentinel_ask *ask = t->data;

	while (ask->next < ask->cfg.n)
		if (ask_one(ask) == 0)
			return;
	finish(ask);
}

struct sentinel_ask *sentinel_ask_start(uv_loop_t *loop,
					const struct redis_config *cfg,
					size_t first, sentinel_found_cb found,
					void *arg)
{
	struct sentinel_ask *ask = xcalloc(1, sizeof(*ask));

	ask->loop = loop;
	ask->cfg = *cfg;
	ask->first = first % cfg->n;
	ask->cb = found;
	ask->arg = arg;
	uv_timer_init(loop, &ask->timer);
	ask->timer.data = ask;
	uv_timer_start(&ask->timer, on_step, 0, 0);
	return ask;
}

void sentinel_ask_cancel(struct sentinel_ask *ask)
{
	if (!ask || ask->over)
		return;
	ask->over = true;
	drop_connection(ask);
	uv_close((uv_handle_t *)&ask->timer, on_closed);
}
