/*
 * wait: grouped WAIT per link. At most one WAIT is in flight on a link;
 * the waits asked meanwhile gather in the next group, sent when the one
 * in flight answers, so one replication round trip serves every write of
 * that time. A WAIT covers every command sent before it on its
 * connection, so a group sent later still covers its members' commands.
 */
#include "store_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/util.h"

struct waiter {
	store_wait_cb cb;
	void *arg;
	struct waiter *next;
};

struct wait_group {
	struct store *st;
	struct link *link;
	struct waiter *members;
	int replicas;
	long timeout_ms;
};

static void send_group(struct link *l);

static void answer_group(struct wait_group *g, int replicas)
{
	struct store *st = g->st;

	for (struct waiter *w = g->members, *next; w; w = next) {
		next = w->next;
		st->pending--;
		w->cb(st, replicas, w->arg);
		free(w);
	}
	free(g);
}

static void on_wait(redisAsyncContext *ac, void *r, void *privdata)
{
	struct wait_group *g = privdata;
	struct link *l = g->link;
	redisReply *reply = r;

	(void)ac;
	link_answered(l, reply);
	l->wait_in_flight = NULL;
	answer_group(g, reply && reply->type == REDIS_REPLY_INTEGER
				? (int)reply->integer
				: -1);
	if (l->wait_next)
		send_group(l);
}

/* Sends the gathering group; its members get -1 at once when it cannot
 * be sent. */
static void send_group(struct link *l)
{
	struct wait_group *g = l->wait_next;
	char n[16], ms[24], buf[128], *heap;
	size_t len;

	l->wait_next = NULL;
	snprintf(n, sizeof(n), "%d", g->replicas);
	snprintf(ms, sizeof(ms), "%ld", g->timeout_ms);
	const char *argv[] = {"WAIT", n, ms};
	const size_t lens[] = {4, strlen(n), strlen(ms)};
	len = store_format(buf, sizeof(buf), &heap, 3, argv, lens);
	if (link_send(l, on_wait, g, heap ? heap : buf, len) == 0)
		l->wait_in_flight = g;
	else
		answer_group(g, -1);
	free(heap);
}

int store_wait(struct store *st, const char *key, size_t keylen, int replicas,
	       long timeout_ms, store_wait_cb cb, void *arg)
{
	struct link *l = st->answering;
	struct wait_group *g;
	struct waiter *w;

	if (!l)
		l = st->cluster ? route_link_of(st, key, keylen) : st->links[0];
	if (!l || !l->ready || st->stopping)
		return -1;
	if (!(g = l->wait_next)) {
		g = l->wait_next = xcalloc(1, sizeof(*g));
		g->st = st;
		g->link = l;
	}
	if (replicas > g->replicas)
		g->replicas = replicas;
	if (timeout_ms > g->timeout_ms)
		g->timeout_ms = timeout_ms;
	w = xmalloc(sizeof(*w));
	w->cb = cb;
	w->arg = arg;
	w->next = g->members;
	g->members = w;
	st->pending++;
	if (!l->wait_in_flight)
		send_group(l);
	return 0;
}
