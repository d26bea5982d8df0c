/*
 * canned: HGETALL/HSET/HDEL on {a:AGENT}:canned and canned:team; each
 * field is a key, each value {"title","text","updated_at"} as JSON.
 */
#include "chat/cmd/canned.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "chat/net/hub.h"
#include "reply.h"
#include "session.h"
#include "chat/store/store.h"
#include "chat/common/util.h"

struct canned_req {
	struct pending *p;
	json_t *items; /* owned */
	int answered;
	bool failed;
};

static bool agents_only(struct session *s, const struct proto_request *req)
{
	if (session_is_agent(s))
		return true;
	session_send_error(s, req->id, NULL, PROTO_E_FORBIDDEN, "agents only");
	return false;
}

static void agent_key(const struct session *s, char *out, size_t n)
{
	snprintf(out, n, "{a:%s}:canned", s->who->sub);
}

static void add_items(json_t *items, const redisReply *r, const char *scope)
{
	for (size_t i = 0; i + 1 < r->elements; i += 2) {
		json_t *v = json_loads(r->element[i + 1]->str, 0, NULL);
		json_t *item = json_pack("{s:s, s:s}", "scope", scope, "key",
					 r->element[i]->str);

		if (v && item) {
			json_object_set(item, "title",
					json_object_get(v, "title"));
			json_object_set(item, "text",
					json_object_get(v, "text"));
			json_array_append(items, item);
		}
		json_decref(v);
		json_decref(item);
	}
}

static void finish_list(struct canned_req *c)
{
	json_t *o;

	if (!c->failed && session_alive(c->p->s)) {
		o = json_pack("{s:s, s:s, s:O}", "type", "canned", "id",
			      c->p->id, "items", c->items);
		session_send_owned(
			c->p->s,
			o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER)
			  : NULL);
		json_decref(o);
	}
	json_decref(c->items);
	pending_destroy(c->p);
	free(c);
}

static void on_list_reply(struct store *st, redisReply *r, void *arg,
			  const char *scope)
{
	struct canned_req *c = arg;

	(void)st;
	if (!r || r->type != REDIS_REPLY_ARRAY) {
		if (!c->failed)
			reply_fail(c->p, r);
		c->failed = true;
	} else {
		add_items(c->items, r, scope);
	}
	if (++c->answered == 2)
		finish_list(c);
}

static void on_mine(struct store *st, redisReply *r, void *arg)
{
	on_list_reply(st, r, arg, "mine");
}

static void on_team(struct store *st, redisReply *r, void *arg)
{
	on_list_reply(st, r, arg, "team");
}

void canned_list(struct session *s, const struct proto_request *req)
{
	struct canned_req *c;
	char key[200];

	if (!agents_only(s, req))
		return;
	agent_key(s, key, sizeof(key));
	c = xcalloc(1, sizeof(*c));
	c->p = pending_create(s, req->id, NULL);
	c->items = json_array();
	const char *mine[] = {"HGETALL", key};
	const char *team[] = {"HGETALL", "canned:team"};
	if (store_command(s->hub->store, on_mine, c, 2, mine, NULL)) {
		reply_fail(c->p, NULL);
		c->failed = true;
		finish_list(c);
		return;
	}
	if (store_command(s->hub->store, on_team, c, 2, team, NULL)) {
		c->failed = true; /* the first reply still comes: it finishes */
		c->answered++;
		session_send_error(s, req->id, NULL, PROTO_E_UNAVAILABLE, NULL);
	}
}

static void on_change_reply(struct store *st, redisReply *r, void *arg)
{
	struct pending *p = arg;

	(void)st;
	if (!r || r->type != REDIS_REPLY_INTEGER)
		reply_fail(p, r);
	else if (session_alive(p->s))
		session_send_owned(p->s, proto_encode_ack(p->id, NULL, 0,
							  now_ms(), false));
	pending_destroy(p);
}

static bool target_key(struct session *s, const struct proto_request *req,
		       char *key, size_t n)
{
	if (!agents_only(s, req))
		return false;
	if (req->scope != PROTO_SCOPE_TEAM) {
		agent_key(s, key, n);
		return true;
	}
	if (s->who->role != PROTO_ROLE_ADMIN) {
		session_send_error(s, req->id, NULL, PROTO_E_FORBIDDEN,
				   "only admins change team responses");
		return false;
	}
	snprintf(key, n, "canned:team");
	return true;
}

static void run_change(struct session *s, const struct proto_request *req,
		       int argc, const char **argv)
{
	struct pending *p = pending_create(s, req->id, NULL);

	if (store_command(s->hub->store, on_change_reply, p, argc, argv,
			  NULL)) {
		reply_fail(p, NULL);
		pending_destroy(p);
	}
}

void canned_save(struct session *s, const struct proto_request *req)
{
	char key[200], *value;
	json_t *v;

	if (!target_key(s, req, key, sizeof(key)))
		return;
	v = json_pack("{s:s, s:s, s:I}", "title",
		      req->title ? req->title : req->key, "text", req->text,
		      "updated_at", (json_int_t)now_ms());
	value = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(v);
	if (!value) {
		session_send_error(s, req->id, NULL, PROTO_E_INTERNAL, NULL);
		return;
	}
	const char *argv[] = {"HSET", key, req->key, value};
	run_change(s, req, 4, argv);
	free(value);
}

void canned_delete(struct session *s, const struct proto_request *req)
{
	char key[200];

	if (!target_key(s, req, key, sizeof(key)))
		return;
	const char *argv[] = {"HDEL", key, req->key};
	run_change(s, req, 3, argv);
}
