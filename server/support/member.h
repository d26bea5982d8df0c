/*
 * member: checked reads of JSON members for the policy file. Each returns
 * 0, or -1 after writing the first problem, one line naming the member by
 * its path ("routing.offer_timeout_s", "topics[2].scope"), to the error.
 * Values read are borrowed from the document or copied into the caller's
 * buffers.
 */
#ifndef CHAT_SUPPORT_MEMBER_H
#define CHAT_SUPPORT_MEMBER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Longest duration accepted, seconds: a year keeps every ms in a long. */
#define MEMBER_SECONDS_MAX (366L * 86400)
/* Room for a member's path in messages; longer ones are cut. */
#define MEMBER_PATH_CAP 192

/* Where the first problem goes: "policy FILE: PATH: message". */
struct member_err {
	char *buf; /* borrowed, cap bytes */
	size_t cap;
	const char *file; /* borrowed; NULL: "policy: PATH: message" */
};

/* Writes the problem with member name (NULL: none) to e; returns -1.
 * Control characters become '?', so the message stays one line. */
int member_fail(struct member_err *e, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* s quoted for a message, at most 40 bytes of it, in buf. */
const char *member_quoted(const char *s, char *buf, size_t cap);
/* out (MEMBER_PATH_CAP bytes) = parent.key, or key when parent is "". */
void member_join(char *out, const char *parent, const char *key);
/* out (MEMBER_PATH_CAP bytes) = parent[i]. */
void member_join_index(char *out, const char *parent, size_t i);
/* Text of 1..max bytes without control characters or ',' (ids and skills
 * are kept comma-joined in Redis). */
bool member_id_ok(const char *s, size_t max);

/* v, at path, is of type want (JSON_TRUE stands for either boolean). */
int member_type(struct member_err *e, json_t *v, const char *path,
		json_type want);
/* obj has no members but those in allowed (NULL-terminated). */
int member_only(struct member_err *e, json_t *obj, const char *path,
		const char *const *allowed);
/* The member key of obj at path, borrowed, in *out, of type want; a
 * missing optional one is *out = NULL. */
int member_get(struct member_err *e, json_t *obj, const char *path,
	       const char *key, json_type want, bool required, json_t **out);
/* An integer number of seconds from min to MEMBER_SECONDS_MAX. */
int member_seconds(struct member_err *e, json_t *obj, const char *path,
		   const char *key, long min, long *out);
/* A key ([a-z0-9_-], 1 to 32 bytes) copied to dst (33 bytes). */
int member_key(struct member_err *e, json_t *obj, const char *path,
	       const char *key, char *dst);
/* Text of 1..cap-1 bytes without control characters copied to dst; an
 * optional one that is missing leaves dst "". */
int member_text(struct member_err *e, json_t *obj, const char *path,
		const char *key, bool required, char *dst, size_t cap);

#endif
