/*
 * store: the public face of chatd's Redis commands. With one Redis it is
 * one link and every command goes straight to it, with no slot
 * computation (the benchmark path); in a cluster route.c picks the link
 * by slot. With Redis Sentinel it is one link too, whose address the
 * sentinels give at each connect (link.c): the command path is the same. A
 * watchdog drops links whose commands get no answer for STORE_STALL_MS (hiredis
 * 0.14 has no command timeouts), so callers get an error instead of waiting
 * forever.
 */
#include "store_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/log.h"
#include "chat/common/util.h"

#define STORE_STALL_MS 10000
#define STORE_MAX_ARGS 64

struct pending_cmd {
	struct store *st;
	store_reply_cb cb;
	void *arg;
};

void store_set_ready(struct store *st, bool ready)
{
	if (st->ready == ready)
		return;
	st->ready = ready;
	log_info("redis %s", ready ? "ready" : "unavailable");
	if (st->on_state)
		st->on_state(ready, st->state_arg);
}

static void on_link_state(struct link *l, bool ready, void *arg)
{
	(void)l;
	store_set_ready(arg, ready);
}

static void on_watchdog(uv_timer_t *t)
{
	struct store *st = t->data;
	uint64_t now = (uint64_t)mono_ms();

	for (size_t i = 0; i < CLUSTER_NODES_MAX; i++)
		if (st->links[i])
			link_check_stall(st->links[i], now, STORE_STALL_MS);
}

struct store *store_create(uv_loop_t *loop, const struct redis_config *cfg,
			   store_state_cb on_state, void *arg)
{
	struct store *st = xcalloc(1, sizeof(*st));

	st->loop = loop;
	st->on_state = on_state;
	st->state_arg = arg;
	uv_timer_init(loop, &st->watchdog);
	st->watchdog.data = st;
	uv_timer_start(&st->watchdog, on_watchdog, 1000, 1000);
	if (cfg->cluster)
		route_init(st, cfg);
	else if (cfg->sentinel)
		st->links[0] =
			link_create_sentinel(loop, cfg, 0, on_link_state, st);
	else
		st->links[0] =
			link_create(loop, &cfg->addrs[0], 0, on_link_state, st);
	return st;
}

static void on_timer_closed(uv_handle_t *h)
{
	struct store *st = h->data;

	if (--st->open_timers > 0)
		return;
	free(st->view);
	free(st->order);
	free(st);
}

static void stop_links(struct store *st)
{
	st->stopping = true;
	uv_timer_stop(&st->watchdog); /* a running timer keeps the loop alive */
	if (st->cluster)
		route_cleanup(st);
	for (size_t i = 0; i < CLUSTER_NODES_MAX; i++)
		if (st->links[i])
			link_stop(st->links[i]);
}

/* The drain has already waited for what was in flight, so connections
 * are dropped at once (pending callbacks run with NULL). */
void store_stop(struct store *st)
{
	stop_links(st);
}

void store_destroy(struct store *st)
{
	if (!st)
		return;
	stop_links(st);
	for (size_t i = 0; i < CLUSTER_NODES_MAX; i++)
		link_destroy(st->links[i]);
	st->open_timers = 1;
	if (st->cluster) {
		st->open_timers += 2;
		cluster_view_close(st->view, on_timer_closed);
		uv_close((uv_handle_t *)&st->retry_timer, on_timer_closed);
	}
	uv_close((uv_handle_t *)&st->watchdog, on_timer_closed);
}

uv_loop_t *store_loop(const struct store *st)
{
	return st->loop;
}

bool store_ready(const struct store *st)
{
	if (st->stopping)
		return false;
	return st->cluster ? st->ever_ready : st->ready;
}

size_t store_pending(const struct store *st)
{
	return st->pending;
}

static void on_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct pending_cmd *p = privdata;
	struct store *st = p->st;
	struct link *l = ac->data, *outer = st->answering;
	redisReply *reply = r;

	if (link_answered(l, reply))
		reply = NULL; /* not applied: the caller answers unavailable */
	st->pending--;
	st->answering = reply ? l : NULL;
	p->cb(st, reply, p->arg);
	st->answering = outer;
	free(p);
}

/* Writes "<prefix><n>\r\n" at out; returns the bytes written. */
static size_t resp_header(char *out, char prefix, size_t n)
{
	char digits[24];
	size_t k = 0, len = 0;

	do
		digits[k++] = (char)('0' + n % 10);
	while ((n /= 10) > 0);
	out[len++] = prefix;
	while (k)
		out[len++] = digits[--k];
	out[len++] = '\r';
	out[len++] = '\n';
	return len;
}

/*
 * Does what redisFormatSdsCommandArgv() does, without its printf and
 * buffer regrowth, which were a tenth of chatd's CPU per message.
 */
size_t store_format(char *buf, size_t cap, char **heap, int argc,
		    const char **argv, const size_t *lens)
{
	size_t need = 32, len;
	char *out = buf;

	for (int i = 0; i < argc; i++)
		need += 32 + lens[i];
	*heap = NULL;
	if (need > cap)
		out = *heap = xmalloc(need);
	len = resp_header(out, '*', (size_t)argc);
	for (int i = 0; i < argc; i++) {
		len += resp_header(out + len, '$', lens[i]);
		memcpy(out + len, argv[i], lens[i]);
		len += lens[i];
		out[len++] = '\r';
		out[len++] = '\n';
	}
	out[len] = '\0'; /* hiredis may peek one byte past an argument */
	return len;
}

int store_command(struct store *st, store_reply_cb cb, void *arg, int argc,
		  const char **argv, const size_t *lens)
{
	char buf[4096], *heap;
	size_t al[STORE_MAX_ARGS + 3], len;
	struct pending_cmd *p;
	int rc;

	if (!store_ready(st) || argc > STORE_MAX_ARGS + 3)
		return -1;
	for (int i = 0; i < argc; i++)
		al[i] = lens ? lens[i] : strlen(argv[i]);
	if (st->cluster)
		return route_command(st, cb, arg, argc, argv, al);
	len = store_format(buf, sizeof(buf), &heap, argc, argv, al);
	p = xmalloc(sizeof(*p));
	p->st = st;
	p->cb = cb;
	p->arg = arg;
	rc = link_send(st->links[0], on_reply, p, heap ? heap : buf, len);
	free(heap);
	if (rc) {
		free(p);
		return -1;
	}
	st->pending++;
	return 0;
}

int store_eval(struct store *st, enum script_id script, store_reply_cb cb,
	       void *arg, int nkeys, int argc, const char **argv,
	       const size_t *lens)
{
	const char *av[STORE_MAX_ARGS + 3];
	size_t al[STORE_MAX_ARGS + 3];
	char nk[16];

	if (argc > STORE_MAX_ARGS)
		return -1;
	snprintf(nk, sizeof(nk), "%d", nkeys);
	av[0] = "FCALL";
	al[0] = 5;
	av[1] = script_functions[script];
	al[1] = strlen(av[1]);
	av[2] = nk;
	al[2] = strlen(nk);
	for (int i = 0; i < argc; i++) {
		av[i + 3] = argv[i];
		al[i + 3] = lens ? lens[i] : strlen(argv[i]);
	}
	return store_command(st, cb, arg, argc + 3, av, al);
}
