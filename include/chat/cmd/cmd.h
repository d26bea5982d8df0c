/*
 * cmd: the command layer. Every entry point (the WebSocket session today;
 * an HTTP API, inbound email and timers tomorrow) calls cmd_run() with an
 * actor (who acts) and a sink (where answers go). Commands check the
 * policy, build the Redis step and answer through the sink; they know
 * nothing of lws or of sessions.
 */
#ifndef CHAT_CMD_H
#define CHAT_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chat/cmd/actor.h"
#include "chat/cmd/sink.h"
#include "chat/common/hist.h"
#include "chat/protocol.h"

struct store;
struct bus;
struct batch;
struct policy;
struct router;

/* How the command layer reaches users connected to this node without
 * knowing what connects them (the WebSocket edge supplies these). */
struct cmd_hooks {
	void *arg;
	/* True when a customer (an agent) of this id has a connection here;
	 * any_customer: when any customer has. */
	bool (*customer_here)(void *arg, const char *user);
	bool (*agent_here)(void *arg, const char *user);
	bool (*any_customer)(void *arg);
	/* Sends frame (len bytes of JSON) to every connection here of the
	 * customer (the agent) of this id. */
	void (*to_customer)(void *arg, const char *user, const char *frame,
			    size_t len);
	void (*to_agent)(void *arg, const char *user, const char *frame,
			 size_t len);
	/* Sends frame to every agent connected here. */
	void (*to_agents)(void *arg, const char *frame, size_t len);
};

/* What commands need from the node. Embedded by its owner; store and bus
 * are borrowed and outlive every command. */
struct cmd_ctx {
	struct store *store;
	struct bus *bus;
	unsigned char id_secret[128];
	size_t id_secret_len;
	unsigned page;	      /* replay page, events */
	size_t history_bytes; /* history page, bytes of events */
	long idem_ttl_s;      /* records kept after the last activity */
	int replica_acks;     /* replicas a write must reach before its ack */
	long replica_timeout_ms; /* how long to wait for them */
	/* Gathers messages into one step per shard and loop round
	 * (cmd/batch.c); NULL: each goes alone. */
	struct batch *batch;
	/* The argument every append passes as it is: "IDEM-TTL RETENTION". */
	char expiry_arg[48];
	/* Index lag, from the event's time to its outbox entry applied: by
	 * the node that acks it (before the ack), and by the consumer. */
	struct hist lag_ack, lag_outbox;
	/* The support packages (borrowed; set before the first command). */
	const struct policy *policy;
	/* The router (cmd/router.c): ticks, heartbeats, positions; NULL
	 * until started. */
	struct router *router;
	struct cmd_hooks hooks;
	/* Mail (mailer/): on when this node sends mail; then closes queue
	 * transcripts and agents' replies plan notification looks. */
	struct {
		bool on;
		int64_t notify_delay_ms, notify_gap_ms;
		/* The node's mailer takes new jobs now (NULL: at its tick). */
		void (*kick)(void *arg);
		void *kick_arg;
	} mail;
};

/* Fills ctx with default limits; returns 0, or -1 when the id secret
 * (hex) is not 32 to 128 bytes. */
int cmd_ctx_init(struct cmd_ctx *ctx, struct store *store, struct bus *bus,
		 const char *id_secret_hex);
/* Sets the limits commands apply: replay page (events), history page
 * (bytes), seconds idempotency records are kept after the last activity,
 * and seconds a closed conversation is kept (0 = forever). */
void cmd_ctx_limits(struct cmd_ctx *ctx, unsigned page, size_t history_bytes,
		    long idem_ttl_s, long retention_s);

/* Runs one decoded request for actor a, answering through k. The request
 * is borrowed for the call; nothing of it is kept. auth is not a command
 * (the entry point authenticates). */
void cmd_run(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
	     const struct proto_request *req);

/* Redis work a request causes, in units of one simple command: what the
 * rate limit charges. */
unsigned cmd_cost(const struct proto_request *req);

/* The sink is going away: stop following its conversations. */
void cmd_sink_closed(struct cmd_ctx *ctx, struct sink *k);
/* The sink has room again (or Redis is back): continue paused replays. */
void cmd_sink_drained(struct cmd_ctx *ctx, struct sink *k);

#endif
