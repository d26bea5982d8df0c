/*
 * canned: HGETALL/HSET/HDEL on an agent's and the team's canned-response
 * hashes; each field is a key, each value {"title","text","updated_at"}
 * as JSON.
 */
#include "canned.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "chat/common/util.h"
#include "chat/store/keys.h"
#include "chat/store/store.h"
#include "access.h"
#include "reply.h"

/* Both hashes are read in one pipeline; the answer goes when both are
 * in. */
struct canned_req {
	struct pending *p;
	json_t *values[2]; /* owned: the parsed values, per scope */
	size_t n;
	struct proto_canned_item *items;
	char **keys; /* owned copies of the field names */
	int answered;
	bool failed;
};

static const char *const scopes[2] = {"mine", "team"};

static void canned_req_free(struct canned_req *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->keys[i]);
	free(c->keys);
	free(c->items);
	json_decref(c->values[0]);
	json_decref(c->values[1]);
	pending_destroy(c->p);
	free(c);
}

static void finish_list(struct canned_req *c)
{
	if (!c->failed && pending_alive(c->p))
		sink_send_owned(c->p->k,
				proto_encode_canned(c->p->id, c->items, c->n));
	canned_req_free(c);
}

/* Adds the responses of one scope; the values stay alive in c. */
static void add_items(struct canned_req *c, const redisReply *r, int scope)
{
	size_t more = r->elements / 2;

	c->items = xrealloc(c->items, (c->n + more + 1) * sizeof(*c->items));
	c->keys = xrealloc(c->keys, (c->n + more + 1) * sizeof(*c->keys));
	for (size_t i = 0; i + 1 < r->elements; i += 2) {
		json_t *v = json_loads(r->element[i + 1]->str, 0, NULL);
		const char *title =
			json_string_value(json_object_get(v, "title"));
		const char *text =
			json_string_value(json_object_get(v, "text"));

		if (!title || !text) {
			json_decref(v);
			continue;
		}
		json_array_append_new(c->values[scope], v);
		c->keys[c->n] = xstrdup(r->element[i]->str);
		c->items[c->n] = (struct proto_canned_item){
			scopes[scope], c->keys[c->n], title, text};
		c->n++;
	}
}

static void on_list_reply(redisReply *r, struct canned_req *c, int scope)
{
	if (!r || r->type != REDIS_REPLY_ARRAY) {
		if (!c->failed)
			reply_fail(c->p, r);
		c->failed = true;
	} else {
		add_items(c, r, scope);
	}
	if (++c->answered == 2)
		finish_list(c);
}

static void on_mine(struct store *st, redisReply *r, void *arg)
{
	(void)st;
	on_list_reply(r, arg, 0);
}

static void on_team(struct store *st, redisReply *r, void *arg)
{
	(void)st;
	on_list_reply(r, arg, 1);
}

void canned_list(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		 const struct proto_request *req)
{
	const char *denied = access_canned(a, PROTO_SCOPE_MINE, false);
	struct key mine = key_canned_agent(a->id), team = key_canned_team();
	struct canned_req *c;

	if (denied) {
		sink_send_error(k, req->id, NULL, PROTO_E_FORBIDDEN, denied);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->p = pending_create(ctx, a, k, req->id, NULL);
	c->values[0] = json_array();
	c->values[1] = json_array();
	const char *argv_mine[] = {"HGETALL", mine.s};
	const char *argv_team[] = {"HGETALL", team.s};
	if (store_command(ctx->store, on_mine, c, 2, argv_mine, NULL)) {
		reply_fail(c->p, NULL);
		c->failed = true;
		finish_list(c);
		return;
	}
	if (store_command(ctx->store, on_team, c, 2, argv_team, NULL)) {
		c->failed = true; /* the first reply still comes: it finishes */
		c->answered++;
		sink_send_error(k, req->id, NULL, PROTO_E_UNAVAILABLE, NULL);
	}
}

static void on_change_reply(struct store *st, redisReply *r, void *arg)
{
	struct pending *p = arg;

	(void)st;
	if (!r || r->type != REDIS_REPLY_INTEGER)
		reply_fail(p, r);
	else if (pending_alive(p))
		sink_send_owned(p->k, proto_encode_ack_noseq(p->id, NULL,
							     now_ms(), false));
	pending_destroy(p);
}

/* The hash a change goes to, or false after answering forbidden. */
static bool target_key(const struct actor *a, struct sink *k,
		       const struct proto_request *req, struct key *out)
{
	const char *denied = access_canned(a, req->scope, true);

	if (denied) {
		sink_send_error(k, req->id, NULL, PROTO_E_FORBIDDEN, denied);
		return false;
	}
	*out = req->scope == PROTO_SCOPE_TEAM ? key_canned_team()
					      : key_canned_agent(a->id);
	return true;
}

static void run_change(struct cmd_ctx *ctx, const struct actor *a,
		       struct sink *k, const struct proto_request *req,
		       int argc, const char **argv)
{
	struct pending *p = pending_create(ctx, a, k, req->id, NULL);

	if (store_command(ctx->store, on_change_reply, p, argc, argv, NULL)) {
		reply_fail(p, NULL);
		pending_destroy(p);
	}
}

void canned_save(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		 const struct proto_request *req)
{
	struct key target;
	char *value;
	json_t *v;

	if (!target_key(a, k, req, &target))
		return;
	v = json_pack("{s:s, s:s, s:I}", "title",
		      req->title ? req->title : req->key, "text", req->text,
		      "updated_at", (json_int_t)now_ms());
	value = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(v);
	if (!value) {
		sink_send_error(k, req->id, NULL, PROTO_E_INTERNAL, NULL);
		return;
	}
	const char *argv[] = {"HSET", target.s, req->key, value};
	run_change(ctx, a, k, req, 4, argv);
	free(value);
}

void canned_delete(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		   const struct proto_request *req)
{
	struct key target;

	if (!target_key(a, k, req, &target))
		return;
	const char *argv[] = {"HDEL", target.s, req->key};
	run_change(ctx, a, k, req, 3, argv);
}
