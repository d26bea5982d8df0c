/*
 * commit: the step and, when replica acks are asked for, a WAIT behind it
 * on the same connection (so it covers the step); the ack goes out when
 * both have answered. WAITs are grouped: at most one is in flight, and
 * the steps sent meanwhile share the next one, sent when it answers, so
 * a replication round trip serves every write of that time. A WAIT that
 * times out short of the replicas asked for answers unavailable: the
 * step may be applied, and its retry with the same client_id is answered
 * from its record once the replicas have it.
 */
#include "commit.h"

#include <stdio.h>
#include <stdlib.h>

#include "chat/common/hist.h"
#include "chat/common/util.h"
#include "chat/store/store.h"
#include "outbox_apply.h"
#include "reply.h"

struct commit {
	struct pending *p;
	struct commit *next_in_group;
	int waiting; /* replies still to come */
	bool failed; /* an error was sent */
	bool applied;
	bool replicated;
	bool duplicate;
	uint64_t seq;
	int64_t ts;
};

static void finish(struct commit *c)
{
	if (--c->waiting > 0)
		return;
	if (!c->failed && c->applied && pending_alive(c->p)) {
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

static void on_step(struct store *st, redisReply *r, void *arg)
{
	struct commit *c = arg;

	(void)st;
	if (!r || r->type != REDIS_REPLY_ARRAY ||
	    (r->elements != 3 && r->elements != 4)) {
		reply_fail(c->p, r);
		c->failed = true;
	} else {
		c->applied = true;
		c->duplicate = r->element[0]->integer == 1;
		c->seq = (uint64_t)r->element[1]->integer;
		c->ts = r->element[2]->integer;
		/* What the step wrote to its outbox is applied before the ack,
		 * so the actor's next read sees it; the consumer makes sure of
		 * it should this node stop first. */
		if (r->elements == 4) {
			c->waiting++;
			outbox_apply(c->p->ctx, r->element[3], on_applied, c);
		}
	}
	finish(c);
}

/* The steps one WAIT covers. */
struct commit_group {
	struct cmd_ctx *ctx;
	struct commit *members;
};

static void send_group(struct cmd_ctx *ctx);

static void on_wait(struct store *st, redisReply *r, void *arg)
{
	struct commit_group *g = arg;
	struct cmd_ctx *ctx = g->ctx;
	bool enough = r && r->type == REDIS_REPLY_INTEGER &&
		      r->integer >= ctx->replica_acks;

	(void)st;
	ctx->wait_in_flight = NULL;
	for (struct commit *c = g->members, *next; c; c = next) {
		next = c->next_in_group;
		c->replicated = enough;
		finish(c);
	}
	free(g);
	if (ctx->wait_next)
		send_group(ctx);
}

/* Sends the WAIT of the group being gathered; its members are answered
 * unavailable at once when it cannot be sent. */
static void send_group(struct cmd_ctx *ctx)
{
	struct commit_group *g = ctx->wait_next;
	char n[16], ms[24];

	ctx->wait_next = NULL;
	snprintf(n, sizeof(n), "%d", ctx->replica_acks);
	snprintf(ms, sizeof(ms), "%ld", ctx->replica_timeout_ms);
	const char *argv[] = {"WAIT", n, ms};
	if (store_command(ctx->store, on_wait, g, 3, argv, NULL) == 0) {
		ctx->wait_in_flight = g;
		return;
	}
	on_wait(ctx->store, NULL, g);
}

/* Puts c in the group of the next WAIT, and sends it when none is in
 * flight. */
static void join_group(struct cmd_ctx *ctx, struct commit *c)
{
	struct commit_group *g = ctx->wait_next;

	if (!g) {
		g = xcalloc(1, sizeof(*g));
		g->ctx = ctx;
		ctx->wait_next = g;
	}
	c->next_in_group = g->members;
	g->members = c;
	c->waiting++;
	if (!ctx->wait_in_flight)
		send_group(ctx);
}

void commit_step(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		 const struct proto_request *req, const char *conv,
		 enum script_id script, int nkeys, int argc, const char **argv)
{
	struct commit *c = xcalloc(1, sizeof(*c));

	c->p = pending_create(ctx, a, k, req->id, conv);
	c->replicated = ctx->replica_acks == 0;
	if (store_eval(ctx->store, script, on_step, c, nkeys, argc, argv,
		       NULL)) {
		reply_fail(c->p, NULL);
		pending_destroy(c->p);
		free(c);
		return;
	}
	c->waiting = 1;
	if (ctx->replica_acks > 0)
		join_group(ctx, c);
}
