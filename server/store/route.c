/*
 * route: the store in a Redis Cluster. One link per primary, a slot map
 * learned from CLUSTER SLOTS through any known node, each command sent to
 * the owner of its key's slot.
 *
 * Redirections and refusals mean "not executed", so the command is sent
 * again: MOVED updates the map (and asks for a full refresh) and resends,
 * ASK sends ASKING then the command to the named node, TRYAGAIN and
 * CLUSTERDOWN (a failover in progress) park it for a retry, as does a
 * primary without a ready link. A parked command is tried every
 * ROUTE_RETRY_STEP_MS for up to STORE_RETRY_MS, then answered NULL. A
 * connection lost with a command in flight answers NULL at once: it may
 * have been applied. The map is refreshed (at most every
 * CLUSTER_REFRESH_MIN_MS) on MOVED, CLUSTERDOWN and any link loss; a
 * refresh stops the links of nodes that no longer own slots.
 *
 * Callers see one slot's answers in the order they sent its commands, as
 * on one connection (a check then a read of the same conversation rely
 * on it), even when a redirection or a retry let a later command finish
 * first: such an answer is copied and held until those before it are
 * given. Commands of different slots are not ordered.
 */
#include "store_priv.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chat/common/log.h"
#include "chat/common/util.h"

#define ROUTE_RETRY_STEP_MS 50
#define ROUTE_REDIRECTS_MAX 5

struct route_cmd {
	struct store *st;
	store_reply_cb cb;
	void *arg;
	char *cmd; /* RESP, owned */
	size_t len;
	unsigned slot;
	int ask_node; /* -1: to the slot's owner */
	int redirects;
	int64_t deadline_ms;
	struct link *sent_on;
	struct route_cmd *next;	     /* parked */
	struct route_cmd *slot_next; /* the slot's commands, in send order */
	bool done;		     /* answered, held for those before it */
	redisReply *held;	     /* owned copy; NULL: answered NULL */
};

/* Per slot, the commands sent and not yet given to their caller. */
struct route_order {
	struct route_cmd *head[SLOT_COUNT], *tail[SLOT_COUNT];
};

static void dispatch(struct route_cmd *c);
static void request_refresh(struct store *st);
static void on_retry(uv_timer_t *t);

static void deliver(struct route_cmd *c, redisReply *reply)
{
	struct store *st = c->st;
	struct link *outer = st->answering;

	st->pending--;
	st->answering = reply ? c->sent_on : NULL;
	c->cb(st, reply, c->arg);
	st->answering = outer;
	free(c->cmd);
	free(c);
}

static redisReply *reply_copy(const redisReply *r)
{
	redisReply *c = xcalloc(1, sizeof(*c));

	c->type = r->type;
	c->integer = r->integer;
	if (r->str) {
		c->str = xmalloc(r->len + 1);
		memcpy(c->str, r->str, r->len + 1);
		c->len = r->len;
	}
	if (r->type == REDIS_REPLY_ARRAY && r->elements) {
		c->element = xcalloc(r->elements, sizeof(*c->element));
		c->elements = r->elements;
		for (size_t i = 0; i < r->elements; i++)
			c->element[i] = reply_copy(r->element[i]);
	}
	return c;
}

/* c's final answer (reply borrowed): given now when c is its slot's
 * oldest, with every held answer after it; held otherwise. */
static void answer(struct route_cmd *c, redisReply *reply)
{
	struct route_order *o = c->st->order;
	unsigned slot = c->slot;

	if (o->head[slot] != c) {
		c->done = true;
		c->held = reply ? reply_copy(reply) : NULL;
		return;
	}
	for (bool first = true; c && (first || c->done); first = false) {
		struct route_cmd *next = c->slot_next;
		redisReply *held = c->held;

		o->head[slot] = next;
		if (!next)
			o->tail[slot] = NULL;
		deliver(c, first ? reply : held);
		if (held)
			freeReplyObject(held);
		c = next;
	}
}

static void update_ready(struct store *st)
{
	bool all = st->map->complete;

	for (size_t i = 0; all && i < st->map->n_nodes; i++)
		if (cluster_map_is_primary(st->map, (int)i))
			all = st->links[i] && st->links[i]->ready;
	if (all)
		st->ever_ready = true;
	store_set_ready(st, all);
}

static void on_link_state(struct link *l, bool ready, void *arg)
{
	struct store *st = arg;

	if (st->stopping)
		return;
	if (ready && st->parked)
		uv_timer_start(&st->retry_timer, on_retry, 0, 0);
	else if (!ready && l->wanted)
		request_refresh(st);
	update_ready(st);
}

static struct link *link_at(struct store *st, int node)
{
	if (!st->links[node])
		st->links[node] = link_create(st->loop, &st->map->nodes[node],
					      node, on_link_state, st);
	else
		link_start(st->links[node]);
	return st->links[node];
}

static void on_retry(uv_timer_t *t)
{
	struct store *st = t->data;
	struct route_cmd *list = st->parked;

	st->parked = st->parked_tail = NULL;
	while (list) {
		struct route_cmd *c = list;

		list = c->next;
		dispatch(c);
	}
}

static void park(struct route_cmd *c)
{
	struct store *st = c->st;

	if (mono_ms() >= c->deadline_ms || st->stopping) {
		answer(c, NULL);
		return;
	}
	c->next = NULL;
	if (st->parked_tail)
		st->parked_tail->next = c;
	else
		st->parked = c;
	st->parked_tail = c;
	if (!uv_is_active((uv_handle_t *)&st->retry_timer))
		uv_timer_start(&st->retry_timer, on_retry, ROUTE_RETRY_STEP_MS,
			       0);
}

static void on_asking(redisAsyncContext *ac, void *r, void *privdata)
{
	(void)privdata;
	link_answered(ac->data, r);
}

static void on_reply(redisAsyncContext *ac, void *r, void *privdata);

static void dispatch(struct route_cmd *c)
{
	struct store *st = c->st;
	int node = c->ask_node >= 0 ? c->ask_node
				    : cluster_map_owner(st->map, c->slot);
	struct link *l = node >= 0 && !st->stopping ? link_at(st, node) : NULL;
	static const char asking[] = "*1\r\n$6\r\nASKING\r\n";

	if (l && l->ready) {
		if (c->ask_node >= 0 &&
		    link_send(l, on_asking, NULL, asking, sizeof(asking) - 1))
			goto park;
		if (link_send(l, on_reply, c, c->cmd, c->len) == 0) {
			c->sent_on = l;
			return;
		}
	}
park:
	/* No owner, or an owner that cannot be reached: perhaps the map is
	 * stale (a failover the cluster has finished since). */
	request_refresh(st);
	park(c);
}

/* MOVED or ASK: not executed; sends c where the error says. */
static void redirect(struct route_cmd *c, enum redirect_kind kind,
		     unsigned slot, const char *host, int port)
{
	struct store *st = c->st;
	int node;

	if (!host[0])
		host = c->sent_on->addr.host;
	node = cluster_map_node(st->map, host, port);
	if (node < 0 || ++c->redirects > ROUTE_REDIRECTS_MAX) {
		answer(c, NULL);
		return;
	}
	if (kind == REDIRECT_MOVED) {
		st->map->owner[slot] = (uint8_t)(node + 1);
		c->ask_node = -1;
		request_refresh(st);
	} else {
		c->ask_node = node;
	}
	dispatch(c);
}

/* Returns whether err says "not executed, try again later". */
static bool refused_for_now(struct store *st, const char *err)
{
	if (strncmp(err, "TRYAGAIN", 8) == 0)
		return true;
	if (strncmp(err, "CLUSTERDOWN", 11) == 0 ||
	    strncmp(err, "READONLY", 8) == 0 ||
	    strncmp(err, "MASTERDOWN", 10) == 0) {
		request_refresh(st);
		return true;
	}
	return false;
}

static void on_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct route_cmd *c = privdata;
	redisReply *reply = r;
	enum redirect_kind kind;
	unsigned slot;
	char host[256];
	int port;

	if (link_answered(ac->data, reply) || !reply) {
		answer(c, NULL); /* not applied, or perhaps applied: unknown */
		return;
	}
	if (reply->type == REDIS_REPLY_ERROR) {
		kind = cluster_redirect_parse(reply->str, &slot, host,
					      sizeof(host), &port);
		if (kind != REDIRECT_NONE) {
			redirect(c, kind, slot, host, port);
			return;
		}
		if (refused_for_now(c->st, reply->str)) {
			c->ask_node = -1;
			park(c);
			return;
		}
	}
	answer(c, reply);
}

/* FCALL name numkeys key...: the first key; otherwise argv[1]. */
static unsigned command_slot(int argc, const char **argv, const size_t *lens)
{
	if (argc >= 4 && (lens[0] == 5 || lens[0] == 8) &&
	    strncasecmp(argv[0], "FCALL", 5) == 0 && argv[2][0] != '0')
		return slot_of(argv[3], lens[3]);
	return argc >= 2 ? slot_of(argv[1], lens[1]) : 0;
}

int route_command(struct store *st, store_reply_cb cb, void *arg, int argc,
		  const char **argv, const size_t *lens)
{
	struct route_cmd *c = xcalloc(1, sizeof(*c));
	char *heap;

	c->st = st;
	c->cb = cb;
	c->arg = arg;
	c->len = store_format(NULL, 0, &heap, argc, argv, lens);
	c->cmd = heap;
	c->slot = command_slot(argc, argv, lens);
	c->ask_node = -1;
	c->deadline_ms = mono_ms() + STORE_RETRY_MS;
	if (st->order->tail[c->slot])
		st->order->tail[c->slot]->slot_next = c;
	else
		st->order->head[c->slot] = c;
	st->order->tail[c->slot] = c;
	st->pending++;
	dispatch(c);
	return 0;
}

struct link *route_link_of(struct store *st, const char *key, size_t len)
{
	int node = cluster_map_owner(st->map, slot_of(key, len));

	return node >= 0 ? st->links[node] : NULL;
}

/* Starts links for the primaries, stops the others'. */
static void apply_map(struct store *st)
{
	for (size_t i = 0; i < st->map->n_nodes; i++) {
		if (cluster_map_is_primary(st->map, (int)i))
			link_at(st, (int)i);
		else if (st->links[i] && st->links[i]->wanted)
			link_stop(st->links[i]);
	}
	update_ready(st);
}

static void on_map(void *arg)
{
	struct store *st = arg;

	apply_map(st);
	if (st->parked)
		uv_timer_start(&st->retry_timer, on_retry, 0, 0);
}

static void request_refresh(struct store *st)
{
	if (!st->stopping)
		cluster_view_refresh(st->view);
}

void route_init(struct store *st, const struct redis_config *cfg)
{
	st->cluster = true;
	st->view = xmalloc(sizeof(*st->view));
	st->map = &st->view->map;
	st->order = xcalloc(1, sizeof(*st->order));
	uv_timer_init(st->loop, &st->retry_timer);
	st->retry_timer.data = st;
	cluster_view_init(st->view, st->loop, cfg, on_map, st);
}

/* Answers parked commands and stops refreshing; the links are stopped
 * by the store. Safe to call twice. */
void route_cleanup(struct store *st)
{
	cluster_view_stop(st->view);
	uv_timer_stop(&st->retry_timer);
	while (st->parked) {
		struct route_cmd *c = st->parked;

		st->parked = c->next;
		if (!st->parked)
			st->parked_tail = NULL;
		answer(c, NULL);
	}
}
