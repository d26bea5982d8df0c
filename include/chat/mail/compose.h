/*
 * compose: builds the complete RFC 5322 message of a mail we send (a
 * transcript or a notification): multipart/alternative with a plain-text
 * and a simple HTML part made from the same list of messages, UTF-8,
 * quoted-printable bodies, RFC 2047 encoded-words in headers, CRLF line
 * endings, no line over 998 characters, threaded by Message-ID,
 * In-Reply-To and References.
 *
 * User-controlled text (names, subjects, message text) can never start a
 * header: control characters in header text become spaces and non-ASCII
 * text is encoded. Addresses and message ids that are not plain are
 * refused. The output depends on the input alone (the MIME boundary comes
 * from the Message-ID), so a retried send is byte-identical.
 *
 * Pure: no I/O, no clock, no randomness. It does not send mail.
 */
#ifndef CHAT_MAIL_COMPOSE_H
#define CHAT_MAIL_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chat/protocol.h"

/* Longest message id compose accepts or writes, brackets included. */
#define COMPOSE_ID_MAX 250
/* Longest summary kept in a subject, bytes of UTF-8. */
#define COMPOSE_SUMMARY_MAX 80

enum compose_result {
	COMPOSE_OK = 0,
	COMPOSE_ERR_ADDRESS = -1, /* an address is not a plain local@domain */
	COMPOSE_ERR_ID = -2,	  /* a message id is not <left@right> */
	COMPOSE_ERR_NOMEM = -3,
};

/* One message of the body. All strings UTF-8, borrowed. */
struct compose_entry {
	const char *sender; /* display name */
	int64_t at_ms;	    /* UTC milliseconds */
	const char *text;   /* as written; LF, CRLF or CR line breaks */
};

/* What compose_build renders; every pointer borrowed. */
struct compose_mail {
	const char *from_name; /* NULL or "" = address only */
	const char *from_addr;
	const char *to_name;
	const char *to_addr;
	const char *reply_to;	 /* address, NULL = none */
	const char *subject;	 /* UTF-8 */
	const char *message_id;	 /* "<left@right>" */
	const char *in_reply_to; /* NULL = none */
	const char *const *references;
	size_t n_references;
	int64_t date_s;	    /* the Date header, seconds since the epoch */
	const char *intro;  /* paragraph before the messages, NULL = none */
	const char *footer; /* paragraph after them, NULL = none */
	const struct compose_entry *entries;
	size_t n_entries;
};

/*
 * Builds the message. On COMPOSE_OK *out is a heap buffer of *out_len bytes
 * (NUL-terminated as well) that the caller frees; otherwise a negative
 * enum compose_result and *out is NULL. Invalid UTF-8 in text becomes
 * U+FFFD.
 */
int compose_build(const struct compose_mail *m, char **out, size_t *out_len);

/* True when addr is a plain ASCII local@domain fit for a header. */
bool compose_address_valid(const char *addr);
/* True when id is "<left@right>" of dot-atom text, at most
 * COMPOSE_ID_MAX characters. */
bool compose_message_id_valid(const char *id);

/*
 * Writes our message id "<c.CONV.KIND.SEQ@domain>" into out of cap bytes:
 * stable for (conversation, kind, seq), so a retry reuses it. kind is
 * 1..32 of a-z 0-9 -. Returns 0, or -1 on a bad argument or when it does
 * not fit.
 */
int compose_message_id(const char *conv, const char *kind, uint64_t seq,
		       const char *domain, char *out, size_t cap);

/*
 * If id is one of our message ids for domain (domain compared in any
 * case), writes its conversation id into conv_out and returns 0; else -1.
 */
int compose_message_id_parse(const char *id, const char *domain,
			     char conv_out[PROTO_CONV_LEN + 1]);

/*
 * Writes the conversation's subject, "SUMMARY [#SHORT]" (or
 * "Conversation [#SHORT]" without a summary), into out of cap bytes. The
 * summary is cut to COMPOSE_SUMMARY_MAX bytes on a character boundary and
 * its control characters and runs of spaces become one space. Pass the
 * same summary (e.g. the one the conversation opened with) for every mail
 * so the subject stays stable. short_id is 1..22 of A-Z a-z 0-9 _ -.
 * Returns 0, or -1 on a bad short_id or when it does not fit.
 */
int compose_subject(const char *short_id, const char *summary, char *out,
		    size_t cap);

#endif
