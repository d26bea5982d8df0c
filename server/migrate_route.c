/*
 * migrate_route: routing state for conversations opened before routing;
 * see the header. chatd runs no node meanwhile, so plain commands do: no
 * step needs to be atomic against another.
 */
#include "migrate_route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/util.h"
#include "chat/store/keys.h"
#include "chat/support/queue.h"

#define SCAN_COUNT "500"
#define ASSIGNED_BASE 20000000000000LL /* the board's assigned scores */

enum {
	F_STATUS,
	F_CUSTOMER,
	F_NAME,
	F_SUMMARY,
	F_TIER,
	F_OPENED,
	F_ORG,
	F_AGENT,
	F_AGENT_NAME,
	F_TOPIC,
	F__COUNT
};

static int fail(redisContext *c, redisReply *r)
{
	fprintf(stderr, "chatd migrate-keys: %s\n",
		r && r->type == REDIS_REPLY_ERROR ? r->str : c->errstr);
	freeReplyObject(r);
	return -1;
}

static const char *field(const redisReply *m, int i)
{
	const redisReply *e = m->element[i];

	return e->type == REDIS_REPLY_STRING ? e->str : "";
}

/* Appends one command to the pipeline; returns 0 or -1. */
static int put(redisContext *c, int argc, const char **argv, int *queued)
{
	if (redisAppendCommandArgv(c, argc, argv, NULL) != REDIS_OK)
		return -1;
	++*queued;
	return 0;
}

/* The conversation's routing hash goes last: it marks the conversation
 * done, so a run stopped half-way does the rest again next time. */
static int write_conv(redisContext *c, const struct policy *p, const char *conv,
		      const redisReply *m, int *queued)
{
	enum auth_tier tier = AUTH_TIER_SILVER;
	bool waiting = strcmp(field(m, F_STATUS), "waiting") == 0;
	struct key cv = key_route_conv(conv), board = key_route_board();
	char score[24], place[24], now[24];
	char customer_class[POLICY_KEY_MAX + PROTO_USER_ID_MAX + 2];
	int64_t opened = atoll(field(m, F_OPENED));
	unsigned rank;

	auth_tier_parse(field(m, F_TIER), &tier);
	rank = p->tiers[tier].class_rank;
	/* score: its place in the queue, should it go back there; place:
	 * where the board shows it now. */
	snprintf(score, sizeof(score), "%lld",
		 (long long)queue_score(p, rank, opened));
	snprintf(place, sizeof(place), "%lld",
		 waiting ? (long long)queue_score(p, rank, opened)
			 : (long long)(ASSIGNED_BASE + opened));
	snprintf(now, sizeof(now), "%lld", (long long)now_ms());
	const char *zadd[] = {"ZADD", board.s, place, conv};

	if (put(c, 4, zadd, queued))
		return -1;
	if (waiting) {
		struct key wait = key_route_wait(),
			   q = key_route_skill_queue("");

		snprintf(customer_class, sizeof(customer_class), "%s:%s",
			 p->classes[rank].key, field(m, F_CUSTOMER));
		const char *w[] = {"HSET", wait.s, conv, customer_class};
		const char *qa[] = {"ZADD", q.s, score, conv};
		if (put(c, 4, w, queued) || put(c, 4, qa, queued))
			return -1;
	} else {
		struct key ag = key_route_agent(field(m, F_AGENT)),
			   aa = key_route_agent_convs(field(m, F_AGENT)),
			   live = key_route_live();
		const char *sadd[] = {"SADD", aa.s, conv};
		const char *load[] = {"HINCRBY", ag.s, "load", "1"};
		const char *name[] = {"HSETNX", ag.s, "name",
				      field(m, F_AGENT_NAME)};
		const char *status[] = {"HSETNX", ag.s, "status", "online"};
		/* An agent who never comes back goes offline after the grace,
		 * and their conversations back to the queue. */
		const char *seen[] = {"ZADD", live.s, "NX", now,
				      field(m, F_AGENT)};
		if (put(c, 3, sadd, queued) || put(c, 4, load, queued) ||
		    put(c, 4, name, queued) || put(c, 4, status, queued) ||
		    put(c, 5, seen, queued))
			return -1;
	}
	const char *hset[] = {"HSET",	       cv.s,
			      "state",	       waiting ? "waiting" : "assigned",
			      "customer",      field(m, F_CUSTOMER),
			      "customer_name", field(m, F_NAME),
			      "summary",       field(m, F_SUMMARY),
			      "tier",	       auth_tier_str(tier),
			      "class",	       p->classes[rank].key,
			      "score",	       score,
			      "skill",	       "",
			      "topic",	       field(m, F_TOPIC),
			      "org",	       field(m, F_ORG),
			      "enq",	       field(m, F_OPENED),
			      "gen",	       "0",
			      "agent",	       field(m, F_AGENT),
			      "agent_name",    field(m, F_AGENT_NAME)};
	int n = (int)(sizeof(hset) / sizeof(hset[0]));

	return put(c, waiting ? n - 4 : n, hset, queued); /* no agent */
}

/* One open conversation: routed unless it already is, or is not open. */
static int route_one(redisContext *c, const struct policy *p, const char *conv,
		     bool dry, unsigned long *routed)
{
	struct key cv = key_route_conv(conv), meta = key_conv_meta(conv);
	redisReply *known = redisCommand(c, "EXISTS %s", cv.s), *m;
	int queued = 0, rc = 0;

	if (!known || known->type != REDIS_REPLY_INTEGER)
		return fail(c, known);
	if (known->integer == 1) {
		freeReplyObject(known);
		return 0;
	}
	freeReplyObject(known);
	m = redisCommand(c,
			 "HMGET %s status customer customer_name summary tier "
			 "opened_at org agent agent_name topic",
			 meta.s);
	if (!m || m->type != REDIS_REPLY_ARRAY || m->elements != F__COUNT)
		return fail(c, m);
	if (strcmp(field(m, F_STATUS), "waiting") == 0 ||
	    (strcmp(field(m, F_STATUS), "assigned") == 0 &&
	     *field(m, F_AGENT))) {
		++*routed;
		if (!dry)
			rc = write_conv(c, p, conv, m, &queued);
	}
	freeReplyObject(m);
	for (int i = 0; i < queued && rc == 0; i++) {
		redisReply *r = NULL;

		if (redisGetReply(c, (void **)&r) != REDIS_OK || !r ||
		    r->type == REDIS_REPLY_ERROR)
			rc = fail(c, r);
		else
			freeReplyObject(r);
	}
	return rc;
}

int migrate_route(redisContext *c, const struct policy *p, bool dry,
		  unsigned long *routed)
{
	struct key open = key_open_convs(), version = key_route_version();
	char cursor[32] = "0";

	*routed = 0;
	do {
		redisReply *r = redisCommand(c, "ZSCAN %s %s COUNT %s", open.s,
					     cursor, SCAN_COUNT);

		if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2)
			return fail(c, r);
		snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
		for (size_t i = 0; i + 1 < r->element[1]->elements; i += 2) {
			const redisReply *k = r->element[1]->element[i];

			if (k->type == REDIS_REPLY_STRING &&
			    proto_conv_id_valid(k->str) &&
			    route_one(c, p, k->str, dry, routed)) {
				freeReplyObject(r);
				return -1;
			}
		}
		freeReplyObject(r);
	} while (strcmp(cursor, "0") != 0);
	if (!dry && *routed) {
		redisReply *r = redisCommand(c, "INCR %s", version.s);

		if (!r || r->type != REDIS_REPLY_INTEGER)
			return fail(c, r);
		freeReplyObject(r);
	}
	return 0;
}
