/*
 * conv: builds the Redis steps for open/send/note/close/read and the
 * typing relay, and turns their replies into acks. Who may act is the
 * policy's decision, checked here before any Redis work; what must hold
 * atomically with the write (the conversation exists and is open, the
 * customer owns it, the agent is assigned) runs inside the Lua step.
 */
#include "conv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/ids.h"
#include "chat/common/util.h"
#include "chat/store/keys.h"
#include "chat/store/store.h"
#include "chat/support/hours.h"
#include "chat/support/policy.h"
#include "commit.h"
#include "conv_route.h"
#include "access.h"
#include "reply.h"
#include "watch.h"

#define NUM_MAX 24

static struct proto_user user_of(const struct actor *a)
{
	struct proto_user u = {a->id, a->name, a->role};

	return u;
}

static void open_eval(struct cmd_ctx *ctx, const struct actor *a,
		      struct sink *k, const struct proto_request *req,
		      const char *conv, const char *event, const char *feed,
		      const struct conv_routing *r)
{
	const struct proto_details *d = &req->details;
	unsigned shard = key_shard_of(conv);
	struct key meta = key_conv_meta(conv), events = key_conv_events(conv),
		   outbox = key_outbox(shard), ch_conv = chan_conv(conv),
		   ch_feed = chan_feed(shard);
	char fp[IDS_FP_LEN + 1];

	ids_fingerprint(event, strlen(event), fp);
	const char *argv[22 + CONV_ROUTE_ARGS] = {
		meta.s,
		events.s,
		outbox.s,
		conv,
		event,
		feed,
		a->id,
		a->name,
		actor_context(a),
		a->org,
		a->site,
		auth_tier_str(a->tier),
		d->summary,
		d->environment ? d->environment : "",
		fp,
		ch_conv.s,
		ch_feed.s,
		r->class_key,
		r->topic,
		r->out_of_scope ? "1" : "0",
		r->held_until,
		a->email};
	/* what the router needs (route_enqueue) */
	conv_route_args(a, d->summary, r, argv + 22);
	commit_step(ctx, a, k, req, conv, SCRIPT_OPEN, 3,
		    (int)(sizeof(argv) / sizeof(argv[0])), argv);
}

/* Outside the tier's chat hours: refused with when it opens (in the
 * customer's time zone), unless the customer leaves a message, which
 * waits for the opening. Returns false when refused; sets *held_until. */
static bool hours_allow(const struct cmd_ctx *ctx, const struct actor *a,
			struct sink *k, const struct proto_request *req,
			int64_t *held_until)
{
	enum auth_tier tier = (enum auth_tier)a->tier;
	int64_t now = now_ms(), opens;
	char when[160], msg[256];

	*held_until = 0;
	if (hours_chat_open(ctx->policy, tier, now))
		return true;
	opens = hours_next_open(ctx->policy, tier, now);
	if (req->leave_message) {
		*held_until = opens;
		return true;
	}
	if (hours_format(opens, req->tz, when, sizeof(when)) < 0)
		snprintf(when, sizeof(when), "soon");
	snprintf(msg, sizeof(msg),
		 "chat for the %s package is closed now (open %s, Monday to "
		 "Friday, except holidays); it opens again %s",
		 auth_tier_str(tier),
		 policy_hours_str(ctx->policy->tiers[tier].chat_hours), when);
	sink_send_owned(k, proto_encode_error_opens(req->id, msg, opens));
	return false;
}

void conv_open(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
	       const struct proto_request *req)
{
	const char *denied = access_open(a);
	struct proto_user from = user_of(a);
	char conv[PROTO_CONV_LEN + 1];
	char *members = NULL, *event = NULL, *feed = NULL;
	struct conv_routing r;
	int64_t held_until;

	if (denied) {
		sink_send_error(k, req->id, NULL, PROTO_E_FORBIDDEN, denied);
		return;
	}
	if (*req->topic && !policy_topic(ctx->policy, req->topic)) {
		sink_send_error(k, req->id, NULL, PROTO_E_BAD_FRAME,
				"topic is not one of the topics availability "
				"lists");
		return;
	}
	if (!hours_allow(ctx, a, k, req, &held_until))
		return;
	conv_routing_of(ctx, a, req->topic, held_until, &r);
	struct proto_route_info ri = {r.class_key, r.topic, r.out_of_scope,
				      held_until};
	ids_conv_derive(ctx->id_secret, ctx->id_secret_len, a->id,
			req->client_id, conv);
	members = proto_opened_members(&req->details, actor_context(a), a->org,
				       a->site, auth_tier_str(a->tier), &ri);
	if (members)
		event = proto_event_prefix(conv, "opened", &from,
					   req->client_id, members);
	feed = proto_feed_opened_prefix(
		conv, req->details.summary, req->details.environment, &from,
		auth_tier_str(a->tier), a->org, a->site);
	if (event && feed)
		open_eval(ctx, a, k, req, conv, event, feed, &r);
	else
		sink_send_error(k, req->id, NULL, PROTO_E_INTERNAL, NULL);
	free(members);
	free(event);
	free(feed);
}

static const char *append_kind(enum proto_type t)
{
	switch (t) {
	case PROTO_SEND:
		return "message";
	case PROTO_NOTE:
		return "note";
	default:
		return "closed";
	}
}

static char *append_members(const struct proto_request *req)
{
	switch (req->type) {
	case PROTO_SEND:
	case PROTO_NOTE:
		return proto_string_member("text", req->text);
	case PROTO_CLOSE:
		return req->reason ? proto_string_member("reason", req->reason)
				   : xstrdup("");
	default:
		return xstrdup("");
	}
}

static char *append_event(const struct actor *a,
			  const struct proto_request *req)
{
	struct proto_user from = user_of(a);
	char *members = append_members(req);
	char *event =
		members ? proto_event_prefix(req->conv, append_kind(req->type),
					     &from, req->client_id, members)
			: NULL;

	free(members);
	return event;
}

static char *append_feed(const struct proto_request *req)
{
	if (req->type == PROTO_CLOSE)
		return proto_feed_closed_prefix(req->conv, req->reason);
	return xstrdup("");
}

/* The header the Lua step puts before the event: audience and kind. */
static void event_tag(const struct proto_request *req, char tag[3])
{
	const char *kind = append_kind(req->type);

	tag[0] = proto_event_audience(kind);
	tag[1] = proto_event_kind_letter(kind);
	tag[2] = '\0';
}

/* Runs append.lua for an event built by the caller; idle_since is ""
 * or the last_at a close by the server is conditional on. */
static void append_eval(struct cmd_ctx *ctx, const struct actor *a,
			struct sink *k, const struct proto_request *req,
			const char *event, const char *feed,
			const char *idle_since)
{
	const char *conv = req->conv;
	unsigned shard = key_shard_of(conv);
	struct key keys[5] = {key_conv_meta(conv), key_conv_events(conv),
			      key_conv_idem(conv), key_outbox(shard),
			      key_conv_reads(conv)};
	struct key ch_conv = chan_conv(conv), ch_feed = chan_feed(shard);
	char field[KEY_MAX + PROTO_ID_MAX + 8], fp[IDS_FP_LEN + 1], tag[3];
	bool close = req->type == PROTO_CLOSE;
	/* Every argument costs Redis CPU on every call: a message passes
	 * three keys and nine arguments; a close what it needs. */
	int nkeys = close ? 5 : 3, nargs = 9;
	int argc = 0;
	const char *argv[5 + 14];

	if (ids_idem_field(field, sizeof(field), a->id, req->client_id)) {
		sink_send_error(k, req->id, conv, PROTO_E_INTERNAL, NULL);
		return;
	}
	ids_fingerprint(event, strlen(event), fp);
	event_tag(req, tag);
	if (close)
		nargs = *idle_since ? 14 : 13;
	for (int i = 0; i < nkeys; i++)
		argv[argc++] = keys[i].s;
	const char *args[] = {proto_type_str(req->type),
			      a->id,
			      access_must_own(a) ? "1" : "0",
			      event,
			      field,
			      fp,
			      tag,
			      ch_conv.s,
			      ctx->expiry_arg,
			      conv,
			      feed,
			      a->name,
			      ch_feed.s,
			      idle_since};
	for (int i = 0; i < nargs; i++)
		argv[argc++] = args[i];
	commit_step(ctx, a, k, req, conv, SCRIPT_APPEND, nkeys, argc, argv);
}

static void append_checked(struct cmd_ctx *ctx, const struct actor *a,
			   struct sink *k, const struct proto_request *req,
			   const char *idle_since)
{
	const char *denied = access_append(a, req->type);
	char *event, *feed;

	if (denied) {
		sink_send_error(k, req->id, req->conv, PROTO_E_FORBIDDEN,
				denied);
		return;
	}
	event = append_event(a, req);
	feed = append_feed(req);
	if (event && feed)
		append_eval(ctx, a, k, req, event, feed, idle_since);
	else
		sink_send_error(k, req->id, req->conv, PROTO_E_INTERNAL, NULL);
	free(event);
	free(feed);
}

void conv_append(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		 const struct proto_request *req)
{
	append_checked(ctx, a, k, req, "");
}

void conv_close_idle(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		     const char *conv, const char *reason, const char *last_at)
{
	struct proto_request req = {.type = PROTO_CLOSE};

	snprintf(req.conv, sizeof(req.conv), "%s", conv);
	snprintf(req.client_id, sizeof(req.client_id), "idle-close");
	snprintf(req.id, sizeof(req.id), "idle-close");
	req.reason = (char *)reason;
	append_checked(ctx, a, k, &req, last_at);
}

static void on_publish_reply(struct store *st, redisReply *r, void *arg)
{
	(void)st;
	(void)r;
	(void)arg;
}

/* A relayed (not stored) frame: the relay header, then the frame. */
static char *relay_payload(char audience, bool self, const char *sender,
			   const char *frame, size_t frame_len)
{
	size_t cap = strlen(sender) + 16 + frame_len + 1;
	char *out = malloc(cap);
	int n = out ? proto_relay_header(out, cap, audience, self, sender) : -1;

	if (n < 0) {
		free(out);
		return NULL;
	}
	memcpy(out + n, frame, frame_len);
	out[(size_t)n + frame_len] = '\0';
	return out;
}

void conv_typing(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		 const struct proto_request *req)
{
	struct proto_user from = user_of(a);
	struct key channel = chan_conv(req->conv);
	char *frame, *payload = NULL;

	if (!watch_find(k, req->conv)) {
		sink_send_error(k, req->id, req->conv, PROTO_E_FORBIDDEN,
				"resume the conversation first");
		return;
	}
	frame = proto_encode_typing(req->conv, &from, req->typing);
	if (frame)
		payload = relay_payload(actor_is_agent(a) ? '*' : 'a', false,
					a->id, frame, strlen(frame));
	const char *argv[] = {"SPUBLISH", channel.s, payload};
	if (payload &&
	    store_command(ctx->store, on_publish_reply, NULL, 3, argv, NULL) &&
	    *req->id)
		sink_send_error(k, req->id, req->conv, PROTO_E_UNAVAILABLE,
				NULL);
	free(frame);
	free(payload);
}

static void on_read_reply(struct store *st, redisReply *r, void *arg)
{
	struct pending *p = arg;

	(void)st;
	if (!r || r->type != REDIS_REPLY_INTEGER)
		reply_fail(p, r);
	else if (pending_alive(p))
		sink_send_owned(p->k, proto_encode_ack(p->id, p->conv,
						       (uint64_t)r->integer,
						       now_ms(), false));
	pending_destroy(p);
}

/* The relayed read frame without its seq value, which the Lua step fills
 * in after capping it. */
static char *read_relay(const struct actor *a, const char *conv)
{
	struct proto_user from = user_of(a);
	char *frame = proto_encode_read_prefix(conv, &from), *relay = NULL;

	if (frame)
		relay = relay_payload('*', true, a->id, frame, strlen(frame));
	free(frame);
	return relay;
}

void conv_read(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
	       const struct proto_request *req)
{
	struct key meta = key_conv_meta(req->conv),
		   reads = key_conv_reads(req->conv),
		   channel = chan_conv(req->conv);
	char seq[NUM_MAX], *relay = read_relay(a, req->conv);
	struct pending *p;

	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)req->seq);
	const char *argv[] = {
		meta.s, reads.s,   a->id, access_must_own(a) ? "1" : "0",
		seq,	channel.s, relay};
	p = pending_create(ctx, a, k, req->id, req->conv);
	if (!relay || store_eval(ctx->store, SCRIPT_READ, on_read_reply, p, 2,
				 7, argv, NULL)) {
		reply_fail(p, NULL);
		pending_destroy(p);
	}
	free(relay);
}
