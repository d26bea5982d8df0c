/*
 * mailq: the outgoing mail queue. A job names what to send (a transcript,
 * a notification of unread replies, an auto-reply), not the mail itself:
 * the mailer builds the mail from the conversation when it sends it. The
 * queue is a Redis stream in a slot of its own ({m}); a job's id guards it
 * from being queued twice while the guard lives.
 * Not here: sending, retries, dead letters (mailer/).
 */
#ifndef CHAT_MAILQ_H
#define CHAT_MAILQ_H

#include <stdbool.h>
#include <stdint.h>

struct store;

enum mail_kind {
	MAIL_TRANSCRIPT = 't', /* the conversation closed */
	MAIL_REQUESTED = 'r',  /* the customer asked for the transcript */
	MAIL_NOTIFY = 'n',     /* agent replies the customer has not read */
	MAIL_AUTOREPLY = 'a',  /* a mail that matched no conversation */
};

/* Every string borrowed for the call; NULL or "" = absent. */
struct mail_job {
	enum mail_kind kind;
	const char *id;	     /* the duplicate guard, e.g. "t.CONV.TS" */
	long guard_s;	     /* how long the guard lives */
	const char *conv;    /* t, r, n */
	const char *to;	     /* a: the recipient; t, r, n: the conversation's */
	uint64_t lo, hi;     /* n: the unread events (lo, hi]; t, r: up to hi */
	const char *subject; /* a: the subject of the mail answered */
	const char *in_reply_to; /* a: its Message-ID, without brackets */
};

/* Seconds a transcript's or a notification's guard lives: longer than any
 * outbox entry or request could be retried. */
#define MAILQ_GUARD_S (30L * 86400)

/* ok: Redis answered; queued: the job is new (false: a duplicate). */
typedef void (*mailq_cb)(bool ok, bool queued, void *arg);

/* Queues j. Returns 0 (cb runs once, later) or -1 when Redis is not
 * ready or j is invalid (cb never runs). cb may be NULL. */
int mailq_enqueue(struct store *st, const struct mail_job *j, mailq_cb cb,
		  void *arg);

#endif
