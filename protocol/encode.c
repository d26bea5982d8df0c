/*
 * encode: builds every server frame as compact JSON text.
 *
 * Frames are built as jansson objects and dumped in insertion order, so
 * escaping is jansson's and member order matches PROTOCOL.md. Events are
 * special: Redis assigns their seq and ts, so this module builds them
 * unterminated (see proto_event_prefix()) and the store closes them. It
 * does not decide who receives a frame or when.
 *
 * Every encoder returns a heap string the caller frees, or NULL when memory
 * runs out or a string argument is not valid UTF-8 (jansson refuses it).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "chat/protocol.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)

/* Ids are never empty on the wire; "" (e.g. struct proto_error's id when
 * the frame had none) means absent. */
static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

/* Dumps obj and drops the reference; obj may be NULL (a failed pack). */
static char *dump_owned(json_t *obj)
{
	char *s;

	if (!obj)
		return NULL;
	s = json_dumps(obj, DUMP_FLAGS);
	json_decref(obj);
	return s;
}

/* Turns a dumped object "{...}" into its members "..." in place. */
static char *strip_braces(char *s)
{
	size_t len;

	if (!s)
		return NULL;
	len = strlen(s);
	memmove(s, s + 1, len - 2);
	s[len - 2] = '\0';
	return s;
}

/* Adds "from":{id,role,name} for u (borrowed); a NULL u adds nothing.
 * Returns 0, or -1 when obj could not take it. */
static int put_user(json_t *obj, const struct proto_user *u)
{
	if (!u)
		return 0;
	return json_object_set_new(obj, "from",
				   json_pack("{s:s*, s:s, s:s*}", "id", u->id,
					     "role", proto_role_str(u->role),
					     "name", u->name));
}

/* A NULL or "" message sends the code's default message. */
char *proto_encode_error(const char *id, const char *conv,
			 enum proto_error_code code, const char *message)
{
	return dump_owned(json_pack(
		"{s:s, s:s*, s:s*, s:s, s:s, s:b}", "type", "error", "id",
		nonempty(id), "conv", nonempty(conv), "code",
		proto_error_code_str(code), "message",
		message && *message ? message : proto_error_message(code),
		"retryable", proto_error_retryable(code)));
}

char *proto_encode_ack(const char *id, const char *conv, uint64_t seq,
		       int64_t ts, bool duplicate)
{
	return dump_owned(json_pack(
		"{s:s, s:s*, s:s*, s:I, s:I, s:b}", "type", "ack", "id",
		nonempty(id), "conv", nonempty(conv), "seq", (json_int_t)seq,
		"ts", (json_int_t)ts, "duplicate", duplicate));
}

char *proto_encode_synced(const char *id, const char *conv, uint64_t seq)
{
	return dump_owned(json_pack("{s:s, s:s*, s:s*, s:I}", "type", "synced",
				    "id", nonempty(id), "conv", nonempty(conv),
				    "seq", (json_int_t)seq));
}

char *proto_encode_pong(const char *id, int64_t server_time)
{
	return dump_owned(json_pack("{s:s, s:s*, s:I}", "type", "pong", "id",
				    nonempty(id), "server_time",
				    (json_int_t)server_time));
}

/* Builds {"type":type,"conv":conv,"from":{...},last_key:last}, taking the
 * reference to last (which may be NULL after a failed allocation). */
static char *encode_relay(const char *type, const char *conv,
			  const struct proto_user *from, const char *last_key,
			  json_t *last)
{
	json_t *obj = json_pack("{s:s, s:s*}", "type", type, "conv", conv);

	if (!obj || put_user(obj, from) < 0) {
		json_decref(obj);
		json_decref(last);
		return NULL;
	}
	if (json_object_set_new(obj, last_key, last) < 0) { /* took last */
		json_decref(obj);
		return NULL;
	}
	return dump_owned(obj);
}

char *proto_encode_typing(const char *conv, const struct proto_user *from,
			  bool typing)
{
	return encode_relay("typing", conv, from, "typing",
			    json_boolean(typing));
}

char *proto_encode_read(const char *conv, const struct proto_user *from,
			uint64_t seq)
{
	return encode_relay("read", conv, from, "seq",
			    json_integer((json_int_t)seq));
}

/* Appends ",body" (when body is not empty) to head, which is "{...}" from
 * json_dumps, in place of its closing brace. Frees head. */
static char *open_object(char *head, const char *body)
{
	size_t head_len, body_len;
	char *s;

	if (!head)
		return NULL;
	head_len = strlen(head) - 1; /* without the closing brace */
	body_len = body && *body ? strlen(body) + 1 : 0;
	s = realloc(head, head_len + body_len + 1);
	if (!s) {
		free(head);
		return NULL;
	}
	if (body_len) {
		s[head_len] = ',';
		memcpy(s + head_len + 1, body, body_len - 1);
	}
	s[head_len + body_len] = '\0';
	return s;
}

/*
 * Returns {"type":"event","conv":...,"kind":...,"channel":"chat",
 * "from":{...},"client_id":...,BODY without the closing brace; the store
 * appends ,"seq":N,"ts":T}. body_members (borrowed, trusted to be JSON
 * members, normally from proto_opened_members() or proto_string_member())
 * may be NULL or "". client_id NULL is omitted.
 */
char *proto_event_prefix(const char *conv, const char *kind,
			 const struct proto_user *from, const char *client_id,
			 const char *body_members)
{
	json_t *obj = json_pack("{s:s*, s:s*, s:s*, s:s}", "type", "event",
				"conv", conv, "kind", kind, "channel", "chat");

	if (!obj || put_user(obj, from) < 0 ||
	    (client_id && json_object_set_new(obj, "client_id",
					      json_string(client_id)) < 0)) {
		json_decref(obj);
		return NULL;
	}
	return open_object(dump_owned(obj), body_members);
}

/* Members of details absent (NULL) in d are left out, as is an empty
 * screenshots list. Returns a new reference or NULL. */
static json_t *details_object(const struct proto_details *d)
{
	json_t *obj, *shots;

	obj = json_pack("{s:s*, s:s*, s:s*, s:s*, s:s*}", "summary", d->summary,
			"steps", d->steps, "environment", d->environment,
			"began", d->began, "errors", d->errors);
	if (!obj || d->n_screenshots == 0)
		return obj;
	shots = json_array();
	for (size_t i = 0; shots && i < d->n_screenshots; i++) {
		if (json_array_append_new(shots,
					  json_string(d->screenshots[i])) < 0) {
			json_decref(shots);
			shots = NULL;
		}
	}
	if (json_object_set_new(obj, "screenshots", shots) < 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/*
 * Returns "details":{...},"context":...,"org":...,"site":...,"tier":...
 * (members only, no braces) for an "opened" event. org and site are left
 * out when NULL or ""; context and tier when NULL.
 */
char *proto_opened_members(const struct proto_details *d, const char *context,
			   const char *org, const char *site, const char *tier)
{
	json_t *details = details_object(d);

	if (!details)
		return NULL;
	return strip_braces(dump_owned(
		json_pack("{s:o, s:s*, s:s*, s:s*, s:s*}", "details", details,
			  "context", context, "org", nonempty(org), "site",
			  nonempty(site), "tier", tier)));
}

/*
 * Returns "name":"value" with value escaped, for an event body. A NULL
 * value returns "" (no members), so optional members such as a close
 * reason need no special case.
 */
char *proto_string_member(const char *name, const char *value)
{
	if (!value)
		return strdup("");
	return strip_braces(dump_owned(json_pack("{s:s}", name, value)));
}
