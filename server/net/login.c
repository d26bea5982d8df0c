/* login: token verification, the session's actor and the hello frame. */
#include "login.h"

#include "chat/cmd/router.h"
#include "chat/common/log.h"
#include "chat/common/util.h"
#include "chat/net/hub.h"
#include "feeds.h"
#include "session.h"

static char *encode_hello(const struct session *s, const char *id)
{
	const struct actor *a = s->who;
	struct proto_hello_user u = {
		a->id,	 a->name,    auth_tier_str(a->tier), a->org, a->site,
		a->role, a->capacity};

	return proto_encode_hello(id, now_ms(), &u,
				  (size_t)s->hub->cfg->max_frame);
}

static void refuse(struct session *s, const char *id, int result)
{
	bool expired = result == AUTH_ERR_EXPIRED || result == AUTH_ERR_NOT_YET;

	log_info("auth refused: %s", auth_result_str(result));
	sink_send_error(&s->sink, id, NULL,
			expired ? PROTO_E_TOKEN_EXPIRED : PROTO_E_AUTH_FAILED,
			auth_result_str(result));
	session_close(s, PROTO_CLOSE_AUTH_FAILED);
}

void login_handle(struct session *s, const struct proto_request *req)
{
	struct auth_claims claims;
	int rc = auth_verify(s->hub->auth, req->token, now_s(), &claims);

	if (rc != AUTH_OK) {
		refuse(s, req->id, rc);
		return;
	}
	s->who = actor_from_claims(&claims);
	feeds_add(s->hub->feeds, s);
	if (session_is_agent(s))
		router_agent_connected(s->hub->cmd.router, s->who);
	else
		router_customer_connected(s->hub->cmd.router);
	sink_send_owned(&s->sink, encode_hello(s, req->id));
}
