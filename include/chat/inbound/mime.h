/*
 * mime: what chatd needs of one inbound email (RFC 5322, MIME), read with
 * GMime: the sender, every recipient address, the message ids that thread
 * it, whether it is an automatic reply or a bounce, and its text as UTF-8
 * (text/plain preferred, HTML converted), with the new reply extracted.
 * Not here: matching it to a conversation or storing it.
 */
#ifndef CHAT_INBOUND_MIME_H
#define CHAT_INBOUND_MIME_H

#include <stdbool.h>
#include <stddef.h>

#define INBOUND_MAX_ADDRS 32 /* recipients kept */
#define INBOUND_MAX_REFS 32  /* References kept (the newest) */

/* Every string is owned (heap, NUL-ended, "" when absent) and freed by
 * inbound_mail_cleanup(). Addresses are lowercased. */
struct inbound_mail {
	char *from;	   /* the author's address (From) */
	char *from_name;   /* its display name */
	char *return_path; /* envelope sender as the MTA recorded it */
	char *subject;
	char *message_id; /* without angle brackets */
	char *in_reply_to;
	char *references[INBOUND_MAX_REFS];
	size_t n_references;
	char *recipients[INBOUND_MAX_ADDRS]; /* Delivered-To, X-Original-To,
						To, Cc, in that order */
	size_t n_recipients;
	/* Auto-Submitted other than "no", Precedence bulk/junk/list,
	 * X-Autoreply, X-Autorespond, auto-response suppressing mailers. */
	bool auto_reply;
	/* A delivery report: empty Return-Path, MAILER-DAEMON/postmaster
	 * sender, or multipart/report. */
	bool bounce;
	char *text;  /* the whole body as text */
	char *reply; /* the new text of it (quoted history, signatures out) */
	bool from_html; /* the text came from an HTML part */
};

/* Parses len bytes of one message into *m. Returns 0, or -1 when the
 * input is not an email at all (no headers, not MIME); m then needs no
 * cleanup. Aborts on out-of-memory. */
int inbound_mime_parse(const char *raw, size_t len, struct inbound_mail *m);
void inbound_mail_cleanup(struct inbound_mail *m);

#endif
