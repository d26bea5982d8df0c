/*
 * queue: the arithmetic of the waiting queue, the same on every node:
 * the score a waiting conversation is ordered by, and the estimated wait.
 */
#ifndef CHAT_SUPPORT_QUEUE_H
#define CHAT_SUPPORT_QUEUE_H

#include <stdint.h>

#include "chat/support/policy.h"

/* A conversation of class rank (0 = best) that arrived at enqueued_ms:
 * enqueued_ms minus the class's head start, (n_classes - 1 - rank) /
 * (n_classes - 1) of the aging bound. Lower is served first; no
 * conversation is passed by one that arrived more than the aging bound
 * after it. With one class, or a rank past the last class, no head start. */
int64_t queue_score(const struct policy *p, unsigned rank, int64_t enqueued_ms);
/* The estimated wait at position (1 = next) when served conversations of
 * the class were served in the policy's service window: position times the
 * mean interval. -1 (unknown) when served is 0. */
int64_t queue_eta_ms(const struct policy *p, unsigned position,
		     unsigned served);

#endif
