/*
 * route: the routing commands; see route.h. A decision runs as one step
 * in the routing slot (route_assign.lua), which writes it to the routing
 * outbox; this node then applies it to the conversation (route_apply.c)
 * and acks with the last event stored, so the actor's next read sees it.
 * Should this node stop in between, the outbox consumer applies it.
 */
#include "route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/util.h"
#include "chat/store/keys.h"
#include "chat/store/store.h"
#include "chat/support/hours.h"
#include "chat/support/policy.h"
#include "access.h"
#include "reply.h"
#include "route_apply.h"
#include "routing.h"
#include "chat/cmd/router.h"

#define SKILLS_CSV (AUTH_SKILLS_MAX * 34 + 1)
#define NUM_MAX 24

static const char *assign_mode(const struct proto_request *req)
{
	switch (req->type) {
	case PROTO_ACCEPT:
		return "accept";
	case PROTO_TAKEOVER:
		return "takeover";
	case PROTO_TRANSFER:
		return *req->to ? "transfer" : "queue";
	default:
		return "claim";
	}
}

static void on_dup_meta(struct store *st, redisReply *r, void *arg)
{
	struct pending *p = arg;

	(void)st;
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2)
		reply_fail(p, r);
	else if (pending_alive(p))
		sink_send_owned(
			p->k,
			proto_encode_ack(
				p->id, p->conv,
				r->element[0]->type == REDIS_REPLY_STRING
					? strtoull(r->element[0]->str, NULL, 10)
					: 0,
				r->element[1]->type == REDIS_REPLY_STRING
					? strtoll(r->element[1]->str, NULL, 10)
					: now_ms(),
				true));
	pending_destroy(p);
}

/* A retry of a decision already made: its ack from the meta. */
static void ack_duplicate(struct pending *p)
{
	struct key meta = key_conv_meta(p->conv);
	const char *argv[] = {"HMGET", meta.s, "rseq", "rts"};

	if (store_command(p->ctx->store, on_dup_meta, p, 4, argv, NULL)) {
		reply_fail(p, NULL);
		pending_destroy(p);
	}
}

static void on_applied(bool ok, enum proto_error_code code, uint64_t seq,
		       int64_t ts, bool duplicate, int64_t entry_ts, void *arg)
{
	struct pending *p = arg;

	(void)entry_ts;
	if (!ok)
		reply_error(p, code, NULL);
	else if (pending_alive(p))
		sink_send_owned(p->k,
				proto_encode_ack(p->id, p->conv, seq, ts,
						 duplicate || p->kind == 1));
	router_kick(p->ctx->router);
	pending_destroy(p);
}

static void on_assign(struct store *st, redisReply *r, void *arg)
{
	struct pending *p = arg;

	(void)st;
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 2) {
		if (reply_error_code(r) == PROTO_E_NOT_ASSIGNED)
			reply_error(p, PROTO_E_NOT_ASSIGNED,
				    "only the agent who has this conversation "
				    "or an admin can hand it on");
		else
			reply_fail(p, r);
		pending_destroy(p);
		return;
	}
	p->kind = r->element[0]->integer == 1;
	if (r->elements >= 3)
		route_apply(p->ctx, r->element[2], on_applied, p);
	else
		ack_duplicate(p);
}

/* The pending request of a routing command the actor may send, or NULL
 * when it may not (the error is sent). */
static struct pending *admit(struct cmd_ctx *ctx, const struct actor *a,
			     struct sink *k, const struct proto_request *req)
{
	const char *denied = access_route(a, req->type);

	if (denied) {
		sink_send_error(k, req->id, req->conv, PROTO_E_FORBIDDEN,
				denied);
		return NULL;
	}
	return pending_create(ctx, a, k, req->id, req->conv);
}

void route_assign(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		  const struct proto_request *req)
{
	struct key board = key_route_board(), prefix = key_route_prefix();
	char capacity[NUM_MAX], window[NUM_MAX], skills[SKILLS_CSV];
	struct pending *p = admit(ctx, a, k, req);

	if (!p)
		return;
	snprintf(capacity, sizeof(capacity), "%u", a->capacity);
	snprintf(window, sizeof(window), "%ld", ctx->policy->service_window_ms);
	routing_skills_csv(a, skills, sizeof(skills));
	const char *argv[] = {board.s,
			      prefix.s,
			      assign_mode(req),
			      req->conv,
			      a->id,
			      a->name,
			      capacity,
			      skills,
			      a->role == PROTO_ROLE_ADMIN ? "1" : "0",
			      req->to,
			      req->client_id,
			      req->note ? req->note : "",
			      window,
			      proto_role_str(a->role)};
	if (store_eval(ctx->store, SCRIPT_ROUTE_ASSIGN, on_assign, p, 1,
		       (int)(sizeof(argv) / sizeof(argv[0])), argv, NULL)) {
		reply_fail(p, NULL);
		pending_destroy(p);
	}
}

static void on_noseq(struct store *st, redisReply *r, void *arg)
{
	struct pending *p = arg;

	(void)st;
	if (!r || r->type == REDIS_REPLY_ERROR)
		reply_fail(p, r);
	else if (pending_alive(p))
		sink_send_owned(p->k, proto_encode_ack_noseq(
					      p->id, *p->conv ? p->conv : NULL,
					      now_ms(), false));
	router_kick(p->ctx->router);
	pending_destroy(p);
}

void route_decline(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		   const struct proto_request *req)
{
	struct key board = key_route_board(), prefix = key_route_prefix();
	struct pending *p = admit(ctx, a, k, req);

	if (!p)
		return;
	const char *argv[] = {board.s, prefix.s, req->conv, a->id};
	if (store_eval(ctx->store, SCRIPT_ROUTE_DECLINE, on_noseq, p, 1, 4,
		       argv, NULL)) {
		reply_fail(p, NULL);
		pending_destroy(p);
	}
}

static void on_presence_applied(void *arg)
{
	struct pending *p = arg;

	if (pending_alive(p))
		sink_send_owned(p->k, proto_encode_ack_noseq(p->id, NULL,
							     now_ms(), false));
	router_kick(p->ctx->router);
	pending_destroy(p);
}

static void on_presence(struct store *st, redisReply *r, void *arg)
{
	struct pending *p = arg;

	(void)st;
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 2) {
		reply_fail(p, r);
		pending_destroy(p);
		return;
	}
	routing_apply_all(p->ctx, r, 2, on_presence_applied, p);
}

void route_presence(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		    const struct proto_request *req)
{
	struct pending *p = admit(ctx, a, k, req);

	if (!p)
		return;
	if (routing_presence(ctx, a, proto_presence_str(req->status),
			     on_presence, p)) {
		reply_fail(p, NULL);
		pending_destroy(p);
	}
}

struct agents_list {
	struct proto_agent_item *items;
	char **strings; /* copies: id, name, status, skills... per item */
	size_t n, cap_strings, used_strings;
};

static const char *keep(struct agents_list *l, const char *s)
{
	char *c = xstrdup(s);

	l->strings[l->used_strings++] = c;
	return c;
}

static void collect_agent(const struct proto_agent_item *it, void *arg)
{
	struct agents_list *l = arg;
	struct proto_agent_item *o = &l->items[l->n++];
	const char **skills = xcalloc(it->n_skills + 1, sizeof(*skills));

	*o = *it;
	o->id = keep(l, it->id);
	o->name = keep(l, it->name);
	o->status = keep(l, it->status);
	for (size_t i = 0; i < it->n_skills; i++)
		skills[i] = keep(l, it->skills[i]);
	o->skills = skills;
	l->strings[l->used_strings++] = (char *)skills;
}

static void on_agents(struct store *st, redisReply *r, void *arg)
{
	struct pending *p = arg;
	size_t n = r && r->type == REDIS_REPLY_ARRAY ? r->elements / 6 : 0;
	struct agents_list l = {0};

	(void)st;
	l.items = xcalloc(n + 1, sizeof(*l.items));
	l.strings = xcalloc(n * (4 + AUTH_SKILLS_MAX) + 1, sizeof(char *));
	if (routing_agents_each(r, collect_agent, &l) < 0)
		reply_fail(p, r && r->type == REDIS_REPLY_ERROR ? r : NULL);
	else if (pending_alive(p))
		sink_send_owned(p->k, proto_encode_agents(p->id, l.items, l.n));
	for (size_t i = 0; i < l.used_strings; i++)
		free(l.strings[i]);
	free(l.strings);
	free(l.items);
	pending_destroy(p);
}

void route_agents(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		  const struct proto_request *req)
{
	struct pending *p = admit(ctx, a, k, req);

	if (!p)
		return;
	if (routing_agents(ctx, on_agents, p, 0, NULL)) {
		reply_fail(p, NULL);
		pending_destroy(p);
	}
}

static void count_online(const struct proto_agent_item *it, void *arg)
{
	if (strcmp(it->status, "online") == 0)
		++*(unsigned *)arg;
}

static void on_availability_agents(struct store *st, redisReply *r, void *arg)
{
	struct pending *p = arg;
	const struct policy *pol = p->ctx->policy;
	enum auth_tier tier = (enum auth_tier)p->who->tier;
	const struct policy_tier *t = &pol->tiers[tier];
	struct proto_topic_item topics[POLICY_MAX_TOPICS];
	int64_t now = now_ms();
	unsigned online = 0;
	bool open = hours_chat_open(pol, tier, now);

	(void)st;
	if (routing_agents_each(r, count_online, &online) < 0) {
		reply_fail(p, r && r->type == REDIS_REPLY_ERROR ? r : NULL);
		pending_destroy(p);
		return;
	}
	for (unsigned i = 0; i < pol->n_topics; i++) {
		topics[i].key = pol->topics[i].key;
		topics[i].label = pol->topics[i].label;
		topics[i].in_scope =
			policy_in_scope(pol, tier, &pol->topics[i]);
	}
	struct proto_availability av = {
		.tier = auth_tier_str(tier),
		.class_key = pol->classes[t->class_rank].key,
		.class_label = pol->classes[t->class_rank].label,
		.hours = policy_hours_str(t->chat_hours),
		.timezone = pol->support_tz,
		.scope = pol->scopes[t->scope].key,
		.scope_label = pol->scopes[t->scope].label,
		.open = open,
		.opens_at = open ? 0 : hours_next_open(pol, tier, now),
		.agents_online = online,
		.topics = topics,
		.n_topics = pol->n_topics,
	};
	if (pending_alive(p))
		sink_send_owned(p->k, proto_encode_availability(p->id, &av));
	pending_destroy(p);
}

void route_availability(struct cmd_ctx *ctx, const struct actor *a,
			struct sink *k, const struct proto_request *req)
{
	struct pending *p = pending_create(ctx, a, k, req->id, NULL);

	if (routing_agents(ctx, on_availability_agents, p, 0, NULL)) {
		reply_fail(p, NULL);
		pending_destroy(p);
	}
}
