/* reply: pending requests and Redis-error mapping. */
#include "reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/log.h"
#include "access.h"
#include "chat/common/util.h"

struct pending *pending_create(struct cmd_ctx *ctx, const struct actor *who,
			       struct sink *k, const char *id, const char *conv)
{
	struct pending *p = xcalloc(1, sizeof(*p));

	k->ops->hold(k);
	p->ctx = ctx;
	p->who = who;
	p->k = k;
	snprintf(p->id, sizeof(p->id), "%s", id ? id : "");
	snprintf(p->conv, sizeof(p->conv), "%s", conv ? conv : "");
	return p;
}

void pending_destroy(struct pending *p)
{
	if (!p)
		return;
	p->k->ops->release(p->k);
	free(p);
}

bool pending_alive(const struct pending *p)
{
	return sink_alive(p->k);
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
		{"client_id_reused", PROTO_E_CLIENT_ID_REUSED},
		{"over_capacity", PROTO_E_OVER_CAPACITY},
		{"no_offer", PROTO_E_NO_OFFER},
		{"agent_unavailable", PROTO_E_AGENT_UNAVAILABLE},
		/* only the idle sweep asks; its sink only logs answers */
		{"not_idle", PROTO_E_CONV_CLOSED},
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

void reply_error(struct pending *p, enum proto_error_code code,
		 const char *message)
{
	if (pending_alive(p))
		sink_send_error(p->k, p->id, p->conv, code, message);
}

void reply_fail(struct pending *p, const redisReply *r)
{
	reply_error(p, reply_error_code(r), NULL);
}

bool reply_owner_ok(struct pending *p, const redisReply *r, size_t nfields)
{
	const char *denied;

	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != nfields) {
		reply_fail(p, r);
		return false;
	}
	if (r->element[0]->type != REDIS_REPLY_STRING) {
		reply_error(p, PROTO_E_NOT_FOUND, NULL);
		return false;
	}
	denied = access_read_conv(p->who, r->element[0]->str);
	if (denied) {
		reply_error(p, PROTO_E_FORBIDDEN, denied);
		return false;
	}
	return true;
}
