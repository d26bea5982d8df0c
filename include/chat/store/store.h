/*
 * store: chatd's command connection to Redis (hiredis async on the shared
 * libuv loop). Reconnects with backoff, loads the functions library first thing
 * on every connection (a new or flushed Redis lacks it; loading replaces
 * it idempotently), and fails
 * commands fast while Redis is unreachable. It knows nothing of
 * conversations: callers build the commands.
 */
#ifndef CHAT_STORE_H
#define CHAT_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis/hiredis.h>
#include <uv.h>

#include "chat/store/scripts.h"

struct store;

/* Called once per command. reply is NULL when the connection failed before
 * the answer came (nothing is known to be applied); it is borrowed for the
 * call only. */
typedef void (*store_reply_cb)(struct store *st, redisReply *reply, void *arg);
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

/* Returns a store that starts connecting at once; free with
 * store_destroy(). on_state may be NULL. */
struct store *store_create(uv_loop_t *loop, const struct redis_addr *addr,
			   store_state_cb on_state, void *arg);
/* Frees the store; pending callbacks run with a NULL reply first. */
void store_destroy(struct store *st);
/* Disconnects after pending commands have been answered and stops
 * reconnecting. */
void store_stop(struct store *st);

bool store_ready(const struct store *st);
size_t store_pending(const struct store *st);

/*
 * Sends one command given as argv. Returns 0 (cb will be called exactly
 * once) or -1 when Redis is not ready (cb is never called).
 */
int store_command(struct store *st, store_reply_cb cb, void *arg, int argc,
		  const char **argv, const size_t *lens);
/* As store_command for EVALSHA of script with nkeys keys then args in
 * argv (argc covers keys and args). */
int store_eval(struct store *st, enum script_id script, store_reply_cb cb,
	       void *arg, int nkeys, int argc, const char **argv,
	       const size_t *lens);

#endif
