/*
 * conv: builds the Lua calls for open/send/note/claim/close/read and the
 * typing relay, and turns their replies into acks. The checks that decide
 * (ownership, assignment, closed) run inside the Lua step, atomically with
 * the write; the ones here only fail fast without a round trip.
 */
#include "chat/cmd/conv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "chat/net/hub.h"
#include "chat/common/ids.h"
#include "reply.h"
#include "session.h"
#include "chat/store/store.h"
#include "chat/common/util.h"
#include "chat/cmd/watch.h"

#define IDEMPOTENCY_TTL "86400"

static struct proto_user sender_of(const struct session *s)
{
	struct proto_user u = {s->who->sub, s->who->name, s->who->role};

	return u;
}

/* Dumps obj without its closing brace, so Lua can append seq and ts.
 * Steals obj. Returns a heap string or NULL. */
static char *json_prefix(json_t *obj)
{
	char *s = obj ? json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER)
		      : NULL;
	size_t n;

	json_decref(obj);
	if (!s)
		return NULL;
	n = strlen(s);
	if (n && s[n - 1] == '}')
		s[n - 1] = '\0';
	return s;
}

static void on_ack_reply(struct store *st, redisReply *r, void *arg)
{
	struct pending *p = arg;

	(void)st;
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3) {
		reply_fail(p, r);
	} else if (session_alive(p->s)) {
		session_send_owned(
			p->s, proto_encode_ack(p->id, p->conv,
					       (uint64_t)r->element[1]->integer,
					       r->element[2]->integer,
					       r->element[0]->integer == 1));
	}
	pending_destroy(p);
}

static void eval_or_fail(struct session *s, const struct proto_request *req,
			 const char *conv, enum script_id script, int nkeys,
			 int argc, const char **argv)
{
	struct pending *p = pending_create(s, req->id, conv);

	if (store_eval(s->hub->store, script, on_ack_reply, p, nkeys, argc,
		       argv, NULL)) {
		reply_fail(p, NULL);
		pending_destroy(p);
	}
}

static char *open_feed_prefix(const struct session *s, const char *conv,
			      const struct proto_details *d)
{
	json_t *o = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s}", "type", "feed",
		"kind", "opened", "conv", conv, "status", "waiting", "summary",
		d->summary, "customer", "id", s->who->sub, "name", s->who->name,
		"tier", auth_tier_str(s->who->tier));

	if (o && d->environment)
		json_object_set_new(o, "environment",
				    json_string(d->environment));
	if (o && *s->who->org)
		json_object_set_new(o, "org", json_string(s->who->org));
	if (o && *s->who->site)
		json_object_set_new(o, "site", json_string(s->who->site));
	return json_prefix(o);
}

/* Runs open.lua: KEYS are the conversation's and the indexes it joins
 * (org and site only when the token names them). */
static void open_eval(struct session *s, const struct proto_request *req,
		      const char *conv, const char *event, const char *feed)
{
	const struct identity *w = s->who;
	const struct proto_details *d = &req->details;
	char k[6][300];
	const char *argv[17];
	int nkeys = 0;

	snprintf(k[0], sizeof(k[0]), "{c:%s}:m", conv);
	snprintf(k[1], sizeof(k[1]), "{c:%s}:e", conv);
	snprintf(k[2], sizeof(k[2]), "{u:%s}:c", w->sub);
	snprintf(k[3], sizeof(k[3]), "convs:open");
	snprintf(k[4], sizeof(k[4]), "{o:%s}:c", w->org);
	snprintf(k[5], sizeof(k[5]), "{s:%s}:c", w->site);
	for (int i = 0; i < 6; i++)
		if (i < 4 || (i == 4 && *w->org) || (i == 5 && *w->site))
			argv[nkeys++] = k[i];
	const char *args[] = {conv,
			      event,
			      feed,
			      w->sub,
			      w->name,
			      *w->site ? "site" : "personal",
			      w->org,
			      w->site,
			      auth_tier_str(w->tier),
			      d->summary,
			      d->environment ? d->environment : ""};
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++)
		argv[nkeys + (int)i] = args[i];
	eval_or_fail(s, req, conv, SCRIPT_OPEN, nkeys, nkeys + 11, argv);
}

void conv_open(struct session *s, const struct proto_request *req)
{
	const struct identity *w = s->who;
	struct proto_user from = sender_of(s);
	char conv[PROTO_CONV_LEN + 1];
	char *members, *event, *feed;

	if (w->role != PROTO_ROLE_CUSTOMER) {
		session_send_error(s, req->id, NULL, PROTO_E_FORBIDDEN,
				   "only customers open conversations");
		return;
	}
	ids_conv_derive(s->hub->id_secret, s->hub->id_secret_len, w->sub,
			req->client_id, conv);
	members = proto_opened_members(&req->details,
				       *w->site ? "site" : "personal", w->org,
				       w->site, auth_tier_str(w->tier));
	event = members ? proto_event_prefix(conv, "opened", &from,
					     req->client_id, members)
			: NULL;
	feed = open_feed_prefix(s, conv, &req->details);
	if (event && feed)
		open_eval(s, req, conv, event, feed);
	else
		session_send_error(s, req->id, NULL, PROTO_E_INTERNAL, NULL);
	free(members);
	free(event);
	free(feed);
}

static const char *append_op(enum proto_type t)
{
	switch (t) {
	case PROTO_SEND:
		return "send";
	case PROTO_NOTE:
		return "note";
	case PROTO_CLAIM:
		return "claim";
	default:
		return "close";
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

static char *append_event(const struct session *s,
			  const struct proto_request *req)
{
	static const char *kinds[] = {[PROTO_SEND] = "message",
				      [PROTO_NOTE] = "note",
				      [PROTO_CLAIM] = "joined",
				      [PROTO_CLOSE] = "closed"};
	struct proto_user from = sender_of(s);
	char *members = append_members(req);
	char *event =
		members ? proto_event_prefix(req->conv, kinds[req->type], &from,
					     req->client_id, members)
			: NULL;

	free(members);
	return event;
}

static char *append_feed(const struct session *s,
			 const struct proto_request *req)
{
	json_t *o;

	if (req->type == PROTO_CLAIM) {
		o = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}}", "type",
			      "feed", "kind", "assigned", "conv", req->conv,
			      "status", "assigned", "agent", "id", s->who->sub,
			      "name", s->who->name);
	} else if (req->type == PROTO_CLOSE) {
		o = json_pack("{s:s, s:s, s:s, s:s}", "type", "feed", "kind",
			      "closed", "conv", req->conv, "status", "closed");
		if (o && req->reason)
			json_object_set_new(o, "reason",
					    json_string(req->reason));
	} else {
		return xstrdup("");
	}
	return json_prefix(o);
}

static bool append_allowed(struct session *s, const struct proto_request *req)
{
	if (s->who->role != PROTO_ROLE_CUSTOMER)
		return true;
	if (req->type == PROTO_SEND || req->type == PROTO_CLOSE)
		return true;
	session_send_error(s, req->id, req->conv, PROTO_E_FORBIDDEN,
			   "agents only");
	return false;
}

void conv_append(struct session *s, const struct proto_request *req)
{
	const struct identity *w = s->who;
	char k[5][400], field[400];
	char *event, *feed;

	if (!append_allowed(s, req))
		return;
	event = append_event(s, req);
	feed = append_feed(s, req);
	if (!event || !feed) {
		session_send_error(s, req->id, req->conv, PROTO_E_INTERNAL,
				   NULL);
		goto out;
	}
	snprintf(k[0], sizeof(k[0]), "{c:%s}:m", req->conv);
	snprintf(k[1], sizeof(k[1]), "{c:%s}:e", req->conv);
	snprintf(k[2], sizeof(k[2]), "{c:%s}:i", req->conv);
	if (ids_idem_field(field, sizeof(field), w->sub, req->client_id)) {
		session_send_error(s, req->id, req->conv, PROTO_E_INTERNAL,
				   NULL);
		goto out;
	}
	snprintf(k[3], sizeof(k[3]), "convs:open");
	snprintf(k[4], sizeof(k[4]), "{a:%s}:c", w->sub);
	const char *argv[] = {k[0],
			      k[1],
			      k[2],
			      k[3],
			      k[4],
			      append_op(req->type),
			      w->sub,
			      proto_role_str(w->role),
			      event,
			      req->conv,
			      feed,
			      w->name,
			      IDEMPOTENCY_TTL,
			      field};
	eval_or_fail(s, req, req->conv, SCRIPT_APPEND, 5, 14, argv);
out:
	free(event);
	free(feed);
}

static void on_publish_reply(struct store *st, redisReply *r, void *arg)
{
	(void)st;
	(void)r;
	(void)arg;
}

/* A relayed (not stored) frame on a conversation channel is
 * "!<audience><self>|<sender id>|<frame>": audience 'a' agents only or
 * '*' everyone; self '1' when the sender's own sessions get it too. */
static char *relay_prefix(const char *audience_self, const char *sender,
			  const char *frame)
{
	size_t n = strlen(audience_self) + strlen(sender) + strlen(frame) + 4;
	char *out = malloc(n);

	if (out)
		snprintf(out, n, "!%s|%s|%s", audience_self, sender, frame);
	return out;
}

void conv_typing(struct session *s, const struct proto_request *req)
{
	struct proto_user from = sender_of(s);
	char channel[PROTO_CONV_LEN + 3], *frame, *payload;
	bool customer = s->who->role == PROTO_ROLE_CUSTOMER;

	if (!watch_find(s, req->conv)) {
		session_send_error(s, req->id, req->conv, PROTO_E_FORBIDDEN,
				   "resume the conversation first");
		return;
	}
	frame = proto_encode_typing(req->conv, &from, req->typing);
	payload =
		frame ? relay_prefix(customer ? "a0" : "*0", s->who->sub, frame)
		      : NULL;
	snprintf(channel, sizeof(channel), "c:%s", req->conv);
	const char *argv[] = {"PUBLISH", channel, payload};
	if (payload &&
	    store_command(s->hub->store, on_publish_reply, NULL, 3, argv,
			  NULL) &&
	    *req->id)
		session_send_error(s, req->id, req->conv, PROTO_E_UNAVAILABLE,
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
	else if (session_alive(p->s))
		session_send_owned(p->s, proto_encode_ack(p->id, p->conv,
							  (uint64_t)r->integer,
							  now_ms(), false));
	pending_destroy(p);
}

void conv_read(struct session *s, const struct proto_request *req)
{
	struct proto_user from = sender_of(s);
	char k[2][64], seq[24], *frame, *relay, *cut;
	struct pending *p;

	/* The relayed frame is cut before its seq value, which Lua fills in
	 * after capping it. */
	frame = proto_encode_read(req->conv, &from, 0);
	cut = frame ? strstr(frame, "\"seq\":0}") : NULL;
	if (cut)
		cut[6] = '\0';
	relay = cut ? relay_prefix("*1", s->who->sub, frame) : NULL;
	snprintf(k[0], sizeof(k[0]), "{c:%s}:m", req->conv);
	snprintf(k[1], sizeof(k[1]), "{c:%s}:r", req->conv);
	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)req->seq);
	const char *argv[] = {
		k[0], k[1],	 s->who->sub, proto_role_str(s->who->role),
		seq,  req->conv, relay};
	p = pending_create(s, req->id, req->conv);
	if (!relay || store_eval(s->hub->store, SCRIPT_READ, on_read_reply, p,
				 2, 7, argv, NULL)) {
		reply_fail(p, NULL);
		pending_destroy(p);
	}
	free(frame);
	free(relay);
}
