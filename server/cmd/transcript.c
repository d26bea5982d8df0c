/* transcript: see transcript.h. */
#include "transcript.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "chat/cmd/mailq.h"
#include "chat/common/util.h"
#include "chat/store/keys.h"
#include "chat/store/store.h"
#include "reply.h"

static void on_queued(bool ok, bool queued, void *arg)
{
	struct pending *p = arg;

	if (!ok)
		reply_error(p, PROTO_E_UNAVAILABLE, NULL);
	else if (pending_alive(p))
		sink_send_owned(p->k,
				proto_encode_ack_noseq(p->id, p->conv, now_ms(),
						       !queued));
	if (ok && queued && p->ctx->mail.kick)
		p->ctx->mail.kick(p->ctx->mail.kick_arg);
	pending_destroy(p);
}

/* r: HMGET meta customer email seq. */
static void on_meta(struct store *st, redisReply *r, void *arg)
{
	struct pending *p = arg;
	char id[PROTO_CONV_LEN + 32];
	struct mail_job j = {.kind = MAIL_REQUESTED,
			     .id = id,
			     .guard_s = MAILQ_GUARD_S,
			     .conv = p->conv};

	if (!reply_owner_ok(p, r, 3)) {
		pending_destroy(p);
		return;
	}
	if (r->element[1]->type != REDIS_REPLY_STRING || !*r->element[1]->str) {
		reply_error(p, PROTO_E_NO_EMAIL,
			    "no email address is known for this conversation");
		pending_destroy(p);
		return;
	}
	j.hi = r->element[2]->type == REDIS_REPLY_STRING
		       ? strtoull(r->element[2]->str, NULL, 10)
		       : 0;
	snprintf(id, sizeof(id), "r.%s.%" PRIu64, p->conv, j.hi);
	if (mailq_enqueue(st, &j, on_queued, p)) {
		reply_error(p, PROTO_E_UNAVAILABLE, NULL);
		pending_destroy(p);
	}
}

void transcript_request(struct cmd_ctx *ctx, const struct actor *a,
			struct sink *k, const struct proto_request *req)
{
	struct key meta = key_conv_meta(req->conv);
	const char *argv[] = {"HMGET", meta.s, "customer", "email", "seq"};
	struct pending *p;

	if (a->role != PROTO_ROLE_CUSTOMER) {
		sink_send_error(k, req->id, NULL, PROTO_E_FORBIDDEN,
				"only the customer asks for a transcript");
		return;
	}
	if (!ctx->mail.on) {
		sink_send_error(k, req->id, NULL, PROTO_E_NO_EMAIL,
				"this server sends no mail");
		return;
	}
	p = pending_create(ctx, a, k, req->id, req->conv);
	if (store_command(ctx->store, on_meta, p, 5, argv, NULL)) {
		reply_error(p, PROTO_E_UNAVAILABLE, NULL);
		pending_destroy(p);
	}
}
