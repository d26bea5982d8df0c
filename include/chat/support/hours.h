/*
 * hours: when a tier's chat is open. 24x7 is always open; 24x5 is Monday
 * 00:00 to Friday 24:00 in the policy's support time zone, closed all day
 * on its holidays. Every function takes the time as an argument (UTC ms),
 * so tests inject any clock. Time zones are IANA names read from the
 * system's zoneinfo.
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
/* True when tz names a time zone this system knows ("UTC" always). */
bool hours_tz_valid(const char *tz);
/* Writes at_ms as local time in tz, "Monday 2 December 2026, 09:00
 * (Europe/Paris)", into buf of cap bytes; an unknown or empty tz is taken as
 * UTC. Returns the length, or -1 when it does not fit. */
int hours_format(int64_t at_ms, const char *tz, char *buf, size_t cap);

#endif
