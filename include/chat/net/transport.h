/*
 * transport: the libwebsockets context on the shared libuv loop: the
 * chat.v1 WebSocket protocol (its callback only dispatches to session.c),
 * the Origin allow-list, /healthz and /readyz, POST /mail/inbound (its
 * events go to inbound_http.c) and static files from the web root. Knows
 * nothing of conversations.
 */
#ifndef CHAT_TRANSPORT_H
#define CHAT_TRANSPORT_H

#include <uv.h>

#include "chat/common/config.h"

struct hub;
struct static_table;
struct transport;

/* Returns a listening transport or NULL (logged). *port gets the bound
 * port. web (the web root's files) is borrowed and outlives it. Free
 * with transport_destroy() after the loop has stopped. */
struct transport *transport_create(uv_loop_t *loop, const struct config *cfg,
				   struct hub *hub,
				   const struct static_table *web, int *port);
/* Starts closing lws on the loop (listen socket and connections). */
void transport_stop(struct transport *t);
/* Second half of the lws foreign-loop teardown, after uv_run returned. */
void transport_destroy(struct transport *t);

#endif
