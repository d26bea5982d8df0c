/*
 * query: history (HMGET owner + XRANGE, pipelined) and list (page.lua on
 * an index, then one HMGET per conversation, pipelined). Pages are bounded
 * in events and, for history, in bytes: stored events are already JSON
 * and are copied into the frame as they are.
 */
#include "query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/util.h"
#include "chat/store/keys.h"
#include "chat/store/store.h"
#include "access.h"
#include "reply.h"

#define DEFAULT_HISTORY 100
#define DEFAULT_LIST 20
/* Board scores from here on are held messages, then assigned ones. */
#define ROUTE_HELD_SCORE 10000000000000ULL

struct history {
	struct pending *p;
	int owner_state; /* 0 unknown, 1 ok, -1 refused (already answered) */
	bool orphan;	 /* the events command was never sent */
	unsigned limit;
};

static void on_history_owner(struct store *st, redisReply *r, void *arg)
{
	struct history *h = arg;

	(void)st;
	h->owner_state = reply_owner_ok(h->p, r, 1) ? 1 : -1;
	if (h->orphan) {
		pending_destroy(h->p);
		free(h);
	}
}

/* The events of the page the actor may see, within the byte budget (at
 * least one, however big). Sets *more when events were left out. */
static size_t history_events(struct history *h, const redisReply *r,
			     struct proto_raw *out, bool *more)
{
	size_t n = r->elements > h->limit ? h->limit : r->elements;
	size_t budget = h->p->ctx->history_bytes, used = 0, k = 0;

	*more = r->elements > h->limit;
	for (size_t i = 0; i < n; i++) {
		const redisReply *e = r->element[i], *v;
		struct proto_evhdr hdr;

		if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
		    e->element[1]->type != REDIS_REPLY_ARRAY ||
		    e->element[1]->elements < 2)
			continue;
		v = e->element[1]->element[1];
		if (proto_evhdr_parse(v->str, v->len, &hdr) ||
		    !access_sees(h->p->who, hdr.audience))
			continue;
		out[k].json = v->str + hdr.len;
		out[k].len = v->len - hdr.len;
		if (k > 0 && used + out[k].len > budget) {
			*more = true;
			break;
		}
		used += out[k++].len;
	}
	return k;
}

static void send_history(struct history *h, const redisReply *r)
{
	struct proto_raw *events = calloc(r->elements + 1, sizeof(*events));
	bool more = false;
	size_t n;

	if (!events) {
		reply_error(h->p, PROTO_E_INTERNAL, NULL);
		return;
	}
	n = history_events(h, r, events, &more);
	sink_send_owned(h->p->k, proto_encode_history(h->p->id, h->p->conv,
						      events, n, more));
	free(events);
}

static void on_history_events(struct store *st, redisReply *r, void *arg)
{
	struct history *h = arg;

	(void)st;
	if (h->owner_state == 1 && pending_alive(h->p)) {
		if (!r || r->type != REDIS_REPLY_ARRAY)
			reply_fail(h->p, r);
		else
			send_history(h, r);
	}
	pending_destroy(h->p);
	free(h);
}

void query_history(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		   const struct proto_request *req)
{
	struct history *h = xcalloc(1, sizeof(*h));
	struct key meta = key_conv_meta(req->conv),
		   events = key_conv_events(req->conv);
	char start[32], count[16];

	h->p = pending_create(ctx, a, k, req->id, req->conv);
	h->limit = req->limit ? req->limit : DEFAULT_HISTORY;
	snprintf(start, sizeof(start), "0-%llu",
		 (unsigned long long)req->seq + 1);
	snprintf(count, sizeof(count), "%u", h->limit + 1);
	const char *owner[] = {"HMGET", meta.s, "customer"};
	const char *range[] = {"XRANGE", events.s, start, "+", "COUNT", count};
	/* Same connection, so the owner check is answered first. */
	if (store_command(ctx->store, on_history_owner, h, 3, owner, NULL)) {
		reply_fail(h->p, NULL);
		pending_destroy(h->p);
		free(h);
		return;
	}
	if (store_command(ctx->store, on_history_events, h, 6, range, NULL)) {
		h->orphan = true;
		sink_send_error(k, req->id, req->conv, PROTO_E_UNAVAILABLE,
				NULL);
	}
}

static const char *const meta_fields[] = {
	"status",	 "summary", "environment", "tier",
	"org",		 "site",    "context",	   "customer",
	"customer_name", "agent",   "agent_name",  "opened_at",
	"closed_at",	 "seq",	    "cseq",	   "nseq",
	"class",	 "topic",   "oos",	   "held_until"};
#define N_META (sizeof(meta_fields) / sizeof(meta_fields[0]))

/* A list request: the index page, then the meta of each conversation,
 * answered in one frame when every reply is in. */
struct list_req {
	struct pending *p;
	unsigned limit, n, answered;
	unsigned extra; /* answers awaited beside the metas */
	long long rank; /* the board: rank of the first waiting item, -1 */
	uint64_t *scores;
	bool board; /* scope open: the routing board, ascending */
	bool failed;
	char next[48]; /* cursor of the next page, "" = none */
	char (*convs)[PROTO_CONV_LEN + 1];
	struct proto_conv_item *items;
	char **strings; /* owned copies of the meta fields, N_META each */
	/* One per meta read, naming its item: on a cluster the reads go to
	 * several primaries and answer in any order. */
	struct meta_ask {
		struct list_req *l;
		size_t i;
	} * asks;
};

static void list_free(struct list_req *l)
{
	for (size_t i = 0; l->strings && i < (size_t)l->n * N_META; i++)
		free(l->strings[i]);
	free(l->strings);
	free(l->convs);
	free(l->items);
	free(l->asks);
	free(l->scores);
	pending_destroy(l->p);
	free(l);
}

static const char *field(const struct list_req *l, size_t i, size_t f)
{
	const char *s = l->strings[i * N_META + f];

	return s ? s : "";
}

/* The last sequence the actor can see: for a customer, the one before
 * the trailing notes (cseq) while the last event is a note (nseq). */
static const char *visible_seq(const struct list_req *l, size_t i)
{
	const char *seq = field(l, i, 13), *nseq = field(l, i, 15);

	if (actor_is_agent(l->p->who) || !*nseq || strcmp(nseq, seq) != 0)
		return seq;
	return field(l, i, 14);
}

static void fill_item(struct list_req *l, size_t i)
{
	struct proto_conv_item *it = &l->items[i];

	it->conv = l->convs[i];
	it->status = field(l, i, 0);
	it->summary = field(l, i, 1);
	it->environment = field(l, i, 2);
	it->tier = field(l, i, 3);
	it->org = field(l, i, 4);
	it->site = field(l, i, 5);
	it->context = field(l, i, 6);
	it->customer.id = field(l, i, 7);
	it->customer.name = field(l, i, 8);
	it->customer.role = PROTO_ROLE_CUSTOMER;
	it->agent.id = field(l, i, 9);
	it->agent.name = field(l, i, 10);
	it->agent.role = PROTO_ROLE_AGENT;
	it->opened_at = atoll(field(l, i, 11));
	it->closed_at = atoll(field(l, i, 12));
	it->last_seq = strtoull(visible_seq(l, i), NULL, 10);
	it->class_key = field(l, i, 16);
	it->topic = field(l, i, 17);
	it->out_of_scope = strcmp(field(l, i, 18), "1") == 0;
	it->held_until = atoll(field(l, i, 19));
	if (l->scores && l->rank >= 0 && l->scores[i] < ROUTE_HELD_SCORE)
		it->position = (unsigned)(l->rank + (long long)i + 1);
}

static void list_finish(struct list_req *l)
{
	size_t shown = 0;

	if (l->failed || !pending_alive(l->p))
		goto out;
	for (size_t i = 0; i < l->n; i++) {
		if (!*field(l, i, 0))
			continue; /* gone (retention) since it was indexed */
		fill_item(l, i);
		if (shown != i)
			l->items[shown] = l->items[i];
		shown++;
	}
	sink_send_owned(l->p->k,
			proto_encode_conversations(l->p->id, l->items, shown,
						   *l->next ? l->next : NULL));
out:
	list_free(l);
}

static void on_list_meta(struct store *st, redisReply *r, void *arg)
{
	const struct meta_ask *ask = arg;
	struct list_req *l = ask->l;
	size_t i = ask->i;

	l->answered++;
	(void)st;
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != N_META) {
		if (!l->failed)
			reply_fail(l->p, r);
		l->failed = true;
	} else if (!l->failed) {
		for (size_t f = 0; f < N_META; f++)
			if (r->element[f]->type == REDIS_REPLY_STRING)
				l->strings[i * N_META + f] =
					xstrdup(r->element[f]->str);
	}
	if (l->answered == l->n + l->extra)
		list_finish(l);
}

static void on_list_rank(struct store *st, redisReply *r, void *arg)
{
	struct list_req *l = arg;

	(void)st;
	l->answered++;
	if (r && r->type == REDIS_REPLY_INTEGER)
		l->rank = r->integer;
	if (l->answered == l->n + l->extra)
		list_finish(l);
}

/* The board's page starts with waiting conversations: their positions
 * follow from the first one's rank (the page is consecutive). */
static void fetch_rank(struct list_req *l)
{
	struct key board = key_route_board();
	const char *argv[] = {"ZRANK", board.s, l->convs[0]};

	l->extra = 1;
	if (store_command(l->p->ctx->store, on_list_rank, l, 3, argv, NULL))
		l->extra = 0;
}

static void fetch_meta(struct list_req *l)
{
	const char *argv[N_META + 2];

	for (size_t i = 0; i < l->n; i++) {
		struct key meta = key_conv_meta(l->convs[i]);

		argv[0] = "HMGET";
		argv[1] = meta.s;
		for (size_t f = 0; f < N_META; f++)
			argv[f + 2] = meta_fields[f];
		l->asks[i].l = l;
		l->asks[i].i = i;
		if (store_command(l->p->ctx->store, on_list_meta, &l->asks[i],
				  (int)N_META + 2, argv, NULL)) {
			/* Redis went away mid-way: answer for the rest. */
			l->failed = true;
			if (i == 0) {
				reply_fail(l->p, NULL);
				list_finish(l);
				return;
			}
			l->n = (unsigned)i;
			return;
		}
	}
}

/* The page script answers [member, score, ...], newest first. */
static void on_list_index(struct store *st, redisReply *r, void *arg)
{
	struct list_req *l = arg;
	size_t pairs;

	(void)st;
	if (!r || r->type != REDIS_REPLY_ARRAY) {
		reply_fail(l->p, r);
		l->failed = true;
		list_finish(l);
		return;
	}
	pairs = r->elements / 2;
	l->n = pairs > l->limit ? l->limit : (unsigned)pairs;
	l->convs = xcalloc(l->n + 1, sizeof(*l->convs));
	if (l->board)
		l->scores = xcalloc(l->n + 1, sizeof(*l->scores));
	l->items = xcalloc(l->n + 1, sizeof(*l->items));
	l->strings = xcalloc(((size_t)l->n + 1) * N_META, sizeof(char *));
	l->asks = xcalloc(l->n + 1, sizeof(*l->asks));
	for (size_t i = 0; i < l->n; i++)
		snprintf(l->convs[i], sizeof(l->convs[i]), "%s",
			 r->element[2 * i]->str);
	if (l->scores)
		for (size_t i = 0; i < l->n; i++)
			l->scores[i] =
				strtoull(r->element[2 * i + 1]->str, NULL, 10);
	if (pairs > l->limit)
		snprintf(l->next, sizeof(l->next), "%s:%s",
			 r->element[2 * l->n - 1]->str, l->convs[l->n - 1]);
	if (l->n == 0) {
		list_finish(l);
		return;
	}
	fetch_meta(l);
	/* Answers come on later loop rounds, so the rank may be asked for
	 * once the metas are. */
	if (!l->failed && l->scores && l->scores[0] < ROUTE_HELD_SCORE)
		fetch_rank(l);
}

static struct key list_key(const struct actor *a,
			   const struct proto_request *req)
{
	if (req->scope == PROTO_SCOPE_OPEN)
		return key_route_board();
	if (req->scope == PROTO_SCOPE_CUSTOMER)
		return key_user_convs(req->customer);
	return actor_is_agent(a) ? key_agent_convs(a->id)
				 : key_user_convs(a->id);
}

static void board_min(const struct proto_request *req, char *min, size_t cap)
{
	if (!req->before_score)
		snprintf(min, cap, "-inf");
	else if (*req->before_conv) /* inclusive: ties are cut by conv id */
		snprintf(min, cap, "%llu",
			 (unsigned long long)req->before_score);
	else
		snprintf(min, cap, "(%llu",
			 (unsigned long long)req->before_score);
}

void query_list(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		const struct proto_request *req)
{
	const char *denied = access_list(a, req->scope);
	struct list_req *l;
	struct key index;
	char max[32], count[16];

	if (denied) {
		sink_send_error(k, req->id, NULL, PROTO_E_FORBIDDEN, denied);
		return;
	}
	index = list_key(a, req);
	l = xcalloc(1, sizeof(*l));
	l->p = pending_create(ctx, a, k, req->id, NULL);
	l->limit = req->limit ? req->limit : DEFAULT_LIST;
	if (!req->before_score)
		snprintf(max, sizeof(max), "+inf");
	else if (*req->before_conv) /* inclusive: ties are cut by conv id */
		snprintf(max, sizeof(max), "%llu",
			 (unsigned long long)req->before_score);
	else
		snprintf(max, sizeof(max), "(%llu",
			 (unsigned long long)req->before_score);
	l->rank = -1;
	l->board = req->scope == PROTO_SCOPE_OPEN;
	if (l->board) /* ascending: the cursor is the lowest score */
		board_min(req, max, sizeof(max));
	snprintf(count, sizeof(count), "%u", l->limit + 1);
	const char *argv[] = {index.s, max, req->before_conv, count};
	if (store_eval(ctx->store, l->board ? SCRIPT_PAGE_UP : SCRIPT_PAGE,
		       on_list_index, l, 1, 4, argv, NULL)) {
		reply_fail(l->p, NULL);
		l->failed = true;
		list_finish(l);
	}
}
