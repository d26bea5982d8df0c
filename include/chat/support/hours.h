/*
 * hours: when a tier's chat is open. 24x7 is always open; 24x5 is Monday
 * 00:00 to Friday 24:00 in the policy's support time zone, closed all day
 * on its holidays. Every function takes the time as an argument (UTC ms),
 * so tests inject any clock. Time zones are IANA names read from the
 * system's zoneinfo. Each call sets the process's TZ for its duration and
 * restores it: not for threads that use local time concurrently.
 */
#ifndef CHAT_SUPPORT_HOURS_H
#define CHAT_SUPPORT_HOURS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chat/support/policy.h"

/* True when chat for tier is open at now_ms. */
bool hours_chat_open(const struct policy *p, enum auth_tier tier,
		     int64_t now_ms);
/* The next time (UTC ms, >= now_ms) chat for tier is open: now_ms when it
 * is open now; -1 when it never opens (cannot happen with a valid policy). */
int64_t hours_next_open(const struct policy *p, enum auth_tier tier,
			int64_t now_ms);
/* True when tz names a time zone this system knows ("UTC" always): a name
 * of A-Z a-z 0-9 _ + - / (at most POLICY_TZ_MAX bytes, no "..", not
 * starting with '/') of a zone file under /usr/share/zoneinfo. */
bool hours_tz_valid(const char *tz);
/* Writes at_ms as local time in tz, "Monday 2 December 2026, 09:00
 * (Europe/Paris)", into buf of cap bytes; an unknown or empty tz is taken as
 * UTC. Returns the length, or -1 when it does not fit. */
int hours_format(int64_t at_ms, const char *tz, char *buf, size_t cap);
/* Parses a date "YYYY-MM-DD" (1970 or later) into days since 1970-01-01.
 * Returns 0, or -1 when s is not such a date (2027-02-29 is not). */
int hours_parse_date(const char *s, int32_t *day);

#endif
