/*
 * ingest_private: the pure parts of the inbound path (matching a mail to
 * a conversation, what is dropped, the ids made from a mail, its text as
 * a message), kept apart from the loop and Redis so they are unit-tested
 * alone.
 */
#ifndef CHAT_INGEST_PRIVATE_H
#define CHAT_INGEST_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "chat/inbound/ingest.h"
#include "chat/inbound/mime.h"
#include "chat/protocol.h"

/* ---- ingest_match.c ---- */

/* The reply token of the first recipient reply+TOKEN@domain: 1 and the
 * token (lowercase) in token_out; 0 when no recipient is a reply address
 * of ours; -1 when one is ("reply+...@domain") but holds no token of the
 * right shape. */
int ingest_find_token(const struct inbound_mail *m, const char *domain,
		      char token_out[REPLY_TOKEN_LEN + 1]);
/* The conversation our Message-ID in In-Reply-To, else the newest of
 * References, names (for domain): 0 and conv_out, or -1. */
int ingest_thread_conv(const struct inbound_mail *m, const char *domain,
		       char conv_out[PROTO_CONV_LEN + 1]);
/* Why the mail must be ignored, or NULL: an automatic reply, a bounce
 * (MAILER-DAEMON, postmaster, multipart/report, an empty Return-Path),
 * no sender, or a loop (sent from our own From address, or from the
 * reply domain). mail_from NULL or "" means chat@reply_domain. */
const char *ingest_drop_reason(const struct inbound_mail *m,
			       const char *reply_domain, const char *mail_from);
/* The idempotency key of the mail: "mail-" and 40 hex digits of the
 * SHA-256 of its Message-ID, or of the whole raw mail when it has none
 * (the same mail delivered twice is the same key either way). */
#define INGEST_CLIENT_ID_LEN (5 + 40)
void ingest_client_id(const char *message_id, const char *raw, size_t len,
		      char out[INGEST_CLIENT_ID_LEN + 1]);
/* The auto-reply job's id (its duplicate guard), per sender: "a." and the
 * sender, or for an address longer than INGEST_AUTOREPLY_ADDR_MAX, "a.h."
 * and 40 hex digits of its SHA-256. */
#define INGEST_AUTOREPLY_ADDR_MAX 100
#define INGEST_AUTOREPLY_ID_MAX (4 + INGEST_AUTOREPLY_ADDR_MAX)
void ingest_autoreply_id(const char *sender,
			 char out[INGEST_AUTOREPLY_ID_MAX + 1]);

/* ---- ingest_text.c ---- */

/* The note that ends a text cut to fit one message. */
#define INGEST_CUT_NOTE "\n\n[The rest of this email was cut: it was too long.]"
/* The mail's text as a message: valid UTF-8 (invalid bytes become
 * U+FFFD), line breaks as LF, no control characters but LF and TAB, no
 * leading or trailing blank lines, at most max bytes: a longer text is
 * cut at a character boundary and ends with INGEST_CUT_NOTE. Returns a
 * heap string ("" when nothing is left; the caller frees it); *cut says
 * whether it was cut. Aborts on out-of-memory. max must exceed the
 * note's length. */
char *ingest_text(const char *in, size_t max, bool *cut);

#endif
