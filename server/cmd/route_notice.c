/* route_notice: routing notices for the users here; see the header. */
#include "route_notice.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/hmap.h"
#include "chat/common/util.h"
#include "chat/store/keys.h"
#include "chat/store/store.h"
#include "routing.h"

#define AGENTS_FLUSH_MS 100
#define AGENTS_BATCH 60

struct route_notice {
	uv_timer_t flush;
	struct cmd_ctx *ctx;  /* borrowed */
	struct hmap *changed; /* agent ids to announce */
	/* Offers being read, "agent<US>conv" -> struct offer_read: an end
	 * that comes meanwhile cancels the frame (it would come after). */
	struct hmap *reading;
	unsigned refs; /* the timer's and each read in flight */
	bool stopped, scheduled;
};

/* One offer being read to be shown to agent. */
struct offer_read {
	struct route_notice *n;
	char key[PROTO_USER_ID_MAX + PROTO_CONV_LEN + 2];
	bool cancelled;
	char agent[PROTO_USER_ID_MAX + 1];
	char conv[PROTO_CONV_LEN + 1];
};

/* An agent's pending offers being read. */
struct pending_read {
	struct route_notice *n;
	char agent[PROTO_USER_ID_MAX + 1];
};

static const char *const offer_fields[] = {
	"offer", "offer_until", "summary",  "tier",	     "class",
	"topic", "oos",		"customer", "customer_name",
};
#define N_OFFER (sizeof(offer_fields) / sizeof(offer_fields[0]))

static void notice_unref(struct route_notice *n)
{
	if (--n->refs > 0)
		return;
	hmap_destroy(n->changed);
	hmap_destroy(n->reading);
	free(n);
}

static void send_to(struct route_notice *n, const char *user, char *frame)
{
	const struct cmd_hooks *h = &n->ctx->hooks;

	if (frame && !n->stopped)
		h->to_agent(h->arg, user, frame, strlen(frame));
	free(frame);
}

static const char *str_at(const redisReply *r, size_t i)
{
	const redisReply *e = r->element[i];

	return e->type == REDIS_REPLY_STRING ? e->str : "";
}

static void on_offer(struct store *st, redisReply *r, void *arg)
{
	struct offer_read *o = arg;

	(void)st;
	if (!o->n->stopped && hmap_get(o->n->reading, o->key) == o)
		hmap_remove(o->n->reading, o->key);
	if (!o->cancelled && r && r->type == REDIS_REPLY_ARRAY &&
	    r->elements == N_OFFER && strcmp(str_at(r, 0), o->agent) == 0) {
		struct proto_offer offer = {
			.conv = o->conv,
			.summary = str_at(r, 2),
			.tier = str_at(r, 3),
			.class_key = str_at(r, 4),
			.topic = str_at(r, 5),
			.out_of_scope = strcmp(str_at(r, 6), "1") == 0,
			.customer = {str_at(r, 7), str_at(r, 8),
				     PROTO_ROLE_CUSTOMER},
			.expires_at = atoll(str_at(r, 1)),
		};
		send_to(o->n, o->agent, proto_encode_offer(&offer));
	}
	notice_unref(o->n);
	free(o);
}

static void read_offer(struct route_notice *n, const char *agent,
		       size_t agent_len, const char *conv, size_t conv_len)
{
	struct offer_read *o;
	const char *argv[2 + N_OFFER];
	struct key cv;

	if (agent_len > PROTO_USER_ID_MAX || conv_len != PROTO_CONV_LEN)
		return;
	o = xcalloc(1, sizeof(*o));
	o->n = n;
	memcpy(o->agent, agent, agent_len);
	memcpy(o->conv, conv, conv_len);
	snprintf(o->key, sizeof(o->key), "%s\x1f%s", o->agent, o->conv);
	cv = key_route_conv(o->conv);
	argv[0] = "HMGET";
	argv[1] = cv.s;
	for (size_t i = 0; i < N_OFFER; i++)
		argv[2 + i] = offer_fields[i];
	n->refs++;
	if (store_command(n->ctx->store, on_offer, o, 2 + (int)N_OFFER, argv,
			  NULL)) {
		n->refs--;
		free(o);
		return;
	}
	/* A later read of the same offer replaces this one as the one an
	 * end cancels; this one then sends nothing. */
	struct offer_read *old = hmap_put(n->reading, o->key, o);
	if (old)
		old->cancelled = true;
}

void route_notice_user(struct route_notice *n, const char *p, size_t len)
{
	const struct cmd_hooks *h = &n->ctx->hooks;
	char user[PROTO_USER_ID_MAX + 1];
	size_t ulen = 0;
	const char *what, *colon;

	for (int i = 0; i < 4 && (size_t)i < len; i++) {
		int d = hex_digit(p[i]);

		if (d < 0)
			return;
		ulen = ulen * 16 + (size_t)d;
	}
	if (len < 5 + ulen || ulen > PROTO_USER_ID_MAX)
		return;
	memcpy(user, p + 4, ulen);
	user[ulen] = '\0';
	if (!h->agent_here(h->arg, user))
		return;
	what = p + 4 + ulen;
	len -= 4 + ulen;
	if (what[0] == 'o') {
		read_offer(n, user, ulen, what + 1, len - 1);
	} else if (what[0] == 'w' && (colon = memchr(what, ':', len)) != NULL &&
		   colon - what - 1 == PROTO_CONV_LEN) {
		char conv[PROTO_CONV_LEN + 1], reason[32];
		size_t rlen = len - (size_t)(colon + 1 - what);

		char key[PROTO_USER_ID_MAX + PROTO_CONV_LEN + 2];
		struct offer_read *o;

		memcpy(conv, what + 1, PROTO_CONV_LEN);
		conv[PROTO_CONV_LEN] = '\0';
		snprintf(reason, sizeof(reason), "%.*s", (int)rlen, colon + 1);
		snprintf(key, sizeof(key), "%s\x1f%s", user, conv);
		if ((o = hmap_remove(n->reading, key)))
			o->cancelled = true;
		send_to(n, user, proto_encode_offer_withdrawn(conv, reason));
	}
}

void route_notice_offers(struct route_notice *n, const char *agent,
			 const char *csv)
{
	for (const char *c = csv; c && *c;) {
		const char *end = strchr(c, ',');
		size_t clen = end ? (size_t)(end - c) : strlen(c);

		read_offer(n, agent, strlen(agent), c, clen);
		c = end ? end + 1 : NULL;
	}
}

static void send_agent(const struct proto_agent_item *it, void *arg)
{
	struct route_notice *n = arg;
	const struct cmd_hooks *h = &n->ctx->hooks;
	char *frame = proto_encode_agent(it);

	if (frame && !n->stopped)
		h->to_agents(h->arg, frame, strlen(frame));
	free(frame);
}

static void on_agents(struct store *st, redisReply *r, void *arg)
{
	struct route_notice *n = arg;

	(void)st;
	routing_agents_each(r, send_agent, n);
	notice_unref(n);
}

struct gather {
	const char *ids[AGENTS_BATCH];
	char *owned[AGENTS_BATCH];
	int n;
};

static void gather_one(const char *id, void *value, void *arg)
{
	struct gather *g = arg;

	(void)value;
	if (g->n < AGENTS_BATCH)
		g->ids[g->n] = g->owned[g->n] = xstrdup(id), g->n++;
}

static void on_flush(uv_timer_t *t)
{
	struct route_notice *n = t->data;
	struct gather g = {.n = 0};

	n->scheduled = false;
	hmap_each(n->changed, gather_one, &g);
	for (int i = 0; i < g.n; i++)
		hmap_remove(n->changed, g.owned[i]);
	if (g.n > 0 && !n->stopped) {
		n->refs++;
		if (routing_agents(n->ctx, on_agents, n, g.n, g.ids))
			n->refs--;
	}
	for (int i = 0; i < g.n; i++)
		free(g.owned[i]);
	if (hmap_count(n->changed) > 0 && !n->stopped) {
		n->scheduled = true;
		uv_timer_start(&n->flush, on_flush, AGENTS_FLUSH_MS, 0);
	}
}

void route_notice_agent(struct route_notice *n, const char *id, size_t len)
{
	char agent[PROTO_USER_ID_MAX + 1];

	if (len == 0 || len > PROTO_USER_ID_MAX || n->stopped)
		return;
	memcpy(agent, id, len);
	agent[len] = '\0';
	hmap_put(n->changed, agent, n);
	if (!n->scheduled) {
		n->scheduled = true;
		uv_timer_start(&n->flush, on_flush, AGENTS_FLUSH_MS, 0);
	}
}

struct route_notice *route_notice_create(uv_loop_t *loop, struct cmd_ctx *ctx)
{
	struct route_notice *n = xcalloc(1, sizeof(*n));

	n->ctx = ctx;
	n->changed = hmap_create();
	n->reading = hmap_create();
	n->refs = 1;
	uv_timer_init(loop, &n->flush);
	n->flush.data = n;
	return n;
}

static void on_closed(uv_handle_t *h)
{
	notice_unref(h->data);
}

void route_notice_destroy(struct route_notice *n)
{
	if (!n)
		return;
	n->stopped = true;
	uv_close((uv_handle_t *)&n->flush, on_closed);
}

static void on_pending(struct store *st, redisReply *r, void *arg)
{
	struct pending_read *p = arg;

	(void)st;
	for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY &&
			   !p->n->stopped && i < r->elements;
	     i++)
		if (r->element[i]->type == REDIS_REPLY_STRING)
			read_offer(p->n, p->agent, strlen(p->agent),
				   r->element[i]->str, r->element[i]->len);
	notice_unref(p->n);
	free(p);
}

void route_notice_pending(struct route_notice *n, const char *agent)
{
	struct pending_read *p;
	struct key ao = key_route_agent_offers(agent);
	const char *argv[] = {"SMEMBERS", ao.s};

	if (n->stopped || strlen(agent) > PROTO_USER_ID_MAX)
		return;
	p = xcalloc(1, sizeof(*p));
	p->n = n;
	snprintf(p->agent, sizeof(p->agent), "%s", agent);
	n->refs++;
	if (store_command(n->ctx->store, on_pending, p, 2, argv, NULL)) {
		n->refs--;
		free(p);
	}
}
