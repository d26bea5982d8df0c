/*
 * store: chatd's command connections to Redis (hiredis async on the shared
 * libuv loop): one Redis, or a Redis Cluster (one connection per primary,
 * each command routed by its key's hash slot, MOVED/ASK followed, the
 * slot map refreshed on failover), or the primary that Redis Sentinel
 * names (asked again before every connect; sentinel.c). Reconnects with
 * backoff, loads the functions library first thing on every connection (a new
 * or flushed Redis lacks it; loading replaces it idempotently), and fails
 * commands fast while Redis is unreachable. It knows nothing of conversations:
 * callers build the commands.
 */
#ifndef CHAT_STORE_H
#define CHAT_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis/hiredis.h>
#include <uv.h>

#include "chat/store/scripts.h"

#define STORE_RETRY_MS 3000

struct store;

/* Called once per command. reply is NULL when the connection failed before
 * the answer came (nothing is known to be applied); it is borrowed for the
 * call only. */
typedef void (*store_reply_cb)(struct store *st, redisReply *reply, void *arg);
/* Called once per store_wait(): replicas is how many replicas WAIT
 * counted, or -1 when the WAIT failed (outcome unknown). */
typedef void (*store_wait_cb)(struct store *st, int replicas, void *arg);
/* Called when the store becomes ready (connected, library loaded) or stops
 * being ready. */
typedef void (*store_state_cb)(bool ready, void *arg);

/*
 * Parses a redis://host:port or unix:/path address into *out; returns 0
 * or -1. host/path are copied into the given buffers.
 */
struct redis_addr {
	char host[256];
	int port;
	char path[256]; /* non-empty for unix sockets */
};
int redis_addr_parse(const char *url, struct redis_addr *out);

/* Where Redis is: one server, a cluster's seed nodes, or the sentinels
 * that name the primary called master. */
#define REDIS_SEEDS_MAX 16
struct redis_config {
	bool cluster;
	bool sentinel;
	size_t n; /* 1 unless cluster or sentinel */
	struct redis_addr
		addrs[REDIS_SEEDS_MAX]; /* server, seeds or sentinels */
	char master[128];		/* sentinel only */
};
/*
 * Parses redis://host:port, unix:/path,
 * redis-cluster://host:port[,host:port...] (port 6379 by default) or
 * redis-sentinel://host:port[,host:port...]/MASTER-NAME (port 26379 by
 * default) into *out. Returns 0, or -1 with a reason (a static string)
 * in *why.
 */
int redis_config_parse(const char *url, struct redis_config *out,
		       const char **why);

/* Returns a store that starts connecting at once; free with
 * store_destroy(). on_state may be NULL. */
struct store *store_create(uv_loop_t *loop, const struct redis_config *cfg,
			   store_state_cb on_state, void *arg);
/* Frees the store; pending callbacks run with a NULL reply first. */
void store_destroy(struct store *st);
/* Disconnects after pending commands have been answered and stops
 * reconnecting. */
void store_stop(struct store *st);

bool store_ready(const struct store *st);
/* The loop the store runs on (borrowed): what callers that answer later
 * without Redis defer their answers to. */
uv_loop_t *store_loop(const struct store *st);
size_t store_pending(const struct store *st);

/*
 * Sends one command given as argv; its key is argv[1] (the first key for
 * FCALL/FCALL_RO). Returns 0 (cb will be called exactly once) or -1 when
 * Redis is not ready (cb is never called). In a cluster a command
 * redirected (MOVED, ASK) or refused for now (TRYAGAIN, CLUSTERDOWN, its
 * primary unreachable) was not executed and is sent again for up to
 * STORE_RETRY_MS; then, or when a connection is lost with it in flight
 * (it may be applied), cb gets NULL.
 */
int store_command(struct store *st, store_reply_cb cb, void *arg, int argc,
		  const char **argv, const size_t *lens);
/* As store_command for EVALSHA of script with nkeys keys then args in
 * argv (argc covers keys and args). */
int store_eval(struct store *st, enum script_id script, store_reply_cb cb,
	       void *arg, int nkeys, int argc, const char **argv,
	       const size_t *lens);

/*
 * Sends WAIT replicas timeout_ms on the connection that holds key's slot
 * or, called from a reply callback, on the connection that gave that
 * reply (so it covers that command whatever redirections it took). WAITs
 * are grouped per connection: at most one is in flight, and those asked
 * meanwhile share the next, sent when it answers (asking the most
 * replicas and the longest timeout of its members). Returns 0 (cb is
 * called once) or -1 when that connection is not ready (cb is never
 * called).
 */
int store_wait(struct store *st, const char *key, size_t keylen, int replicas,
	       long timeout_ms, store_wait_cb cb, void *arg);

#endif
