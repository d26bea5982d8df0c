/*
 * ingest: one inbound email through its steps (see chat/inbound/ingest.h):
 * size, parse, drop, match (ingest_match.c), the conversation's meta read
 * from Redis, the sender checked against it, then the email_reply command
 * through cmd_run() with the conversation's customer as the actor and
 * this file's sink, or the auto-reply queued. One heap job per mail; its
 * answer always goes out from a zero-delay timer on the store's loop, so
 * the callback never runs inside inbound_ingest().
 * Not here: reading the mail (mime.c), the Redis step (cmd/email_reply.c).
 */
#include "chat/inbound/ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "chat/cmd/cmd.h"
#include "chat/cmd/mailq.h"
#include "chat/common/log.h"
#include "chat/common/util.h"
#include "chat/mail/compose.h"
#include "chat/store/keys.h"
#include "chat/store/store.h"
#include "ingest_private.h"

#define AUTOREPLY_GUARD_S 86400
#define META_FIELDS 9

struct ingest {
	struct sink sink;		 /* first: the command's answers */
	struct cmd_ctx *ctx;		 /* borrowed */
	const struct ingest_config *cfg; /* borrowed */
	ingest_cb cb;
	void *arg;
	uv_timer_t timer; /* delivers the result */
	/* The flow's own, dropped by decide(), and one per hold of the
	 * sink by the command: the result goes out when all are gone. */
	unsigned refs;
	bool decided;
	struct inbound_mail mail;
	bool parsed;
	bool peeked;	 /* the token failed for the sender: conv unverified */
	bool was_closed; /* the meta said closed before the command */
	struct actor *actor;
	char *text, *summary;
	char token[REPLY_TOKEN_LEN + 1];
	char conv[PROTO_CONV_LEN + 1];
	char client_id[INGEST_CLIENT_ID_LEN + 1];
	char topic[PROTO_TOPIC_MAX + 1];
	char detail[200];
	struct ingest_result res;
};

/* ---- delivery ---- */

static void on_closed(uv_handle_t *h)
{
	struct ingest *j = h->data;

	if (j->parsed)
		inbound_mail_cleanup(&j->mail);
	free(j->actor);
	free(j->text);
	free(j->summary);
	free(j);
}

static void on_deliver(uv_timer_t *t)
{
	struct ingest *j = t->data;

	j->cb(&j->res, j->arg);
	uv_close((uv_handle_t *)&j->timer, on_closed);
}

static void unref(struct ingest *j)
{
	if (--j->refs == 0)
		uv_timer_start(&j->timer, on_deliver, 0, 0);
}

/* The outcome; the first decision counts. detail may be NULL (the detail
 * written to j->detail stays). */
static void decide(struct ingest *j, enum ingest_outcome o, const char *detail)
{
	if (j->decided)
		return;
	j->decided = true;
	j->res.outcome = o;
	if (detail)
		snprintf(j->detail, sizeof(j->detail), "%s", detail);
	if (o != INGEST_APPENDED && o != INGEST_DUPLICATE) {
		j->res.conv = "";
		j->res.seq = 0;
		j->res.reopened = false;
	}
	log_info("inbound mail: %s: %s (from %s, conv %s)",
		 ingest_outcome_name(o), j->detail,
		 j->parsed ? j->mail.from : "?",
		 *j->res.conv ? j->res.conv : "-");
	unref(j);
}

/* ---- auto-reply ---- */

static void on_autoreplied(bool ok, bool queued, void *arg)
{
	struct ingest *j = arg;

	if (!ok)
		decide(j, INGEST_TRY_LATER,
		       "the auto-reply could not be queued");
	else if (!queued) {
		size_t n = strlen(j->detail);

		snprintf(j->detail + n, sizeof(j->detail) - n,
			 "; the sender was told recently");
		decide(j, INGEST_AUTOREPLIED, NULL);
	} else
		decide(j, INGEST_AUTOREPLIED, NULL);
}

/* The mail matches nothing it may join: the sender is told once a day
 * that chats start in the dashboard. */
static void autoreply(struct ingest *j, const char *why)
{
	char id[INGEST_AUTOREPLY_ID_MAX + 1];
	const struct inbound_mail *m = &j->mail;
	struct mail_job job = {.kind = MAIL_AUTOREPLY,
			       .id = id,
			       .guard_s = AUTOREPLY_GUARD_S,
			       .to = m->from,
			       .subject = m->subject,
			       .in_reply_to = m->message_id};

	if (!compose_address_valid(m->from)) {
		decide(j, INGEST_DROPPED,
		       "matches no conversation, and the sender's address "
		       "cannot be answered");
		return;
	}
	ingest_autoreply_id(m->from, id);
	snprintf(j->detail, sizeof(j->detail), "%s", why);
	if (mailq_enqueue(j->ctx->store, &job, on_autoreplied, j))
		decide(j, INGEST_TRY_LATER, "storage is unavailable");
}

/* ---- the command's answer ---- */

static void on_error_frame(struct ingest *j, const char *code,
			   const char *message)
{
	if (strcmp(code, "client_id_reused") == 0) {
		j->res.conv = j->conv;
		decide(j, INGEST_DUPLICATE,
		       "that Message-ID was appended before, with other text");
	} else if (strcmp(code, "forbidden") == 0) {
		decide(j, INGEST_REJECTED, message);
	} else if (strcmp(code, "not_found") == 0) {
		autoreply(j, "the conversation no longer exists");
	} else {
		snprintf(j->detail, sizeof(j->detail), "%s: %s", code,
			 message ? message : "");
		decide(j, INGEST_TRY_LATER, NULL);
	}
}

static const char *ack_detail(bool duplicate, bool reopened)
{
	if (duplicate)
		return "that Message-ID was appended before";
	return reopened ? "appended; the conversation reopened" : "appended";
}

static void on_frame(struct ingest *j, json_t *f)
{
	const char *type = json_string_value(json_object_get(f, "type"));

	if (type && strcmp(type, "ack") == 0) {
		bool dup = json_is_true(json_object_get(f, "duplicate"));

		j->res.conv = j->conv;
		j->res.seq =
			(uint64_t)json_integer_value(json_object_get(f, "seq"));
		j->res.reopened = j->was_closed && !dup;
		decide(j, dup ? INGEST_DUPLICATE : INGEST_APPENDED,
		       ack_detail(dup, j->res.reopened));
	} else if (type && strcmp(type, "error") == 0) {
		const char *code =
			json_string_value(json_object_get(f, "code"));

		on_error_frame(
			j, code ? code : "internal",
			json_string_value(json_object_get(f, "message")));
	}
}

static int sink_take(struct sink *k, struct frame *f)
{
	struct ingest *j = (struct ingest *)k;
	json_t *root =
		json_loadb((const char *)frame_payload(f), f->len, 0, NULL);

	if (root)
		on_frame(j, root);
	else
		decide(j, INGEST_TRY_LATER, "an answer could not be read");
	json_decref(root);
	return 0;
}

static size_t sink_room(const struct sink *k)
{
	(void)k;
	return SIZE_MAX;
}

static bool sink_open(const struct sink *k)
{
	return !((const struct ingest *)k)->decided;
}

static void sink_hold(struct sink *k)
{
	((struct ingest *)k)->refs++;
}

static void sink_release(struct sink *k)
{
	unref((struct ingest *)k);
}

static const struct sink_ops ingest_sink_ops = {
	sink_take, sink_room, sink_open, sink_hold, sink_release,
};

/* ---- the conversation ---- */

static const char *str_at(const redisReply *r, size_t i)
{
	const redisReply *e = r->element[i];

	return e->type == REDIS_REPLY_STRING ? e->str : NULL;
}

/* The customer as the conversation recorded them (HMGET customer,
 * customer_name, email, status, tier, org, site, topic, summary). */
static struct actor *customer_of(const redisReply *r)
{
	struct auth_claims c;
	const char *tier = str_at(r, 4);

	memset(&c, 0, sizeof(c));
	snprintf(c.sub, sizeof(c.sub), "%s", str_at(r, 0));
	snprintf(c.name, sizeof(c.name), "%s",
		 str_at(r, 1) ? str_at(r, 1) : "");
	snprintf(c.email, sizeof(c.email), "%s",
		 str_at(r, 2) ? str_at(r, 2) : "");
	snprintf(c.org, sizeof(c.org), "%s", str_at(r, 5) ? str_at(r, 5) : "");
	snprintf(c.site, sizeof(c.site), "%s",
		 str_at(r, 6) ? str_at(r, 6) : "");
	c.role = PROTO_ROLE_CUSTOMER;
	if (!tier || auth_tier_parse(tier, &c.tier))
		c.tier = AUTH_TIER_SILVER;
	return actor_from_claims(&c);
}

static void run_command(struct ingest *j)
{
	struct proto_request req;

	memset(&req, 0, sizeof(req));
	req.type = PROTO_EMAIL_REPLY;
	snprintf(req.id, sizeof(req.id), "email");
	snprintf(req.client_id, sizeof(req.client_id), "%s", j->client_id);
	snprintf(req.conv, sizeof(req.conv), "%s", j->conv);
	snprintf(req.topic, sizeof(req.topic), "%s", j->topic);
	req.text = j->text;
	req.details.summary = j->summary;
	cmd_run(j->ctx, j->actor, &j->sink, &req);
}

/* The token named this conversation but did not verify for the sender:
 * genuine (it verifies for the address the conversation's mails went
 * to) means the wrong sender; otherwise it is forged. */
static void judge_peeked(struct ingest *j, const char *email)
{
	char conv[PROTO_CONV_LEN + 1];
	int rc = email ? reply_token_verify(j->cfg->keys, j->token, email,
					    now_s(), conv, NULL)
		       : REPLY_TOKEN_BAD_SIGNATURE;

	if (rc == REPLY_TOKEN_OK || rc == REPLY_TOKEN_EXPIRED)
		decide(j, INGEST_REJECTED,
		       "not from the address the reply token was issued to");
	else
		decide(j, INGEST_UNKNOWN_RECIPIENT,
		       "the reply token is forged or altered");
}

static void on_meta(struct store *st, redisReply *r, void *arg)
{
	struct ingest *j = arg;
	const char *email, *status;
	bool cut;

	(void)st;
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != META_FIELDS) {
		decide(j, INGEST_TRY_LATER, "storage is unavailable");
		return;
	}
	email = str_at(r, 2);
	status = str_at(r, 3);
	if (j->peeked) {
		judge_peeked(j, status ? email : NULL);
		return;
	}
	if (!status || !str_at(r, 0)) {
		autoreply(j, "the conversation no longer exists");
		return;
	}
	if (!email || strcasecmp(email, j->mail.from) != 0) {
		decide(j, INGEST_REJECTED,
		       "not from the conversation's customer");
		return;
	}
	j->text = ingest_text(*j->mail.reply ? j->mail.reply : j->mail.text,
			      PROTO_TEXT_MAX, &cut);
	if (!*j->text) {
		decide(j, INGEST_DROPPED, "empty");
		return;
	}
	j->was_closed = strcmp(status, "closed") == 0;
	j->actor = customer_of(r);
	snprintf(j->topic, sizeof(j->topic), "%s",
		 str_at(r, 7) ? str_at(r, 7) : "");
	j->summary = xstrdup(str_at(r, 8) ? str_at(r, 8) : "");
	if (cut)
		log_info("inbound mail: a reply over %d bytes was cut",
			 PROTO_TEXT_MAX);
	run_command(j); /* holds the sink until it has answered */
}

static void read_meta(struct ingest *j)
{
	struct key meta = key_conv_meta(j->conv);
	const char *argv[] = {"HMGET", meta.s,	 "customer", "customer_name",
			      "email", "status", "tier",     "org",
			      "site",  "topic",	 "summary"};

	if (store_command(j->ctx->store, on_meta, j, 2 + META_FIELDS, argv,
			  NULL))
		decide(j, INGEST_TRY_LATER, "storage is unavailable");
}

/* ---- matching ---- */

static void match_token(struct ingest *j)
{
	int rc = reply_token_verify(j->cfg->keys, j->token, j->mail.from,
				    now_s(), j->conv, NULL);

	switch (rc) {
	case REPLY_TOKEN_OK:
		read_meta(j);
		break;
	case REPLY_TOKEN_EXPIRED:
		autoreply(j, "the reply token has expired");
		break;
	case REPLY_TOKEN_BAD_SIGNATURE:
		if (reply_token_conv(j->token, j->conv) == 0) {
			j->peeked = true;
			read_meta(j);
		} else {
			decide(j, INGEST_UNKNOWN_RECIPIENT,
			       "the reply token is malformed");
		}
		break;
	default:
		snprintf(j->detail, sizeof(j->detail), "the reply token: %s",
			 reply_token_result_str(rc));
		decide(j, INGEST_UNKNOWN_RECIPIENT, NULL);
		break;
	}
}

static void match(struct ingest *j)
{
	const char *domain = j->cfg->reply_domain;
	int found = ingest_find_token(&j->mail, domain, j->token);

	if (found < 0)
		decide(j, INGEST_UNKNOWN_RECIPIENT,
		       "a reply address that holds no reply token");
	else if (found > 0)
		match_token(j);
	else if (ingest_thread_conv(&j->mail, domain, j->conv) == 0)
		read_meta(j);
	else
		autoreply(j, "matches no conversation");
}

static void start(struct ingest *j, const char *raw, size_t len)
{
	const char *drop;

	if (len > j->cfg->max_bytes) {
		snprintf(j->detail, sizeof(j->detail),
			 "over %zu bytes: not a reply to a chat",
			 j->cfg->max_bytes);
		decide(j, INGEST_TOO_LARGE, NULL);
		return;
	}
	if (inbound_mime_parse(raw, len, &j->mail)) {
		decide(j, INGEST_MALFORMED, "not an email");
		return;
	}
	j->parsed = true;
	drop = ingest_drop_reason(&j->mail, j->cfg->reply_domain,
				  j->cfg->mail_from);
	if (drop) {
		decide(j, INGEST_DROPPED, drop);
		return;
	}
	ingest_client_id(j->mail.message_id, raw, len, j->client_id);
	match(j);
}

void inbound_ingest(struct cmd_ctx *ctx, const struct ingest_config *cfg,
		    const char *raw, size_t len, ingest_cb cb, void *arg)
{
	struct ingest *j = xcalloc(1, sizeof(*j));

	j->sink.ops = &ingest_sink_ops;
	j->ctx = ctx;
	j->cfg = cfg;
	j->cb = cb;
	j->arg = arg;
	j->refs = 1;
	j->res.conv = "";
	j->res.detail = j->detail;
	uv_timer_init(store_loop(ctx->store), &j->timer);
	j->timer.data = j;
	start(j, raw, len);
}
