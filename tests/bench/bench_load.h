/*
 * bench_load: the two load phases of a worker, over its ready customers.
 * Throughput: every customer keeps opts.inflight sends unanswered (a new
 * send per ack) as fast as the server allows. Latency: customers send at a
 * fixed total rate, paced by a 1 ms timer with staggered start offsets,
 * whatever the server does. Both warm up, count acks (stored) and agent
 * deliveries (relayed) in a measured window, record send->delivery and
 * send->ack latencies of the window's messages, then drain and report.
 */
#ifndef BENCH_LOAD_H
#define BENCH_LOAD_H

#include <stdint.h>

struct bench_client;
struct bench_conn;
struct bench_load;

enum bench_mode { BENCH_LOAD_THROUGHPUT, BENCH_LOAD_LATENCY };

/* Returns the load of cl's worker; it lives as long as the worker process
 * (workers end with _exit), so there is no destroy. */
struct bench_load *bench_load_create(struct bench_client *cl);

/* Starts a phase; its report goes to the parent when it ends. A phase
 * already running is left alone (returns -1). */
int bench_load_start(struct bench_load *l, enum bench_mode mode);

void bench_load_on_ack(struct bench_load *l, struct bench_conn *c,
		       uint64_t stamp_ns);
void bench_load_on_refused(struct bench_load *l, struct bench_conn *c,
			   uint64_t stamp_ns);
void bench_load_on_delivery(struct bench_load *l, uint64_t stamp_ns);
void bench_load_on_echo(struct bench_load *l);

/* CLOCK_MONOTONIC in nanoseconds: the send stamps' clock. */
uint64_t bench_load_clock_ns(void);

#endif
