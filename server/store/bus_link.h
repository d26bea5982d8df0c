/*
 * bus_link: one raw RESP connection to a Redis server for the bus, without
 * hiredis async: a libuv stream (TCP or unix socket), commands formatted
 * with redisFormatCommandArgv(), every reply parsed with hiredis's
 * redisReader and handed to the owner, pushes included (hiredis 0.14 async
 * drops or misfiles SSUBSCRIBE replies and smessage pushes). It also
 * remembers, in order, the commands still owed a reply, so the owner can
 * tell an answer from a push. Not here: channels (bus.c), reconnecting.
 */
#ifndef CHAT_BUS_LINK_H
#define CHAT_BUS_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include <hiredis/hiredis.h>
#include <uv.h>

#include "chat/store/store.h"

struct bus_link;

/* What a command owed a reply was: its verb and its one argument. */
struct bus_expect {
	char verb[16];
	char *arg; /* owned; NULL when none */
	struct bus_expect *next;
};

struct bus_link_ops {
	/* Connected: commands can be sent. */
	void (*on_up)(struct bus_link *l, void *arg);
	/* A reply or push (borrowed for the call). */
	void (*on_reply)(struct bus_link *l, const redisReply *r, void *arg);
	/* The link is closed (connect failed, lost, or dropped); l is freed
	 * after this returns. */
	void (*on_down)(struct bus_link *l, void *arg);
};

struct bus_link {
	uv_loop_t *loop;
	struct redis_addr addr;
	int node; /* the owner's name for it */
	union {
		uv_handle_t handle;
		uv_stream_t stream;
		uv_tcp_t tcp;
		uv_pipe_t pipe;
	} io;
	uv_connect_t connect_req;
	redisReader *reader;
	bool up, ever_up, closing;
	int64_t last_heard_ms; /* mono_ms() of the last byte or the connect */
	struct bus_expect *expect_head, *expect_tail;
	const struct bus_link_ops *ops;
	void *arg;
	char rbuf[65536]; /* read buffer; the reader copies what it keeps */
};

/* Returns a link that starts connecting, or NULL when addr cannot be
 * reached at all (ops are never called then). */
struct bus_link *bus_link_open(uv_loop_t *loop, const struct redis_addr *addr,
			       int node, const struct bus_link_ops *ops,
			       void *arg);
/* Sends "verb arg" (arg may be NULL) and expects one reply for it.
 * Returns 0, or -1 when not up. */
int bus_link_send(struct bus_link *l, const char *verb, const char *arg);
/* The oldest command still owed a reply, or NULL. */
const struct bus_expect *bus_link_expected(const struct bus_link *l);
/* Forgets the oldest command owed a reply. */
void bus_link_pop(struct bus_link *l);
/* Closes the link; on_down follows from the loop. A no-op when closing. */
void bus_link_close(struct bus_link *l);

#endif
