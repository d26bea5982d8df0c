/*
 * sentinel: asks Redis Sentinel where the primary is. One ask asks every
 * sentinel in turn, each with a short deadline, with SENTINEL MASTER, on
 * the loop (hiredis async), and reports the address named at the highest
 * config-epoch (a sentinel not yet told of a failover names the old
 * primary at the old epoch). It does not check that the address really is
 * a primary (every sentinel answering may be stale): the connection that
 * follows asks ROLE (link.c, bus.c), and when it is not, the next ask
 * starts after the sentinel that named it, so a stale sentinel first in
 * the list cannot hold chatd on a replica. Not here: connecting,
 * retrying.
 */
#ifndef CHAT_SENTINEL_H
#define CHAT_SENTINEL_H

#include <uv.h>

#include "chat/store/store.h"

#define SENTINEL_ASK_MS 500

struct sentinel_ask;

/* primary is the address named (borrowed for the call) and which the
 * index in cfg->addrs of the sentinel that named it, or primary is NULL
 * when no sentinel named one. The ask is over (and freed) once this is
 * called. */
typedef void (*sentinel_found_cb)(const struct redis_addr *primary,
				  size_t which, void *arg);

/*
 * Starts asking cfg's sentinels (cfg->sentinel; copied) for the primary
 * cfg->master, each once, from cfg->addrs[first % cfg->n] on. Returns the
 * ask; found is always called later from the loop, once, unless the ask
 * is cancelled first.
 */
struct sentinel_ask *sentinel_ask_start(uv_loop_t *loop,
					const struct redis_config *cfg,
					size_t first, sentinel_found_cb found,
					void *arg);
/* Ends the ask without calling found; it is freed from the loop. A no-op
 * with NULL. */
void sentinel_ask_cancel(struct sentinel_ask *ask);

#endif
