/*
 * rate: one connection's request budget, a token bucket in cost units
 * (the Redis work a request causes, see cmd_cost()). A frame is admitted
 * before it is decoded when at least one unit is left, and pays one; the
 * rest of its cost is charged once it is decoded, so a costly request puts the
 * bucket in debt and the frames after it wait. Refused frames are counted, and
 * the count drains at the refill rate: a client that keeps sending faster than
 * the rate allows is a flood, whatever it sends in between. Pure: time comes in
 * as monotonic milliseconds.
 */
#ifndef CHAT_RATE_H
#define CHAT_RATE_H

#include <stdbool.h>
#include <stdint.h>

enum rate_verdict {
	RATE_OK,     /* decode and run the frame */
	RATE_REFUSE, /* first refusal of an episode: tell the client */
	RATE_DROP,   /* refused again: drop it without an answer */
	RATE_FLOOD,  /* refused more than the burst: close the connection */
};

struct rate {
	float tokens;	/* may go below zero after a costly request */
	float refused;	/* refused frames, draining at the rate */
	uint32_t at_ms; /* monotonic, low 32 bits: only differences count */
	bool refusing;	/* an episode of refusals is under way */
};

void rate_init(struct rate *r, long burst, int64_t now_ms);
enum rate_verdict rate_admit(struct rate *r, long rate, long burst,
			     int64_t now_ms);
/* Charges the rest of an admitted frame's cost in units (admitting it
 * took one). */
void rate_charge(struct rate *r, unsigned cost);
/* Milliseconds until one unit is available again (0 when it is). */
int64_t rate_retry_after_ms(const struct rate *r, long rate);

#endif
