/* login: token verification, identity and the hello frame. */
#include "login.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "feeds.h"
#include "chat/net/hub.h"
#include "chat/common/log.h"
#include "session.h"
#include "chat/common/util.h"

static struct identity *identity_from_claims(const struct auth_claims *c)
{
	size_t ls = strlen(c->sub) + 1, ln = strlen(c->name) + 1;
	size_t lo = strlen(c->org) + 1, lsi = strlen(c->site) + 1;
	struct identity *who = xmalloc(sizeof(*who) + ls + ln + lo + lsi);
	char *p = who->data;

	who->sub = memcpy(p, c->sub, ls);
	who->name = memcpy(p += ls, c->name, ln);
	who->org = memcpy(p += ln, c->org, lo);
	who->site = memcpy(p += lo, c->site, lsi);
	who->role = c->role;
	who->tier = c->tier;
	who->org_role = c->org_role;
	who->capacity = c->capacity;
	who->exp = c->exp;
	return who;
}

static char *encode_hello(const struct session *s, const char *id)
{
	const struct identity *w = s->who;
	json_t *user = json_pack("{s:s, s:s, s:s, s:s}", "id", w->sub, "name",
				 w->name, "role", proto_role_str(w->role),
				 "tier", auth_tier_str(w->tier));
	json_t *hello;
	char *out;

	if (*w->org)
		json_object_set_new(user, "org", json_string(w->org));
	if (*w->site)
		json_object_set_new(user, "site", json_string(w->site));
	if (w->role != PROTO_ROLE_CUSTOMER)
		json_object_set_new(user, "capacity",
				    json_integer(w->capacity));
	hello = json_pack(
		"{s:s, s:s, s:I, s:s, s:o, s:{s:I, s:i}}", "type", "hello",
		"id", id, "server_time", (json_int_t)now_ms(), "protocol",
		PROTO_SUBPROTOCOL, "user", user, "limits", "max_frame",
		(json_int_t)s->hub->cfg->max_frame, "text_max", PROTO_TEXT_MAX);
	out = hello ? json_dumps(hello, JSON_COMPACT | JSON_PRESERVE_ORDER)
		    : NULL;
	json_decref(hello);
	return out;
}

static void refuse(struct session *s, const char *id, int result)
{
	bool expired = result == AUTH_ERR_EXPIRED || result == AUTH_ERR_NOT_YET;

	log_info("auth refused: %s", auth_result_str(result));
	session_send_error(s, id, NULL,
			   expired ? PROTO_E_TOKEN_EXPIRED
				   : PROTO_E_AUTH_FAILED,
			   auth_result_str(result));
	session_close(s, PROTO_CLOSE_AUTH_FAILED, "authentication failed");
}

void login_handle(struct session *s, const struct proto_request *req)
{
	struct auth_claims claims;
	int rc = auth_verify(s->hub->auth, req->token, now_s(), &claims);

	if (rc != AUTH_OK) {
		refuse(s, req->id, rc);
		return;
	}
	s->who = identity_from_claims(&claims);
	feeds_add(s->hub->feeds, s);
	session_send_owned(s, encode_hello(s, req->id));
}
