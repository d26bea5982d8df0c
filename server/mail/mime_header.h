/*
 * mime_header: writes header fields: cleans user text (no control
 * character survives), encodes non-ASCII text as RFC 2047 encoded-words
 * (UTF-8, B) of at most 75 characters, and folds lines at 78 characters.
 * Callers validate addresses and ids first (mime_header_*_valid).
 */
#ifndef CHAT_MAIL_MIME_HEADER_H
#define CHAT_MAIL_MIME_HEADER_H

#include <stdbool.h>
#include <stddef.h>

#include "compose_buf.h"

bool mime_header_address_valid(const char *addr);
bool mime_header_domain_valid(const char *domain);
bool mime_header_id_valid(const char *id);

/*
 * Appends to out the text with every control character (C0, DEL, C1,
 * U+2028, U+2029) and every run of white space turned into one space,
 * leading and trailing space dropped, invalid UTF-8 as U+FFFD, and at most
 * max bytes (cut on a character boundary).
 */
void mime_header_clean(struct compose_buf *out, const char *text, size_t max);

/* "Name: text" CRLF for an unstructured field such as Subject. */
void mime_header_text(struct compose_buf *b, const char *name,
		      const char *text);
/* "Name: display <addr>" CRLF, or "Name: <addr>" for an empty display. */
void mime_header_address(struct compose_buf *b, const char *name,
			 const char *display, const char *addr);
/* "Name: id id ..." CRLF, folded between ids. */
void mime_header_ids(struct compose_buf *b, const char *name,
		     const char *const *ids, size_t n);

#endif
