/*
 * sentinel: asks Redis Sentinel where the primary is. One ask tries the
 * sentinels in turn, each with a short deadline, with
 * SENTINEL get-master-addr-by-name, on the loop (hiredis async), and
 * reports the first address named. It does not check that the address
 * really is a primary (a sentinel may be stale): the connection that
 * follows asks ROLE (link.c, bus.c). Not here: connecting, retrying.
 */
#ifndef CHAT_SENTINEL_H
#define CHAT_SENTINEL_H

#include <uv.h>

#include "chat/store/store.h"

#define SENTINEL_ASK_MS 500

struct sentinel_ask;

/* primary is the address named (borrowed for the call), or NULL when no
 * sentinel named one. The ask is over (and freed) once this is called. */
typedef void (*sentinel_found_cb)(const struct redis_addr *primary, void *arg);

/*
 * Starts asking cfg's sentinels (cfg->sentinel; copied) for the primary
 * cfg->master. Returns the ask; found is always called later from the
 * loop, once, unless the ask is cancelled first.
 */
struct sentinel_ask *sentinel_ask_start(uv_loop_t *loop,
					const struct redis_config *cfg,
					sentinel_found_cb found, void *arg);
/* Ends the ask without calling found; it is freed from the loop. A no-op
 * with NULL. */
void sentinel_ask_cancel(struct sentinel_ask *ask);

#endif
