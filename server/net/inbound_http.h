/*
 * inbound_http: POST /mail/inbound, where a mail provider delivers an
 * inbound email over HTTP: the raw RFC 5322 message as the body, the
 * shared secret as "Authorization: Bearer <secret>". The body is collected
 * up to mail-max-bytes (a declared length over it is refused before it is
 * read), handed to inbound_ingest() and answered with the outcome as JSON.
 * transport.c calls these from its HTTP callback; the request rides in the
 * connection's opaque pointer. Not here: what the mail means (ingest).
 */
#ifndef CHAT_INBOUND_HTTP_H
#define CHAT_INBOUND_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>
#include <libwebsockets.h>

#include "chat/common/config.h"

#define INBOUND_HTTP_PATH "/mail/inbound"

struct cmd_ctx;
struct inbound_http;

/* Returns the endpoint's state (off when cfg has no inbound secret), or
 * NULL when reply-keys is set but invalid (logged). cfg and ctx are
 * borrowed and outlive it. Free with inbound_http_destroy(), which defers
 * the free until every ingest under way has called back. */
struct inbound_http *inbound_http_create(struct cmd_ctx *ctx,
					 const struct config *cfg);
void inbound_http_destroy(struct inbound_http *ih);

/* True when the request on wsi is for INBOUND_HTTP_PATH, whatever its
 * method. */
bool inbound_http_is_path(struct lws *wsi);

/* The lws events of such a request; each returns what the lws callback
 * returns (non-zero closes the connection). The body, writeable and
 * closed events return 0 and do nothing for a connection that carries no
 * request of ours. */
int inbound_http_on_request(struct inbound_http *ih, struct lws *wsi);
int inbound_http_on_body(struct lws *wsi, const void *in, size_t len);
int inbound_http_on_body_done(struct lws *wsi);
int inbound_http_on_writeable(struct lws *wsi);
void inbound_http_on_closed(struct lws *wsi);
/* True when wsi carries a request of ours (its events go above). */
bool inbound_http_owns(struct lws *wsi);

#endif
