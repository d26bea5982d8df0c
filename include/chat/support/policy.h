/*
 * policy: the support packages as data. Loads and validates the policy
 * file (JSON: chat hours, queue class, tickets, emergency on-call, scope
 * of support per tier; the classes, scopes, topics and skills, dedicated
 * engineers, routing timings). Pure: no I/O beyond reading the file (and
 * the zone file its time zone names), no clock (callers pass the time).
 */
#ifndef CHAT_SUPPORT_POLICY_H
#define CHAT_SUPPORT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chat/common/auth.h"

#define POLICY_KEY_MAX 32
#define POLICY_LABEL_MAX 100
#define POLICY_TZ_MAX 64
#define POLICY_MAX_CLASSES 8
#define POLICY_MAX_SCOPES 8
#define POLICY_MAX_TOPICS 64
#define POLICY_MAX_HOLIDAYS 128
#define POLICY_MAX_DEDICATED 64 /* organizations with dedicated engineers */
#define POLICY_MAX_ENGINEERS 16 /* per organization */

enum policy_hours { POLICY_HOURS_24X7, POLICY_HOURS_24X5 };

struct policy_class {
	char key[POLICY_KEY_MAX + 1], label[POLICY_LABEL_MAX + 1];
};

struct policy_scope {
	char key[POLICY_KEY_MAX + 1], label[POLICY_LABEL_MAX + 1];
	char covers[256];
};

/* Tickets or emergency on-call: absent (none), or hours and a response
 * target in seconds. */
struct policy_target {
	bool offered;
	enum policy_hours hours;
	long response_s;
};

struct policy_tier {
	enum policy_hours chat_hours;
	unsigned class_rank; /* index into classes, 0 = best */
	unsigned scope;	     /* index into scopes */
	struct policy_target tickets, emergency;
	char professional_services[POLICY_LABEL_MAX + 1];
};

struct policy_topic {
	char key[POLICY_KEY_MAX + 1], label[POLICY_LABEL_MAX + 1];
	unsigned scope;			/* index into scopes */
	char skill[POLICY_KEY_MAX + 1]; /* "" = any agent */
};

struct policy_dedicated {
	char org[PROTO_USER_ID_MAX + 1];
	char engineers[POLICY_MAX_ENGINEERS][PROTO_USER_ID_MAX + 1];
	unsigned n_engineers;
};

struct policy {
	char support_tz[POLICY_TZ_MAX + 1];
	int32_t holidays[POLICY_MAX_HOLIDAYS]; /* days since 1970-01-01 */
	unsigned n_holidays;
	long aging_bound_ms, offer_timeout_ms, dedicated_delay_ms,
		presence_grace_ms, service_window_ms;
	struct policy_class classes[POLICY_MAX_CLASSES];
	unsigned n_classes;
	struct policy_scope scopes[POLICY_MAX_SCOPES];
	unsigned n_scopes;
	struct policy_tier tiers[AUTH_TIER__COUNT]; /* by enum auth_tier */
	struct policy_topic topics[POLICY_MAX_TOPICS];
	unsigned n_topics;
	struct policy_dedicated dedicated[POLICY_MAX_DEDICATED];
	unsigned n_dedicated;
};

/* Fills p with the built-in defaults (the shipped deploy/support-policy.json
 * values). */
void policy_defaults(struct policy *p);
/* Loads and validates the file at path into p. Returns 0, or -1 with one
 * line naming the file and the offending member in err (cap bytes), e.g.
 * "policy FILE: tiers.gold.chat.class: no class named \"x\""; p is then
 * unspecified. Every member listed in deploy/support-policy.json is
 * required except holidays, dedicated, a scope's covers and a topic's
 * skill; tickets and emergency are null when not offered; unknown members
 * are refused. */
int policy_load(struct policy *p, const char *path, char *err, size_t cap);
/* The same from JSON text of len bytes (what policy_load reads); the
 * error line starts "policy: " instead of naming a file. */
int policy_parse(struct policy *p, const char *json, size_t len, char *err,
		 size_t cap);

/* The topic with this key, or NULL. */
const struct policy_topic *policy_topic(const struct policy *p,
					const char *key);
/* True when the topic is within the tier's scope of support (no topic,
 * NULL, is within every scope). */
bool policy_in_scope(const struct policy *p, enum auth_tier tier,
		     const struct policy_topic *t);
/* The organization's dedicated engineers, or NULL when it has none. */
const struct policy_dedicated *policy_dedicated_of(const struct policy *p,
						   const char *org);
/* "24x7" or "24x5". */
const char *policy_hours_str(enum policy_hours h);

#endif
