/*
 * bench_print: chatd-bench's output: one table section per phase, with the
 * project's goals beside the numbers, a RESULT line per phase and PROBLEM
 * lines for scripts/bench. Formatting only: no measuring here.
 */
#ifndef BENCH_PRINT_H
#define BENCH_PRINT_H

#include <stdint.h>

#include "bench.h"

/* A load phase summed over the workers. */
struct bench_phase {
	enum bench_report_kind kind;
	unsigned workers_reported;
	double window_s;
	double stored, relayed, sent, echoed; /* per second */
	uint64_t refused, dropped, window_sent, missing;
	double client_cpu, server_cpu, redis_cpu; /* percent of one core */
	double machine_cpu;			  /* all processes, all cores */
	struct bench_hist delivery, ack;
	struct bench_tally tally;
};

void bench_print_idle(const struct bench_opts *o, unsigned ok, unsigned failed,
		      double setup_s, long rss_before_kb, long rss_after_kb);
void bench_print_throughput(const struct bench_opts *o,
			    const struct bench_phase *ph);
void bench_print_latency(const struct bench_opts *o,
			 const struct bench_phase *ph);
/* Prints each tallied problem, as a table line and a PROBLEM line. */
void bench_print_tally(const struct bench_tally *t);

#endif
