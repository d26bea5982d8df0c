/*
 * outbox_apply: what follows an outbox entry, in the indexes of other
 * slots. An entry is the flat field list the step wrote ("k" kind, "c"
 * conversation, "t" time, and what the kind needs):
 *   o (opened):   ZADD to the customer's, organization's and site's
 *                 indexes, and to the open and active indexes;
 *   r (reopened by an email reply): ZADD to the open and active
 *                 indexes;
 *   a (assigned): ZADD to the agent's index ("a");
 *   x (closed):   ZREM from the open and active indexes.
 * and the routing that follows:
 *   o, r:         the conversation enters the queue (route_enqueue; a
 *                 reopening carries the conversation's epoch "ep", so it
 *                 replaces a routing state closed under an older one);
 *   x:            it leaves the queue or its agent (route_close), unless
 *                 it has been reopened since (its "ep" is older);
 *   R (a routing decision, from the routing outbox): carried into the
 *                 conversation's slot (route_apply.c).
 * Each update is idempotent: an entry applied twice shows once.
 */
#ifndef CHAT_OUTBOX_APPLY_H
#define CHAT_OUTBOX_APPLY_H

#include <stdbool.h>

#include <hiredis/hiredis.h>

#include "chat/cmd/cmd.h"

/* ok: every update was answered without error (a malformed entry, which
 * can never apply, is logged and counts as done). */
typedef void (*outbox_applied_cb)(bool ok, int64_t entry_ts, void *arg);

/* Sends the updates of the entry given as a Redis array of fields and
 * values; cb runs once all are answered (at once when there is nothing
 * to send). */
void outbox_apply(struct cmd_ctx *ctx, const redisReply *fields,
		  outbox_applied_cb cb, void *arg);

#endif
