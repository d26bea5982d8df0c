/* mail_setup: see mail_setup.h. */
#include "mail_setup.h"

#include <stdio.h>
#include <unistd.h>

#include "chat/common/config.h"
#include "chat/common/log.h"
#include "chat/mailer/mailer.h"

#define ADDR_MAX 320

int mail_setup(uv_loop_t *loop, struct cmd_ctx *ctx, const struct config *cfg,
	       struct mailer **out)
{
	struct mailer_config mc = {
		.smtp = {.url = cfg->smtp_url,
			 .starttls_required = cfg->smtp_starttls == 1,
			 .username = cfg->smtp_user,
			 .password = cfg->smtp_password,
			 .ca_file = cfg->smtp_ca_file,
			 .timeout_ms = cfg->smtp_timeout_ms},
		.from_name = cfg->mail_from_name,
		.reply_domain = cfg->reply_domain,
		.dashboard_url = cfg->dashboard_url,
		.reply_days = cfg->reply_days,
		.tries = cfg->mail_tries,
		.retry_ms = cfg->mail_retry_ms,
		.retry_max_ms = cfg->mail_retry_max_ms,
		.notify_delay_s = cfg->notify_delay_s,
		.notify_gap_s = cfg->notify_gap_s};
	char from[ADDR_MAX], node[300], err[200], host[256] = "chatd";

	*out = NULL;
	if (!cfg->smtp_url)
		return 0;
	if (reply_keys_parse(&mc.keys, cfg->reply_keys, err, sizeof(err))) {
		fprintf(stderr, "chatd: invalid reply-keys: %s\n", err);
		return -1;
	}
	snprintf(from, sizeof(from), "%s",
		 cfg->mail_from ? cfg->mail_from : "");
	if (!cfg->mail_from)
		snprintf(from, sizeof(from), "chat@%s", cfg->reply_domain);
	mc.from_addr = from;
	/* The consumer name: one per running node, also on one host. */
	gethostname(host, sizeof(host) - 1);
	snprintf(node, sizeof(node), "%s/%s/%ld", cfg->node ? cfg->node : "-",
		 host, (long)getpid());
	mc.node = node;
	*out = mailer_create(loop, ctx, &mc);
	if (!*out) {
		fprintf(stderr, "chatd: the SMTP client cannot start\n");
		return -1;
	}
	log_info("mail: relay %s, from %s, replies to reply+TOKEN@%s",
		 cfg->smtp_url, from, cfg->reply_domain);
	return 0;
}
