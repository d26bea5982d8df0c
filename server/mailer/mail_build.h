/*
 * mail_build: the mail of one job, from what was loaded of its
 * conversation: the transcript (every message the customer can see), the
 * notification (the agents' messages the customer has not read) or the
 * auto-reply (a mail that matched no conversation). Private to
 * server/mailer/.
 */
#ifndef CHAT_MAILER_MAIL_BUILD_H
#define CHAT_MAILER_MAIL_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chat/cmd/mailq.h"
#include "chat/mail/reply_token.h"

/* Bytes of message text a mail carries at most; older messages are left
 * out first (the intro says so). */
#define MAIL_BUILD_TEXT_MAX (200 * 1024)

struct mail_site {
	const char *from_addr, *from_name, *domain, *dashboard_url;
	const struct reply_keys *keys;
	long reply_days;
};

/* The job and its conversation, borrowed. */
struct mail_build_in {
	enum mail_kind kind;
	const char *entry_id; /* the queue entry's id (auto-reply ids) */
	const char *conv;
	const char *to, *to_name; /* the recipient */
	const char *summary;
	uint64_t hi;		 /* the newest event the mail covers */
	const char *subject;	 /* auto-reply: the mail answered */
	const char *in_reply_to; /* auto-reply: its Message-ID */
	/* The events (stored form, "E<tag><seq> <json>"), newest first. */
	const char *const *events;
	const size_t *event_lens;
	size_t n_events;
	int64_t now_s;
};

/* Builds the whole message. Returns 0 and a heap buffer in *out (*len
 * bytes); 1 when there is nothing to send (no message to notify of); -1
 * when it can never be built (an address compose refuses), with why. */
int mail_build(const struct mail_site *site, const struct mail_build_in *in,
	       char **out, size_t *len, const char **why);

#endif
