/*
 * outbox: the consumer of the shards' outboxes. Every node runs one; no
 * node is special. Each scan, it takes the lease of every shard that has
 * entries and no other live holder, applies the entries in order (their
 * index updates, idempotent), then moves the shard's cursor past them and
 * deletes them, which only the lease holder can. A node that stops
 * mid-way leaves its lease to expire: another node applies the same
 * entries again within lease_ms plus one scan.
 */
#ifndef CHAT_OUTBOX_H
#define CHAT_OUTBOX_H

#include <stdint.h>

#include <uv.h>

#include "chat/cmd/cmd.h"

struct outbox;

/* Starts scanning every scan_ms with leases of lease_ms (> scan_ms). */
struct outbox *outbox_create(uv_loop_t *loop, struct cmd_ctx *ctx,
			     uint64_t scan_ms, uint64_t lease_ms);
/* Stops the timer; the memory goes once libuv has closed it and no
 * command still holds the consumer. NULL is a no-op. */
void outbox_destroy(struct outbox *o);

/* Logs the index lag measured so far (ctx->lag_ack, ctx->lag_outbox):
 * count, p50, p99. */
void outbox_log_lag(const struct cmd_ctx *ctx);

#endif
