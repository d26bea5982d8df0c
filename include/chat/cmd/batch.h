/*
 * batch: the messages and notes sent within one loop round travel to
 * Redis in one step per shard (append_batch), each answered on its own.
 * The node creates it on its loop; the command layer finds it in
 * cmd_ctx.
 */
#ifndef CHAT_BATCH_H
#define CHAT_BATCH_H

#include <uv.h>

#include "chat/cmd/cmd.h"

struct batch;

/* Returns the batcher of ctx's messages (it sets ctx->batch), which
 * sends what gathered at the end of each loop round. Free with
 * batch_destroy(). */
struct batch *batch_create(uv_loop_t *loop, struct cmd_ctx *ctx);
/* Sends what is gathered, detaches from ctx and closes the loop handles;
 * the memory goes once libuv has closed them. NULL is a no-op. */
void batch_destroy(struct batch *b);

#endif
