/*
 * flatjson: a fast path in front of jansson's parser for the frames that
 * arrive with every message. jansson reads JSON a character at a time
 * through a UTF-8 checking stream, which was a third of chatd's
 * instructions per message. A chat frame is nearly always one flat object
 * of strings, integers and booleans, which this reads with a byte scan
 * into the same jansson tree.
 *
 * It gives up (returns NULL) on anything it does not read exactly as
 * jansson would: nesting, \u escapes, non-integer or long numbers,
 * duplicate or escaped member names, malformed UTF-8, any syntax error.
 * The caller then runs jansson, so every error is still jansson's error
 * and every accepted frame yields the tree jansson would build.
 * Private to protocol/.
 */
#ifndef CHAT_FLATJSON_H
#define CHAT_FLATJSON_H

#include <stddef.h>

#include <jansson.h>

/* Returns a new object reference, or NULL: "parse it with jansson". */
json_t *flatjson_parse(const char *buf, size_t len);

#endif
