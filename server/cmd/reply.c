/* reply: pending requests and Redis-error mapping. */
#include "reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/log.h"
#include "session.h"
#include "chat/common/util.h"

struct pending *pending_create(struct session *s, const char *id,
			       const char *conv)
{
	struct pending *p = xcalloc(1, sizeof(*p));

	session_ref(s);
	p->s = s;
	snprintf(p->id, sizeof(p->id), "%s", id ? id : "");
	snprintf(p->conv, sizeof(p->conv), "%s", conv ? conv : "");
	return p;
}

void pending_destroy(struct pending *p)
{
	if (!p)
		return;
	session_unref(p->s);
	free(p);
}

enum proto_error_code reply_error_code(const redisReply *r)
{
	static const struct {
		const char *name;
		enum proto_error_code code;
	} known[] = {
		{"forbidden", PROTO_E_FORBIDDEN},
		{"not_found", PROTO_E_NOT_FOUND},
		{"already_assigned", PROTO_E_ALREADY_ASSIGNED},
		{"not_assigned", PROTO_E_NOT_ASSIGNED},
		{"conversation_closed", PROTO_E_CONV_CLOSED},
	};
	const char *msg;

	if (!r)
		return PROTO_E_UNAVAILABLE;
	if (r->type != REDIS_REPLY_ERROR) {
		log_error("redis: unexpected reply type %d", r->type);
		return PROTO_E_INTERNAL;
	}
	msg = r->str;
	if (strncmp(msg, "ERR ", 4) == 0)
		msg += 4;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strncmp(msg, known[i].name, strlen(known[i].name)) == 0)
			return known[i].code;
	if (strncmp(msg, "LOADING", 7) == 0 || strncmp(msg, "BUSY", 4) == 0 ||
	    strncmp(msg, "MISCONF", 7) == 0 || strncmp(msg, "READONLY", 8) == 0)
		return PROTO_E_UNAVAILABLE;
	log_error("redis: %s", r->str);
	return PROTO_E_INTERNAL;
}

void reply_fail(struct pending *p, const redisReply *r)
{
	enum proto_error_code code = reply_error_code(r);

	if (session_alive(p->s))
		session_send_error(p->s, p->id, p->conv, code, NULL);
}

bool reply_owner_ok(struct pending *p, const redisReply *r, size_t nfields)
{
	const struct identity *who = p->s->who;

	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != nfields) {
		reply_fail(p, r);
		return false;
	}
	if (r->element[0]->type != REDIS_REPLY_STRING) {
		session_send_error(p->s, p->id, p->conv, PROTO_E_NOT_FOUND,
				   NULL);
		return false;
	}
	if (who->role == PROTO_ROLE_CUSTOMER &&
	    strcmp(r->element[0]->str, who->sub) != 0) {
		session_send_error(p->s, p->id, p->conv, PROTO_E_FORBIDDEN,
				   "not your conversation");
		return false;
	}
	return true;
}
