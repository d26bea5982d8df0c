/* rate: the token bucket with a flood count, in cost units. */
#include "rate.h"

void rate_init(struct rate *r, long burst, int64_t now_ms)
{
	r->tokens = (float)burst;
	r->refused = 0;
	r->at_ms = (uint32_t)now_ms;
	r->refusing = false;
}

static void refill(struct rate *r, long rate, long burst, int64_t now_ms)
{
	int32_t elapsed = (int32_t)((uint32_t)now_ms - r->at_ms);
	float gained = (float)((double)elapsed * (double)rate / 1000.0);

	if (elapsed <= 0)
		return;
	r->tokens += gained;
	if (r->tokens > (float)burst)
		r->tokens = (float)burst;
	r->refused -= gained;
	if (r->refused < 0)
		r->refused = 0;
	r->at_ms = (uint32_t)now_ms;
}

enum rate_verdict rate_admit(struct rate *r, long rate, long burst,
			     int64_t now_ms)
{
	refill(r, rate, burst, now_ms);
	if (r->tokens >= 1.0f) {
		r->tokens -= 1.0f; /* every frame costs one, even a bad one */
		r->refusing = false;
		return RATE_OK;
	}
	r->refused += 1.0f;
	if (r->refused > (float)burst)
		return RATE_FLOOD;
	if (r->refusing)
		return RATE_DROP;
	r->refusing = true;
	return RATE_REFUSE;
}

void rate_charge(struct rate *r, unsigned cost)
{
	if (cost > 1)
		r->tokens -= (float)(cost - 1);
}

int64_t rate_retry_after_ms(const struct rate *r, long rate)
{
	double missing = 1.0 - (double)r->tokens;

	if (missing <= 0)
		return 0;
	return (int64_t)(missing * 1000.0 / (double)rate) + 1;
}
