/*
 * link: one hiredis async command connection with reconnect and the
 * functions library. The library is loaded with FUNCTION LOAD REPLACE
 * before the link counts as ready: a new or flushed Redis lacks it, and
 * REPLACE makes loading idempotent (the versioned name leaves other
 * releases' libraries alone).
 */
#include "link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis_uv.h"
#include "sentinel.h"

#include "chat/common/log.h"
#include "chat/common/util.h"

#define LINK_BACKOFF_MIN_MS 50
#define LINK_BACKOFF_MAX_MS 2000

static void connect_now(struct link *l);

/* "host:port" or the socket path, for log lines. */
static const char *where(struct link *l)
{
	if (!l->where[0])
		snprintf(l->where, sizeof(l->where), "%s:%d",
			 l->addr.path[0] ? l->addr.path : l->addr.host,
			 l->addr.port);
	return l->where;
}

static void set_ready(struct link *l, bool ready)
{
	if (l->ready == ready)
		return;
	l->ready = ready;
	if (l->on_state)
		l->on_state(l, ready, l->state_arg);
}

static void on_retry(uv_timer_t *t)
{
	connect_now(t->data);
}

static void schedule_reconnect(struct link *l)
{
	if (!l->wanted)
		return;
	uv_timer_start(&l->retry_timer, on_retry, l->backoff_ms, 0);
	l->backoff_ms *= 2;
	if (l->backoff_ms > LINK_BACKOFF_MAX_MS)
		l->backoff_ms = LINK_BACKOFF_MAX_MS;
}

static void on_library_loaded(redisAsyncContext *ac, void *r, void *privdata)
{
	struct link *l = privdata;
	redisReply *reply = r;

	if (!reply || !l->connected)
		return;
	if (reply->type != REDIS_REPLY_STRING) {
		log_error("redis: FUNCTION LOAD failed: %s (%s)",
			  reply->type == REDIS_REPLY_ERROR ? reply->str : "?",
			  where(l));
		redisAsyncDisconnect(ac);
		return;
	}
	l->loading = false;
	l->backoff_ms = LINK_BACKOFF_MIN_MS;
	set_ready(l, true);
}

static void load_library(struct link *l)
{
	const char *argv[] = {"FUNCTION", "LOAD", "REPLACE", script_library};

	l->loading = true;
	redisAsyncCommandArgv(l->ac, on_library_loaded, l, 4, argv, NULL);
}

/* ROLE answers ["master", ...] on a primary. */
static void on_role(redisAsyncContext *ac, void *r, void *privdata)
{
	struct link *l = privdata;
	redisReply *reply = r;

	if (!reply || !l->connected)
		return;
	if (reply->type == REDIS_REPLY_ARRAY && reply->elements > 0 &&
	    reply->element[0]->type == REDIS_REPLY_STRING &&
	    strcmp(reply->element[0]->str, "master") == 0) {
		load_library(l);
		return;
	}
	log_warn("redis: %s is not the primary; asking the sentinels again",
		 where(l));
	l->ask_first = l->named_by + 1; /* that sentinel may be stale */
	redisAsyncDisconnect(ac);
}

static void on_connect(const redisAsyncContext *ac, int status)
{
	struct link *l = ac->data;

	if (status != REDIS_OK) {
		log_warn("redis: connect failed: %s (%s)", ac->errstr,
			 where(l));
		l->ac = NULL;
		schedule_reconnect(l);
		return;
	}
	l->connected = true;
	l->last_reply_ms = (uint64_t)mono_ms();
	if (l->sentinels)
		redisAsyncCommand(l->ac, on_role, l, "ROLE");
	else
		load_library(l);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
	struct link *l = ac->data;

	if (status != REDIS_OK && l->wanted)
		log_warn("redis: connection lost: %s (%s)", ac->errstr,
			 where(l));
	l->ac = NULL;
	l->connected = false;
	l->loading = false;
	set_ready(l, false);
	schedule_reconnect(l);
}

static void connect_to(struct link *l)
{
	redisAsyncContext *ac;

	if (l->addr.path[0])
		ac = redisAsyncConnectUnix(l->addr.path);
	else
		ac = redisAsyncConnect(l->addr.host, l->addr.port);
	if (!ac || ac->err || redis_uv_attach(ac, l->loop)) {
		log_warn("redis: %s", ac ? ac->errstr : "out of memory");
		if (ac)
			redisAsyncFree(ac);
		schedule_reconnect(l);
		return;
	}
	ac->data = l;
	l->ac = ac;
	redisAsyncSetConnectCallback(ac, on_connect);
	redisAsyncSetDisconnectCallback(ac, on_disconnect);
}

static void on_primary_named(const struct redis_addr *primary, size_t which,
			     void *arg)
{
	struct link *l = arg;

	l->asking = NULL;
	if (!primary) {
		log_warn("redis: no sentinel names the primary %s",
			 l->sentinels->master);
		schedule_reconnect(l);
		return;
	}
	l->named_by = l->ask_first = which; /* it answered: ask it first */
	if (strcmp(primary->host, l->addr.host) != 0 ||
	    primary->port != l->addr.port) {
		log_info("redis: the sentinels name %s:%d as primary %s",
			 primary->host, primary->port, l->sentinels->master);
		l->addr = *primary;
		l->where[0] = '\0';
	}
	connect_to(l);
}

/* With sentinels, every connect starts by asking them where to go. */
static void connect_now(struct link *l)
{
	if (!l->sentinels)
		connect_to(l);
	else if (!l->asking)
		l->asking =
			sentinel_ask_start(l->loop, l->sentinels, l->ask_first,
					   on_primary_named, l);
}

static struct link *link_new(uv_loop_t *loop, int index, link_state_cb on_state,
			     void *arg)
{
	struct link *l = xcalloc(1, sizeof(*l));

	l->loop = loop;
	l->index = index;
	l->on_state = on_state;
	l->state_arg = arg;
	uv_timer_init(loop, &l->retry_timer);
	l->retry_timer.data = l;
	return l;
}

struct link *link_create(uv_loop_t *loop, const struct redis_addr *addr,
			 int index, link_state_cb on_state, void *arg)
{
	struct link *l = link_new(loop, index, on_state, arg);

	l->addr = *addr;
	link_start(l);
	return l;
}

struct link *link_create_sentinel(uv_loop_t *loop,
				  const struct redis_config *cfg, int index,
				  link_state_cb on_state, void *arg)
{
	struct link *l = link_new(loop, index, on_state, arg);

	l->sentinels = xmalloc(sizeof(*l->sentinels));
	*l->sentinels = *cfg;
	link_start(l);
	return l;
}

void link_start(struct link *l)
{
	if (l->wanted)
		return;
	l->wanted = true;
	l->backoff_ms = LINK_BACKOFF_MIN_MS;
	if (!l->ac)
		connect_now(l);
}

/* A graceful disconnect would wait for a Redis that may never answer, and
 * hiredis frees a context that never connected without telling us. */
void link_stop(struct link *l)
{
	l->wanted = false;
	uv_timer_stop(&l->retry_timer);
	sentinel_ask_cancel(l->asking);
	l->asking = NULL;
	if (l->ac)
		redisAsyncFree(l->ac); /* -> on_disconnect when connected */
	l->ac = NULL;
	l->connected = false;
	set_ready(l, false);
}

static void on_timer_closed(uv_handle_t *h)
{
	struct link *l = h->data;

	free(l->sentinels);
	free(l);
}

void link_destroy(struct link *l)
{
	if (!l)
		return;
	l->on_state = NULL;
	link_stop(l);
	uv_close((uv_handle_t *)&l->retry_timer, on_timer_closed);
}

int link_send(struct link *l, redisCallbackFn *fn, void *privdata,
	      const char *cmd, size_t len)
{
	if (!l->ready || !l->ac ||
	    redisAsyncFormattedCommand(l->ac, fn, privdata, cmd, len) !=
		    REDIS_OK)
		return -1;
	if (l->pending++ == 0)
		l->last_reply_ms = (uint64_t)mono_ms();
	return 0;
}

bool link_answered(struct link *l, const redisReply *reply)
{
	l->pending--;
	l->last_reply_ms = (uint64_t)mono_ms();
	if (!reply || reply->type != REDIS_REPLY_ERROR)
		return false;
	if (l->sentinels && strncmp(reply->str, "READONLY", 8) == 0) {
		log_warn("redis: %s is no longer the primary; asking the "
			 "sentinels again",
			 where(l));
		l->ask_first = l->named_by + 1;
		if (l->ac && l->connected)
			redisAsyncDisconnect(l->ac);
		set_ready(l, false);
		return true;
	}
	if (strncmp(reply->str, "ERR Function not found", 22) != 0)
		return false;
	log_warn("redis: the functions were flushed; reloading (%s)", where(l));
	if (l->ac && l->connected && !l->loading) {
		set_ready(l, false);
		load_library(l);
	}
	return true;
}

void link_check_stall(struct link *l, uint64_t now_ms, uint64_t stall_ms)
{
	if (l->ac && l->connected && l->pending > 0 &&
	    now_ms - l->last_reply_ms > stall_ms) {
		log_warn("redis: no answer for %llu ms, reconnecting (%s)",
			 (unsigned long long)stall_ms, where(l));
		redisAsyncFree(l->ac); /* -> on_disconnect, reconnect */
	}
}
