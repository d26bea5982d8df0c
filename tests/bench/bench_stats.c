/*
 * bench_stats: latency histogram and failure tally (see bench_stats.h).
 */
#include "bench_stats.h"

#include <stdio.h>
#include <string.h>

/* Bucket of a value: exact below BENCH_HIST_EXACT, then the top 9 bits. */
static unsigned bucket_of(uint64_t us)
{
	unsigned msb, shift, octave;

	if (us < BENCH_HIST_EXACT)
		return (unsigned)us;
	msb = 63u - (unsigned)__builtin_clzll(us);
	shift = msb - 8; /* keeps 9 significant bits: 256..511 */
	octave = shift - 1;
	if (octave >= BENCH_HIST_OCTAVES)
		return BENCH_HIST_BUCKETS - 1;
	return BENCH_HIST_EXACT + octave * BENCH_HIST_SUB +
	       (unsigned)((us >> shift) - BENCH_HIST_SUB);
}

/* The middle of a bucket's range. */
static uint64_t bucket_value(unsigned b)
{
	unsigned octave, shift;
	uint64_t low;

	if (b < BENCH_HIST_EXACT)
		return b;
	octave = (b - BENCH_HIST_EXACT) / BENCH_HIST_SUB;
	shift = octave + 1;
	low = (uint64_t)((b - BENCH_HIST_EXACT) % BENCH_HIST_SUB +
			 BENCH_HIST_SUB)
	      << shift;
	return low + ((1ull << shift) >> 1);
}

void bench_hist_record(struct bench_hist *h, uint64_t us)
{
	h->buckets[bucket_of(us)]++;
	h->count++;
	if (us > h->max_us)
		h->max_us = us;
}

void bench_hist_merge(struct bench_hist *into, const struct bench_hist *from)
{
	for (unsigned i = 0; i < BENCH_HIST_BUCKETS; i++)
		into->buckets[i] += from->buckets[i];
	into->count += from->count;
	if (from->max_us > into->max_us)
		into->max_us = from->max_us;
}

uint64_t bench_hist_quantile(const struct bench_hist *h, double q)
{
	uint64_t rank, seen = 0;

	if (!h->count)
		return 0;
	rank = (uint64_t)(q * (double)h->count + 0.999999);
	if (rank < 1)
		rank = 1;
	for (unsigned i = 0; i < BENCH_HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= rank) {
			uint64_t v = bucket_value(i);

			return v < h->max_us ? v : h->max_us;
		}
	}
	return h->max_us;
}

void bench_tally_add(struct bench_tally *t, const char *what, uint64_t n)
{
	char key[BENCH_TALLY_WHAT];

	snprintf(key, sizeof(key), "%s", what);
	for (unsigned i = 0; i < t->n; i++) {
		if (strcmp(t->items[i].what, key) == 0) {
			t->items[i].count += n;
			return;
		}
	}
	if (t->n == BENCH_TALLY_MAX) {
		t->other += n;
		return;
	}
	memcpy(t->items[t->n].what, key, sizeof(key));
	t->items[t->n].count = n;
	t->n++;
}

void bench_tally_merge(struct bench_tally *into, const struct bench_tally *from)
{
	for (unsigned i = 0; i < from->n; i++)
		bench_tally_add(into, from->items[i].what,
				from->items[i].count);
	into->other += from->other;
}

uint64_t bench_tally_total(const struct bench_tally *t)
{
	uint64_t n = t->other;

	for (unsigned i = 0; i < t->n; i++)
		n += t->items[i].count;
	return n;
}
