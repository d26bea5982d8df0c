/* outbox_apply: the index updates of one outbox entry; see the header. */
#include "outbox_apply.h"

#include <stdlib.h>
#include <string.h>

#include "chat/common/log.h"
#include "chat/common/util.h"
#include "chat/store/keys.h"
#include "chat/store/store.h"

#define ENTRY_FIELDS 6

struct entry {
	char kind;
	const char *conv, *ts, *user, *org, *site, *agent;
};

struct applying {
	outbox_applied_cb cb;
	void *arg;
	int64_t ts;
	unsigned waiting;
	bool ok;
};

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
		    v->type != REDIS_REPLY_STRING || f->len != 1)
			return false;
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
	finish(ap);
}
