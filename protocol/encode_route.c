/*
 * encode_route: the server frames of routing: what the support package
 * offers (availability), a waiting customer's place (queue), offers to
 * agents (offer) and agents' presence and load (agents, agent).
 *
 * Written with jsonw like the other fixed-shape frames. A required string
 * member that is NULL is sent as "", so every frame has the members
 * PROTOCOL.md lists. It does not decide who gets a frame, nor compute
 * positions, hours or loads (the server's support and routing modules do).
 */
#include "chat/protocol.h"
#include "encode.h"

/* NULL is written as "": the member is always present. */
static void member_str(struct jw *w, const char *key, const char *v)
{
	jw_member_str(w, key, v ? v : "");
}

/* "key":v, or "key":null when has is false. */
static void member_int_or_null(struct jw *w, const char *key, bool has,
			       int64_t v)
{
	jw_key(w, key);
	if (has)
		jw_int(w, v);
	else
		jw_null(w);
}

static void write_topics(struct jw *w, const struct proto_topic_item *t,
			 size_t n)
{
	jw_key(w, "topics");
	jw_array_begin(w);
	for (size_t i = 0; i < n; i++) {
		jw_elem(w);
		jw_begin(w);
		member_str(w, "key", t[i].key);
		member_str(w, "label", t[i].label);
		jw_member_bool(w, "in_scope", t[i].in_scope);
		jw_end(w);
	}
	jw_array_end(w);
}

/* opens_at is sent as null while chat is open. */
char *proto_encode_availability(const char *id,
				const struct proto_availability *a)
{
	struct jw w;

	encode_frame_head(&w, "availability", id, NULL);
	member_str(&w, "tier", a->tier);
	member_str(&w, "class", a->class_key);
	member_str(&w, "class_label", a->class_label);
	member_str(&w, "hours", a->hours);
	jw_member_bool(&w, "open", a->open);
	member_int_or_null(&w, "opens_at", !a->open, a->opens_at);
	member_str(&w, "timezone", a->timezone);
	jw_member_uint(&w, "agents_online", a->agents_online);
	write_topics(&w, a->topics, a->n_topics);
	member_str(&w, "scope", a->scope);
	member_str(&w, "scope_label", a->scope_label);
	return encode_frame_end(&w);
}

char *proto_encode_queue(const char *conv, unsigned position, unsigned waiting,
			 int64_t eta_ms, const char *class_key)
{
	struct jw w;

	encode_frame_head(&w, "queue", NULL, conv);
	jw_member_uint(&w, "position", position);
	jw_member_uint(&w, "waiting", waiting);
	member_int_or_null(&w, "eta_ms", eta_ms >= 0, eta_ms);
	member_str(&w, "class", class_key);
	return encode_frame_end(&w);
}

/* A topic NULL or "" is left out (the customer named none). */
char *proto_encode_offer(const struct proto_offer *o)
{
	struct jw w;

	encode_frame_head(&w, "offer", NULL, o->conv);
	jw_member_str(&w, "state", "offered");
	jw_member_int(&w, "expires_at", o->expires_at);
	member_str(&w, "summary", o->summary);
	member_str(&w, "tier", o->tier);
	member_str(&w, "class", o->class_key);
	jw_member_str(&w, "topic", encode_nonempty(o->topic));
	jw_member_bool(&w, "out_of_scope", o->out_of_scope);
	jw_key(&w, "customer");
	jw_begin(&w);
	member_str(&w, "id", o->customer.id);
	member_str(&w, "name", o->customer.name);
	jw_end(&w);
	return encode_frame_end(&w);
}

char *proto_encode_offer_withdrawn(const char *conv, const char *reason)
{
	struct jw w;

	encode_frame_head(&w, "offer", NULL, conv);
	jw_member_str(&w, "state", "withdrawn");
	member_str(&w, "reason", reason);
	return encode_frame_end(&w);
}

/* A NULL skill (a malformed row) is skipped rather than sent as "". */
static void write_agent(struct jw *w, const struct proto_agent_item *a)
{
	jw_begin(w);
	member_str(w, "id", a->id);
	member_str(w, "name", a->name);
	member_str(w, "status", a->status);
	jw_member_uint(w, "load", a->load);
	jw_member_uint(w, "capacity", a->capacity);
	jw_key(w, "skills");
	jw_array_begin(w);
	for (size_t i = 0; i < a->n_skills; i++) {
		if (!a->skills[i])
			continue;
		jw_elem(w);
		jw_str(w, a->skills[i]);
	}
	jw_array_end(w);
	jw_end(w);
}

char *proto_encode_agents(const char *id, const struct proto_agent_item *items,
			  size_t n)
{
	struct jw w;

	encode_frame_head(&w, "agents", id, NULL);
	jw_key(&w, "items");
	jw_array_begin(&w);
	for (size_t i = 0; i < n; i++) {
		jw_elem(&w);
		write_agent(&w, &items[i]);
	}
	jw_array_end(&w);
	return encode_frame_end(&w);
}

char *proto_encode_agent(const struct proto_agent_item *item)
{
	struct jw w;

	encode_frame_head(&w, "agent", NULL, NULL);
	jw_key(&w, "agent");
	write_agent(&w, item);
	return encode_frame_end(&w);
}
