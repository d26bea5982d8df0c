/*
 * outbox: the consumer; see chat/cmd/outbox.h. One take per shard is in
 * flight at a time; a shard whose batch was full is taken again at once.
 */
#include "chat/cmd/outbox.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "chat/common/log.h"
#include "chat/common/util.h"
#include "chat/store/keys.h"
#include "chat/store/store.h"
#include "outbox_apply.h"

#define OUTBOX_BATCH 100
#define LAG_LOG_MS 60000
#define TOKEN_BYTES 12

struct outbox {
	uv_timer_t timer;
	struct cmd_ctx *ctx; /* borrowed */
	char token[2 * TOKEN_BYTES + 1];
	char lease_ms[24];
	unsigned refs; /* the timer's and each command's in flight */
	bool stopped;
	bool busy[KEYS_OUTBOXES]; /* the shards and the routing slot */
	int64_t logged_at;	  /* mono_ms() of the last lag report */
	uint64_t logged_n;	  /* entries counted then */
};

/* One shard's batch being applied. */
struct batch {
	struct outbox *o;
	unsigned shard;
	unsigned waiting;
	bool ok, full;
	char last[48]; /* id of the last entry */
};

static void take(struct outbox *o, unsigned shard);

static void outbox_unref(struct outbox *o)
{
	if (--o->refs == 0)
		free(o);
}

/* Runs script on the shard's lease, cursor and stream with args. */
static int shard_call(struct outbox *o, unsigned shard, enum script_id script,
		      store_reply_cb cb, void *arg, const char *a1,
		      const char *a2, const char *a3)
{
	struct key lease = key_outbox_lease(shard),
		   cursor = key_outbox_cursor(shard),
		   stream = key_outbox(shard);
	const char *argv[] = {lease.s, cursor.s, stream.s, a1, a2, a3};

	return store_eval(o->ctx->store, script, cb, arg, 3, 6, argv, NULL);
}

static void shard_idle(struct outbox *o, unsigned shard)
{
	o->busy[shard] = false;
	outbox_unref(o);
}

static void on_done(struct store *st, redisReply *r, void *arg)
{
	struct batch *b = arg;
	struct outbox *o = b->o;
	bool again = r && r->type == REDIS_REPLY_INTEGER && r->integer == 1 &&
		     b->full && !o->stopped;

	(void)st;
	if (again)
		take(o, b->shard); /* keeps the shard busy */
	else
		shard_idle(o, b->shard);
	free(b);
}

static void batch_finish(struct batch *b)
{
	struct outbox *o = b->o;

	if (--b->waiting > 0)
		return;
	/* A failed update leaves the cursor where it was: the entries are
	 * applied again at the next scan (the lease is still this node's
	 * until it expires). */
	if (!b->ok || o->stopped ||
	    shard_call(o, b->shard, SCRIPT_OUTBOX_DONE, on_done, b, o->token,
		       b->last, b->full ? "0" : "1")) {
		shard_idle(o, b->shard);
		free(b);
	}
}

static void on_applied(bool ok, int64_t entry_ts, void *arg)
{
	struct batch *b = arg;

	if (ok)
		hist_add(&b->o->ctx->lag_outbox, now_ms() - entry_ts);
	else
		b->ok = false;
	batch_finish(b);
}

static bool entry_ok(const redisReply *e)
{
	return e->type == REDIS_REPLY_ARRAY && e->elements == 2 &&
	       e->element[0]->type == REDIS_REPLY_STRING &&
	       e->element[0]->len < sizeof(((struct batch *)0)->last);
}

/* r: nil (another node holds the lease) or [[id, [field, value, ...]],
 * ...], in stream order. Updates to one key go out in that order on one
 * connection, so they apply in it. */
static void on_take(struct store *st, redisReply *r, void *arg)
{
	struct batch *b = arg;
	struct outbox *o = b->o;

	(void)st;
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements == 0 ||
	    o->stopped) {
		if (r && r->type == REDIS_REPLY_ERROR)
			log_warn("outbox: shard %u: %s", b->shard, r->str);
		shard_idle(o, b->shard);
		free(b);
		return;
	}
	b->ok = true;
	b->full = r->elements >= OUTBOX_BATCH;
	b->waiting = 1; /* until every entry is sent */
	for (size_t i = 0; i < r->elements; i++) {
		const redisReply *e = r->element[i];

		if (!entry_ok(e)) {
			log_warn("outbox: shard %u: skipping a malformed entry",
				 b->shard);
			continue;
		}
		snprintf(b->last, sizeof(b->last), "%s", e->element[0]->str);
		b->waiting++;
		outbox_apply(o->ctx, e->element[1], on_applied, b);
	}
	batch_finish(b);
}

static void take(struct outbox *o, unsigned shard)
{
	struct batch *b = xcalloc(1, sizeof(*b));
	char count[16];

	b->o = o;
	b->shard = shard;
	snprintf(count, sizeof(count), "%d", OUTBOX_BATCH);
	if (shard_call(o, shard, SCRIPT_OUTBOX_TAKE, on_take, b, o->token,
		       o->lease_ms, count)) {
		shard_idle(o, shard);
		free(b);
	}
}

static void on_tick(uv_timer_t *t)
{
	struct outbox *o = t->data;

	const struct cmd_ctx *ctx = o->ctx;
	uint64_t n = ctx->lag_ack.n + ctx->lag_outbox.n;

	if (mono_ms() - o->logged_at >= LAG_LOG_MS && n != o->logged_n) {
		outbox_log_lag(ctx);
		o->logged_at = mono_ms();
		o->logged_n = n;
	}
	if (!store_ready(o->ctx->store))
		return;
	for (unsigned shard = 0; shard < KEYS_OUTBOXES; shard++) {
		if (o->busy[shard])
			continue;
		o->busy[shard] = true;
		o->refs++;
		take(o, shard);
	}
}

struct outbox *outbox_create(uv_loop_t *loop, struct cmd_ctx *ctx,
			     uint64_t scan_ms, uint64_t lease_ms)
{
	struct outbox *o = xcalloc(1, sizeof(*o));
	unsigned char raw[TOKEN_BYTES];

	o->ctx = ctx;
	random_bytes(raw, sizeof(raw));
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(o->token + 2 * i, 3, "%02x", raw[i]);
	snprintf(o->lease_ms, sizeof(o->lease_ms), "%" PRIu64, lease_ms);
	o->refs = 1; /* the timer's */
	o->logged_at = mono_ms();
	uv_timer_init(loop, &o->timer);
	o->timer.data = o;
	uv_timer_start(&o->timer, on_tick, scan_ms, scan_ms);
	return o;
}

static void on_timer_closed(uv_handle_t *h)
{
	outbox_unref(h->data);
}

void outbox_destroy(struct outbox *o)
{
	if (!o)
		return;
	o->stopped = true;
	uv_close((uv_handle_t *)&o->timer, on_timer_closed);
}

void outbox_log_lag(const struct cmd_ctx *ctx)
{
	const struct hist *a = &ctx->lag_ack, *c = &ctx->lag_outbox;

	log_info("outbox: index lag before the ack: %" PRIu64
		 " entries, p50 %" PRId64 " ms, p99 %" PRId64
		 " ms; by the consumer: %" PRIu64 " entries, p50 %" PRId64
		 " ms, p99 %" PRId64 " ms",
		 a->n, hist_quantile(a, 0.5), hist_quantile(a, 0.99), c->n,
		 hist_quantile(c, 0.5), hist_quantile(c, 0.99));
}
