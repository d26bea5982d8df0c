/*
 * jscan: splits a JSON object's text into its top-level members without
 * building anything, for frames jansson refused. A frame can be well-formed
 * JSON that jansson still cannot hold (a number past 64 bits or a double, a
 * NUL in a member name, a duplicate key); its request id is readable all the
 * same, and the error should echo it.
 *
 * It checks structure only: strings are delimited (escapes skipped, not
 * decoded), nested values are bracket-balanced, scalars are runs of number
 * and literal characters. It is not a validator; the caller decodes the
 * spans it cares about with jansson. Private to protocol/.
 */
#ifndef CHAT_JSCAN_H
#define CHAT_JSCAN_H

#include <stdbool.h>
#include <stddef.h>

/* Spans of raw text in the scanned buffer: the name with its quotes, and
 * the value as written. */
struct jscan_member {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

/* Called for each top-level member in order; returning false stops. */
typedef bool (*jscan_member_cb)(const struct jscan_member *m, void *arg);

/* Returns 0 when buf (len bytes) is one object with the structure of JSON
 * and nothing but whitespace after it, else -1. The callback may already
 * have run for the members before a defect; nothing is allocated. */
int jscan_object(const char *buf, size_t len, jscan_member_cb cb, void *arg);

#endif
