/*
 * jsonw: a small JSON writer for the server frames sent on every message
 * (ack, event prefix, error, typing, read, ...). Building a jansson tree
 * and dumping it cost more than the rest of a send's CPU in chatd; these
 * frames have a fixed shape and only need strings escaped. The opened
 * event's details (optional members, user-sized lists) still go through
 * jansson.
 *
 * Usage: jw_begin(), then jw_key() + one value per member (objects nest
 * with jw_begin/jw_end; arrays with jw_array_begin/jw_array_end and
 * jw_elem() before each element), then jw_finish(). The writer latches the
 * first failure (out of memory, invalid UTF-8) and jw_finish() then returns
 * NULL. Private to protocol/.
 */
#ifndef CHAT_JSONW_H
#define CHAT_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jw {
	char *buf; /* owned until jw_finish() */
	size_t len, cap;
	bool first; /* no member written yet in the innermost object */
	bool failed;
};

void jw_init(struct jw *w, size_t hint);
void jw_begin(struct jw *w);
void jw_end(struct jw *w);
/* Starts a member: a comma when needed, then "key": (key is trusted). */
void jw_key(struct jw *w, const char *key);
/* Like jw_key() for a key that is data (a user id): escaped, and fails on
 * invalid UTF-8. */
void jw_key_escaped(struct jw *w, const char *key);
void jw_array_begin(struct jw *w);
void jw_array_end(struct jw *w);
/* Starts an array element: a comma when needed. */
void jw_elem(struct jw *w);
/* A string value, escaped; fails on invalid UTF-8. */
void jw_str(struct jw *w, const char *s);
void jw_int(struct jw *w, int64_t v);
void jw_uint(struct jw *w, uint64_t v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* Bytes copied as they are (already JSON). */
void jw_raw(struct jw *w, const char *s, size_t n);
/* Returns the NUL-terminated heap string (the caller frees it), or NULL
 * after a failure (the buffer is freed). */
char *jw_finish(struct jw *w);

/* Convenience: a whole member; a NULL string member is left out. */
void jw_member_str(struct jw *w, const char *key, const char *v);
void jw_member_int(struct jw *w, const char *key, int64_t v);
void jw_member_uint(struct jw *w, const char *key, uint64_t v);
void jw_member_bool(struct jw *w, const char *key, bool v);

#endif
