/*
 * bench_conn: one chat.v1 WebSocket client connection of the load client
 * and its setup script: idle (auth), customer (auth, open, resume) or agent
 * (auth, resume the peer's conversation, claim). Once ready it writes the
 * `send` frames its owner queues and reports acks, refusals and message
 * events to its owner (bench_client). It reads server frames with a few
 * string searches, not a JSON parser: the client must stay cheaper than
 * the server it measures.
 */
#ifndef BENCH_CONN_H
#define BENCH_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chat/protocol.h"

struct lws;
struct lws_protocols;
struct bench_client;

enum bench_role { BENCH_IDLE, BENCH_CUSTOMER, BENCH_AGENT };

enum bench_conn_state {
	CONN_WAITING, /* not started */
	CONN_CONNECTING,
	CONN_AUTHING,
	CONN_OPENING,
	CONN_RESUMING,
	CONN_CLAIMING,
	CONN_READY,
	CONN_CLOSED, /* was ready, then closed */
	CONN_FAILED, /* setup did not finish */
};

struct bench_conn {
	struct bench_client *client; /* borrowed: the client owns its conns */
	struct lws *wsi;	     /* NULL when not connected */
	enum bench_role role;
	enum bench_conn_state state;
	unsigned index;
	struct bench_conn *peer; /* the other side of a pair; borrowed */
	char conv[PROTO_CONV_LEN + 1];
	char *ctl;	  /* setup frame waiting for WRITEABLE; owned */
	uint64_t *stamps; /* send times (ns) of queued sends; owned ring */
	unsigned head, queued, cap;
	unsigned inflight; /* queued or written, not yet answered */
	bool close_frame;  /* the server sent a close frame */
	uint64_t next_msg; /* client_id counter */
	uint64_t paced;	   /* latency phase: sends scheduled so far */
	struct bench_conn *dirty_next; /* the client's flush list */
	bool dirty;
	char *rx; /* reassembly of a fragmented frame; owned */
	size_t rx_len, rx_cap;
};

/* The protocol table for the client's lws context (static storage). */
const struct lws_protocols *bench_conn_protocols(void);

/* Prepares c (no heap yet). */
void bench_conn_init(struct bench_conn *c, struct bench_client *cl,
		     enum bench_role role, unsigned index);
/* Frees what c owns; the connection must be gone or about to be. */
void bench_conn_cleanup(struct bench_conn *c);

/* Writes c's queued frames, all in one write when the socket takes them
 * (else lws's WRITEABLE gets the rest). */
void bench_conn_flush(struct bench_conn *c);

/* Connects, from source address iface (NULL: any). Returns 0, or -1 after
 * reporting the failure to the owner. */
int bench_conn_start(struct bench_conn *c, const char *iface);

/* Queues one `send` stamped stamp_ns (CLOCK_MONOTONIC). Returns 0, or -1
 * when the queue is full or c is not ready (nothing queued). */
int bench_conn_send(struct bench_conn *c, uint64_t stamp_ns);

#endif
