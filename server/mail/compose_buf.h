/*
 * compose_buf: the growing output buffer and the UTF-8 reader that the
 * composition files share. An allocation failure marks the buffer failed
 * and later writes are dropped, so callers check once at the end.
 */
#ifndef CHAT_MAIL_COMPOSE_BUF_H
#define CHAT_MAIL_COMPOSE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct compose_buf {
	char *data; /* owned; NUL-terminated while not failed */
	size_t len;
	size_t cap;
	bool failed;
};

void compose_buf_put(struct compose_buf *b, const char *s, size_t n);
void compose_buf_puts(struct compose_buf *b, const char *s);
void compose_buf_putc(struct compose_buf *b, char c);
void compose_buf_printf(struct compose_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends code point cp as UTF-8. */
void compose_buf_put_cp(struct compose_buf *b, uint32_t cp);
void compose_buf_cleanup(struct compose_buf *b);

/*
 * Reads one character of s[0..n), n > 0: returns its length in bytes and
 * sets *cp, or returns 1 with *cp = U+FFFD for a byte that does not start
 * a well-formed UTF-8 sequence (overlong forms and surrogates included).
 */
size_t compose_utf8_next(const char *s, size_t n, uint32_t *cp);

#endif
