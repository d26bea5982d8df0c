/*
 * notify: the notification looks agents' replies planned (mail_nudge):
 * when one is due, what the customer has not read is read in the
 * conversation's slot and a notification job queued for it (mail_notify)
 * in the mail slot. Private to server/mailer/.
 */
#ifndef CHAT_MAILER_NOTIFY_H
#define CHAT_MAILER_NOTIFY_H

#include <stdint.h>

struct cmd_ctx;
struct notify;

/* queued(arg) runs when a look queued a job. */
struct notify *notify_create(struct cmd_ctx *ctx, int64_t delay_ms,
			     void (*queued)(void *arg), void *arg);
/* Makes the looks that are due (one round at a time). */
void notify_tick(struct notify *n);
/* Answers still to come are dropped; the memory goes with the last. */
void notify_destroy(struct notify *n);

#endif
