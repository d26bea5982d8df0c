/* outbox_apply: the index updates of one outbox entry; see the header. */
#include "outbox_apply.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/log.h"
#include "chat/common/util.h"
#include "chat/store/keys.h"
#include "chat/store/store.h"
#include "route_apply.h"

#define ENTRY_FIELDS 6

struct entry {
	char kind;
	const char *conv, *ts, *user, *org, *site, *agent;
	/* what the router needs of an opening */
	const char *name, *summary, *tier, *class_key, *head_start, *skill,
		*topic, *oos, *dedicated, *dedicated_delay, *held_until;
	const char *epoch; /* reopen and close: NULL = 0 */
};

struct applying {
	outbox_applied_cb cb;
	void *arg;
	int64_t ts;
	unsigned waiting;
	bool ok;
};

/* The two-letter fields of an opening (or a reopening), for the router,
 * and the epoch of a reopening or a close. */
static void parse_route_field(struct entry *e, const char *f, const char *v)
{
	static const struct {
		const char *name;
		size_t off;
	} names[] = {
		{"nm", offsetof(struct entry, name)},
		{"sm", offsetof(struct entry, summary)},
		{"ti", offsetof(struct entry, tier)},
		{"cl", offsetof(struct entry, class_key)},
		{"hs", offsetof(struct entry, head_start)},
		{"sk", offsetof(struct entry, skill)},
		{"tp", offsetof(struct entry, topic)},
		{"os", offsetof(struct entry, oos)},
		{"dd", offsetof(struct entry, dedicated)},
		{"dl", offsetof(struct entry, dedicated_delay)},
		{"hu", offsetof(struct entry, held_until)},
		{"ep", offsetof(struct entry, epoch)},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].name, f) == 0)
			*(const char **)((char *)e + names[i].off) = v;
}

static bool parse(const redisReply *fields, struct entry *e)
{
	memset(e, 0, sizeof(*e));
	if (!fields || fields->type != REDIS_REPLY_ARRAY ||
	    fields->elements % 2)
		return false;
	for (size_t i = 0; i + 1 < fields->elements; i += 2) {
		const redisReply *f = fields->element[i],
				 *v = fields->element[i + 1];

		if (f->type != REDIS_REPLY_STRING ||
		    v->type != REDIS_REPLY_STRING || f->len < 1)
			return false;
		if (f->len > 1) {
			parse_route_field(e, f->str, v->str);
			continue;
		}
		switch (f->str[0]) {
		case 'k':
			e->kind = v->str[0];
			break;
		case 'c':
			e->conv = v->str;
			break;
		case 't':
			e->ts = v->str;
			break;
		case 'u':
			e->user = v->str;
			break;
		case 'o':
			e->org = v->str;
			break;
		case 's':
			e->site = v->str;
			break;
		case 'a':
			e->agent = v->str;
			break;
		default:
			break; /* a newer release's field */
		}
	}
	return e->conv && *e->conv && e->ts;
}

static void finish(struct applying *ap)
{
	if (--ap->waiting > 0)
		return;
	ap->cb(ap->ok, ap->ts, ap->arg);
	free(ap);
}

static void on_update(struct store *st, redisReply *r, void *arg)
{
	struct applying *ap = arg;

	(void)st;
	if (!r || r->type == REDIS_REPLY_ERROR)
		ap->ok = false;
	finish(ap);
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* The opening enters the queue; an entry of an older release (no class)
 * enters as normal with no head start. */
static void send_enqueue(struct cmd_ctx *ctx, struct applying *ap,
			 const struct entry *e)
{
	struct key prefix = key_route_prefix(), board = key_route_board();
	const char *argv[] = {board.s,
			      prefix.s,
			      e->conv,
			      or_empty(e->user),
			      or_empty(e->name),
			      or_empty(e->summary),
			      or_empty(e->tier),
			      e->class_key ? e->class_key : "normal",
			      e->head_start ? e->head_start : "0",
			      or_empty(e->skill),
			      or_empty(e->topic),
			      e->oos ? e->oos : "0",
			      or_empty(e->dedicated),
			      e->dedicated_delay ? e->dedicated_delay : "0",
			      e->held_until ? e->held_until : "0",
			      e->ts,
			      or_empty(e->org),
			      e->epoch ? e->epoch : "0"};

	ap->waiting++;
	if (store_eval(ctx->store, SCRIPT_ROUTE_ENQUEUE, on_update, ap, 1,
		       (int)(sizeof(argv) / sizeof(argv[0])), argv, NULL)) {
		ap->waiting--;
		ap->ok = false;
	}
}

static void send_route_close(struct cmd_ctx *ctx, struct applying *ap,
			     const struct entry *e)
{
	struct key prefix = key_route_prefix(), board = key_route_board();
	const char *argv[] = {board.s, prefix.s, e->conv,
			      e->epoch ? e->epoch : "0"};

	ap->waiting++;
	if (store_eval(ctx->store, SCRIPT_ROUTE_CLOSE, on_update, ap, 1, 4,
		       argv, NULL)) {
		ap->waiting--;
		ap->ok = false;
	}
}

/* A routing decision: a refusal (the conversation closed or expired) or
 * a malformed entry never applies and is skipped; anything else (Redis
 * away, out of memory, ...) is tried again. */
static void on_routed(bool ok, enum proto_error_code code, uint64_t seq,
		      int64_t ts, bool duplicate, int64_t entry_ts, void *arg)
{
	struct applying *ap = arg;

	(void)seq;
	(void)ts;
	(void)duplicate;
	(void)entry_ts;
	if (!ok && code != PROTO_E_CONV_CLOSED && code != PROTO_E_NOT_FOUND &&
	    code != PROTO_E_BAD_FRAME)
		ap->ok = false;
	finish(ap);
}

static void send_update(struct cmd_ctx *ctx, struct applying *ap,
			const char *op, const struct key *k,
			const struct entry *e)
{
	const char *add[] = {"ZADD", k->s, e->ts, e->conv};
	const char *rem[] = {"ZREM", k->s, e->conv};
	bool is_add = op[1] == 'A';

	ap->waiting++;
	if (store_command(ctx->store, on_update, ap, is_add ? 4 : 3,
			  is_add ? add : rem, NULL)) {
		ap->waiting--;
		ap->ok = false;
	}
}

void outbox_apply(struct cmd_ctx *ctx, const redisReply *fields,
		  outbox_applied_cb cb, void *arg)
{
	struct applying *ap = xcalloc(1, sizeof(*ap));
	struct entry e;
	struct key keys[ENTRY_FIELDS];
	const char *op = "ZADD";
	int n = 0;

	ap->cb = cb;
	ap->arg = arg;
	ap->ok = true;
	ap->waiting = 1; /* until every update is sent */
	if (fields && fields->type == REDIS_REPLY_ARRAY &&
	    fields->elements >= 2 &&
	    fields->element[1]->type == REDIS_REPLY_STRING &&
	    strcmp(fields->element[1]->str, "R") == 0) {
		const redisReply *t = NULL;

		for (size_t i = 0; i + 1 < fields->elements; i += 2)
			if (strcmp(fields->element[i]->str, "t") == 0)
				t = fields->element[i + 1];
		ap->ts = t && t->type == REDIS_REPLY_STRING
				 ? strtoll(t->str, NULL, 10)
				 : now_ms();
		ap->waiting++;
		route_apply(ctx, fields, on_routed, ap);
		finish(ap);
		return;
	}
	if (!parse(fields, &e)) {
		/* Never applicable: skipped, not retried for ever. */
		log_warn("outbox: skipping a malformed entry");
		finish(ap);
		return;
	}
	ap->ts = strtoll(e.ts, NULL, 10);
	switch (e.kind) {
	case 'o':
		if (e.user && *e.user)
			keys[n++] = key_user_convs(e.user);
		if (e.org && *e.org)
			keys[n++] = key_org_convs(e.org);
		if (e.site && *e.site)
			keys[n++] = key_site_convs(e.site);
		keys[n++] = key_open_convs();
		keys[n++] = key_active_convs();
		break;
	case 'r':
		/* reopened: the customer's, organization's and site's indexes
		 * still list it */
		keys[n++] = key_open_convs();
		keys[n++] = key_active_convs();
		break;
	case 'a':
		if (e.agent && *e.agent)
			keys[n++] = key_agent_convs(e.agent);
		break;
	case 'x':
		op = "ZREM";
		keys[n++] = key_open_convs();
		keys[n++] = key_active_convs();
		break;
	default:
		break; /* a newer release's kind: nothing this one knows */
	}
	for (int i = 0; i < n; i++)
		send_update(ctx, ap, op, &keys[i], &e);
	if (e.kind == 'o' || e.kind == 'r')
		send_enqueue(ctx, ap, &e);
	else if (e.kind == 'x')
		send_route_close(ctx, ap, &e);
	finish(ap);
}
