/*
 * parse: turns a frame's text into a jansson object (flatjson's fast path,
 * then jansson), or fills the error for text that is not a JSON object. A
 * frame jansson refuses although it is shaped like an object (a number past
 * 64 bits, a NUL in a member name, a duplicate key) still gets its request
 * id echoed when the id is readable. It does not validate members
 * (decode.c does). Private to protocol/.
 */
#ifndef CHAT_PARSE_H
#define CHAT_PARSE_H

#include <stddef.h>

#include <jansson.h>

#include "chat/protocol.h"

/* Returns a new object reference, or NULL with *err set (code, message,
 * and id when readable); *err must be zeroed by the caller. */
json_t *parse_frame(const char *buf, size_t len, struct proto_error *err);

/* Fills err with code and a formatted message; returns -1. Messages name
 * fields but never quote the frame's values, so they are always valid
 * UTF-8 and safe to send back. */
__attribute__((format(printf, 3, 4))) int parse_fail(struct proto_error *err,
						     enum proto_error_code code,
						     const char *fmt, ...);

#endif
