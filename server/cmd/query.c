/*
 * query: history (HMGET owner + XRANGE, pipelined) and list (ZREVRANGEBYSCORE
 * on an index, then one HMGET per conversation, pipelined). Frames are
 * assembled as strings: stored events are already JSON.
 */
#include "chat/cmd/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "chat/net/hub.h"
#include "reply.h"
#include "session.h"
#include "chat/store/store.h"
#include "chat/common/util.h"
#include "chat/common/event.h"

#define DEFAULT_HISTORY 100
#define DEFAULT_LIST 20

struct history {
	struct pending *p;
	int owner_state; /* 0 unknown, 1 ok, -1 refused (already answered) */
	bool orphan;	 /* the events command was never sent */
	unsigned limit;
};

struct buf {
	char *data;
	size_t len, cap;
	bool failed;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *d;

		while (cap < b->len + n + 1)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d) {
			b->failed = true;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

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

static char *json_quote(const char *s)
{
	json_t *j = json_string(s);
	char *out = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;

	json_decref(j);
	return out;
}

static char *history_frame(struct history *h, const redisReply *r)
{
	bool agent = session_is_agent(h->p->s);
	size_t n = r->elements > h->limit ? h->limit : r->elements;
	struct buf b = {0};
	char *id = json_quote(h->p->id);

	if (!id)
		return NULL;
	buf_str(&b, "{\"type\":\"history\",\"id\":");
	buf_str(&b, id);
	buf_str(&b, ",\"conv\":\"");
	buf_str(&b, h->p->conv);
	buf_str(&b, "\",\"events\":[");
	free(id);
	for (size_t i = 0, out = 0; i < n; i++) {
		const redisReply *e = r->element[i];
		const redisReply *v;

		if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
		    e->element[1]->elements < 2)
			continue;
		v = e->element[1]->element[1];
		if (!agent && event_is_note(v->str, v->len))
			continue;
		if (out++)
			buf_str(&b, ",");
		buf_add(&b, v->str, v->len);
	}
	buf_str(&b, r->elements > h->limit ? "],\"more\":true}"
					   : "],\"more\":false}");
	if (b.failed) {
		free(b.data);
		return NULL;
	}
	return b.data;
}

static void on_history_events(struct store *st, redisReply *r, void *arg)
{
	struct history *h = arg;

	(void)st;
	if (h->owner_state == 1 && session_alive(h->p->s)) {
		if (!r || r->type != REDIS_REPLY_ARRAY)
			reply_fail(h->p, r);
		else
			session_send_owned(h->p->s, history_frame(h, r));
	}
	pending_destroy(h->p);
	free(h);
}

void query_history(struct session *s, const struct proto_request *req)
{
	struct history *h = xcalloc(1, sizeof(*h));
	char k[2][64], start[32], count[16];

	h->p = pending_create(s, req->id, req->conv);
	h->limit = req->limit ? req->limit : DEFAULT_HISTORY;
	snprintf(k[0], sizeof(k[0]), "{c:%s}:m", req->conv);
	snprintf(k[1], sizeof(k[1]), "{c:%s}:e", req->conv);
	snprintf(start, sizeof(start), "0-%llu",
		 (unsigned long long)req->seq + 1);
	snprintf(count, sizeof(count), "%u", h->limit + 1);
	const char *owner[] = {"HMGET", k[0], "customer"};
	const char *range[] = {"XRANGE", k[1], start, "+", "COUNT", count};
	/* Same connection, so the owner check is answered first. */
	if (store_command(s->hub->store, on_history_owner, h, 3, owner, NULL)) {
		reply_fail(h->p, NULL);
		pending_destroy(h->p);
		free(h);
		return;
	}
	if (store_command(s->hub->store, on_history_events, h, 6, range,
			  NULL)) {
		h->orphan = true;
		session_send_error(s, req->id, req->conv, PROTO_E_UNAVAILABLE,
				   NULL);
	}
}

struct list_req {
	struct pending *p;
	unsigned limit, n, answered;
	int64_t next;
	json_t *items; /* owned array, filled in order */
	bool failed;
};

static const char *const meta_fields[] = {
	"status",	 "summary", "environment", "tier",
	"org",		 "site",    "context",	   "customer",
	"customer_name", "agent",   "agent_name",  "opened_at",
	"closed_at",	 "seq"};
#define N_META (sizeof(meta_fields) / sizeof(meta_fields[0]))

static const char *field(const redisReply *r, size_t i)
{
	return r->element[i]->type == REDIS_REPLY_STRING ? r->element[i]->str
							 : "";
}

static json_t *list_item(const char *conv, const redisReply *r)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			      "conv", conv, "status", field(r, 0), "summary",
			      field(r, 1), "environment", field(r, 2), "tier",
			      field(r, 3), "org", field(r, 4), "site",
			      field(r, 5), "context", field(r, 6));

	if (!o)
		return NULL;
	json_object_set_new(o, "customer",
			    json_pack("{s:s, s:s}", "id", field(r, 7), "name",
				      field(r, 8)));
	json_object_set_new(o, "agent",
			    *field(r, 9)
				    ? json_pack("{s:s, s:s}", "id", field(r, 9),
						"name", field(r, 10))
				    : json_null());
	json_object_set_new(o, "opened_at", json_integer(atoll(field(r, 11))));
	json_object_set_new(o, "closed_at", json_integer(atoll(field(r, 12))));
	json_object_set_new(o, "last_seq", json_integer(atoll(field(r, 13))));
	return o;
}

static void list_finish(struct list_req *l)
{
	json_t *o;

	if (l->failed || !session_alive(l->p->s))
		goto out;
	o = json_pack("{s:s, s:s, s:O, s:I}", "type", "conversations", "id",
		      l->p->id, "items", l->items, "next", (json_int_t)l->next);
	session_send_owned(l->p->s,
			   o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER)
			     : NULL);
	json_decref(o);
out:
	json_decref(l->items);
	pending_destroy(l->p);
	free(l);
}

static void on_list_meta(struct store *st, redisReply *r, void *arg)
{
	struct list_req *l = arg;
	size_t i = l->answered++;

	(void)st;
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != N_META) {
		if (!l->failed)
			reply_fail(l->p, r);
		l->failed = true;
	} else if (!l->failed) {
		json_t *slot = json_array_get(l->items, i);
		const char *conv = json_string_value(slot);
		json_t *item = conv ? list_item(conv, r) : NULL;

		json_array_set_new(l->items, i, item ? item : json_null());
	}
	if (l->answered == l->n)
		list_finish(l);
}

static void fetch_meta(struct list_req *l, const redisReply *r)
{
	struct store *store = l->p->s->hub->store;
	const char *argv[N_META + 2];
	char key[64];

	for (size_t i = 0; i < l->n; i++) {
		const char *conv = r->element[2 * i]->str;

		json_array_append_new(l->items, json_string(conv));
		snprintf(key, sizeof(key), "{c:%s}:m", conv);
		argv[0] = "HMGET";
		argv[1] = key;
		for (size_t f = 0; f < N_META; f++)
			argv[f + 2] = meta_fields[f];
		if (store_command(store, on_list_meta, l, (int)N_META + 2, argv,
				  NULL)) {
			/* Redis went away mid-way: answer for the rest. */
			l->failed = true;
			if (i == 0) {
				reply_fail(l->p, NULL);
				list_finish(l);
				return;
			}
			l->n = i;
			return;
		}
	}
}

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
	if (pairs > l->limit)
		l->next = atoll(r->element[2 * l->n - 1]->str);
	if (l->n == 0) {
		list_finish(l);
		return;
	}
	fetch_meta(l, r);
}

static bool list_key(struct session *s, const struct proto_request *req,
		     char *key, size_t n)
{
	const struct identity *w = s->who;

	if (req->scope != PROTO_SCOPE_MINE && !session_is_agent(s)) {
		session_send_error(s, req->id, NULL, PROTO_E_FORBIDDEN,
				   "this scope is for agents");
		return false;
	}
	if (req->scope == PROTO_SCOPE_OPEN) {
		snprintf(key, n, "convs:open");
	} else if (req->scope == PROTO_SCOPE_CUSTOMER) {
		snprintf(key, n, "{u:%s}:c", req->customer);
	} else {
		snprintf(key, n, "{%c:%s}:c",
			 w->role == PROTO_ROLE_CUSTOMER ? 'u' : 'a', w->sub);
	}
	return true;
}

void query_list(struct session *s, const struct proto_request *req)
{
	struct list_req *l;
	char key[200], max[32], count[16];

	if (!list_key(s, req, key, sizeof(key)))
		return;
	l = xcalloc(1, sizeof(*l));
	l->p = pending_create(s, req->id, NULL);
	l->limit = req->limit ? req->limit : DEFAULT_LIST;
	l->items = json_array();
	if (req->before)
		snprintf(max, sizeof(max), "(%llu",
			 (unsigned long long)req->before);
	else
		snprintf(max, sizeof(max), "+inf");
	snprintf(count, sizeof(count), "%u", l->limit + 1);
	const char *argv[] = {"ZREVRANGEBYSCORE", key,	   max, "-inf",
			      "WITHSCORES",	  "LIMIT", "0", count};
	if (store_command(s->hub->store, on_list_index, l, 8, argv, NULL)) {
		reply_fail(l->p, NULL);
		l->failed = true;
		list_finish(l);
	}
}
