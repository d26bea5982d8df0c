/*
 * queue: the waiting queue's arithmetic, the same on every node. A class
 * of rank r gets a head start of (n - 1 - r) / (n - 1) of the aging
 * bound, so the best class starts a whole bound ahead and the last none;
 * within the bound the class decides, beyond it the arrival time. Not the
 * place for the queue itself (Redis, {r}:board).
 */
#include "chat/support/queue.h"

int64_t queue_score(const struct policy *p, unsigned rank, int64_t enqueued_ms)
{
	int64_t steps;

	if (p->n_classes < 2 || rank >= p->n_classes)
		return enqueued_ms;
	steps = (int64_t)(p->n_classes - 1 - rank);
	return enqueued_ms -
	       steps * (int64_t)p->aging_bound_ms / (int64_t)(p->n_classes - 1);
}

int64_t queue_eta_ms(const struct policy *p, unsigned position, unsigned served)
{
	if (served == 0)
		return -1;
	return (int64_t)position * (int64_t)p->service_window_ms /
	       (int64_t)served;
}
