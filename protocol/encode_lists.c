/*
 * encode_lists: the server frames that carry a list (history, conversations,
 * canned, synced with its read positions).
 *
 * Written with jsonw like the other fixed-shape frames; every string is
 * escaped here, except a history's events, which are stored JSON copied as
 * they are. It does not fetch or filter the rows (who may see a note is the
 * server's decision).
 */
#include <string.h>

#include "chat/protocol.h"
#include "encode.h"

/* NULL is written as "": list rows always have every member. */
static void member_str(struct jw *w, const char *key, const char *v)
{
	jw_member_str(w, key, v ? v : "");
}

static void write_person(struct jw *w, const char *key,
			 const struct proto_user *u)
{
	jw_key(w, key);
	jw_begin(w);
	member_str(w, "id", u->id);
	member_str(w, "name", u->name);
	jw_end(w);
}

char *proto_encode_history(const char *id, const char *conv,
			   const struct proto_raw *events, size_t n, bool more)
{
	struct jw w;

	encode_frame_head(&w, "history", id, conv);
	jw_key(&w, "events");
	jw_array_begin(&w);
	for (size_t i = 0; i < n; i++) {
		jw_elem(&w);
		jw_raw(&w, events[i].json, events[i].len);
	}
	jw_array_end(&w);
	jw_member_bool(&w, "more", more);
	return encode_frame_end(&w);
}

/* class and topic when not "", out_of_scope always, held_until and
 * position when not 0. */
static void write_route_members(struct jw *w, const struct proto_conv_item *c)
{
	jw_member_str(w, "class", encode_nonempty(c->class_key));
	jw_member_str(w, "topic", encode_nonempty(c->topic));
	jw_member_bool(w, "out_of_scope", c->out_of_scope);
	if (c->held_until)
		jw_member_int(w, "held_until", c->held_until);
	if (c->position)
		jw_member_uint(w, "position", c->position);
}

static void write_conv_item(struct jw *w, const struct proto_conv_item *c)
{
	jw_begin(w);
	member_str(w, "conv", c->conv);
	member_str(w, "status", c->status);
	member_str(w, "summary", c->summary);
	member_str(w, "environment", c->environment);
	member_str(w, "tier", c->tier);
	member_str(w, "org", c->org);
	member_str(w, "site", c->site);
	member_str(w, "context", c->context);
	write_person(w, "customer", &c->customer);
	if (c->agent.id && *c->agent.id) {
		write_person(w, "agent", &c->agent);
	} else {
		jw_key(w, "agent");
		jw_null(w);
	}
	jw_member_int(w, "opened_at", c->opened_at);
	jw_member_int(w, "closed_at", c->closed_at);
	jw_member_uint(w, "last_seq", c->last_seq);
	write_route_members(w, c);
	jw_end(w);
}

char *proto_encode_conversations(const char *id,
				 const struct proto_conv_item *items, size_t n,
				 const char *next)
{
	struct jw w;

	encode_frame_head(&w, "conversations", id, NULL);
	jw_key(&w, "items");
	jw_array_begin(&w);
	for (size_t i = 0; i < n; i++) {
		jw_elem(&w);
		write_conv_item(&w, &items[i]);
	}
	jw_array_end(&w);
	jw_key(&w, "next");
	if (next)
		jw_str(&w, next);
	else
		jw_null(&w);
	return encode_frame_end(&w);
}

char *proto_encode_canned(const char *id, const struct proto_canned_item *items,
			  size_t n)
{
	struct jw w;

	encode_frame_head(&w, "canned", id, NULL);
	jw_key(&w, "items");
	jw_array_begin(&w);
	for (size_t i = 0; i < n; i++) {
		jw_elem(&w);
		jw_begin(&w);
		member_str(&w, "scope", items[i].scope);
		member_str(&w, "key", items[i].key);
		member_str(&w, "title", items[i].title);
		member_str(&w, "text", items[i].text);
		jw_end(&w);
	}
	jw_array_end(&w);
	return encode_frame_end(&w);
}

/* A NULL user (a malformed row) is skipped rather than sent as a key. */
char *proto_encode_synced_reads(const char *id, const char *conv, uint64_t seq,
				const struct proto_read_pos *reads, size_t n)
{
	struct jw w;

	encode_frame_head(&w, "synced", id, conv);
	jw_member_uint(&w, "seq", seq);
	jw_key(&w, "reads");
	jw_begin(&w);
	for (size_t i = 0; i < n; i++) {
		if (!reads[i].user)
			continue;
		jw_key_escaped(&w, reads[i].user);
		jw_uint(&w, reads[i].seq);
	}
	jw_end(&w);
	return encode_frame_end(&w);
}
