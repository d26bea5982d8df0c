/*
 * bench_client: the load client inside one worker process: a libuv loop
 * with an lws client context, the worker's connections (idle ones, or
 * customer/agent pairs), their setup in stages at a bounded number of
 * handshakes at a time, and the command/report pipes to the parent. What
 * the load phases do is bench_load's business.
 */
#ifndef BENCH_CLIENT_H
#define BENCH_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "chat/common/auth.h"
#include "bench.h"

struct lws_context;
struct bench_conn;
struct bench_load;

#define BENCH_SOURCES_MAX 64

struct bench_client {
	const struct bench_opts *opts; /* borrowed */
	struct bench_share share;
	uv_loop_t loop;
	struct lws_context *ctx;
	struct auth_config auth;
	struct bench_conn *conns; /* owned; customers first, then agents */
	unsigned n_conns, n_customers;
	unsigned stage_end; /* setup starts conns below this index */
	unsigned next;	    /* next conn to start */
	unsigned in_setup;  /* started, not yet ready or failed */
	unsigned ok, failed;
	bool setup_done;
	uint64_t setup_start_ns, setup_end_ns;
	uint64_t last_rx_ns; /* when any connection last got a frame */
	uv_timer_t pump, setup_limit, quiet;
	uv_poll_t cmd_poll;
	int cmd_fd, report_fd;
	unsigned char *wbuf; /* LWS_PRE + wbuf_cap bytes, shared by writes */
	size_t wbuf_cap;
	char *tbuf; /* tbuf_cap bytes: one frame's payload being built */
	size_t tbuf_cap;
	uint32_t mask_seed;	  /* xorshift state for frame masks */
	struct bench_conn *dirty; /* conns with frames to write this round */
	uv_check_t flush_check;
	uv_idle_t flush_idle;
	struct bench_tally tally; /* since the last report */
	struct bench_load *load;  /* owned */
	char sources[BENCH_SOURCES_MAX][16];
};

/*
 * Runs one worker: connects its share of connections, reports READY, then
 * runs the load phases the parent commands until BENCH_CMD_QUIT. Returns
 * the process exit status.
 */
int bench_client_run(const struct bench_opts *o, const struct bench_share *s,
		     int cmd_fd, int report_fd);

/* A fresh token for c's identity (unique per run); heap string or NULL. */
char *bench_client_token(struct bench_client *cl, const struct bench_conn *c);
/* Writes r (with the tally since the last report) to the parent. */
void bench_client_report(struct bench_client *cl, struct bench_report *r);
void bench_client_note(struct bench_client *cl, const char *what);

/* c has frames to write: bench_conn_flush(c) runs before the loop next
 * blocks. */
void bench_client_mark(struct bench_client *cl, struct bench_conn *c);

/* Events from connections. */
void bench_client_on_frame(struct bench_client *cl);
void bench_client_on_ready(struct bench_client *cl, struct bench_conn *c);
void bench_client_on_failed(struct bench_client *cl, struct bench_conn *c,
			    const char *why);
void bench_client_on_ack(struct bench_client *cl, struct bench_conn *c,
			 uint64_t stamp_ns);
void bench_client_on_refused(struct bench_client *cl, struct bench_conn *c,
			     uint64_t stamp_ns);
void bench_client_on_delivery(struct bench_client *cl, struct bench_conn *c,
			      uint64_t stamp_ns);
void bench_client_on_echo(struct bench_client *cl, struct bench_conn *c,
			  uint64_t stamp_ns);

#endif
