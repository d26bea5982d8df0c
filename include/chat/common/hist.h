/*
 * hist: a fixed-size histogram of durations in milliseconds, for
 * quantiles good to 1 % of the value: 1 ms steps below 100 ms, 10 ms
 * below 1 s, 100 ms below 10 s, 1 s below a minute, and one bucket for
 * anything longer.
 */
#ifndef CHAT_HIST_H
#define CHAT_HIST_H

#include <stdint.h>

#define HIST_BUCKETS 331

struct hist {
	uint64_t n;
	uint32_t counts[HIST_BUCKETS];
};

void hist_add(struct hist *h, int64_t ms);
/* The smallest bucket bound at or under which a fraction q (0 < q <= 1)
 * of the samples lie: a value in ms; 0 when empty, -1 when past a
 * minute. */
int64_t hist_quantile(const struct hist *h, double q);

#endif
