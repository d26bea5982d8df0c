/*
 * link: the store's command connection to one Redis server (the only one,
 * or one cluster primary): hiredis async on the loop, reconnect with
 * backoff, the functions library loaded first thing on every connection
 * (and again when Redis says a function is not found), and a stall check
 * (hiredis 0.14 has no command timeouts). With Redis Sentinel the link
 * asks the sentinels for the primary before every connect and checks
 * with ROLE that the server it reached is one; a server that is not, or
 * that answers READONLY later (demoted), is left and the sentinels are
 * asked again. Not here: routing, redirections
 * (store.c), WAIT grouping (wait.c).
 */
#ifndef CHAT_LINK_H
#define CHAT_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/async.h>
#include <uv.h>

#include "chat/store/store.h"

struct link;
struct wait_group;
struct sentinel_ask;

/* The link became ready (connected, library loaded) or stopped being. */
typedef void (*link_state_cb)(struct link *l, bool ready, void *arg);

struct link {
	uv_loop_t *loop;		/* borrowed */
	struct redis_addr addr;		/* with sentinels: the last named */
	struct redis_config *sentinels; /* owned; NULL unless Sentinel */
	struct sentinel_ask *asking;	/* the ask in progress, or NULL */
	size_t named_by, ask_first;	/* sentinel indexes */
	char where[272];		/* for log lines */
	int index;			/* the owner's name for it */
	redisAsyncContext *ac;
	bool connected;
	bool ready;  /* connected and the functions library loaded */
	bool wanted; /* reconnects when lost */
	bool loading;
	uv_timer_t retry_timer;
	uint64_t backoff_ms;
	size_t pending; /* commands sent, not yet answered */
	uint64_t last_reply_ms;
	link_state_cb on_state;
	void *state_arg;
	/* WAIT grouping (wait.c): the WAIT in flight, the one gathering. */
	struct wait_group *wait_in_flight, *wait_next;
};

/* Returns a link that starts connecting at once. Freed by link_destroy(). */
struct link *link_create(uv_loop_t *loop, const struct redis_addr *addr,
			 int index, link_state_cb on_state, void *arg);
/* As link_create for the primary that cfg's sentinels name (cfg is
 * copied). */
struct link *link_create_sentinel(uv_loop_t *loop,
				  const struct redis_config *cfg, int index,
				  link_state_cb on_state, void *arg);
/* Starts connecting again after link_stop(); a no-op when wanted. */
void link_start(struct link *l);
/* Drops the connection at once (pending callbacks run with NULL) and
 * stops reconnecting. */
void link_stop(struct link *l);
/* Stops the link and frees it once its timer has closed. */
void link_destroy(struct link *l);

/*
 * Sends a formatted command; fn gets privdata and the reply. Returns 0,
 * or -1 when not ready (fn is never called). The owner's fn must call
 * link_answered() for every reply or NULL.
 */
int link_send(struct link *l, redisCallbackFn *fn, void *privdata,
	      const char *cmd, size_t len);
/* Counts an answer; with reply "ERR Function not found" reloads the
 * library and returns true (the command was not applied). With
 * sentinels, a READONLY reply (the server was demoted) drops the
 * connection to find the primary again, and returns true too. */
bool link_answered(struct link *l, const redisReply *reply);
/* Drops the connection when commands have waited more than stall_ms
 * for any answer. */
void link_check_stall(struct link *l, uint64_t now_ms, uint64_t stall_ms);

#endif
