/*
 * member: reading the members of a JSON document (jansson) with checks of
 * type and range, and the first problem written as one line that names
 * the member ("policy FILE: tiers.gold.chat.class: ..."). Used by the
 * policy file; not the place for what the members mean.
 */
#include "member.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "chat/support/policy.h"

int member_fail(struct member_err *e, const char *name, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!e->cap)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(e->buf, e->cap, "policy%s%s: %s%s%s", e->file ? " " : "",
		 e->file ? e->file : "", name ? name : "", name ? ": " : "",
		 msg);
	/* one line, whatever the file holds */
	for (char *c = e->buf; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return -1;
}

/* A string of the file quoted for a message: at most 40 bytes of it. */
const char *member_quoted(const char *s, char *buf, size_t cap)
{
	snprintf(buf, cap, "\"%.40s%s\"", s, strlen(s) > 40 ? "..." : "");
	return buf;
}

static const char *type_name(json_type t)
{
	static const char *const names[] = {
		[JSON_OBJECT] = "an object",   [JSON_ARRAY] = "an array",
		[JSON_STRING] = "a string",    [JSON_INTEGER] = "an integer",
		[JSON_REAL] = "a real number", [JSON_TRUE] = "a boolean",
		[JSON_FALSE] = "a boolean",    [JSON_NULL] = "null",
	};

	return names[t];
}

/* A member's name in a message, cut to MEMBER_PATH_CAP bytes. */
static void path_printf(char *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, MEMBER_PATH_CAP, fmt, ap);
	va_end(ap);
}

void member_join(char *out, const char *parent, const char *key)
{
	path_printf(out, "%s%s%s", parent, *parent ? "." : "", key);
}

void member_join_index(char *out, const char *parent, size_t i)
{
	path_printf(out, "%s[%zu]", parent, i);
}

static bool key_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= POLICY_KEY_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* Text of 1..max bytes without control characters or ',' (ids and
 * skills are kept comma-joined in Redis). */
bool member_id_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n < 1 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == ',')
			return false;
	return true;
}

static bool text_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n < 1 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

int member_type(struct member_err *e, json_t *v, const char *path,
		json_type want)
{
	bool ok = json_typeof(v) == want ||
		  (want == JSON_TRUE && json_is_boolean(v));

	return ok ? 0
		  : member_fail(e, path, "want %s, not %s", type_name(want),
				type_name(json_typeof(v)));
}

/* Refuses members of obj not in allowed (NULL-terminated). */
int member_only(struct member_err *e, json_t *obj, const char *path,
		const char *const *allowed)
{
	const char *key;
	json_t *v;
	char name[MEMBER_PATH_CAP];

	json_object_foreach(obj, key, v)
	{
		size_t i = 0;

		while (allowed[i] && strcmp(allowed[i], key) != 0)
			i++;
		if (!allowed[i]) {
			member_join(name, path, key);
			return member_fail(e, name, "unknown member");
		}
	}
	return 0;
}

/* The member key of obj (borrowed) in *out, checked to be of type want
 * (null too when nullable). A missing optional member, or a null one, is
 * *out = NULL. */
int member_get(struct member_err *e, json_t *obj, const char *path,
	       const char *key, json_type want, bool required, json_t **out)
{
	char name[MEMBER_PATH_CAP];
	json_t *v = json_object_get(obj, key);

	member_join(name, path, key);
	*out = NULL;
	if (!v)
		return required ? member_fail(e, name, "missing") : 0;
	if (member_type(e, v, name, want))
		return -1;
	*out = v;
	return 0;
}

int member_seconds(struct member_err *e, json_t *obj, const char *path,
		   const char *key, long min, long *out)
{
	char name[MEMBER_PATH_CAP];
	json_t *v;
	json_int_t n;

	if (member_get(e, obj, path, key, JSON_INTEGER, true, &v))
		return -1;
	n = json_integer_value(v);
	if (n < min || n > MEMBER_SECONDS_MAX) {
		member_join(name, path, key);
		return member_fail(e, name,
				   "want seconds from %ld to %ld, not %lld",
				   min, MEMBER_SECONDS_MAX, (long long)n);
	}
	*out = (long)n;
	return 0;
}

/* A key member ([a-z0-9_-]{1,32}) copied to dst. */
int member_key(struct member_err *e, json_t *obj, const char *path,
	       const char *key, char *dst)
{
	char name[MEMBER_PATH_CAP], q[64];
	json_t *v;

	if (member_get(e, obj, path, key, JSON_STRING, true, &v))
		return -1;
	if (!key_ok(json_string_value(v))) {
		member_join(name, path, key);
		return member_fail(
			e, name, "%s is not 1 to %d of a-z 0-9 _ -",
			member_quoted(json_string_value(v), q, sizeof(q)),
			POLICY_KEY_MAX);
	}
	snprintf(dst, POLICY_KEY_MAX + 1, "%s", json_string_value(v));
	return 0;
}

/* A text member of 1..cap-1 bytes copied to dst; an optional one that is
 * missing leaves dst "". */
int member_text(struct member_err *e, json_t *obj, const char *path,
		const char *key, bool required, char *dst, size_t cap)
{
	char name[MEMBER_PATH_CAP];
	json_t *v;

	if (member_get(e, obj, path, key, JSON_STRING, required, &v))
		return -1;
	*dst = '\0';
	if (!v)
		return 0;
	if (!text_ok(json_string_value(v), cap - 1)) {
		member_join(name, path, key);
		return member_fail(
			e, name,
			"want 1 to %zu bytes of text without control "
			"characters",
			cap - 1);
	}
	snprintf(dst, cap, "%s", json_string_value(v));
	return 0;
}
