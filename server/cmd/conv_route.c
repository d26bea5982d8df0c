/* conv_route: a conversation's routing from the policy; see the header. */
#include "conv_route.h"

#include <stdio.h>

#include "chat/support/queue.h"
#include "routing.h"

static void dedicated_csv(const struct policy_dedicated *d, char *buf,
			  size_t cap)
{
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned i = 0; d && i < d->n_engineers; i++) {
		int n = snprintf(buf + at, cap - at, "%s%s",
				 i ? ROUTING_SEP : "", d->engineers[i]);

		if (n < 0 || (size_t)n >= cap - at)
			break;
		at += (size_t)n;
	}
}

void conv_routing_of(const struct cmd_ctx *ctx, const struct actor *a,
		     const char *topic, int64_t held_until,
		     struct conv_routing *r)
{
	const struct policy *p = ctx->policy;
	enum auth_tier tier = (enum auth_tier)a->tier;
	unsigned rank = p->tiers[tier].class_rank;
	const struct policy_topic *t =
		topic && *topic ? policy_topic(p, topic) : NULL;

	r->class_key = p->classes[rank].key;
	r->topic = t ? t->key : "";
	r->skill = t ? t->skill : "";
	r->out_of_scope = t && !policy_in_scope(p, tier, t);
	snprintf(r->head_start, sizeof(r->head_start), "%lld",
		 (long long)(queue_score(p, rank, 0) * -1));
	snprintf(r->held_until, sizeof(r->held_until), "%lld",
		 (long long)held_until);
	snprintf(r->dedicated_delay, sizeof(r->dedicated_delay), "%ld",
		 p->dedicated_delay_ms);
	dedicated_csv(policy_dedicated_of(p, a->org), r->dedicated,
		      sizeof(r->dedicated));
}

void conv_route_args(const struct actor *a, const char *summary,
		     const struct conv_routing *r,
		     const char *out[CONV_ROUTE_ARGS])
{
	const char *v[CONV_ROUTE_ARGS] = {"nm", a->name,
					  "sm", summary ? summary : "",
					  "ti", auth_tier_str(a->tier),
					  "cl", r->class_key,
					  "hs", r->head_start,
					  "sk", r->skill,
					  "tp", r->topic,
					  "os", r->out_of_scope ? "1" : "0",
					  "dd", r->dedicated,
					  "dl", r->dedicated_delay,
					  "hu", r->held_until};

	for (int i = 0; i < CONV_ROUTE_ARGS; i++)
		out[i] = v[i];
}
