/*
 * idle: the periodic sweep of the activity index (convs:active, scored by
 * each conversation's last activity, refreshed at most once a minute by
 * the append step, so a score is never newer than the truth). Candidates older
 * than the smaller limit are read with their status and last_at; those past
 * their own limit are closed through the command layer as the server's own
 * actor, conditionally on that last_at. Entries that turn out stale are fixed
 * in the index.
 */
#include "chat/cmd/idle.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/log.h"
#include "chat/common/util.h"
#include "chat/store/keys.h"
#include "chat/store/store.h"
#include "conv.h"

#define IDLE_BATCH 50

struct idle {
	struct sink sink; /* first: answers of the closes, logged */
	uv_timer_t timer;
	struct cmd_ctx *ctx; /* borrowed */
	long waiting_s, idle_s;
	unsigned refs; /* the timer's and each command's in flight */
	bool running;  /* a sweep is under way */
	bool stopped;
};

static void idle_unref(struct idle *d)
{
	if (--d->refs == 0)
		free(d);
}

static int sink_log(struct sink *k, struct frame *f)
{
	(void)k;
	log_debug("idle close: %.*s", (int)f->len,
		  (const char *)frame_payload(f));
	return 0;
}

static size_t sink_room(const struct sink *k)
{
	(void)k;
	return SIZE_MAX;
}

static bool sink_open(const struct sink *k)
{
	return !((const struct idle *)k)->stopped;
}

static void sink_hold(struct sink *k)
{
	((struct idle *)k)->refs++;
}

static void sink_release(struct sink *k)
{
	idle_unref((struct idle *)k);
}

static const struct sink_ops idle_sink_ops = {
	sink_log, sink_room, sink_open, sink_hold, sink_release,
};

/* The reason to close a conversation in this state now, or NULL. */
static const char *reason_for(const struct idle *d, const char *status,
			      int64_t last_at, int64_t now)
{
	if (strcmp(status, "waiting") == 0 && d->waiting_s &&
	    now - last_at >= d->waiting_s * 1000)
		return "closed by the server: nobody could take it in time";
	if (strcmp(status, "assigned") == 0 && d->idle_s &&
	    now - last_at >= d->idle_s * 1000)
		return "closed by the server after a long time without "
		       "activity";
	return NULL;
}

struct candidate {
	struct idle *d;
	char conv[PROTO_CONV_LEN + 1];
};

static long smaller_limit(const struct idle *d);

static void on_index_fixed(struct store *st, redisReply *r, void *arg)
{
	(void)st;
	(void)r;
	idle_unref(arg);
}

static void send_fix(struct idle *d, int argc, const char **argv)
{
	d->refs++;
	if (store_command(d->ctx->store, on_index_fixed, d, argc, argv, NULL))
		d->refs--; /* the caller still holds one */
}

/* The index said idle but the conversation is not (or is closed or
 * gone): put its real time in the index, or take it out. One still active also
 * gets its idempotency records' expiry pushed out, for at least the records'
 * time after this visit plus the time until the sweep comes again. */
static void fix_index(struct idle *d, const char *conv, const char *last_at)
{
	struct key active = key_active_convs(), open = key_open_convs(),
		   idem = key_conv_idem(conv);
	char ttl[24];
	const char *add[] = {"ZADD", active.s, last_at, conv};
	const char *rem[] = {"ZREM", active.s, conv};
	const char *rem_open[] = {"ZREM", open.s, conv};
	const char *expire[] = {"EXPIRE", idem.s, ttl};

	if (!*last_at) {
		/* Closed or gone: out of both indexes (an opened entry applied
		 * again after its close put it back). */
		send_fix(d, 3, rem);
		send_fix(d, 3, rem_open);
		return;
	}
	snprintf(ttl, sizeof(ttl), "%ld",
		 d->ctx->idem_ttl_s + smaller_limit(d));
	send_fix(d, 4, add);
	send_fix(d, 3, expire);
}

static void on_meta(struct store *st, redisReply *r, void *arg)
{
	struct candidate *c = arg;
	struct idle *d = c->d;
	const char *status, *last_at, *held, *since, *reason;

	(void)st;
	if (!d->stopped && r && r->type == REDIS_REPLY_ARRAY &&
	    r->elements == 3) {
		status = r->element[0]->type == REDIS_REPLY_STRING
				 ? r->element[0]->str
				 : "";
		last_at = r->element[1]->type == REDIS_REPLY_STRING
				  ? r->element[1]->str
				  : "";
		held = r->element[2]->type == REDIS_REPLY_STRING
			       ? r->element[2]->str
			       : "";
		/* A message left out of hours waits from the opening on. */
		since = atoll(held) > atoll(last_at) ? held : last_at;
		reason = reason_for(d, status, atoll(since), now_ms());
		if (reason)
			conv_close_idle(d->ctx, actor_system(), &d->sink,
					c->conv, reason, last_at);
		else
			fix_index(d, c->conv,
				  strcmp(status, "closed") == 0 ? "" : since);
	}
	idle_unref(d);
	free(c);
}

static void check_candidate(struct idle *d, const char *conv)
{
	struct candidate *c = xcalloc(1, sizeof(*c));
	struct key meta = key_conv_meta(conv);
	const char *argv[] = {"HMGET", meta.s, "status", "last_at",
			      "held_until"};

	c->d = d;
	snprintf(c->conv, sizeof(c->conv), "%s", conv);
	d->refs++;
	if (store_command(d->ctx->store, on_meta, c, 5, argv, NULL)) {
		d->refs--; /* the caller still holds one */
		free(c);
	}
}

static void on_candidates(struct store *st, redisReply *r, void *arg)
{
	struct idle *d = arg;

	(void)st;
	d->running = false;
	if (!d->stopped && r && r->type == REDIS_REPLY_ARRAY)
		for (size_t i = 0; i < r->elements; i++)
			if (r->element[i]->type == REDIS_REPLY_STRING &&
			    proto_conv_id_valid(r->element[i]->str))
				check_candidate(d, r->element[i]->str);
	idle_unref(d);
}

static long smaller_limit(const struct idle *d)
{
	if (!d->waiting_s)
		return d->idle_s;
	if (!d->idle_s)
		return d->waiting_s;
	return d->waiting_s < d->idle_s ? d->waiting_s : d->idle_s;
}

static void on_tick(uv_timer_t *t)
{
	struct idle *d = t->data;
	struct key active = key_active_convs();
	char max[32], batch[16];

	if (d->running || !store_ready(d->ctx->store))
		return;
	snprintf(max, sizeof(max), "%" PRId64,
		 now_ms() - smaller_limit(d) * 1000);
	snprintf(batch, sizeof(batch), "%d", IDLE_BATCH);
	const char *argv[] = {"ZRANGEBYSCORE", active.s, "-inf", max,
			      "LIMIT",	       "0",	 batch};
	d->refs++;
	if (store_command(d->ctx->store, on_candidates, d, 7, argv, NULL)) {
		d->refs--; /* the timer still holds one */
		return;
	}
	d->running = true;
}

struct idle *idle_create(uv_loop_t *loop, struct cmd_ctx *ctx, long waiting_s,
			 long idle_s, uint64_t interval_ms)
{
	struct idle *d;

	if (!waiting_s && !idle_s)
		return NULL;
	d = xcalloc(1, sizeof(*d));
	d->sink.ops = &idle_sink_ops;
	d->ctx = ctx;
	d->waiting_s = waiting_s;
	d->idle_s = idle_s;
	d->refs = 1; /* the timer's */
	uv_timer_init(loop, &d->timer);
	d->timer.data = d;
	uv_timer_start(&d->timer, on_tick, interval_ms, interval_ms);
	return d;
}

static void on_timer_closed(uv_handle_t *h)
{
	idle_unref(h->data);
}

void idle_destroy(struct idle *d)
{
	if (!d)
		return;
	d->stopped = true;
	uv_close((uv_handle_t *)&d->timer, on_timer_closed);
}
