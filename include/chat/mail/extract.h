/*
 * extract: the new text of an inbound email reply. Pure functions over
 * UTF-8 text: no I/O, no MIME parsing (the caller hands over a decoded
 * body).
 */
#ifndef CHAT_MAIL_EXTRACT_H
#define CHAT_MAIL_EXTRACT_H

#include <stddef.h>

/*
 * The reply written above (or between) the quoted history of a plain-text
 * body of len bytes: drops "On ... wrote:" headers in several languages,
 * Outlook header blocks, "-----Original Message-----" and forwarded-mail
 * separators, trailing "> " quotes, the "-- " signature and mobile
 * signatures ("Sent from my ..."). When nothing would be left, returns
 * the whole text instead, trimmed. CRLF becomes LF. Returns a NUL-ended
 * heap string the caller frees; NULL only when out of memory.
 */
char *extract_reply(const char *text, size_t len);

/*
 * Plain text of an HTML body of len bytes (need not be NUL-ended): block
 * elements and <br> become line breaks, entities are decoded, scripts and
 * styles are dropped, and so is quoted history (<blockquote>, Gmail's
 * gmail_quote, Outlook's reply header divs and everything after them).
 * Tolerates malformed markup. Returns a heap string the caller frees;
 * NULL only when out of memory.
 */
char *extract_html_text(const char *html, size_t len);

#endif
