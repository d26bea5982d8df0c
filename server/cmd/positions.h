/*
 * positions: the queue position and estimated wait of the waiting
 * customers connected to this node. One consistent snapshot of the queue
 * (route_snapshot.lua) at most once a second, when the queue's version
 * moved or a customer connected; a customer gets a queue frame when
 * their position, the number waiting or the estimate changed.
 */
#ifndef CHAT_POSITIONS_H
#define CHAT_POSITIONS_H

#include <stdbool.h>

#include <uv.h>

#include "chat/cmd/cmd.h"

struct positions;

struct positions *positions_create(uv_loop_t *loop, struct cmd_ctx *ctx);
/* NULL is a no-op; the memory goes once nothing is in flight. */
void positions_destroy(struct positions *p);
/* A snapshot is wanted (the queue changed); all: send every customer
 * here their position even if it did not change. */
void positions_wanted(struct positions *p, bool all);

#endif
