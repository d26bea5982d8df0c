/* mailer: sends the mail queue's jobs; see chat/mailer/mailer.h. */
#include "chat/mailer/mailer.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/cmd/cmd.h"
#include "chat/cmd/mailq.h"
#include "chat/common/log.h"
#include "chat/common/util.h"
#include "chat/store/keys.h"
#include "chat/store/store.h"
#include "mail_build.h"
#include "notify.h"

#define TICK_MS 1000
#define SENDS_MAX 8	 /* jobs in flight at once per node */
#define EVENTS_MAX "500" /* newest events a mail is built from */

struct mailer {
	uv_timer_t timer;
	struct cmd_ctx *ctx; /* borrowed */
	struct smtp *smtp;
	struct notify *notify;
	struct mailer_config cfg; /* strings below are its copies */
	char *from_addr, *from_name, *domain, *dashboard, *node;
	struct mail_site site;
	unsigned refs; /* the timer's, the take's and each job's */
	unsigned in_flight;
	bool taking, again, stopped;
	bool more; /* the last take gave jobs: there may be more */
	uint64_t sent, retried, dead;
};

/* One job being sent; its strings are copies of the queue entry's. */
struct job {
	struct mailer *m;
	char entry[48];
	enum mail_kind kind;
	char *conv, *to, *subject, *in_reply_to, *to_name, *summary;
	uint64_t lo, hi;
	long tries; /* made before this one */
};

static void take(struct mailer *m);

static void mailer_unref(struct mailer *m)
{
	if (--m->refs > 0)
		return;
	free(m->from_addr);
	free(m->from_name);
	free(m->domain);
	free(m->dashboard);
	free(m->node);
	free(m);
}

static void job_free(struct job *j)
{
	struct mailer *m = j->m;

	free(j->conv);
	free(j->to);
	free(j->subject);
	free(j->in_reply_to);
	free(j->to_name);
	free(j->summary);
	free(j);
	m->in_flight--;
	if ((m->again || m->more) && !m->stopped)
		take(m);
	mailer_unref(m);
}

static void on_finished(struct store *st, redisReply *r, void *arg)
{
	struct job *j = arg;

	(void)st;
	if (!r || r->type == REDIS_REPLY_ERROR)
		log_warn("mail: job %s: its outcome was not recorded (%s); it "
			 "will be taken again",
			 j->entry, r ? r->str : "no answer");
	job_free(j);
}

/* Records the outcome: sent, retry, dead or skip (chat/store mail_finish). */
static void finish(struct job *j, const char *op, const char *why)
{
	struct mailer *m = j->m;
	struct key q = key_mail_queue(), prefix = key_mail_prefix();
	char tries[24];
	const char *argv[] = {q.s, prefix.s, j->entry, op, why, tries};

	snprintf(tries, sizeof(tries), "%ld", j->tries + 1);
	if (m->stopped || store_eval(m->ctx->store, SCRIPT_MAIL_FINISH,
				     on_finished, j, 1, 6, argv, NULL))
		job_free(j); /* still pending: taken again after its wait */
}

static void on_sent(void *arg, const struct smtp_outcome *out)
{
	struct job *j = arg;
	struct mailer *m = j->m;

	switch (out->result) {
	case SMTP_SENT:
		m->sent++;
		log_info("mail: %s %c sent (%s)", j->entry, (char)j->kind,
			 out->response);
		finish(j, "sent", "");
		break;
	case SMTP_TEMPORARY:
		m->retried++;
		log_warn("mail: %s: try %ld failed, will retry: %s", j->entry,
			 j->tries + 1, out->error);
		finish(j, "retry", out->error);
		break;
	case SMTP_PERMANENT:
		m->dead++;
		log_warn("mail: %s refused by the relay, dead-lettered: %s",
			 j->entry, out->error);
		finish(j, "dead", out->error);
		break;
	default:
		job_free(j); /* cancelled: still pending */
		break;
	}
}

/* Builds the mail from the events (newest first) and sends it. */
static void send_built(struct job *j, const char *const *events,
		       const size_t *lens, size_t n)
{
	struct mailer *m = j->m;
	struct mail_build_in in = {.kind = j->kind,
				   .entry_id = j->entry,
				   .conv = j->conv,
				   .to = j->to,
				   .to_name = j->to_name,
				   .summary = j->summary,
				   .hi = j->hi,
				   .subject = j->subject,
				   .in_reply_to = j->in_reply_to,
				   .events = events,
				   .event_lens = lens,
				   .n_events = n,
				   .now_s = now_ms() / 1000};
	const char *why, *rcpt[1] = {j->to};
	char *msg = NULL;
	size_t len = 0;
	int rc = mail_build(&m->site, &in, &msg, &len, &why);

	if (rc == 1) {
		finish(j, "skip", "nothing to send");
		return;
	}
	if (rc) {
		m->dead++;
		log_warn("mail: %s cannot be built, dead-lettered: %s",
			 j->entry, why);
		finish(j, "dead", *why ? why : "cannot be built");
		return;
	}
	if (smtp_send(m->smtp, m->from_addr, rcpt, 1, msg, len, on_sent, j))
		finish(j, "retry", "the SMTP client refused the send");
	free(msg);
}

/* r: XREVRANGE of the conversation's events. */
static void on_events(struct store *st, redisReply *r, void *arg)
{
	struct job *j = arg;
	const char **ev;
	size_t *lens, n = 0;

	(void)st;
	if (j->m->stopped || !r || r->type != REDIS_REPLY_ARRAY) {
		job_free(j); /* taken again after its wait */
		return;
	}
	ev = xcalloc(r->elements + 1, sizeof(*ev));
	lens = xcalloc(r->elements + 1, sizeof(*lens));
	for (size_t i = 0; i < r->elements; i++) {
		const redisReply *e = r->element[i], *f;

		if (e->type != REDIS_REPLY_ARRAY || e->elements != 2)
			continue;
		f = e->element[1];
		if (f->type != REDIS_REPLY_ARRAY || f->elements != 2 ||
		    f->element[1]->type != REDIS_REPLY_STRING)
			continue;
		ev[n] = f->element[1]->str;
		lens[n++] = f->element[1]->len;
	}
	send_built(j, ev, lens, n);
	free(ev);
	free(lens);
}

static char *dup_elem(const redisReply *r, size_t i)
{
	const redisReply *e = r->element[i];

	return xstrdup(e->type == REDIS_REPLY_STRING ? e->str : "");
}

/* r: HMGET customer_name email summary status. */
static void on_meta(struct store *st, redisReply *r, void *arg)
{
	struct job *j = arg;
	struct key events = key_conv_events(j->conv);
	char end[32], start[32];
	const char *argv[] = {"XREVRANGE", events.s, end,
			      start,	   "COUNT",  EVENTS_MAX};

	if (j->m->stopped || !r || r->type != REDIS_REPLY_ARRAY ||
	    r->elements != 4) {
		job_free(j);
		return;
	}
	j->to_name = dup_elem(r, 0);
	j->summary = dup_elem(r, 2);
	if (!j->to || !*j->to) {
		free(j->to);
		j->to = dup_elem(r, 1);
	}
	if (!*j->to) {
		finish(j, "skip", "no address for this conversation");
		return;
	}
	if (j->hi)
		snprintf(end, sizeof(end), "0-%" PRIu64, j->hi);
	else
		snprintf(end, sizeof(end), "+");
	if (j->lo)
		snprintf(start, sizeof(start), "(0-%" PRIu64, j->lo);
	else
		snprintf(start, sizeof(start), "-");
	if (store_command(st, on_events, j, 6, argv, NULL))
		job_free(j);
}

static void load(struct job *j)
{
	struct key meta = key_conv_meta(j->conv);
	const char *argv[] = {"HMGET", meta.s,	  "customer_name",
			      "email", "summary", "status"};

	if (store_command(j->m->ctx->store, on_meta, j, 6, argv, NULL))
		job_free(j);
}

static void set_field(struct job *j, const char *f, const char *v)
{
	if (strcmp(f, "k") == 0)
		j->kind = (enum mail_kind)v[0];
	else if (strcmp(f, "c") == 0)
		j->conv = xstrdup(v);
	else if (strcmp(f, "to") == 0)
		j->to = xstrdup(v);
	else if (strcmp(f, "lo") == 0)
		j->lo = strtoull(v, NULL, 10);
	else if (strcmp(f, "hi") == 0)
		j->hi = strtoull(v, NULL, 10);
	else if (strcmp(f, "s") == 0)
		j->subject = xstrdup(v);
	else if (strcmp(f, "r") == 0)
		j->in_reply_to = xstrdup(v);
}

/* e: {entry id, [field, value, ...], tries so far}. */
static void start(struct mailer *m, const redisReply *e)
{
	const redisReply *f;
	struct job *j;

	if (e->type != REDIS_REPLY_ARRAY || e->elements != 3 ||
	    e->element[0]->type != REDIS_REPLY_STRING ||
	    e->element[0]->len >= sizeof(j->entry) ||
	    e->element[1]->type != REDIS_REPLY_ARRAY)
		return;
	f = e->element[1];
	j = xcalloc(1, sizeof(*j));
	j->m = m;
	m->refs++;
	m->in_flight++;
	snprintf(j->entry, sizeof(j->entry), "%s", e->element[0]->str);
	j->tries = (long)e->element[2]->integer;
	for (size_t i = 0; i + 1 < f->elements; i += 2)
		if (f->element[i]->type == REDIS_REPLY_STRING &&
		    f->element[i + 1]->type == REDIS_REPLY_STRING)
			set_field(j, f->element[i]->str,
				  f->element[i + 1]->str);
	if (j->kind == MAIL_AUTOREPLY && j->to && *j->to)
		send_built(j, NULL, NULL, 0);
	else if (j->kind != MAIL_AUTOREPLY && j->conv &&
		 proto_conv_id_valid(j->conv))
		load(j);
	else
		finish(j, "dead", "a job this release cannot send");
}

/* r: {{{id, fields, tries}, ...}, dead-lettered}. */
static void on_take(struct store *st, redisReply *r, void *arg)
{
	struct mailer *m = arg;

	(void)st;
	m->taking = false;
	m->more = false;
	if (!m->stopped && r && r->type == REDIS_REPLY_ARRAY &&
	    r->elements == 2 && r->element[0]->type == REDIS_REPLY_ARRAY) {
		m->more = r->element[0]->elements > 0;
		if (r->element[1]->integer > 0)
			log_warn("mail: %lld mails dead-lettered after their "
				 "last try",
				 r->element[1]->integer);
		for (size_t i = 0; i < r->element[0]->elements; i++)
			start(m, r->element[0]->element[i]);
	} else if (r && r->type == REDIS_REPLY_ERROR) {
		log_warn("mail: taking jobs: %s", r->str);
	}
	if (m->again && !m->stopped)
		take(m);
	mailer_unref(m);
}

static void take(struct mailer *m)
{
	struct key q = key_mail_queue(), prefix = key_mail_prefix();
	char want[16], tries[24], first[24], cap[24];
	const char *argv[] = {q.s,   prefix.s, m->node, want,
			      tries, first,    cap,	want};

	if (m->taking || m->in_flight >= SENDS_MAX) {
		m->again = true;
		return;
	}
	m->again = false;
	snprintf(want, sizeof(want), "%u", SENDS_MAX - m->in_flight);
	snprintf(tries, sizeof(tries), "%ld", m->cfg.tries);
	snprintf(first, sizeof(first), "%ld", m->cfg.retry_ms);
	snprintf(cap, sizeof(cap), "%ld", m->cfg.retry_max_ms);
	m->taking = true;
	m->refs++;
	if (store_eval(m->ctx->store, SCRIPT_MAIL_TAKE, on_take, m, 1, 8, argv,
		       NULL)) {
		m->taking = false;
		mailer_unref(m);
	}
}

static void kick(void *arg)
{
	struct mailer *m = arg;

	if (!m->stopped && store_ready(m->ctx->store))
		take(m);
}

static void on_tick(uv_timer_t *t)
{
	struct mailer *m = t->data;

	if (!store_ready(m->ctx->store))
		return;
	notify_tick(m->notify);
	take(m);
}

struct mailer *mailer_create(uv_loop_t *loop, struct cmd_ctx *ctx,
			     const struct mailer_config *cfg)
{
	struct mailer *m = xcalloc(1, sizeof(*m));

	m->smtp = smtp_create(loop, &cfg->smtp);
	if (!m->smtp) {
		free(m);
		return NULL;
	}
	m->ctx = ctx;
	m->cfg = *cfg;
	m->from_addr = xstrdup(cfg->from_addr);
	m->from_name = xstrdup(cfg->from_name ? cfg->from_name : "");
	m->domain = xstrdup(cfg->reply_domain);
	m->dashboard = xstrdup(cfg->dashboard_url ? cfg->dashboard_url : "");
	m->node = xstrdup(cfg->node);
	m->site = (struct mail_site){.from_addr = m->from_addr,
				     .from_name = m->from_name,
				     .domain = m->domain,
				     .dashboard_url = m->dashboard,
				     .keys = &m->cfg.keys,
				     .reply_days = cfg->reply_days};
	m->refs = 1;
	m->notify = notify_create(ctx, (int64_t)cfg->notify_delay_s * 1000,
				  kick, m);
	ctx->mail.notify_delay_ms = (int64_t)cfg->notify_delay_s * 1000;
	ctx->mail.notify_gap_ms = (int64_t)cfg->notify_gap_s * 1000;
	ctx->mail.kick = kick;
	ctx->mail.kick_arg = m;
	ctx->mail.on = true;
	uv_timer_init(loop, &m->timer);
	m->timer.data = m;
	uv_timer_start(&m->timer, on_tick, TICK_MS, TICK_MS);
	return m;
}

static void on_timer_closed(uv_handle_t *h)
{
	mailer_unref(h->data);
}

void mailer_destroy(struct mailer *m)
{
	if (!m)
		return;
	m->stopped = true;
	m->ctx->mail.kick = NULL;
	log_info("mail: %" PRIu64 " sent, %" PRIu64 " retries, %" PRIu64
		 " dead-lettered",
		 m->sent, m->retried, m->dead);
	notify_destroy(m->notify);
	smtp_destroy(m->smtp);
	uv_close((uv_handle_t *)&m->timer, on_timer_closed);
}
