/*
 * ingest: one inbound email, from the raw message to its outcome: parsed
 * (inbound/mime.c), matched to a conversation by its reply token or, when
 * it has none, by our Message-IDs in In-Reply-To/References (never by
 * subject), checked (the sender must be the address the conversation's
 * mails went to), and appended to the conversation through the command
 * layer (channel email, exactly once: the Message-ID is the idempotency
 * key; a closed conversation is reopened and re-queued). Automatic
 * replies, bounces and loops are dropped; a mail that matches nothing
 * gets one polite auto-reply (rate-limited per sender).
 * Callers: `chatd mail-ingest` (an MTA pipe) and POST /mail/inbound.
 */
#ifndef CHAT_INBOUND_INGEST_H
#define CHAT_INBOUND_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chat/mail/reply_token.h"

struct cmd_ctx;

enum ingest_outcome {
	INGEST_APPENDED,	  /* the reply is in the conversation */
	INGEST_DUPLICATE,	  /* that Message-ID was appended before */
	INGEST_DROPPED,		  /* auto-reply, bounce, loop: ignored */
	INGEST_AUTOREPLIED,	  /* matched nothing: the sender is told
				     (or was told recently) */
	INGEST_UNKNOWN_RECIPIENT, /* a reply address that is not ours */
	INGEST_REJECTED,	  /* not from the address the token names */
	INGEST_MALFORMED,	  /* not an email at all */
	INGEST_TOO_LARGE,	  /* over the configured size */
	INGEST_TRY_LATER,	  /* Redis unreachable: nothing was stored */
};

/* Borrowed; outlives every ingest. */
struct ingest_config {
	const struct reply_keys *keys;
	const char *reply_domain;
	size_t max_bytes;
	/* Our own From address, to drop mail from it (a loop); NULL or "":
	 * chat@reply_domain, which the reply domain covers. */
	const char *mail_from;
};

/* What happened; conv and seq are set for APPENDED and DUPLICATE ("" and
 * 0 otherwise); detail says why in words (for logs and the HTTP body). */
struct ingest_result {
	enum ingest_outcome outcome;
	const char *conv;
	uint64_t seq;
	bool reopened;
	const char *detail;
};

typedef void (*ingest_cb)(const struct ingest_result *r, void *arg);

/* Ingests len bytes of raw mail (borrowed for the call). cb runs exactly
 * once, from the loop, never from inside this call. */
void inbound_ingest(struct cmd_ctx *ctx, const struct ingest_config *cfg,
		    const char *raw, size_t len, ingest_cb cb, void *arg);

/* The sysexits code an MTA pipe gets: 0 (appended, duplicate, dropped,
 * auto-replied), 65 EX_DATAERR (malformed, too large), 67 EX_NOUSER
 * (unknown recipient), 77 EX_NOPERM (rejected), 75 EX_TEMPFAIL. */
int ingest_exit_code(enum ingest_outcome o);
/* The HTTP status of POST /mail/inbound: 200, 400, 404, 403, 413, 503. */
int ingest_http_status(enum ingest_outcome o);
/* "appended", "duplicate", "dropped", "auto_replied", "unknown_recipient",
 * "rejected", "malformed", "too_large", "try_later". */
const char *ingest_outcome_name(enum ingest_outcome o);

#endif
