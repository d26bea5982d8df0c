/*
 * util: small helpers every server module shares: allocation that aborts on
 * out-of-memory (structural allocations only), time, random bytes and
 * base64url. No state.
 */
#ifndef CHAT_UTIL_H
#define CHAT_UTIL_H

#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Wall clock, UTC milliseconds / seconds since the epoch. */
int64_t now_ms(void);
int64_t now_s(void);
/* Monotonic clock in milliseconds from an arbitrary start: for deadlines
 * and intervals, which a wall clock set back or forward would break. */
int64_t mono_ms(void);

/* Fills buf with n cryptographically random bytes; aborts if the kernel
 * cannot provide them. */
void random_bytes(void *buf, size_t n);

/* Encodes n bytes as unpadded base64url into out, which must hold
 * 4*ceil(n/3)+1 bytes; returns the string length. */
size_t base64url_encode(const unsigned char *in, size_t n, char *out);

/* Value of one hex digit, or -1. */
int hex_digit(char c);

/* Decodes hex into out (at most cap bytes); returns the byte count or -1. */
int hex_decode(const char *hex, unsigned char *out, size_t cap);

#endif
