/* notify: notification looks; see notify.h. */
#include "notify.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/cmd/cmd.h"
#include "chat/cmd/mailq.h"
#include "chat/common/log.h"
#include "chat/common/util.h"
#include "chat/store/keys.h"
#include "chat/store/store.h"

#define LOOKS_PER_ROUND "20"
/* A look being made is put off this long, so another node does not make
 * it at the same time; a node that stops makes it wait this long. */
#define LOOK_PUT_OFF_MS "60000"

struct notify {
	struct cmd_ctx *ctx;
	int64_t delay_ms;
	void (*queued)(void *arg);
	void *arg;
	unsigned refs; /* the owner's and each look's */
	unsigned looking;
	bool stopped;
};

struct look {
	struct notify *n;
	char conv[PROTO_CONV_LEN + 1];
};

static void notify_unref(struct notify *n)
{
	if (--n->refs == 0)
		free(n);
}

static void look_done(struct look *l)
{
	struct notify *n = l->n;

	n->looking--;
	free(l);
	notify_unref(n);
}

static void on_notified(struct store *st, redisReply *r, void *arg)
{
	struct look *l = arg;
	struct notify *n = l->n;

	(void)st;
	if (!n->stopped && r && r->type == REDIS_REPLY_INTEGER &&
	    r->integer == 1)
		n->queued(n->arg);
	else if (r && r->type == REDIS_REPLY_ERROR)
		log_warn("mail: notification look at %s: %s", l->conv, r->str);
	look_done(l);
}

static const char *elem(const redisReply *r, size_t i)
{
	const redisReply *e = r->element[i];

	return e->type == REDIS_REPLY_STRING ? e->str : "";
}

/* r: {seq, the customer's read position, status, email}. */
static void on_taken(struct store *st, redisReply *r, void *arg)
{
	struct look *l = arg;
	struct notify *n = l->n;
	struct key sched = key_mail_schedule(), prefix = key_mail_prefix();
	char now[24], delay[24], guard[24];
	bool mailable;

	if (n->stopped || !r || r->type != REDIS_REPLY_ARRAY ||
	    r->elements != 4) {
		look_done(l); /* still planned: looked at again later */
		return;
	}
	mailable = strcmp(elem(r, 2), "closed") != 0 && *elem(r, 3) &&
		   strcmp(elem(r, 0), "0") != 0;
	snprintf(now, sizeof(now), "%" PRId64, now_ms());
	snprintf(delay, sizeof(delay), "%" PRId64, n->delay_ms);
	snprintf(guard, sizeof(guard), "%ld", MAILQ_GUARD_S);
	const char *argv[] = {sched.s,	  prefix.s,   l->conv,
			      elem(r, 0), elem(r, 1), mailable ? "1" : "0",
			      now,	  delay,      guard};
	if (store_eval(st, SCRIPT_MAIL_NOTIFY, on_notified, l, 1, 9, argv,
		       NULL))
		look_done(l);
}

static void look(struct notify *n, const char *conv)
{
	struct look *l;
	struct key meta = key_conv_meta(conv), reads = key_conv_reads(conv);
	const char *argv[] = {meta.s, reads.s};

	if (!proto_conv_id_valid(conv))
		return;
	l = xcalloc(1, sizeof(*l));
	l->n = n;
	snprintf(l->conv, sizeof(l->conv), "%s", conv);
	n->refs++;
	n->looking++;
	if (store_eval(n->ctx->store, SCRIPT_NUDGE_TAKE, on_taken, l, 2, 2,
		       argv, NULL))
		look_done(l);
}

static void on_due(struct store *st, redisReply *r, void *arg)
{
	struct notify *n = arg;

	(void)st;
	n->looking--;
	if (!n->stopped && r && r->type == REDIS_REPLY_ARRAY)
		for (size_t i = 0; i < r->elements; i++)
			if (r->element[i]->type == REDIS_REPLY_STRING)
				look(n, r->element[i]->str);
	notify_unref(n);
}

void notify_tick(struct notify *n)
{
	struct key sched = key_mail_schedule(), prefix = key_mail_prefix();
	char now[24];
	const char *argv[] = {sched.s, prefix.s, now, LOOKS_PER_ROUND,
			      LOOK_PUT_OFF_MS};

	if (n->looking || n->stopped)
		return;
	snprintf(now, sizeof(now), "%" PRId64, now_ms());
	n->refs++;
	n->looking++;
	if (store_eval(n->ctx->store, SCRIPT_MAIL_DUE, on_due, n, 1, 5, argv,
		       NULL)) {
		n->looking--;
		notify_unref(n);
	}
}

struct notify *notify_create(struct cmd_ctx *ctx, int64_t delay_ms,
			     void (*queued)(void *arg), void *arg)
{
	struct notify *n = xcalloc(1, sizeof(*n));

	n->ctx = ctx;
	n->delay_ms = delay_ms;
	n->queued = queued;
	n->arg = arg;
	n->refs = 1;
	return n;
}

void notify_destroy(struct notify *n)
{
	if (!n)
		return;
	n->stopped = true;
	notify_unref(n);
}
