/*
 * mail_setup: the node's mailer from its settings (chatd serve): on when
 * smtp-url is set. Wiring only.
 */
#ifndef CHAT_MAIL_SETUP_H
#define CHAT_MAIL_SETUP_H

#include <uv.h>

struct cmd_ctx;
struct config;
struct mailer;

/* Starts the mailer into *out (NULL when mail is off). Returns 0, or -1
 * after printing why the settings cannot work. */
int mail_setup(uv_loop_t *loop, struct cmd_ctx *ctx, const struct config *cfg,
	       struct mailer **out);

#endif
