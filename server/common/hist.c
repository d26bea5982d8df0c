/* hist: log-linear buckets; see hist.h. */
#include "chat/common/hist.h"

/* (limit, step): buckets of `step` ms up to `limit` ms. */
static const int64_t tiers[][2] = {
	{100, 1}, {1000, 10}, {10000, 100}, {60000, 1000}};
#define TIERS (sizeof(tiers) / sizeof(tiers[0]))

static unsigned bucket_of(int64_t ms)
{
	unsigned base = 0;
	int64_t from = 0;

	if (ms < 0)
		ms = 0;
	for (unsigned i = 0; i < TIERS; i++) {
		if (ms < tiers[i][0])
			return base + (unsigned)((ms - from) / tiers[i][1]);
		base += (unsigned)((tiers[i][0] - from) / tiers[i][1]);
		from = tiers[i][0];
	}
	return HIST_BUCKETS - 1;
}

/* The upper bound of bucket b, in ms; -1 for the last. */
static int64_t bound_of(unsigned b)
{
	int64_t from = 0;

	for (unsigned i = 0; i < TIERS; i++) {
		unsigned n = (unsigned)((tiers[i][0] - from) / tiers[i][1]);

		if (b < n)
			return from + (int64_t)(b + 1) * tiers[i][1];
		b -= n;
		from = tiers[i][0];
	}
	return -1;
}

void hist_add(struct hist *h, int64_t ms)
{
	h->counts[bucket_of(ms)]++;
	h->n++;
}

int64_t hist_quantile(const struct hist *h, double q)
{
	uint64_t want, seen = 0;

	if (h->n == 0)
		return 0;
	want = (uint64_t)(q * (double)h->n + 0.999999);
	if (want == 0)
		want = 1;
	for (unsigned b = 0; b < HIST_BUCKETS; b++) {
		seen += h->counts[b];
		if (seen >= want)
			return bound_of(b);
	}
	return -1;
}
