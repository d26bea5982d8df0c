/*
 * email_reply: builds the email_reply.lua step for a customer's reply by
 * email. Who the customer is and that the mail is theirs was decided by
 * the inbound path (inbound/ingest.c); this checks the role, builds the
 * events and the routing a reopening needs (conv_route.c, as open does)
 * and commits the step. Not here: reading or matching the mail.
 */
#include "email_reply.h"

#include <stdlib.h>
#include <string.h>

#include "chat/common/ids.h"
#include "chat/common/util.h"
#include "chat/store/keys.h"
#include "chat/support/hours.h"
#include "commit.h"
#include "conv_route.h"

#define STEP_ARGS (16 + CONV_ROUTE_ARGS)

/* The events of the step: the message, and the reopened event used when
 * the conversation turns out closed. */
struct email_events {
	char *message, *reopened, *feed;
};

static void events_build(const struct actor *a, const struct proto_request *req,
			 struct email_events *ev)
{
	struct proto_user from = {a->id, a->name, PROTO_ROLE_CUSTOMER};
	char *text = proto_string_member("text", req->text);
	char *via = proto_string_member("via", "email");

	ev->message =
		text ? proto_event_prefix_channel(req->conv, "message", "email",
						  &from, req->client_id, text)
		     : NULL;
	ev->reopened =
		via ? proto_event_prefix_channel(req->conv, "reopened", "email",
						 &from, req->client_id, via)
		    : NULL;
	ev->feed = proto_feed_requeued_prefix(req->conv);
	free(text);
	free(via);
}

static void events_free(struct email_events *ev)
{
	free(ev->message);
	free(ev->reopened);
	free(ev->feed);
}

/* A reply that reopens the conversation outside its tier's chat hours
 * waits for the opening, as a message left out of hours does. */
static int64_t held_until(const struct cmd_ctx *ctx, const struct actor *a)
{
	enum auth_tier tier = (enum auth_tier)a->tier;
	int64_t now = now_ms();

	if (hours_chat_open(ctx->policy, tier, now))
		return 0;
	return hours_next_open(ctx->policy, tier, now);
}

static void step(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		 const struct proto_request *req, const struct email_events *ev)
{
	const char *conv = req->conv;
	unsigned shard = key_shard_of(conv);
	struct key meta = key_conv_meta(conv), events = key_conv_events(conv),
		   idem = key_conv_idem(conv), outbox = key_outbox(shard),
		   reads = key_conv_reads(conv), ch_conv = chan_conv(conv),
		   ch_feed = chan_feed(shard);
	char field[KEY_MAX + PROTO_ID_MAX + 8], fp[IDS_FP_LEN + 1];
	struct conv_routing r;

	if (ids_idem_field(field, sizeof(field), a->id, req->client_id)) {
		sink_send_error(k, req->id, conv, PROTO_E_INTERNAL, NULL);
		return;
	}
	ids_fingerprint(ev->message, strlen(ev->message), fp);
	conv_routing_of(ctx, a, req->topic, held_until(ctx, a), &r);
	const char *argv[STEP_ARGS] = {
		meta.s,	      events.s,	 idem.s,	  outbox.s,
		reads.s,      a->id,	 ev->message,	  field,
		fp,	      ch_conv.s, ctx->expiry_arg, conv,
		ev->reopened, ev->feed,	 ch_feed.s,	  r.held_until};
	conv_route_args(a, req->details.summary, &r, argv + 16);
	commit_step(ctx, a, k, req, conv, SCRIPT_EMAIL_REPLY, 5, STEP_ARGS,
		    argv);
}

void email_reply_run(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		     const struct proto_request *req)
{
	struct email_events ev;

	if (a->role != PROTO_ROLE_CUSTOMER) {
		sink_send_error(k, req->id, req->conv, PROTO_E_FORBIDDEN,
				"only the conversation's customer replies by "
				"email");
		return;
	}
	if (!req->text || !*req->text) {
		sink_send_error(k, req->id, req->conv, PROTO_E_BAD_FRAME,
				"text is required");
		return;
	}
	events_build(a, req, &ev);
	if (ev.message && ev.reopened && ev.feed)
		step(ctx, a, k, req, &ev);
	else
		sink_send_error(k, req->id, req->conv, PROTO_E_INTERNAL, NULL);
	events_free(&ev);
}
