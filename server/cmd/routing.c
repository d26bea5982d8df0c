/*
 * routing: the routing steps the commands (route.c), the router and its
 * notices share: an agent's presence recorded, the agents read, routing
 * decisions carried into their conversations.
 */
#include "routing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/util.h"
#include "chat/store/keys.h"
#include "chat/store/store.h"
#include "chat/support/policy.h"
#include "route_apply.h"

#define SKILLS_CSV (AUTH_SKILLS_MAX * 34 + 1)
#define NUM_MAX 24

void routing_skills_csv(const struct actor *a, char *buf, size_t cap)
{
	const char *const *skills = actor_skills(a);
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < a->n_skills && at < cap; i++) {
		int n = snprintf(buf + at, cap - at, "%s%s",
				 i ? ROUTING_SEP : "", skills[i]);

		if (n < 0 || (size_t)n >= cap - at)
			break;
		at += (size_t)n;
	}
}

/* Entries of a routing reply being applied; done runs once all are. */
struct apply_all {
	routing_all_cb done;
	void *arg;
	unsigned waiting;
};

static void on_one_applied(bool ok, enum proto_error_code code, uint64_t seq,
			   int64_t ts, bool duplicate, int64_t entry_ts,
			   void *arg)
{
	struct apply_all *all = arg;

	(void)ok;
	(void)code;
	(void)seq;
	(void)ts;
	(void)duplicate;
	(void)entry_ts;
	if (--all->waiting > 0)
		return;
	if (all->done)
		all->done(all->arg);
	free(all);
}

void routing_apply_all(struct cmd_ctx *ctx, const redisReply *r, size_t first,
		       routing_all_cb done, void *arg)
{
	struct apply_all *all = xcalloc(1, sizeof(*all));

	all->done = done;
	all->arg = arg;
	all->waiting = 1;
	for (size_t i = first;
	     r && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
		if (r->element[i]->type != REDIS_REPLY_ARRAY)
			continue;
		all->waiting++;
		route_apply(ctx, r->element[i], on_one_applied, all);
	}
	on_one_applied(true, PROTO_E_INTERNAL, 0, 0, false, 0, all);
}

int routing_presence(struct cmd_ctx *ctx, const struct actor *a,
		     const char *status, store_reply_cb cb, void *arg)
{
	struct key board = key_route_board(), prefix = key_route_prefix();
	char capacity[NUM_MAX], skills[SKILLS_CSV];

	snprintf(capacity, sizeof(capacity), "%u", a->capacity);
	routing_skills_csv(a, skills, sizeof(skills));
	const char *argv[] = {board.s,
			      prefix.s,
			      a->id,
			      a->name,
			      capacity,
			      skills,
			      a->role == PROTO_ROLE_ADMIN ? "1" : "0",
			      status};
	return store_eval(ctx->store, SCRIPT_ROUTE_PRESENCE, cb, arg, 1,
			  (int)(sizeof(argv) / sizeof(argv[0])), argv, NULL);
}

/* Splits a ROUTING_SEP list into at most max borrowed pieces of buf (which it
 * cuts). Returns how many. */
static size_t split_csv(char *buf, const char **out, size_t max)
{
	size_t n = 0;

	for (char *s = buf, *next; s && *s && n < max; s = next) {
		next = strchr(s, ROUTING_SEP[0]);
		if (next)
			*next++ = '\0';
		out[n++] = s;
	}
	return n;
}

int routing_agents_each(const redisReply *r, routing_agent_cb cb, void *arg)
{
	int n = 0;

	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements % 6)
		return -1;
	for (size_t i = 0; i + 5 < r->elements; i += 6) {
		redisReply *const *f = r->element + i;
		const char *skills[AUTH_SKILLS_MAX];
		char csv[SKILLS_CSV];
		struct proto_agent_item it;

		if (f[0]->type != REDIS_REPLY_STRING ||
		    f[1]->type != REDIS_REPLY_STRING ||
		    f[2]->type != REDIS_REPLY_STRING ||
		    f[5]->type != REDIS_REPLY_STRING)
			return -1;
		snprintf(csv, sizeof(csv), "%s", f[5]->str);
		it.id = f[0]->str;
		it.name = f[1]->str;
		it.status = f[2]->str;
		it.load = f[3]->integer > 0 ? (unsigned)f[3]->integer : 0;
		it.capacity = f[4]->integer > 0 ? (unsigned)f[4]->integer : 0;
		it.skills = skills;
		it.n_skills = split_csv(csv, skills, AUTH_SKILLS_MAX);
		cb(&it, arg);
		n++;
	}
	return n;
}

/* Every agent (argc 3) or the ones named after them. */
int routing_agents(struct cmd_ctx *ctx, store_reply_cb cb, void *arg, int n_ids,
		   const char **ids)
{
	struct key board = key_route_board(), prefix = key_route_prefix();
	char grace[NUM_MAX];
	const char **argv = xcalloc((size_t)n_ids + 4, sizeof(*argv));
	int rc;

	snprintf(grace, sizeof(grace), "%ld", ctx->policy->presence_grace_ms);
	argv[0] = board.s;
	argv[1] = prefix.s;
	argv[2] = grace;
	for (int i = 0; i < n_ids; i++)
		argv[3 + i] = ids[i];
	rc = store_eval(ctx->store, SCRIPT_ROUTE_AGENTS, cb, arg, 1, 3 + n_ids,
			argv, NULL);
	free(argv);
	return rc;
}
