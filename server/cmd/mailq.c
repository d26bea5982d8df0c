/* mailq: queues mail jobs; see chat/cmd/mailq.h. */
#include "chat/cmd/mailq.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "chat/common/util.h"
#include "chat/store/keys.h"
#include "chat/store/store.h"

#define JOB_ARGS 19

struct queued {
	mailq_cb cb;
	void *arg;
};

static void on_queued(struct store *st, redisReply *r, void *arg)
{
	struct queued *q = arg;
	bool ok = r && r->type == REDIS_REPLY_INTEGER;

	(void)st;
	if (q->cb)
		q->cb(ok, ok && r->integer == 1, q->arg);
	free(q);
}

static bool present(const char *s)
{
	return s && *s;
}

/* Adds the pair when the value is present. */
static void pair(const char **argv, int *n, const char *field,
		 const char *value)
{
	if (!present(value))
		return;
	argv[(*n)++] = field;
	argv[(*n)++] = value;
}

int mailq_enqueue(struct store *st, const struct mail_job *j, mailq_cb cb,
		  void *arg)
{
	struct key q = key_mail_queue(), prefix = key_mail_prefix();
	char kind[2] = {(char)j->kind, '\0'}, guard[24], lo[24], hi[24], ts[24];
	const char *argv[JOB_ARGS];
	struct queued *w;
	int n = 0;

	if (!present(j->id) || j->guard_s <= 0 ||
	    (j->kind != MAIL_AUTOREPLY && !present(j->conv)) ||
	    (j->kind == MAIL_AUTOREPLY && !present(j->to)))
		return -1;
	snprintf(guard, sizeof(guard), "%ld", j->guard_s);
	snprintf(lo, sizeof(lo), "%" PRIu64, j->lo);
	snprintf(hi, sizeof(hi), "%" PRIu64, j->hi);
	snprintf(ts, sizeof(ts), "%" PRId64, now_ms());
	argv[n++] = q.s;
	argv[n++] = prefix.s;
	argv[n++] = j->id;
	argv[n++] = guard;
	pair(argv, &n, "k", kind);
	pair(argv, &n, "t", ts);
	pair(argv, &n, "c", j->conv);
	pair(argv, &n, "to", j->to);
	pair(argv, &n, "lo", lo);
	pair(argv, &n, "hi", hi);
	pair(argv, &n, "s", j->subject);
	pair(argv, &n, "r", j->in_reply_to);
	w = xcalloc(1, sizeof(*w));
	w->cb = cb;
	w->arg = arg;
	if (store_eval(st, SCRIPT_MAIL_ENQUEUE, on_queued, w, 1, n, argv,
		       NULL)) {
		free(w);
		return -1;
	}
	return 0;
}
