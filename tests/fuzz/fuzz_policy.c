/*
 * fuzz_policy: libFuzzer target for policy_parse() on any input. A refused
 * input must leave one line starting "policy: "; an accepted one must
 * hold only what policy.h allows (indexes within their lists, durations
 * within range, a known time zone), and its chat hours must agree with
 * themselves: every tier opens at the time hours_next_open names.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chat/support/hours.h"
#include "chat/support/policy.h"
#include "chat/support/queue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c))                                                      \
			abort();                                               \
	} while (0)

/* 2026-12-05T12:00:00Z, a Saturday */
#define NOW INT64_C(1796472000000)

static void check_accepted(const struct policy *p)
{
	CHECK(p->n_classes >= 1 && p->n_classes <= POLICY_MAX_CLASSES);
	CHECK(p->n_scopes >= 1 && p->n_scopes <= POLICY_MAX_SCOPES);
	CHECK(p->n_topics >= 1 && p->n_topics <= POLICY_MAX_TOPICS);
	CHECK(p->n_holidays <= POLICY_MAX_HOLIDAYS);
	CHECK(p->n_dedicated <= POLICY_MAX_DEDICATED);
	CHECK(hours_tz_valid(p->support_tz));
	CHECK(p->offer_timeout_ms >= 1000 && p->presence_grace_ms >= 1000);
	CHECK(p->aging_bound_ms >= 0 && p->service_window_ms >= 1000);
	for (unsigned i = 0; i < p->n_topics; i++) {
		CHECK(p->topics[i].scope < p->n_scopes);
		CHECK(policy_topic(p, p->topics[i].key) == &p->topics[i]);
	}
	for (unsigned i = 0; i < p->n_dedicated; i++) {
		CHECK(p->dedicated[i].n_engineers >= 1);
		CHECK(policy_dedicated_of(p, p->dedicated[i].org) ==
		      &p->dedicated[i]);
	}
	for (unsigned t = 0; t < AUTH_TIER__COUNT; t++) {
		const struct policy_tier *tier = &p->tiers[t];
		int64_t next = hours_next_open(p, t, NOW);

		CHECK(tier->class_rank < p->n_classes);
		CHECK(tier->scope < p->n_scopes);
		CHECK(next >= NOW);
		CHECK(hours_chat_open(p, t, next));
		CHECK(next == NOW || !hours_chat_open(p, t, next - 1));
		CHECK(queue_score(p, tier->class_rank, NOW) <= NOW);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy p;
	char err[256];

	if (policy_parse(&p, (const char *)data, size, err, sizeof(err))) {
		CHECK(strncmp(err, "policy: ", 8) == 0);
		CHECK(strchr(err, '\n') == NULL);
		return 0;
	}
	check_accepted(&p);
	return 0;
}
