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
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "chat/protocol.h"
#include "encode.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)

/* Ids are never empty on the wire; "" (e.g. struct proto_error's id when
 * the frame had none) means absent. */
const char *encode_nonempty(const char *s)
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

void encode_frame_head(struct jw *w, const char *type, const char *id,
		       const char *conv)
{
	jw_init(w, 160);
	jw_begin(w);
	jw_member_str(w, "type", type);
	jw_member_str(w, "id", encode_nonempty(id));
	jw_member_str(w, "conv", encode_nonempty(conv));
}

/* Writes "from":{id,role,name} for u (borrowed); NULL writes nothing. */
static void write_user(struct jw *w, const struct proto_user *u)
{
	if (!u)
		return;
	jw_key(w, "from");
	jw_begin(w);
	jw_member_str(w, "id", u->id);
	jw_member_str(w, "role", proto_role_str(u->role));
	jw_member_str(w, "name", u->name);
	jw_end(w);
}

char *encode_frame_end(struct jw *w)
{
	jw_end(w);
	return jw_finish(w);
}

/* Writes code, message and retryable; a NULL or "" message writes the
 * code's default message. */
static void write_error(struct jw *w, enum proto_error_code code,
			const char *message)
{
	jw_member_str(w, "code", proto_error_code_str(code));
	jw_member_str(w, "message",
		      message && *message ? message
					  : proto_error_message(code));
	jw_member_bool(w, "retryable", proto_error_retryable(code));
}

char *proto_encode_error(const char *id, const char *conv,
			 enum proto_error_code code, const char *message)
{
	struct jw w;

	encode_frame_head(&w, "error", id, conv);
	write_error(&w, code, message);
	return encode_frame_end(&w);
}

/* outside_hours with "opens_at"; opens_at <= 0 (no opening known) is
 * sent as null. */
char *proto_encode_error_opens(const char *id, const char *message,
			       int64_t opens_at)
{
	struct jw w;

	encode_frame_head(&w, "error", id, NULL);
	write_error(&w, PROTO_E_OUTSIDE_HOURS, message);
	jw_key(&w, "opens_at");
	if (opens_at > 0)
		jw_int(&w, opens_at);
	else
		jw_null(&w);
	return encode_frame_end(&w);
}

char *proto_encode_rate_limited(int64_t retry_after_ms)
{
	struct jw w;

	encode_frame_head(&w, "error", NULL, NULL);
	jw_member_str(&w, "code", proto_error_code_str(PROTO_E_RATE_LIMITED));
	jw_member_str(&w, "message", proto_error_message(PROTO_E_RATE_LIMITED));
	jw_member_bool(&w, "retryable", true);
	jw_member_int(&w, "retry_after_ms", retry_after_ms);
	return encode_frame_end(&w);
}

char *proto_encode_ack(const char *id, const char *conv, uint64_t seq,
		       int64_t ts, bool duplicate)
{
	struct jw w;

	encode_frame_head(&w, "ack", id, conv);
	jw_member_int(&w, "seq", (int64_t)seq);
	jw_member_int(&w, "ts", ts);
	jw_member_bool(&w, "duplicate", duplicate);
	return encode_frame_end(&w);
}

/* Same members as proto_encode_ack() but seq. */
char *proto_encode_ack_noseq(const char *id, const char *conv, int64_t ts,
			     bool duplicate)
{
	struct jw w;

	encode_frame_head(&w, "ack", id, conv);
	jw_member_int(&w, "ts", ts);
	jw_member_bool(&w, "duplicate", duplicate);
	return encode_frame_end(&w);
}

char *proto_encode_synced(const char *id, const char *conv, uint64_t seq)
{
	struct jw w;

	encode_frame_head(&w, "synced", id, conv);
	jw_member_int(&w, "seq", (int64_t)seq);
	return encode_frame_end(&w);
}

char *proto_encode_pong(const char *id, int64_t server_time)
{
	struct jw w;

	encode_frame_head(&w, "pong", id, NULL);
	jw_member_int(&w, "server_time", server_time);
	return encode_frame_end(&w);
}

char *proto_encode_typing(const char *conv, const struct proto_user *from,
			  bool typing)
{
	struct jw w;

	encode_frame_head(&w, "typing", NULL, conv);
	write_user(&w, from);
	jw_member_bool(&w, "typing", typing);
	return encode_frame_end(&w);
}

char *proto_encode_read(const char *conv, const struct proto_user *from,
			uint64_t seq)
{
	struct jw w;

	encode_frame_head(&w, "read", NULL, conv);
	write_user(&w, from);
	jw_member_int(&w, "seq", (int64_t)seq);
	return encode_frame_end(&w);
}

/* The read frame up to its seq value: the Redis step caps the position
 * and appends it and the closing brace. */
char *proto_encode_read_prefix(const char *conv, const struct proto_user *from)
{
	struct jw w;

	encode_frame_head(&w, "read", NULL, conv);
	write_user(&w, from);
	jw_key(&w, "seq");
	return jw_finish(&w);
}

/* Writes "key":{"id","name"} for u (borrowed); NULL writes nothing. */
void encode_person(struct jw *w, const char *key, const struct proto_user *u)
{
	if (!u)
		return;
	jw_key(w, key);
	jw_begin(w);
	jw_member_str(w, "id", u->id);
	jw_member_str(w, "name", u->name);
	jw_end(w);
}

char *proto_encode_hello(const char *id, int64_t server_time,
			 const struct proto_hello_user *u, size_t max_frame)
{
	struct jw w;

	encode_frame_head(&w, "hello", id, NULL);
	jw_member_int(&w, "server_time", server_time);
	jw_member_str(&w, "protocol", PROTO_SUBPROTOCOL);
	jw_key(&w, "user");
	jw_begin(&w);
	jw_member_str(&w, "id", u->id);
	jw_member_str(&w, "name", u->name);
	jw_member_str(&w, "role", proto_role_str(u->role));
	jw_member_str(&w, "tier", u->tier);
	jw_member_str(&w, "org", encode_nonempty(u->org));
	jw_member_str(&w, "site", encode_nonempty(u->site));
	if (u->role != PROTO_ROLE_CUSTOMER)
		jw_member_uint(&w, "capacity", u->capacity);
	jw_end(&w);
	jw_key(&w, "limits");
	jw_begin(&w);
	jw_member_uint(&w, "max_frame", max_frame);
	jw_member_int(&w, "text_max", PROTO_TEXT_MAX);
	jw_end(&w);
	return encode_frame_end(&w);
}

/* Starts {"type":"feed","kind":kind,"conv":conv,"status":status. */
static void feed_head(struct jw *w, const char *kind, const char *conv,
		      const char *status)
{
	jw_init(w, 256);
	jw_begin(w);
	jw_member_str(w, "type", "feed");
	jw_member_str(w, "kind", kind);
	jw_member_str(w, "conv", conv);
	jw_member_str(w, "status", status);
}

char *proto_feed_opened_prefix(const char *conv, const char *summary,
			       const char *environment,
			       const struct proto_user *customer,
			       const char *tier, const char *org,
			       const char *site)
{
	struct jw w;

	feed_head(&w, "opened", conv, "waiting");
	jw_member_str(&w, "summary", summary);
	encode_person(&w, "customer", customer);
	jw_member_str(&w, "tier", tier);
	jw_member_str(&w, "environment", environment);
	jw_member_str(&w, "org", encode_nonempty(org));
	jw_member_str(&w, "site", encode_nonempty(site));
	return jw_finish(&w);
}

char *proto_feed_assigned_prefix(const char *conv,
				 const struct proto_user *agent)
{
	struct jw w;

	feed_head(&w, "assigned", conv, "assigned");
	encode_person(&w, "agent", agent);
	return jw_finish(&w);
}

char *proto_feed_closed_prefix(const char *conv, const char *reason)
{
	struct jw w;

	feed_head(&w, "closed", conv, "closed");
	jw_member_str(&w, "reason", reason);
	return jw_finish(&w);
}

char *proto_feed_requeued_prefix(const char *conv)
{
	struct jw w;

	feed_head(&w, "requeued", conv, "waiting");
	return jw_finish(&w);
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
	return proto_event_prefix_channel(conv, kind, "chat", from, client_id,
					  body_members);
}

char *proto_event_prefix_channel(const char *conv, const char *kind,
				 const char *channel,
				 const struct proto_user *from,
				 const char *client_id,
				 const char *body_members)
{
	struct jw w;

	jw_init(&w, 256 + (body_members ? strlen(body_members) : 0));
	jw_begin(&w);
	jw_member_str(&w, "type", "event");
	jw_member_str(&w, "conv", conv);
	jw_member_str(&w, "kind", kind);
	jw_member_str(&w, "channel", channel);
	write_user(&w, from);
	jw_member_str(&w, "client_id", client_id);
	if (body_members && *body_members) {
		jw_raw(&w, ",", 1);
		jw_raw(&w, body_members, strlen(body_members));
	}
	return jw_finish(&w);
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

/* Adds topic (when not ""), class, out_of_scope and held_until (when not
 * 0) to obj (borrowed). Returns 0, or -1 on failure (invalid UTF-8, out
 * of memory). */
static int add_route_info(json_t *obj, const struct proto_route_info *ri)
{
	const char *cls = ri->class_key ? ri->class_key : "";

	if (encode_nonempty(ri->topic) &&
	    json_object_set_new(obj, "topic", json_string(ri->topic)) < 0)
		return -1;
	if (json_object_set_new(obj, "class", json_string(cls)) < 0 ||
	    json_object_set_new(obj, "out_of_scope",
				json_boolean(ri->out_of_scope)) < 0)
		return -1;
	if (ri->held_until &&
	    json_object_set_new(obj, "held_until",
				json_integer(ri->held_until)) < 0)
		return -1;
	return 0;
}

/*
 * Returns "details":{...},"context":...,"org":...,"site":...,"tier":...
 * (members only, no braces) for an "opened" event, then the routing
 * members of ri when ri is not NULL. org and site are left out when NULL
 * or ""; context and tier when NULL.
 */
char *proto_opened_members(const struct proto_details *d, const char *context,
			   const char *org, const char *site, const char *tier,
			   const struct proto_route_info *ri)
{
	json_t *details = details_object(d), *obj;

	if (!details)
		return NULL;
	obj = json_pack("{s:o, s:s*, s:s*, s:s*, s:s*}", "details", details,
			"context", context, "org", encode_nonempty(org), "site",
			encode_nonempty(site), "tier", tier);
	if (obj && ri && add_route_info(obj, ri) < 0) {
		json_decref(obj);
		obj = NULL;
	}
	return strip_braces(dump_owned(obj));
}

/* "via":via,"by":{id,name}; a NULL via or by is left out. */
char *proto_joined_members(const char *via, const struct proto_user *by)
{
	struct jw w;

	jw_init(&w, 128);
	jw_member_str(&w, "via", via);
	encode_person(&w, "by", by);
	return jw_finish(&w);
}

/* "reason":reason,"to":{id,name}; a NULL reason or to is left out. */
char *proto_left_members(const char *reason, const struct proto_user *to)
{
	struct jw w;

	jw_init(&w, 128);
	jw_member_str(&w, "reason", reason);
	encode_person(&w, "to", to);
	return jw_finish(&w);
}

/*
 * Returns "name":"value" with value escaped, for an event body. A NULL
 * value returns "" (no members), so optional members such as a close
 * reason need no special case.
 */
char *proto_string_member(const char *name, const char *value)
{
	struct jw w;

	if (!value)
		return strdup("");
	jw_init(&w, strlen(name) + strlen(value) + 16);
	jw_key(&w, name);
	jw_str(&w, value);
	return jw_finish(&w);
}

int proto_cursor_format(char *buf, size_t cap, uint64_t score, const char *conv)
{
	int n;

	if (!proto_conv_id_valid(conv))
		return -1;
	n = snprintf(buf, cap, "%" PRIu64 ":%s", score, conv);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}
