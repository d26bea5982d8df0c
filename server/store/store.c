/*
 * store: hiredis async connection with reconnect, functions loading and a
 * watchdog (hiredis 0.14 has no command timeouts: a Redis that stops
 * answering is disconnected after STORE_STALL_MS so callers get an error
 * instead of waiting forever).
 */
#include "chat/store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis_uv.h"
#include <hiredis/async.h>

#include "chat/common/log.h"
#include "chat/common/util.h"

#define STORE_BACKOFF_MIN_MS 50
#define STORE_BACKOFF_MAX_MS 2000
#define STORE_STALL_MS 10000
#define STORE_MAX_ARGS 32

struct store {
	uv_loop_t *loop; /* borrowed */
	struct redis_addr addr;
	redisAsyncContext *ac;
	bool connected;
	bool ready; /* connected and the functions library loaded */
	bool stopping;
	bool loading; /* FUNCTION LOAD in flight */
	uv_timer_t retry_timer;
	uv_timer_t watchdog;
	uint64_t backoff_ms;
	size_t pending;
	int open_timers; /* while destroying */
	uint64_t last_reply_ms;
	store_state_cb on_state;
	void *state_arg;
};

struct pending_cmd {
	struct store *st;
	store_reply_cb cb;
	void *arg;
};

static void connect_now(struct store *st);

int redis_addr_parse(const char *url, struct redis_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (strncmp(url, "unix:", 5) == 0) {
		const char *p = url + 5;

		if (!*p || strlen(p) >= sizeof(out->path))
			return -1;
		snprintf(out->path, sizeof(out->path), "%s", p);
		return 0;
	}
	if (strncmp(url, "redis://", 8) == 0) {
		const char *hp = url + 8, *colon = strrchr(hp, ':');
		char *end;
		long port = 6379;

		if (colon) {
			port = strtol(colon + 1, &end, 10);
			if (*end || port < 1 || port > 65535)
				return -1;
		}
		size_t hlen = colon ? (size_t)(colon - hp) : strlen(hp);
		if (!hlen || hlen >= sizeof(out->host))
			return -1;
		memcpy(out->host, hp, hlen);
		out->port = (int)port;
		return 0;
	}
	return -1;
}

static void set_ready(struct store *st, bool ready)
{
	if (st->ready == ready)
		return;
	st->ready = ready;
	log_info("redis %s", ready ? "ready" : "unavailable");
	if (st->on_state)
		st->on_state(ready, st->state_arg);
}

static void on_retry(uv_timer_t *t)
{
	connect_now(t->data);
}

static void schedule_reconnect(struct store *st)
{
	if (st->stopping)
		return;
	uv_timer_start(&st->retry_timer, on_retry, st->backoff_ms, 0);
	st->backoff_ms *= 2;
	if (st->backoff_ms > STORE_BACKOFF_MAX_MS)
		st->backoff_ms = STORE_BACKOFF_MAX_MS;
}

static void on_library_loaded(redisAsyncContext *ac, void *r, void *privdata)
{
	struct store *st = privdata;
	redisReply *reply = r;

	(void)ac;
	if (!reply || !st->connected)
		return;
	if (reply->type != REDIS_REPLY_STRING) {
		log_error("redis: FUNCTION LOAD failed: %s",
			  reply->type == REDIS_REPLY_ERROR ? reply->str : "?");
		redisAsyncDisconnect(st->ac);
		return;
	}
	st->loading = false;
	st->backoff_ms = STORE_BACKOFF_MIN_MS;
	set_ready(st, true);
}

/* Loads the functions library first thing on every connection (and
 * again if an operator flushed it): REPLACE makes it idempotent, and the
 * versioned name leaves other releases' libraries alone. */
static void load_library(struct store *st)
{
	const char *argv[] = {"FUNCTION", "LOAD", "REPLACE", script_library};

	st->loading = true;
	redisAsyncCommandArgv(st->ac, on_library_loaded, st, 4, argv, NULL);
}

static void on_connect(const redisAsyncContext *ac, int status)
{
	struct store *st = ac->data;

	if (status != REDIS_OK) {
		log_warn("redis: connect failed: %s", ac->errstr);
		st->ac = NULL;
		schedule_reconnect(st);
		return;
	}
	st->connected = true;
	st->last_reply_ms = (uint64_t)mono_ms();
	load_library(st);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
	struct store *st = ac->data;

	if (status != REDIS_OK && !st->stopping)
		log_warn("redis: connection lost: %s", ac->errstr);
	st->ac = NULL;
	st->connected = false;
	set_ready(st, false);
	schedule_reconnect(st);
}

static void connect_now(struct store *st)
{
	redisAsyncContext *ac;

	if (st->addr.path[0])
		ac = redisAsyncConnectUnix(st->addr.path);
	else
		ac = redisAsyncConnect(st->addr.host, st->addr.port);
	if (!ac || ac->err) {
		log_warn("redis: %s", ac ? ac->errstr : "out of memory");
		if (ac)
			redisAsyncFree(ac);
		schedule_reconnect(st);
		return;
	}
	if (redis_uv_attach(ac, st->loop)) {
		log_warn("redis: cannot watch the connection");
		redisAsyncFree(ac);
		schedule_reconnect(st);
		return;
	}
	ac->data = st;
	st->ac = ac;
	redisAsyncSetConnectCallback(ac, on_connect);
	redisAsyncSetDisconnectCallback(ac, on_disconnect);
}

static void on_watchdog(uv_timer_t *t)
{
	struct store *st = t->data;
	uint64_t now = (uint64_t)mono_ms();

	if (st->ac && st->connected && st->pending > 0 &&
	    now - st->last_reply_ms > STORE_STALL_MS) {
		log_warn("redis: no answer for %d ms, reconnecting",
			 STORE_STALL_MS);
		redisAsyncFree(st->ac);
	}
}

struct store *store_create(uv_loop_t *loop, const struct redis_addr *addr,
			   store_state_cb on_state, void *arg)
{
	struct store *st = xcalloc(1, sizeof(*st));

	st->loop = loop;
	st->addr = *addr;
	st->on_state = on_state;
	st->state_arg = arg;
	st->backoff_ms = STORE_BACKOFF_MIN_MS;
	uv_timer_init(loop, &st->retry_timer);
	st->retry_timer.data = st;
	uv_timer_init(loop, &st->watchdog);
	st->watchdog.data = st;
	uv_timer_start(&st->watchdog, on_watchdog, 1000, 1000);
	connect_now(st);
	return st;
}

static void on_timer_closed(uv_handle_t *h)
{
	struct store *st = h->data;

	if (--st->open_timers == 0)
		free(st);
}

/* The drain has already waited for what was in flight, so the connection
 * is dropped at once: a graceful disconnect would wait for a Redis that
 * may never answer, and hiredis frees a context that never connected
 * without telling us. */
void store_stop(struct store *st)
{
	st->stopping = true;
	uv_timer_stop(&st->retry_timer);
	uv_timer_stop(&st->watchdog); /* a running timer keeps the loop alive */
	if (st->ac)
		redisAsyncFree(st->ac); /* -> on_disconnect when connected */
	st->ac = NULL;
}

void store_destroy(struct store *st)
{
	if (!st)
		return;
	st->stopping = true;
	if (st->ac)
		redisAsyncFree(st->ac);
	st->ac = NULL;
	st->open_timers = 2;
	uv_close((uv_handle_t *)&st->retry_timer, on_timer_closed);
	uv_close((uv_handle_t *)&st->watchdog, on_timer_closed);
}

bool store_ready(const struct store *st)
{
	return st->ready && !st->stopping;
}

size_t store_pending(const struct store *st)
{
	return st->pending;
}

static void on_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct pending_cmd *p = privdata;
	struct store *st = p->st;
	redisReply *reply = r;

	(void)ac;
	st->pending--;
	st->last_reply_ms = (uint64_t)mono_ms();
	if (reply && reply->type == REDIS_REPLY_ERROR &&
	    strncmp(reply->str, "ERR Function not found", 22) == 0) {
		log_warn("redis: the functions were flushed; reloading");
		if (st->ac && !st->loading) {
			set_ready(st, false);
			load_library(st);
		}
		reply = NULL; /* not applied: the caller answers unavailable */
	}
	p->cb(st, reply, p->arg);
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
 * Formats argv as a RESP array into buf (cap bytes), or into a heap
 * buffer returned through *heap when it does not fit. Returns the length.
 * Does what redisFormatSdsCommandArgv() does, without its printf and
 * buffer regrowth, which were a tenth of chatd's CPU per message.
 */
static size_t resp_format(char *buf, size_t cap, char **heap, int argc,
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

	if (!store_ready(st) || !st->ac || argc > STORE_MAX_ARGS + 3)
		return -1;
	for (int i = 0; i < argc; i++)
		al[i] = lens ? lens[i] : strlen(argv[i]);
	len = resp_format(buf, sizeof(buf), &heap, argc, argv, al);
	p = xmalloc(sizeof(*p));
	p->st = st;
	p->cb = cb;
	p->arg = arg;
	rc = redisAsyncFormattedCommand(st->ac, on_reply, p, heap ? heap : buf,
					len);
	free(heap);
	if (rc != REDIS_OK) {
		free(p);
		return -1;
	}
	if (st->pending++ == 0)
		st->last_reply_ms = (uint64_t)mono_ms();
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
