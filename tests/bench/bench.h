/*
 * bench: what the parts of chatd-bench share: the options, the counters a
 * worker keeps, and the report a worker process writes to its parent
 * through a pipe (a plain struct: parent and workers are one binary,
 * forked). No code lives behind this header.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bench_stats.h"

/* One process holds about 19.9k descriptors; leave room for lws's own. */
#define BENCH_WORKER_CONNS_MAX 10000
/* Bytes of frames one connection writes at once, past the first frame. */
#define BENCH_WRITE_BATCH (64 * 1024)

#define BENCH_REDIS_MAX 16

struct bench_opts {
	const char *host;
	int port;
	unsigned pairs;
	unsigned idle;
	bool idle_watch; /* idle customers also open and watch a conv */
	double warmup_s;
	double duration_s;    /* throughput window; 0 skips the phase */
	double latency_s;     /* latency window; 0 skips the phase */
	double rate;	      /* latency phase: messages/s over all pairs */
	unsigned inflight;    /* throughput: unacked sends per customer */
	unsigned text_size;   /* bytes of message text */
	unsigned workers;     /* client processes for the pairs */
	unsigned sources;     /* source addresses 127.0.0.2..; 0: any */
	unsigned batch;	      /* handshakes in progress per worker */
	double settle_s;      /* idle: wait before reading the RSS */
	double setup_limit_s; /* give up on connections after this */
	bool trace;	      /* workers print a line per second */
	pid_t server_pid;
	pid_t redis_pids[BENCH_REDIS_MAX]; /* a cluster's processes: summed */
	unsigned n_redis_pids;
	const char *keys; /* kid:hex[,kid:hex]; borrowed */
	const char *label;
	unsigned run_id; /* makes user ids unique per run */
};

/* What one worker process does. */
struct bench_share {
	unsigned worker;
	unsigned idle;
	unsigned pairs;
	double rate; /* this worker's part of opts.rate */
};

struct bench_counts {
	uint64_t sent;	  /* send frames queued */
	uint64_t acked;	  /* stored: acks for sends */
	uint64_t relayed; /* message events at the agents */
	uint64_t echoed;  /* message events back at the sending customer */
	uint64_t refused; /* error replies to sends */
	uint64_t dropped; /* latency phase: client queue full, not sent */
};

enum bench_cmd { BENCH_CMD_THROUGHPUT = 1, BENCH_CMD_LATENCY, BENCH_CMD_QUIT };

enum bench_report_kind {
	BENCH_REPORT_READY = 1,
	BENCH_REPORT_THROUGHPUT,
	BENCH_REPORT_LATENCY
};

struct bench_report {
	enum bench_report_kind kind;
	unsigned worker;
	unsigned conns_ok, conns_failed;
	double setup_s;
	double quiet_s;	 /* after setup, until the server fell silent */
	double window_s; /* measured window of a load phase */
	double cpu_s;	 /* this worker's CPU time in the window */
	struct bench_counts counts; /* within the window */
	uint64_t window_sent;	    /* sends stamped inside the window */
	uint64_t window_missing;    /* of those, never delivered */
	struct bench_tally tally;   /* failures since the previous report */
	struct bench_hist delivery; /* send -> event at the agent */
	struct bench_hist ack;	    /* send -> ack at the customer */
};

#endif
