/*
 * route_apply: carries a routing decision (an entry of the routing
 * outbox: who has a conversation now, and who had it) into the
 * conversation's own slot: a transfer note, the previous agent's left
 * event, the new agent's joined event, the meta, the feed. Idempotent:
 * the decision's generation is applied once.
 */
#ifndef CHAT_ROUTE_APPLY_H
#define CHAT_ROUTE_APPLY_H

#include <stdbool.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "chat/cmd/cmd.h"

/* Called once: ok false when the step could not run (Redis down: the
 * outbox applies it later) or the entry is malformed (code says which);
 * seq and ts are of the last event stored (or of the earlier ack of the
 * same decision, duplicate true). code is PROTO_E_BAD_FRAME for an entry
 * that can never apply (malformed). */
typedef void (*route_applied_cb)(bool ok, enum proto_error_code code,
				 uint64_t seq, int64_t ts, bool duplicate,
				 int64_t entry_ts, void *arg);

/* Applies the entry whose fields (field, value, ...) are in fields
 * (borrowed for the call). cb is always called, possibly before this
 * returns. */
void route_apply(struct cmd_ctx *ctx, const redisReply *fields,
		 route_applied_cb cb, void *arg);

#endif
