/*
 * errors: the names the wire uses for error codes, roles, presences and
 * frame types.
 *
 * Every table here is derived from protocol.h (the PROTO_ERRORS X-macro and
 * the enums), so a code, role or type has exactly one spelling. It does not
 * build frames (encode.c) or read them (decode.c).
 */
#include <string.h>

#include "chat/protocol.h"

struct error_info {
	const char *code;
	const char *message;
	bool retryable;
};

static const struct error_info error_table[] = {
#define PROTO_X_INFO(e, code, retry, msg) [e] = {code, msg, retry},
	PROTO_ERRORS(PROTO_X_INFO)
#undef PROTO_X_INFO
};

static const char *const role_names[] = {
	[PROTO_ROLE_CUSTOMER] = "customer",
	[PROTO_ROLE_AGENT] = "agent",
	[PROTO_ROLE_ADMIN] = "admin",
};

static const char *const presence_names[] = {
	[PROTO_PRESENCE_ONLINE] = "online",
	[PROTO_PRESENCE_AWAY] = "away",
	[PROTO_PRESENCE_OFFLINE] = "offline",
};

/* clang-format off */
static const char *const type_names[] = {
	[PROTO_AUTH] = "auth",
	[PROTO_OPEN] = "open",
	[PROTO_SEND] = "send",
	[PROTO_NOTE] = "note",
	[PROTO_CLAIM] = "claim",
	[PROTO_CLOSE] = "close",
	[PROTO_TYPING] = "typing",
	[PROTO_READ] = "read",
	[PROTO_RESUME] = "resume",
	[PROTO_HISTORY] = "history",
	[PROTO_LIST] = "list",
	[PROTO_PING] = "ping",
	[PROTO_CANNED_LIST] = "canned_list",
	[PROTO_CANNED_SAVE] = "canned_save",
	[PROTO_CANNED_DELETE] = "canned_delete",
	[PROTO_UNWATCH] = "unwatch",
	[PROTO_AVAILABILITY] = "availability",
	[PROTO_PRESENCE] = "presence",
	[PROTO_AGENTS] = "agents",
	[PROTO_ACCEPT] = "accept",
	[PROTO_DECLINE] = "decline",
	[PROTO_TRANSFER] = "transfer",
	[PROTO_TAKEOVER] = "takeover",
	[PROTO_EMAIL_REPLY] = "email_reply",
};
/* clang-format on */

#define N_ROLES (sizeof(role_names) / sizeof(role_names[0]))
#define N_TYPES (sizeof(type_names) / sizeof(type_names[0]))
#define N_PRESENCES (sizeof(presence_names) / sizeof(presence_names[0]))
_Static_assert(N_PRESENCES == PROTO_PRESENCE_OFFLINE + 1,
	       "a presence has no name");
_Static_assert(N_TYPES == PROTO_EMAIL_REPLY + 1, "a frame type has no name");

/* An out-of-range code is a server bug; report it as "internal" rather than
 * read past the table. */
static const struct error_info *error_info(enum proto_error_code code)
{
	if ((unsigned)code >= PROTO_E__COUNT)
		code = PROTO_E_INTERNAL;
	return &error_table[code];
}

/* Returns the stable wire code ("bad_json", ...); never NULL. */
const char *proto_error_code_str(enum proto_error_code code)
{
	return error_info(code)->code;
}

/* Returns the default human-readable message for code; never NULL. */
const char *proto_error_message(enum proto_error_code code)
{
	return error_info(code)->message;
}

/* True when a client may retry the same request unchanged. */
bool proto_error_retryable(enum proto_error_code code)
{
	return error_info(code)->retryable;
}

/* Returns "customer", "agent" or "admin"; "unknown" for a bad value. */
const char *proto_role_str(enum proto_role role)
{
	if ((unsigned)role >= N_ROLES)
		return "unknown";
	return role_names[role];
}

int proto_role_parse(const char *s, enum proto_role *out)
{
	size_t i;

	if (!s)
		return -1;
	for (i = 0; i < N_ROLES; i++) {
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum proto_role)i;
			return 0;
		}
	}
	return -1;
}

/* Returns the wire name of a client frame type ("send", ...); "unknown"
 * for a bad value. */
const char *proto_type_str(enum proto_type type)
{
	if ((unsigned)type >= N_TYPES)
		return "unknown";
	return type_names[type];
}

/* Returns "online", "away" or "offline"; "unknown" for a bad value. */
const char *proto_presence_str(enum proto_presence p)
{
	if ((unsigned)p >= N_PRESENCES)
		return "unknown";
	return presence_names[p];
}
