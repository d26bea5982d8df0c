/*
 * bearer: the shared secret of an HTTP request, from its Authorization
 * header ("Bearer <secret>", RFC 6750), checked in constant time. Pure:
 * the caller copies the header out of lws.
 */
#ifndef CHAT_BEARER_H
#define CHAT_BEARER_H

#include <stdbool.h>

/* True when header (the Authorization value, NUL-ended; NULL = absent)
 * is "Bearer" in any case, blanks, then exactly secret (blanks after it
 * allowed). The time taken depends neither on where the two differ nor on
 * the secret's length. False for an empty secret. */
bool bearer_matches(const char *header, const char *secret);

#endif
