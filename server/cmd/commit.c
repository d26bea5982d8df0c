/*
 * commit: the step and, when replica acks are asked for, a WAIT behind it;
 * the ack goes out when the step, its outbox entry's index updates and
 * the WAIT have all answered. The WAIT is asked for from the step's
 * reply, so the store sends it on the connection that ran the step
 * (whichever node a cluster redirected it to) and it covers the step; the
 * store groups WAITs per connection. A WAIT that times out short of the
 * replicas asked for answers unavailable: the step may be applied, and
 * its retry with the same client_id is answered from its record once the
 * replicas have it.
 */
#include "commit.h"

#include <stdlib.h>
#include <string.h>

#include "chat/common/hist.h"
#include "chat/common/util.h"
#include "chat/store/keys.h"
#include "chat/store/store.h"
#include "batch.h"
#include "outbox_apply.h"
#include "reply.h"

struct commit {
	struct pending *p;
	int waiting; /* answers still to come */
	bool failed; /* an error was sent */
	bool replicated;
	bool duplicate;
	uint64_t seq;
	int64_t ts;
};

static void finish(struct commit *c)
{
	if (--c->waiting > 0)
		return;
	if (!c->failed && pending_alive(c->p)) {
		if (c->replicated)
			sink_send_owned(c->p->k,
					proto_encode_ack(c->p->id, c->p->conv,
							 c->seq, c->ts,
							 c->duplicate));
		else
			reply_error(c->p, PROTO_E_UNAVAILABLE,
				    "not yet copied to enough replicas; retry "
				    "with the same client_id");
	}
	pending_destroy(c->p);
	free(c);
}

/* The entry's index updates are answered: the ack may go. Failed ones
 * are not the client's concern; the outbox consumer applies them. */
static void on_applied(bool ok, int64_t entry_ts, void *arg)
{
	struct commit *c = arg;

	if (ok)
		hist_add(&c->p->ctx->lag_ack, now_ms() - entry_ts);
	finish(c);
}

static void on_wait(struct store *st, int replicas, void *arg)
{
	struct commit *c = arg;

	(void)st;
	c->replicated = replicas >= c->p->ctx->replica_acks;
	finish(c);
}

static void on_step(struct store *st, redisReply *r, void *arg)
{
	struct commit *c = arg;
	struct cmd_ctx *ctx = c->p->ctx;

	if (!r || r->type != REDIS_REPLY_ARRAY ||
	    (r->elements != 3 && r->elements != 4)) {
		reply_fail(c->p, r);
		c->failed = true;
		finish(c);
		return;
	}
	c->duplicate = r->element[0]->integer == 1;
	c->seq = (uint64_t)r->element[1]->integer;
	c->ts = r->element[2]->integer;
	if (ctx->replica_acks > 0) {
		struct key meta = key_conv_meta(c->p->conv);

		c->waiting++;
		if (store_wait(st, meta.s, strlen(meta.s), ctx->replica_acks,
			       ctx->replica_timeout_ms, on_wait, c))
			on_wait(st, -1, c);
	}
	/* What the step wrote to its outbox is applied before the ack, so
	 * the actor's next read sees it; the consumer makes sure of it
	 * should this node stop first. */
	if (r->elements == 4) {
		c->waiting++;
		outbox_apply(ctx, r->element[3], on_applied, c);
	}
	finish(c);
}

/* Sends the step: a message or a note through its shard's batch, a step
 * of another kind after what that batch holds. 0 or -1 as store_eval. */
static int send_step(struct cmd_ctx *ctx, struct commit *c, const char *conv,
		     enum script_id script, int nkeys, int argc,
		     const char **argv)
{
	if (ctx->batch && batch_takes(script, nkeys))
		return batch_append(ctx->batch, conv, argc, argv, on_step, c);
	if (ctx->batch)
		batch_flush_conv(ctx->batch, conv);
	return store_eval(ctx->store, script, on_step, c, nkeys, argc, argv,
			  NULL);
}

void commit_step(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		 const struct proto_request *req, const char *conv,
		 enum script_id script, int nkeys, int argc, const char **argv)
{
	struct commit *c = xcalloc(1, sizeof(*c));

	c->p = pending_create(ctx, a, k, req->id, conv);
	c->replicated = ctx->replica_acks == 0;
	c->waiting = 1;
	if (send_step(ctx, c, conv, script, nkeys, argc, argv)) {
		reply_fail(c->p, NULL);
		c->failed = true;
		finish(c);
	}
}
