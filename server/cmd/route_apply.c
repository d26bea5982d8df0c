/* route_apply: a routing decision in the conversation's slot; see the
 * header. */
#include "route_apply.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/log.h"
#include "chat/common/util.h"
#include "chat/store/keys.h"
#include "chat/store/store.h"
#include "reply.h"

struct decision {
	const char *conv, *gen, *agent, *name, *prev, *prev_name, *via, *by,
		*by_name, *by_role, *note, *ts, *client_id;
};

struct applying {
	struct cmd_ctx *ctx; /* borrowed */
	route_applied_cb cb;
	void *arg;
	int64_t entry_ts;
	uint64_t seq;
	int64_t ts;
	bool duplicate;
	unsigned waiting;
	char conv[PROTO_CONV_LEN + 1];
	char agent[PROTO_USER_ID_MAX + 1]; /* "" when back to the queue */
};

static const char **slot_of(struct decision *d, const char *f, size_t len)
{
	static const struct {
		const char *name;
		size_t off;
	} names[] = {
		{"c", offsetof(struct decision, conv)},
		{"g", offsetof(struct decision, gen)},
		{"a", offsetof(struct decision, agent)},
		{"n", offsetof(struct decision, name)},
		{"p", offsetof(struct decision, prev)},
		{"pn", offsetof(struct decision, prev_name)},
		{"v", offsetof(struct decision, via)},
		{"b", offsetof(struct decision, by)},
		{"bn", offsetof(struct decision, by_name)},
		{"br", offsetof(struct decision, by_role)},
		{"x", offsetof(struct decision, note)},
		{"t", offsetof(struct decision, ts)},
		{"i", offsetof(struct decision, client_id)},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == len &&
		    memcmp(names[i].name, f, len) == 0)
			return (const char **)((char *)d + names[i].off);
	return NULL; /* a newer release's field */
}

static bool parse(const redisReply *fields, struct decision *d)
{
	static const char *const empty = "";

	if (!fields || fields->type != REDIS_REPLY_ARRAY ||
	    fields->elements % 2)
		return false;
	for (const char **s = (const char **)d; s < (const char **)(d + 1); s++)
		*s = empty;
	for (size_t i = 0; i + 1 < fields->elements; i += 2) {
		const redisReply *f = fields->element[i],
				 *v = fields->element[i + 1];
		const char **slot;

		if (f->type != REDIS_REPLY_STRING ||
		    v->type != REDIS_REPLY_STRING)
			return false;
		slot = slot_of(d, f->str, f->len);
		if (slot)
			*slot = v->str;
	}
	return proto_conv_id_valid(d->conv) && atoll(d->gen) > 0 &&
	       (*d->agent || *d->prev);
}

static const char *left_reason(const char *via)
{
	return strcmp(via, "offer") == 0 || strcmp(via, "claim") == 0
		       ? "transfer"
		       : via;
}

/* The step and the agent index update it asked for are done; a failed
 * step ends it at once (nothing else was sent). */
static void finish(struct applying *ap, bool ok, enum proto_error_code code)
{
	if (--ap->waiting > 0)
		return;
	ap->cb(ok, code, ap->seq, ap->ts, ap->duplicate, ap->entry_ts, ap->arg);
	free(ap);
}

static void on_index(struct store *st, redisReply *r, void *arg)
{
	(void)st;
	(void)r; /* a failure is the outbox consumer's to repair */
	finish(arg, true, PROTO_E_INTERNAL);
}

/* The agent's index, as the shard's outbox entry the step wrote says
 * (its consumer makes sure of it should this fail). */
static void index_agent(struct applying *ap)
{
	struct key k = key_agent_convs(ap->agent);
	char ts[24];

	snprintf(ts, sizeof(ts), "%lld", (long long)ap->ts);
	const char *argv[] = {"ZADD", k.s, ts, ap->conv};
	ap->waiting++;
	if (store_command(ap->ctx->store, on_index, ap, 4, argv, NULL))
		ap->waiting--;
}

static void on_step(struct store *st, redisReply *r, void *arg)
{
	struct applying *ap = arg;

	(void)st;
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 3) {
		enum proto_error_code code = reply_error_code(r);

		if (r && r->type == REDIS_REPLY_ERROR)
			log_debug("route: apply refused: %s", r->str);
		finish(ap, false, code);
		return;
	}
	ap->duplicate = r->element[0]->integer == 1;
	ap->seq = (uint64_t)r->element[1]->integer;
	ap->ts = r->element[2]->integer;
	if (r->elements == 4 && *ap->agent)
		index_agent(ap);
	finish(ap, true, PROTO_E_INTERNAL);
}

/* The events' prefixes (a note, left, joined) and the feed's, owned. */
struct texts {
	char *note, *left, *joined, *feed;
};

static void texts_free(struct texts *t)
{
	free(t->note);
	free(t->left);
	free(t->joined);
	free(t->feed);
}

static char *note_event(const struct decision *d)
{
	struct proto_user by = {d->by, d->by_name,
				strcmp(d->by_role, "admin") == 0
					? PROTO_ROLE_ADMIN
					: PROTO_ROLE_AGENT};
	char *members = proto_string_member("text", d->note);
	char *e = members ? proto_event_prefix(d->conv, "note", &by,
					       *d->client_id ? d->client_id
							     : NULL,
					       members)
			  : NULL;

	free(members);
	return e;
}

static char *left_event(const struct decision *d)
{
	struct proto_user prev = {d->prev, d->prev_name, PROTO_ROLE_AGENT},
			  to = {d->agent, d->name, PROTO_ROLE_AGENT};
	char *members =
		proto_left_members(left_reason(d->via), *d->agent ? &to : NULL);
	char *e = members ? proto_event_prefix(d->conv, "left", &prev, NULL,
					       members)
			  : NULL;

	free(members);
	return e;
}

static char *joined_event(const struct decision *d)
{
	bool other = *d->by && strcmp(d->by, d->agent) != 0;
	/* An admin taking a conversation over joins as an admin. */
	enum proto_role role = !other && strcmp(d->by_role, "admin") == 0
				       ? PROTO_ROLE_ADMIN
				       : PROTO_ROLE_AGENT;
	struct proto_user agent = {d->agent, d->name, role},
			  by = {d->by, d->by_name, PROTO_ROLE_AGENT};
	char *members = proto_joined_members(d->via, other ? &by : NULL);
	char *e = members ? proto_event_prefix(d->conv, "joined", &agent, NULL,
					       members)
			  : NULL;

	free(members);
	return e;
}

static bool build(const struct decision *d, struct texts *t)
{
	struct proto_user agent = {d->agent, d->name, PROTO_ROLE_AGENT};

	memset(t, 0, sizeof(*t));
	t->note = *d->note ? note_event(d) : xstrdup("");
	t->left = *d->prev ? left_event(d) : xstrdup("");
	t->joined = *d->agent ? joined_event(d) : xstrdup("");
	t->feed = *d->agent ? proto_feed_assigned_prefix(d->conv, &agent)
			    : proto_feed_requeued_prefix(d->conv);
	return t->note && t->left && t->joined && t->feed;
}

static int send_step(struct cmd_ctx *ctx, const struct decision *d,
		     const struct texts *t, struct applying *ap)
{
	unsigned shard = key_shard_of(d->conv);
	struct key meta = key_conv_meta(d->conv),
		   events = key_conv_events(d->conv),
		   outbox = key_outbox(shard), idem = key_conv_idem(d->conv),
		   ch_conv = chan_conv(d->conv), ch_feed = chan_feed(shard);
	const char *argv[] = {meta.s,	 events.s,  outbox.s,	    idem.s,
			      d->gen,	 d->agent,  d->name,	    t->note,
			      t->left,	 t->joined, t->feed,	    ch_conv.s,
			      ch_feed.s, d->conv,   ctx->expiry_arg};

	return store_eval(ctx->store, SCRIPT_ROUTE_APPLY, on_step, ap, 4,
			  (int)(sizeof(argv) / sizeof(argv[0])), argv, NULL);
}

void route_apply(struct cmd_ctx *ctx, const redisReply *fields,
		 route_applied_cb cb, void *arg)
{
	struct applying *ap = xcalloc(1, sizeof(*ap));
	struct decision d;
	struct texts t = {0};

	ap->ctx = ctx;
	ap->cb = cb;
	ap->arg = arg;
	ap->waiting = 1;
	if (!parse(fields, &d)) {
		log_warn("route: skipping a malformed routing entry");
		finish(ap, false, PROTO_E_BAD_FRAME);
		return;
	}
	ap->entry_ts = atoll(d.ts);
	snprintf(ap->conv, sizeof(ap->conv), "%s", d.conv);
	snprintf(ap->agent, sizeof(ap->agent), "%s", d.agent);
	if (!build(&d, &t))
		finish(ap, false, PROTO_E_INTERNAL);
	else if (send_step(ctx, &d, &t, ap))
		finish(ap, false, PROTO_E_UNAVAILABLE);
	texts_free(&t);
}
