/*
 * mailer: sends the mail queue's jobs (chat/cmd/mailq.h) through the SMTP
 * relay, on the node's loop. Every node runs one; a job is taken by one
 * node at a time (a Redis consumer group), acknowledged only once the
 * relay accepted it, retried with a doubling wait after a temporary
 * failure and moved to the dead letters after its last try or a
 * permanent one. A node that stops mid-send leaves the job to be sent
 * again, with the same Message-ID. It also makes the notification looks
 * agents' replies planned (mailer/notify.c).
 */
#ifndef CHAT_MAILER_H
#define CHAT_MAILER_H

#include <uv.h>

#include "chat/mail/reply_token.h"
#include "chat/mailer/smtp.h"

struct cmd_ctx;
struct mailer;

/* Copied by mailer_create. */
struct mailer_config {
	struct smtp_config smtp;
	const char *from_addr, *from_name;
	const char *reply_domain;
	const char *dashboard_url;
	const char *node; /* the consumer name: unique per node */
	struct reply_keys keys;
	long reply_days;
	long tries, retry_ms, retry_max_ms;
	long notify_delay_s, notify_gap_s;
};

/* Returns NULL when the SMTP client cannot start. Sets ctx->mail. */
struct mailer *mailer_create(uv_loop_t *loop, struct cmd_ctx *ctx,
			     const struct mailer_config *cfg);
/* Stops taking jobs; sends in flight are cancelled (their jobs stay in
 * the queue). NULL is a no-op. */
void mailer_destroy(struct mailer *m);

#endif
