/*
 * redis_uv: hiredis's event hooks on the libuv loop, in place of the stock
 * adapter (hiredis/adapters/libuv.h). Same role, fewer system calls:
 *   - commands written in one loop iteration leave in one write, from an
 *     idle handle just before the loop would block, instead of arming
 *     POLLOUT and waiting a round for it;
 *   - the poll is re-armed only when the wanted events really change (the
 *     stock adapter calls uv_poll_start() after every write, and libuv
 *     turns each call into an epoll_ctl DEL and ADD).
 * POLLOUT is used only while connecting and when the socket is full.
 * Not here: connection management (store.c, bus.c).
 */
#ifndef CHAT_REDIS_UV_H
#define CHAT_REDIS_UV_H

#include <uv.h>
#include <hiredis/async.h>

/* Hooks ac into loop. Returns 0, or -1 (ac is left as it was: free it).
 * The hooks are released by hiredis when it frees ac. */
int redis_uv_attach(redisAsyncContext *ac, uv_loop_t *loop);

#endif
