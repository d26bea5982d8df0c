/*
 * transport: lws setup and the two protocol callbacks. Each callback is a
 * switch that calls one function per event; HTTP answers are tiny.
 */
#include "chat/net/transport.h"

#include <stdlib.h>
#include <string.h>

#include <uv.h>
#include <libwebsockets.h>

#include "chat/protocol.h"
#include "chat/net/hub.h"
#include "chat/common/log.h"
#include "session.h"
#include "chat/store/store.h"
#include "chat/common/util.h"
#include "inbound_http.h"
#include "static_files.h"

struct transport {
	struct lws_context *ctx;
	struct hub *hub;
	const struct config *cfg;
	struct inbound_http *inbound;	/* owned */
	const struct static_table *web; /* borrowed */
	struct lws_protocols protocols[3];
	struct lws_http_mount mounts[3];
	lws_retry_bo_t retry;
	struct lws_protocol_vhost_options headers[2];
	void *foreign_loops[1];
};

static struct transport *transport_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

/* True when origin is on the comma-separated allow-list ("*" = any). */
static bool origin_allowed(const char *list, const char *origin)
{
	size_t n = strlen(origin);
	const char *p = list;

	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		while (len && *p == ' ')
			p++, len--;
		if ((len == 1 && *p == '*') ||
		    (len == n && strncmp(p, origin, n) == 0))
			return true;
		if (!end)
			break;
		p = end + 1;
	}
	return false;
}

static int on_filter(struct lws *wsi)
{
	struct transport *t = transport_of(wsi);
	char origin[256];
	int n = lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN);

	if (n <= 0)
		return 0; /* not a browser */
	if (n >= (int)sizeof(origin) ||
	    lws_hdr_copy(wsi, origin, sizeof(origin), WSI_TOKEN_ORIGIN) < 0 ||
	    !origin_allowed(t->cfg->origins, origin)) {
		log_info("refused a connection from origin %.*s",
			 n < 200 ? n : 200,
			 n < (int)sizeof(origin) ? origin : "");
		lws_return_http_status(wsi, HTTP_STATUS_FORBIDDEN,
				       "origin not allowed");
		return 1;
	}
	return 0;
}

/* The session rides in lws's opaque pointer rather than in per-session
 * data, which lws would allocate for every connection. */
static struct session *session_of(struct lws *wsi)
{
	return lws_get_opaque_user_data(wsi);
}

static int on_established(struct lws *wsi)
{
	struct transport *t = transport_of(wsi);
	struct session *s = session_create(t->hub, wsi);

	lws_set_opaque_user_data(wsi, s);
	if (t->hub->stopping)
		session_close(s, PROTO_CLOSE_GOING_AWAY);
	return 0;
}

static int on_receive(struct lws *wsi, struct session *s, void *in, size_t len)
{
	return session_on_receive(s, in, len, lws_is_first_fragment(wsi),
				  lws_is_final_fragment(wsi),
				  lws_frame_is_binary(wsi),
				  lws_remaining_packet_payload(wsi));
}

static int on_closed(struct lws *wsi)
{
	struct session *s = session_of(wsi);

	lws_set_opaque_user_data(wsi, NULL);
	if (s)
		session_closed(s);
	return 0;
}

static int callback_chat(struct lws *wsi, enum lws_callback_reasons reason,
			 void *user, void *in, size_t len)
{
	struct session *s = session_of(wsi);

	(void)user;
	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return on_filter(wsi);
	case LWS_CALLBACK_ESTABLISHED:
		return on_established(wsi);
	case LWS_CALLBACK_RECEIVE:
		return s ? on_receive(wsi, s, in, len) : -1;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return s ? session_on_writeable(s) : -1;
	case LWS_CALLBACK_CLOSED:
		return on_closed(wsi);
	default:
		return 0;
	}
}

/* The path of the request on wsi, whatever its method (at most cap - 1
 * bytes: longer paths are none of the fixed ones). */
static void request_path(struct lws *wsi, char *buf, size_t cap)
{
	char *uri = NULL;
	int len = 0;

	buf[0] = '\0';
	if (lws_http_get_uri_and_method(wsi, &uri, &len) < 0 || !uri ||
	    len <= 0 || (size_t)len >= cap)
		return;
	memcpy(buf, uri, (size_t)len);
	buf[len] = '\0';
}

static int on_readyz(struct lws *wsi)
{
	struct transport *t = transport_of(wsi);
	bool ready = store_ready(t->hub->store) && !t->hub->stopping;

	if (lws_return_http_status(wsi,
				   ready ? HTTP_STATUS_OK
					 : HTTP_STATUS_SERVICE_UNAVAILABLE,
				   ready ? "ready" : "redis unavailable"))
		return -1;
	return lws_http_transaction_completed(wsi);
}

static int on_http(struct lws *wsi, void *user)
{
	struct transport *t = transport_of(wsi);
	char uri[64];

	if (inbound_http_is_path(wsi))
		return inbound_http_on_request(t->inbound, wsi);
	request_path(wsi, uri, sizeof(uri));
	if (strcmp(uri, "/healthz") == 0)
		return lws_return_http_status(wsi, HTTP_STATUS_OK, "alive") ||
		       lws_http_transaction_completed(wsi);
	if (strcmp(uri, "/readyz") == 0)
		return on_readyz(wsi);
	return static_files_on_request(t->web, wsi, user);
}

/* protocols[0] also receives upgrades that name no subprotocol: refused.
 * An HTTP connection's opaque pointer is only ever a POST /mail/inbound
 * request (sessions are set on WebSockets, whose events go to
 * callback_chat); its per-session data (user) is a static file's answer
 * under way. */
static int callback_http(struct lws *wsi, enum lws_callback_reasons reason,
			 void *user, void *in, size_t len)
{
	bool inbound = inbound_http_owns(wsi);

	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		lws_return_http_status(wsi, HTTP_STATUS_BAD_REQUEST,
				       "subprotocol chat.v1 required");
		return 1;
	case LWS_CALLBACK_HTTP:
		return on_http(wsi, user);
	case LWS_CALLBACK_HTTP_BODY:
		if (inbound)
			return inbound_http_on_body(wsi, in, len);
		break;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (inbound)
			return inbound_http_on_body_done(wsi);
		break;
	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (inbound)
			return inbound_http_on_writeable(wsi);
		return static_files_on_writeable(wsi, user);
	case LWS_CALLBACK_CLOSED_HTTP:
		inbound_http_on_closed(wsi);
		break;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/* Largest single send lws attempts; by default it is the rx buffer size,
 * which would split the writer's batches into many sends. */
#define TX_PACKET_SIZE (64 * 1024)

static void setup_protocols(struct transport *t)
{
	t->protocols[0] = (struct lws_protocols){
		"http", callback_http, sizeof(struct static_req), 0, 0, NULL,
		0};
	t->protocols[1] = (struct lws_protocols){PROTO_SUBPROTOCOL,
						 callback_chat,
						 0,
						 (size_t)t->cfg->rx_buffer,
						 0,
						 NULL,
						 TX_PACKET_SIZE};
}

/* Headers on every HTTP answer. The widget is embedded in other sites'
 * pages as an ES module, and cross-origin module scripts need CORS (static
 * files are public; the WebSocket checks Origin itself). The pages' own
 * policy (CSP, referrer) goes with HTML answers only (static_files.c):
 * on a script it does nothing and costs bytes on every request. */
static void setup_headers(struct transport *t)
{
	static const char *const h[][2] = {
		{"access-control-allow-origin:", "*"},
		{"x-content-type-options:", "nosniff"},
	};
	size_t n = sizeof(h) / sizeof(h[0]);

	for (size_t i = 0; i < n; i++) {
		t->headers[i].name = h[i][0];
		t->headers[i].value = h[i][1];
		t->headers[i].next = i + 1 < n ? &t->headers[i + 1] : NULL;
	}
}

/* The fixed paths; every other one is the web root's (static_files). */
static void setup_mounts(struct transport *t)
{
	static const char *paths[] = {"/healthz", "/readyz", INBOUND_HTTP_PATH};

	for (int i = 0; i < 3; i++) {
		t->mounts[i].mountpoint = paths[i];
		t->mounts[i].mountpoint_len = (unsigned char)strlen(paths[i]);
		t->mounts[i].origin = "http";
		t->mounts[i].origin_protocol = LWSMPRO_CALLBACK;
		t->mounts[i].mount_next = i < 2 ? &t->mounts[i + 1] : NULL;
	}
}

struct transport *transport_create(uv_loop_t *loop, const struct config *cfg,
				   struct hub *hub,
				   const struct static_table *web, int *port)
{
	struct transport *t = xcalloc(1, sizeof(*t));
	struct lws_context_creation_info info;
	struct lws_vhost *vh;

	t->hub = hub;
	t->cfg = cfg;
	t->web = web;
	t->inbound = inbound_http_create(&hub->cmd, cfg);
	if (!t->inbound) {
		free(t);
		return NULL;
	}
	setup_protocols(t);
	setup_mounts(t);
	t->retry.secs_since_valid_ping = 30;
	t->retry.secs_since_valid_hangup = 75;
	t->foreign_loops[0] = loop;
	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_LIBUV |
		       LWS_SERVER_OPTION_VALIDATE_UTF8 |
		       LWS_SERVER_OPTION_UV_NO_SIGSEGV_SIGFPE_SPIN;
	info.foreign_loops = t->foreign_loops;
	info.port = (int)cfg->port;
	info.iface = cfg->host;
	info.protocols = t->protocols;
	info.mounts = t->mounts;
	info.retry_and_idle_policy = &t->retry;
	setup_headers(t);
	info.headers = &t->headers[0];
	info.user = t;
	info.timeout_secs = 10;
	t->ctx = lws_create_context(&info);
	vh = t->ctx ? lws_get_vhost_by_name(t->ctx, "default") : NULL;
	if (!vh) {
		log_error("cannot listen on %s:%ld", cfg->host, cfg->port);
		if (t->ctx)
			lws_context_destroy(t->ctx);
		inbound_http_destroy(t->inbound);
		free(t);
		return NULL;
	}
	*port = lws_get_vhost_listen_port(vh);
	return t;
}

void transport_stop(struct transport *t)
{
	lws_context_destroy(t->ctx);
}

void transport_destroy(struct transport *t)
{
	if (!t)
		return;
	lws_context_destroy(t->ctx);
	inbound_http_destroy(t->inbound);
	free(t);
}
