/*
 * idle: the server closes conversations left waiting (nobody claimed
 * them) or idle (assigned, no activity) past their configured time, with
 * a reason the customer and the agents see. Every node sweeps; the close
 * is a conditional step in Redis (only if nothing happened since the
 * sweep looked), so two nodes never close one conversation twice and a
 * message that arrives meanwhile keeps it open.
 */
#ifndef CHAT_IDLE_H
#define CHAT_IDLE_H

#include <uv.h>

#include "chat/cmd/cmd.h"

struct idle;

/* Starts sweeping every interval_ms; waiting_s/idle_s are the limits (0:
 * never). Returns the sweeper (free with idle_destroy()), or NULL when
 * both limits are 0. */
struct idle *idle_create(uv_loop_t *loop, struct cmd_ctx *ctx, long waiting_s,
			 long idle_s, uint64_t interval_ms);
/* Stops the timer; the memory goes once libuv has closed it and no
 * command still holds the sweeper. NULL is a no-op. */
void idle_destroy(struct idle *d);

#endif
