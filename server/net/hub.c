/* hub: session registry, the auth/expiry sweep and shutdown. */
#include "chat/net/hub.h"

#include <stdlib.h>

#include "chat/protocol.h"
#include "feeds.h"
#include "chat/common/log.h"
#include "session.h"
#include "chat/common/util.h"
#include "writer.h"

static bool hook_customer_here(void *arg, const char *user)
{
	struct hub *hub = arg;

	return hub->feeds && feeds_customer_here(hub->feeds, user);
}

static bool hook_agent_here(void *arg, const char *user)
{
	struct hub *hub = arg;

	return hub->feeds && feeds_agent_here(hub->feeds, user);
}

static bool hook_any_customer(void *arg)
{
	struct hub *hub = arg;

	return hub->feeds && feeds_any_customer(hub->feeds);
}

static void hook_to_customer(void *arg, const char *user, const char *frame,
			     size_t len)
{
	struct hub *hub = arg;

	if (hub->feeds)
		feeds_to_customer(hub->feeds, user, frame, len);
}

static void hook_to_agent(void *arg, const char *user, const char *frame,
			  size_t len)
{
	struct hub *hub = arg;

	if (hub->feeds)
		feeds_to_agent(hub->feeds, user, frame, len);
}

static void hook_to_agents(void *arg, const char *frame, size_t len)
{
	struct hub *hub = arg;

	if (hub->feeds)
		feeds_to_agents(hub->feeds, frame, len);
}

static void on_sweep(uv_timer_t *t)
{
	struct hub *hub = t->data;
	int64_t wall = now_ms(), mono = mono_ms();

	for (struct session *s = hub->sessions; s; s = s->next)
		session_sweep(s, wall, mono);
}

struct hub *hub_create(uv_loop_t *loop, const struct config *cfg,
		       const struct auth_config *auth, struct store *store,
		       struct bus *bus)
{
	struct hub *hub = xcalloc(1, sizeof(*hub));

	if (cmd_ctx_init(&hub->cmd, store, bus, cfg->id_secret)) {
		log_error("id-secret must be 32 to 128 bytes of hex");
		free(hub);
		return NULL;
	}
	cmd_ctx_limits(&hub->cmd, (unsigned)cfg->page,
		       (size_t)cfg->history_bytes, cfg->idem_ttl_s,
		       cfg->retention_s);
	hub->cmd.replica_acks = (int)cfg->replica_acks;
	hub->cmd.replica_timeout_ms = cfg->replica_timeout_ms;
	hub->loop = loop;
	hub->cfg = cfg;
	hub->auth = auth;
	hub->store = store;
	hub->bus = bus;
	hub->writer = writer_create(loop);
	hub->feeds = feeds_create(bus);
	hub->cmd.hooks = (struct cmd_hooks){hub,
					    hook_customer_here,
					    hook_agent_here,
					    hook_any_customer,
					    hook_to_customer,
					    hook_to_agent,
					    hook_to_agents};
	uv_timer_init(loop, &hub->sweep);
	hub->sweep.data = hub;
	uv_timer_start(&hub->sweep, on_sweep, 250, 250);
	return hub;
}

static void on_sweep_closed(uv_handle_t *h)
{
	free(h->data);
}

void hub_destroy(struct hub *hub)
{
	if (!hub)
		return;
	writer_destroy(hub->writer);
	hub->writer = NULL;
	feeds_destroy(hub->feeds);
	hub->feeds = NULL;
	uv_close((uv_handle_t *)&hub->sweep, on_sweep_closed);
}

void hub_add(struct hub *hub, struct session *s)
{
	s->prev = NULL;
	s->next = hub->sessions;
	if (hub->sessions)
		hub->sessions->prev = s;
	hub->sessions = s;
	hub->n_sessions++;
}

void hub_remove(struct hub *hub, struct session *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		hub->sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
	hub->n_sessions--;
}

void hub_shutdown(struct hub *hub)
{
	hub->stopping = true;
	uv_timer_stop(&hub->sweep);
	for (struct session *s = hub->sessions; s; s = s->next)
		session_close(s, PROTO_CLOSE_GOING_AWAY);
}

void hub_on_store_ready(struct hub *hub)
{
	for (struct session *s = hub->sessions; s; s = s->next)
		if (session_alive(s))
			cmd_sink_drained(&hub->cmd, &s->sink);
}
