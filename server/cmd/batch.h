/*
 * batch (the command layer's side): what commit hands over. A message or
 * a note waits in its shard's batch until the loop round ends, the batch
 * is full (64 messages, 7 conversations, 256 KB), or another step of the
 * shard must go first.
 */
#ifndef CHAT_BATCH_PRIVATE_H
#define CHAT_BATCH_PRIVATE_H

#include <stdbool.h>

#include "chat/cmd/batch.h"
#include "chat/store/store.h"

/* True for the steps batch_append() takes: append with three keys (a send
 * or a note). */
bool batch_takes(enum script_id script, int nkeys);
/*
 * Queues one message: argv (argc in all, borrowed for the call) as append
 * takes it for a send or a note, of conversation conv. Returns 0: on_reply
 * will be called exactly once, with the message's own reply as append
 * would give it ({duplicate, seq, ts}), its error, or NULL when the
 * connection failed. Returns -1 (on_reply is never called) when Redis
 * is not ready or memory ran out.
 */
int batch_append(struct batch *b, const char *conv, int argc, const char **argv,
		 store_reply_cb on_reply, void *arg);
/* Sends what conv's shard has gathered, so a step sent next comes after
 * it. */
void batch_flush_conv(struct batch *b, const char *conv);

#endif
