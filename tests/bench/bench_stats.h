/*
 * bench_stats: the load client's measurements: a log-linear latency
 * histogram in microseconds (exact below 512 us, then 256 buckets per
 * power of two, so a percentile is off by at most 0.4%) and a tally of
 * named things that went wrong (error codes, close codes). Plain values
 * that a worker process can write down a pipe; no heap, no I/O.
 */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stdint.h>

#define BENCH_HIST_EXACT 512
#define BENCH_HIST_SUB 256
#define BENCH_HIST_OCTAVES 28
#define BENCH_HIST_BUCKETS                                                     \
	(BENCH_HIST_EXACT + BENCH_HIST_SUB * BENCH_HIST_OCTAVES)

struct bench_hist {
	uint64_t count;
	uint64_t max_us;
	uint64_t buckets[BENCH_HIST_BUCKETS];
};

#define BENCH_TALLY_MAX 16
#define BENCH_TALLY_WHAT 72

/* Counts per distinct message; what does not fit goes to `other`. */
struct bench_tally {
	unsigned n;
	uint64_t other;
	struct {
		char what[BENCH_TALLY_WHAT];
		uint64_t count;
	} items[BENCH_TALLY_MAX];
};

void bench_hist_record(struct bench_hist *h, uint64_t us);
void bench_hist_merge(struct bench_hist *into, const struct bench_hist *from);
/* Returns the latency at quantile q (0..1) in microseconds, never above the
 * largest recorded value; 0 for an empty histogram. */
uint64_t bench_hist_quantile(const struct bench_hist *h, double q);

/* Adds n to the count of what (truncated to fit). */
void bench_tally_add(struct bench_tally *t, const char *what, uint64_t n);
void bench_tally_merge(struct bench_tally *into,
		       const struct bench_tally *from);
uint64_t bench_tally_total(const struct bench_tally *t);

#endif
