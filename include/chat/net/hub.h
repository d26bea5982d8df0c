/*
 * hub: the registry of this node's sessions and what they need: config,
 * token keys, store and bus (borrowed), the command layer's context, the
 * writer and the feeds. Runs the sweep that enforces the auth deadline
 * and token expiry, and closes everyone with 1001 at shutdown.
 */
#ifndef CHAT_HUB_H
#define CHAT_HUB_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

#include "chat/cmd/cmd.h"
#include "chat/common/auth.h"
#include "chat/store/bus.h"
#include "chat/common/config.h"
#include "chat/store/store.h"

struct session;
struct writer;
struct feeds;

struct hub {
	uv_loop_t *loop;
	const struct config *cfg;
	const struct auth_config *auth;
	struct store *store;
	struct bus *bus;
	struct writer *writer;	  /* owned */
	struct feeds *feeds;	  /* owned */
	struct cmd_ctx cmd;	  /* the command layer's view of this node */
	struct session *sessions; /* all live sessions, owned */
	size_t n_sessions;
	uv_timer_t sweep;
	bool stopping;
};

/* Returns a hub or NULL (bad id secret, logged). Free with hub_destroy()
 * after every session has closed. */
struct hub *hub_create(uv_loop_t *loop, const struct config *cfg,
		       const struct auth_config *auth, struct store *store,
		       struct bus *bus);
void hub_destroy(struct hub *hub);
void hub_add(struct hub *hub, struct session *s);
void hub_remove(struct hub *hub, struct session *s);
/* Redis became ready again: continue replays that waited for it. */
void hub_on_store_ready(struct hub *hub);
/* Closes every session with 1001 and stops the sweep. */
void hub_shutdown(struct hub *hub);

#endif
