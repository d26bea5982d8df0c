/*
 * protocol: the chat.v1 wire format as typed C structs.
 *
 * Pure: decodes client frames (JSON text) into struct proto_request and
 * validates them, and encodes every server frame. No sockets, no Redis, no
 * lws. The frame-by-frame spec is protocol/PROTOCOL.md; the stable error
 * codes sent to clients are the PROTO_ERRORS table below.
 */
#ifndef CHAT_PROTOCOL_H
#define CHAT_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_SUBPROTOCOL "chat.v1"
#define PROTO_ID_MAX 64	     /* request id and client id, bytes */
#define PROTO_CONV_LEN 22    /* 16 random bytes, base64url, no padding */
#define PROTO_TEXT_MAX 16384 /* message/note text, bytes of UTF-8 */
#define PROTO_FIELD_MAX 4096 /* each details field except summary/steps */
#define PROTO_SUMMARY_MAX 300
#define PROTO_SCREENSHOTS_MAX 10
#define PROTO_URL_MAX 2048
#define PROTO_RESUME_MAX 200 /* conversations in one resume frame */
#define PROTO_PAGE_MAX 200   /* limit of history/list pages */
#define PROTO_REASON_MAX 500
/* A list cursor "<score>:<conv>": up to 20 digits, ':', a conv id. */
#define PROTO_CURSOR_MAX (20 + 1 + PROTO_CONV_LEN)

/* X(enum, wire code, retryable, default message) */
#define PROTO_ERRORS(X)                                                        \
	X(PROTO_E_BAD_JSON, "bad_json", false, "frame is not valid JSON")      \
	X(PROTO_E_BAD_FRAME, "bad_frame", false,                               \
	  "frame is missing a field or a field has the wrong type")            \
	X(PROTO_E_UNKNOWN_TYPE, "unknown_type", false, "unknown frame type")   \
	X(PROTO_E_TOO_LARGE, "too_large", false, "field or frame too large")   \
	X(PROTO_E_NOT_AUTHENTICATED, "not_authenticated", false,               \
	  "the first frame must be auth")                                      \
	X(PROTO_E_ALREADY_AUTHENTICATED, "already_authenticated", false,       \
	  "this connection is already authenticated")                          \
	X(PROTO_E_AUTH_FAILED, "auth_failed", false, "token rejected")         \
	X(PROTO_E_TOKEN_EXPIRED, "token_expired", false, "token has expired")  \
	X(PROTO_E_FORBIDDEN, "forbidden", false, "not allowed for this user")  \
	X(PROTO_E_NOT_FOUND, "not_found", false, "no such conversation")       \
	X(PROTO_E_ALREADY_ASSIGNED, "already_assigned", false,                 \
	  "another agent already has this conversation")                       \
	X(PROTO_E_NOT_ASSIGNED, "not_assigned", false,                         \
	  "only the assigned agent can reply; claim it first")                 \
	X(PROTO_E_CONV_CLOSED, "conversation_closed", false,                   \
	  "the conversation is closed")                                        \
	X(PROTO_E_RATE_LIMITED, "rate_limited", true,                          \
	  "too many frames; slow down")                                        \
	X(PROTO_E_OUTSIDE_HOURS, "outside_hours", false,                       \
	  "chat is closed now for this support package")                       \
	X(PROTO_E_OVER_CAPACITY, "over_capacity", false,                       \
	  "the agent already has as many conversations as they can take")      \
	X(PROTO_E_NO_OFFER, "no_offer", false,                                 \
	  "this conversation is not offered to you (expired or taken)")        \
	X(PROTO_E_AGENT_UNAVAILABLE, "agent_unavailable", false,               \
	  "that agent is not online or has no free capacity")                  \
	X(PROTO_E_CLIENT_ID_REUSED, "client_id_reused", false,                 \
	  "this client_id was already used for a different request; use a "    \
	  "new client_id")                                                     \
	X(PROTO_E_NO_EMAIL, "no_email", false,                                 \
	  "no email address for this conversation, or this server sends no "   \
	  "mail")                                                              \
	X(PROTO_E_UNAVAILABLE, "unavailable", true,                            \
	  "storage is unavailable; retry with the same client_id")             \
	X(PROTO_E_INTERNAL, "internal", true, "internal error")

enum proto_error_code {
#define PROTO_X_ENUM(e, code, retry, msg) e,
	PROTO_ERRORS(PROTO_X_ENUM)
#undef PROTO_X_ENUM
		PROTO_E__COUNT
};

/* WebSocket close codes used by chatd (see PROTOCOL.md). */
enum proto_close {
	PROTO_CLOSE_NORMAL = 1000,
	PROTO_CLOSE_GOING_AWAY = 1001,	/* server shutting down */
	PROTO_CLOSE_UNSUPPORTED = 1003, /* binary frame */
	PROTO_CLOSE_INVALID_UTF8 = 1007,
	PROTO_CLOSE_TOO_BIG = 1009, /* frame over the cap */
	PROTO_CLOSE_INTERNAL = 1011,
	PROTO_CLOSE_AUTH_TIMEOUT = 4001,  /* no auth frame within deadline */
	PROTO_CLOSE_AUTH_FAILED = 4003,	  /* token refused */
	PROTO_CLOSE_TOKEN_EXPIRED = 4004, /* token expired while connected */
	PROTO_CLOSE_SLOW_CONSUMER = 4008, /* outbound queue over its limit */
	PROTO_CLOSE_FLOOD = 4029,	  /* kept flooding after rate_limited */
};

enum proto_type {
	PROTO_AUTH,
	PROTO_OPEN,
	PROTO_SEND,
	PROTO_NOTE,
	PROTO_CLAIM,
	PROTO_CLOSE,
	PROTO_TYPING,
	PROTO_READ,
	PROTO_RESUME,
	PROTO_HISTORY,
	PROTO_LIST,
	PROTO_PING,
	PROTO_CANNED_LIST,
	PROTO_CANNED_SAVE,
	PROTO_CANNED_DELETE,
	PROTO_UNWATCH,
	PROTO_AVAILABILITY, /* chat hours, queue class, topics, agents online */
	PROTO_PRESENCE,	    /* agents: online, away, offline */
	PROTO_AGENTS,	    /* agents: every agent's presence and load */
	PROTO_ACCEPT,	    /* agents: take the conversation offered */
	PROTO_DECLINE,	    /* agents: pass the offer on */
	PROTO_TRANSFER,	    /* to another agent, or back to the queue */
	PROTO_TAKEOVER,	    /* admins: take a conversation over */
	PROTO_TRANSCRIPT,   /* customers: mail me this conversation */
	/* Made by the server only, never decoded from a client frame (a
	 * client that sends this type gets unknown_type): a customer's reply
	 * by email, appended with channel email (inbound/ingest.c). */
	PROTO_EMAIL_REPLY,
};

/* The types a client frame may carry: every type before this one. */
#define PROTO_CLIENT_TYPES (PROTO_TRANSCRIPT + 1)

enum proto_presence {
	PROTO_PRESENCE_ONLINE,
	PROTO_PRESENCE_AWAY,
	PROTO_PRESENCE_OFFLINE
};

enum proto_role { PROTO_ROLE_CUSTOMER, PROTO_ROLE_AGENT, PROTO_ROLE_ADMIN };

enum proto_list_scope {
	PROTO_SCOPE_MINE,
	PROTO_SCOPE_OPEN,
	PROTO_SCOPE_CUSTOMER, /* list: one customer's conversations */
	PROTO_SCOPE_TEAM,     /* canned: the team's responses */
};

#define PROTO_CANNED_KEY_MAX 32
#define PROTO_CANNED_TITLE_MAX 100
#define PROTO_CANNED_TEXT_MAX 4096
#define PROTO_USER_ID_MAX 128
#define PROTO_TOPIC_MAX 32  /* a topic key: a-z 0-9 _ - */
#define PROTO_TZ_MAX 64	    /* an IANA time zone name */
#define PROTO_NOTE_MAX 4096 /* transfer and takeover notes */

/* Details a customer gives when opening a conversation. Strings are owned
 * by the enclosing struct proto_request; NULL when absent. */
struct proto_details {
	char *summary;	    /* required, 1..PROTO_SUMMARY_MAX */
	char *steps;	    /* steps to reproduce */
	char *environment;  /* "multidev" | "dev" | "test" | "live" (lowercased)
			     */
	char *began;	    /* when it began, free text or ISO 8601 */
	char *errors;	    /* error messages */
	char **screenshots; /* http(s) URLs */
	size_t n_screenshots;
};

struct proto_resume_item {
	char conv[PROTO_CONV_LEN + 1];
	uint64_t after; /* last sequence the client saw; 0 = from the start */
};

/* One decoded client frame. Fixed-size fields are always NUL-terminated
 * ("" when absent); heap fields are owned and freed by
 * proto_request_cleanup(). */
struct proto_request {
	enum proto_type type;
	char id[PROTO_ID_MAX + 1];	  /* request id, echoed in replies */
	char client_id[PROTO_ID_MAX + 1]; /* idempotency key */
	char conv[PROTO_CONV_LEN + 1];
	char *token;		     /* auth */
	char *text;		     /* send, note */
	char *reason;		     /* close, optional */
	bool typing;		     /* typing */
	uint64_t seq;		     /* read: read up to; history: after */
	unsigned limit;		     /* history, list; 0 = default */
	enum proto_list_scope scope; /* list; canned_* (mine or team) */
	char customer[PROTO_USER_ID_MAX + 1]; /* list scope customer */
	char key[PROTO_CANNED_KEY_MAX + 1];   /* canned_save, canned_delete */
	char *title; /* canned_save (the response is in text) */
	/* list cursor: conversations strictly after (before_score,
	 * before_conv) in (score desc, conv desc) order; 0 = newest. */
	uint64_t before_score;
	char before_conv[PROTO_CONV_LEN +
			 1];		 /* "" when the cursor has no conv */
	struct proto_details details;	 /* open */
	char topic[PROTO_TOPIC_MAX + 1]; /* open, optional: "" = none */
	char tz[PROTO_TZ_MAX + 1];	 /* open, optional: the customer's */
	bool leave_message;	    /* open: store it for the next opening */
	enum proto_presence status; /* presence */
	char to[PROTO_USER_ID_MAX + 1]; /* transfer: "" = the queue */
	char *note; /* transfer, takeover: optional, owned */
	struct proto_resume_item *resume; /* resume, owned array */
	size_t n_resume;
};

/* The decode error: code plus a message naming the offending field, and the
 * request id when the frame had a readable one (so the error can echo it). */
struct proto_error {
	enum proto_error_code code;
	char id[PROTO_ID_MAX + 1];
	char message[160];
};

/* Sender of an event, as seen by everyone else. Borrowed strings. */
struct proto_user {
	const char *id;
	const char *name;
	enum proto_role role;
};

/*
 * Decodes and validates one client frame of len bytes (not necessarily
 * NUL-terminated). Returns 0 and fills *out (call proto_request_cleanup()
 * afterwards), or -1 and fills *err; on failure *out needs no cleanup.
 */
int proto_decode(const char *buf, size_t len, struct proto_request *out,
		 struct proto_error *err);
void proto_request_cleanup(struct proto_request *req);

const char *proto_error_code_str(enum proto_error_code code);
/* Length of the UTF-8 sequence starting at p (n bytes available, n >= 1),
 * or 0 when it is not well-formed: stray continuation bytes, overlong
 * forms, surrogates and values past U+10FFFF are refused. The one rule
 * every text chatd accepts is held to (protocol/utf8.c). */
size_t utf8_seq_len(const unsigned char *p, size_t n);
const char *proto_error_message(enum proto_error_code code);
bool proto_error_retryable(enum proto_error_code code);
const char *proto_role_str(enum proto_role role);
/* Returns 0 and sets *out for "customer"/"agent"/"admin", else -1. */
int proto_role_parse(const char *s, enum proto_role *out);
const char *proto_type_str(enum proto_type type);

/* True when conv has the shape of a conversation id (22 base64url chars). */
bool proto_conv_id_valid(const char *conv);

/* Writes the list cursor "<score>:<conv>" (what conversations' next holds
 * and list's before sends back) into buf of cap bytes. Returns its length,
 * or -1 when conv is not a conversation id or buf is too small. */
int proto_cursor_format(char *buf, size_t cap, uint64_t score,
			const char *conv);

/*
 * Encoders. Each returns a heap string (caller frees with free()) holding
 * one complete JSON frame, or NULL on allocation failure or a string argument
 * that is not valid UTF-8. String arguments are borrowed; NULL optional
 * arguments are omitted from the frame.
 */
char *proto_encode_error(const char *id, const char *conv,
			 enum proto_error_code code, const char *message);
char *proto_encode_ack(const char *id, const char *conv, uint64_t seq,
		       int64_t ts, bool duplicate);
char *proto_encode_synced(const char *id, const char *conv, uint64_t seq);
char *proto_encode_pong(const char *id, int64_t server_time);
char *proto_encode_typing(const char *conv, const struct proto_user *from,
			  bool typing);
char *proto_encode_read(const char *conv, const struct proto_user *from,
			uint64_t seq);
/* proto_encode_read() cut just before the seq value ("...,"seq":"): the
 * Redis step that caps the position appends it and "}". */
char *proto_encode_read_prefix(const char *conv, const struct proto_user *from);

/*
 * Event templates. An event's seq and ts are assigned by Redis, so the
 * server builds the event as an unterminated JSON object (no closing brace)
 * and the store appends ,"seq":N,"ts":T} atomically. Each returns a heap
 * string or NULL. The body argument of proto_event_prefix is the JSON
 * members (without braces, may be "") specific to the kind.
 */
char *proto_event_prefix(const char *conv, const char *kind,
			 const struct proto_user *from, const char *client_id,
			 const char *body_members);
/* The same with the channel the event came by: "chat" (what
 * proto_event_prefix writes) or "email". */
char *proto_event_prefix_channel(const char *conv, const char *kind,
				 const char *channel,
				 const struct proto_user *from,
				 const char *client_id,
				 const char *body_members);
/* How the support package routes a conversation, as its opened event
 * and list items show it. Borrowed strings; "" or NULL topic is omitted,
 * held_until 0 is omitted. */
struct proto_route_info {
	const char *class_key, *topic;
	bool out_of_scope;
	int64_t held_until; /* a message left out of hours waits until then */
};
/* Body members for an "opened" event: details and the server-attached
 * context. org/site may be NULL; ri NULL adds no routing members. */
char *proto_opened_members(const struct proto_details *d, const char *context,
			   const char *org, const char *site, const char *tier,
			   const struct proto_route_info *ri);
/* Body members of a "joined" event: "via" (claim, offer, transfer,
 * takeover) and "by" {id, name} when by is not NULL (another user did it). */
char *proto_joined_members(const char *via, const struct proto_user *by);
/* Body members of a "left" event: "reason" (transfer, queue, offline,
 * takeover) and "to" {id, name} when to is not NULL. */
char *proto_left_members(const char *reason, const struct proto_user *to);
/* Body members with one string member, e.g. "text":"...". */
char *proto_string_member(const char *name, const char *value);

/* An ack of a request that changes no sequenced state (unwatch,
 * canned_save, canned_delete): no "seq" member at all. duplicate: the
 * request changed nothing (unwatch of a conversation not followed). */
char *proto_encode_ack_noseq(const char *id, const char *conv, int64_t ts,
			     bool duplicate);

/* {"type":"error","code":"rate_limited",...,"retry_after_ms":N}, no id:
 * the refused frames were not decoded. */
char *proto_encode_rate_limited(int64_t retry_after_ms);

/* The signed-in user as hello describes it. Borrowed strings; org and site
 * "" or NULL are omitted; capacity is sent for agents and admins only. */
struct proto_hello_user {
	const char *id, *name, *tier, *org, *site;
	enum proto_role role;
	unsigned capacity;
};
char *proto_encode_hello(const char *id, int64_t server_time,
			 const struct proto_hello_user *u, size_t max_frame);

/*
 * Feed prefixes: like events, unterminated objects (no closing brace) that
 * Redis closes with ,"seq":N,"ts":T}. Borrowed arguments; "" or NULL
 * org/site and NULL environment/reason are omitted. Only id and name of a
 * struct proto_user are sent.
 */
char *proto_feed_opened_prefix(const char *conv, const char *summary,
			       const char *environment,
			       const struct proto_user *customer,
			       const char *tier, const char *org,
			       const char *site);
char *proto_feed_assigned_prefix(const char *conv,
				 const struct proto_user *agent);
char *proto_feed_closed_prefix(const char *conv, const char *reason);
/* Back in the queue:
 * {"type":"feed","kind":"requeued","conv":..,"status":"waiting" */
char *proto_feed_requeued_prefix(const char *conv);

/* An error with "opens_at" (UTC ms): outside_hours. opens_at <= 0 (no
 * opening known) is sent as null; a NULL or "" message sends the default. */
char *proto_encode_error_opens(const char *id, const char *message,
			       int64_t opens_at);

/* What the support package offers the asking user now. Borrowed. */
struct proto_topic_item {
	const char *key, *label;
	bool in_scope;
};
struct proto_availability {
	const char *tier, *class_key, *class_label, *hours, *timezone, *scope,
		*scope_label;
	bool open;
	int64_t opens_at; /* sent as null when open */
	unsigned agents_online;
	const struct proto_topic_item *topics;
	size_t n_topics;
};
char *proto_encode_availability(const char *id,
				const struct proto_availability *a);
/* A waiting customer's place: position (1 = next), waiting (how many
 * wait in all), eta_ms (< 0 sent as null: unknown) and class. */
char *proto_encode_queue(const char *conv, unsigned position, unsigned waiting,
			 int64_t eta_ms, const char *class_key);
/* A conversation offered to the agent who gets the frame. Borrowed. */
struct proto_offer {
	const char *conv, *summary, *tier, *class_key, *topic;
	bool out_of_scope;
	struct proto_user customer; /* id and name only */
	int64_t expires_at;
};
char *proto_encode_offer(const struct proto_offer *o);
/* The offer ended: reason accepted, declined, expired, taken or closed. */
char *proto_encode_offer_withdrawn(const char *conv, const char *reason);
/* One agent's presence and load. status is the effective one (online,
 * away, offline). Borrowed. */
struct proto_agent_item {
	const char *id, *name, *status;
	unsigned load, capacity;
	const char *const *skills;
	size_t n_skills;
};
char *proto_encode_agents(const char *id, const struct proto_agent_item *items,
			  size_t n);
/* {"type":"agent","agent":{...}}: one agent changed. */
char *proto_encode_agent(const struct proto_agent_item *item);
const char *proto_presence_str(enum proto_presence p);

/* Text that already is JSON (a stored event without its header), borrowed
 * and copied as it is. */
struct proto_raw {
	const char *json;
	size_t len;
};
char *proto_encode_history(const char *id, const char *conv,
			   const struct proto_raw *events, size_t n, bool more);

/* One row of a conversations frame. Borrowed strings; NULL is sent as "".
 * An agent whose id is NULL or "" is sent as "agent":null. */
struct proto_conv_item {
	const char *conv, *status, *summary, *environment, *tier, *org, *site,
		*context;
	struct proto_user customer;
	struct proto_user agent;
	int64_t opened_at, closed_at;
	uint64_t last_seq;
	/* Routing: class and topic ("" or NULL omitted), out_of_scope,
	 * held_until (0 omitted), position in the queue (0 omitted). */
	const char *class_key, *topic;
	bool out_of_scope;
	int64_t held_until;
	unsigned position;
};
/* next is the cursor of the following page (see proto_cursor_format()),
 * NULL when there is none (sent as null). */
char *proto_encode_conversations(const char *id,
				 const struct proto_conv_item *items, size_t n,
				 const char *next);

/* One canned response; NULL title or text is sent as "". */
struct proto_canned_item {
	const char *scope, *key, *title, *text;
};
char *proto_encode_canned(const char *id, const struct proto_canned_item *items,
			  size_t n);

/* A participant's read position, for synced's "reads":{user:seq,...}. */
struct proto_read_pos {
	const char *user;
	uint64_t seq;
};
char *proto_encode_synced_reads(const char *id, const char *conv, uint64_t seq,
				const struct proto_read_pos *reads, size_t n);

/*
 * Event headers. A stored or published event is a short header of fixed
 * layout and then the event's JSON, so its seq, kind and audience are read
 * without looking at the JSON:
 *   'E', audience ('*' everyone, 'a' agents only), kind letter, the seq in
 *   decimal (1 to 20 digits, no leading zero), ' '.
 * Redis's Lua writes it by concatenation ('E' .. aud .. kind .. seq ..
 * ' '), which costs it nothing beside the event it builds anyway.
 */
#define PROTO_EVHDR_MIN 5  /* "E*m1 " */
#define PROTO_EVHDR_MAX 24 /* 20 digits */
#define PROTO_AUD_ALL '*'
#define PROTO_AUD_AGENTS 'a'

struct proto_evhdr {
	uint64_t seq;
	size_t len;    /* bytes of the header, space included (parse only) */
	char audience; /* PROTO_AUD_ALL or PROTO_AUD_AGENTS */
	char kind;     /* proto_event_kind_letter() */
};

/* Returns 0 and fills *out, or -1 when p (len bytes) does not start with a
 * valid header. */
int proto_evhdr_parse(const char *p, size_t len, struct proto_evhdr *out);
/* Returns the JSON after the header (pointing into p) and sets *json_len,
 * or NULL when p does not start with a valid header. */
const char *proto_evhdr_json(const char *p, size_t len, size_t *json_len);
/* Writes the header and a NUL into buf (PROTO_EVHDR_MAX + 1 bytes); returns
 * its length, or -1 for an audience or kind letter that is not one. */
int proto_evhdr_write(char *buf, const struct proto_evhdr *h);
/* 'o' opened, 'm' message, 'n' note, 'j' joined, 'l' left, 'c' closed,
 * 'r' reopened, 'x' anything else (also NULL). */
char proto_event_kind_letter(const char *kind);
/* PROTO_AUD_AGENTS for "note", else PROTO_AUD_ALL. */
char proto_event_audience(const char *kind);

/*
 * Relay headers: frames relayed on a conversation channel but not stored
 * (typing, read positions):
 *   'R', audience, self ('1': the sender's own connections get it too,
 *   '0': they do not), 4 lowercase hex digits = byte length of the sender
 *   id, the sender id bytes, then the frame's JSON.
 * The sender id is length-prefixed, so no byte of it can be mistaken for
 * a separator.
 */
#define PROTO_RELAY_SENDER_MAX 0xffff

struct proto_relay {
	char audience;
	bool self;
	const char *sender; /* points into the parsed text, not NUL-ended */
	size_t sender_len;
	const char *json; /* points into the parsed text */
	size_t json_len;
};

/* Writes the header (no NUL) into buf of cap bytes; returns its length, or
 * -1 when it does not fit, sender is NULL or too long, or audience is not
 * PROTO_AUD_ALL/PROTO_AUD_AGENTS. */
int proto_relay_header(char *buf, size_t cap, char audience, bool self,
		       const char *sender);
/* Returns 0 and fills *out (pointers into p), or -1 when p (len bytes) does
 * not start with a valid relay header. */
int proto_relay_parse(const char *p, size_t len, struct proto_relay *out);

#endif
