/*
 * compose_body: the two bodies of a mail, plain text and simple HTML, made
 * from the same entries, and the quoted-printable encoding they travel in.
 */
#ifndef CHAT_MAIL_COMPOSE_BODY_H
#define CHAT_MAIL_COMPOSE_BODY_H

#include "chat/mail/compose.h"

#include "compose_buf.h"

/* Appends the plain-text body (UTF-8, LF line breaks): user text as
 * written, invalid UTF-8 as U+FFFD. */
void compose_body_plain(struct compose_buf *out, const struct compose_mail *m);
/* Appends the HTML body (UTF-8, LF line breaks), every user text escaped. */
void compose_body_html(struct compose_buf *out, const struct compose_mail *m);
/* Appends s[0..n) (LF line breaks) as quoted-printable with CRLF line
 * breaks and lines of at most 76 characters. */
void compose_body_qp(struct compose_buf *out, const char *s, size_t n);
/* Appends "D Mon YYYY, HH:MM UTC" for ms. */
void compose_body_time(struct compose_buf *out, int64_t ms);

#endif
