/*
 * email_reply: the command an inbound email becomes (PROTO_EMAIL_REPLY,
 * never decoded from a client frame): the customer's reply appended to
 * the conversation as a message of channel email, exactly once, a closed
 * conversation reopened and re-queued in the same step.
 */
#ifndef CHAT_EMAIL_REPLY_H
#define CHAT_EMAIL_REPLY_H

#include "chat/cmd/cmd.h"

/* a is the conversation's customer (role customer); req carries conv,
 * client_id (the idempotency key made from the mail), id (echoed), text,
 * and for a reopening the conversation's topic and details.summary (both
 * may be ""/NULL). Answers through k: an ack (duplicate for a mail
 * appended before), or an error (not_found, forbidden, unavailable, ...). */
void email_reply_run(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		     const struct proto_request *req);

#endif
