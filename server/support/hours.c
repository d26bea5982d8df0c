/*
 * hours: when a tier's chat is open, in the policy's support time zone.
 * Local time comes from the system's zoneinfo through the C library: the
 * process's TZ is pointed at the zone file for the length of one call and
 * then put back, so these functions are not for threads that read local
 * time concurrently (chatd's loop is single-threaded and logs in UTC).
 * Not the place for the policy's contents (policy.c).
 */
#include "chat/support/hours.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ZONEINFO "/usr/share/zoneinfo/"
#define DAY_S 86400
/* Consecutive closed days searched for the next opening: every holiday
 * plus the weekends among them fit many times over. */
#define SEARCH_DAYS 1000

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Days since 1970-01-01 of a proleptic Gregorian date (m 1..12). */
static int32_t days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int hours_parse_date(const char *s, int32_t *day)
{
	static const int month_days[] = {31, 28, 31, 30, 31, 30,
					 31, 31, 30, 31, 30, 31};
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1970 || m < 1 || m > 12 || d < 1 ||
	    d > month_days[m - 1] + (m == 2 && is_leap(y)))
		return -1;
	*day = days_from_civil(y, m, d);
	return 0;
}

bool hours_tz_valid(const char *tz)
{
	char path[sizeof(ZONEINFO) + POLICY_TZ_MAX];
	char magic[4];
	struct stat st;
	size_t n;
	int fd;
	bool ok;

	if (!tz)
		return false;
	if (strcmp(tz, "UTC") == 0)
		return true;
	n = strlen(tz);
	if (n < 1 || n > POLICY_TZ_MAX || tz[0] == '/' || strstr(tz, "..") ||
	    strspn(tz, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		       "0123456789_+-/") != n)
		return false;
	snprintf(path, sizeof(path), ZONEINFO "%s", tz);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	/* a zone file, not one of the tables beside them */
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	     read(fd, magic, 4) == 4 && memcmp(magic, "TZif", 4) == 0;
	close(fd);
	return ok;
}

/* The process's TZ while a call looks at local time in one zone. */
struct zone_switch {
	char *saved; /* owned; NULL when TZ was unset */
};

/* Points TZ at tz (an invalid one is UTC) until zone_leave. */
static void zone_enter(struct zone_switch *z, const char *tz)
{
	char value[sizeof(ZONEINFO) + POLICY_TZ_MAX + 1];
	const char *old = getenv("TZ");

	z->saved = old ? strdup(old) : NULL;
	if (tz && strcmp(tz, "UTC") != 0 && hours_tz_valid(tz))
		snprintf(value, sizeof(value), ":" ZONEINFO "%s", tz);
	else
		snprintf(value, sizeof(value), "UTC0");
	setenv("TZ", value, 1);
	tzset();
}

static void zone_leave(struct zone_switch *z)
{
	if (z->saved)
		setenv("TZ", z->saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(z->saved);
}

/* The local date of t (days since 1970-01-01), in the zone entered; out
 * (may be NULL) gets the whole local time. */
static int32_t local_day(int64_t t, struct tm *out)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm))
		memset(&tm, 0, sizeof(tm));
	if (out)
		*out = tm;
	return days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* The first second whose local date is day, in the zone entered: local
 * midnight, or the end of a gap that swallowed it, or the first of two
 * midnights when the clock went back over it. */
static int64_t day_start(int32_t day)
{
	/* UTC offsets stay within a day: the date at lo is before day and the
	 * date at hi is day or later */
	int64_t lo = ((int64_t)day - 2) * DAY_S,
		hi = ((int64_t)day + 2) * DAY_S;

	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;

		if (local_day(mid, NULL) >= day)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

static bool is_holiday(const struct policy *p, int32_t day)
{
	for (unsigned i = 0; i < p->n_holidays; i++)
		if (p->holidays[i] == day)
			return true;
	return false;
}

static bool day_open(const struct policy *p, int32_t day, int wday)
{
	return wday >= 1 && wday <= 5 && !is_holiday(p, day);
}

static int weekday_of(int32_t day)
{
	return (int)((((int64_t)day % 7) + 11) % 7); /* 1970-01-01: Thursday */
}

/* The local day last looked up, from its first ms to the next day's:
 * most calls ask about the same day, and then the zone file is not read. */
static struct {
	char tz[POLICY_TZ_MAX + 1];
	int64_t from_ms, until_ms;
	int32_t day;
} last_day = {"", 0, 0, 0};

/* The local date in tz at now_ms. */
static int32_t day_at(const char *tz, int64_t now_ms)
{
	struct zone_switch z;
	int64_t from, until;
	int32_t day;

	if (strcmp(last_day.tz, tz) == 0 && now_ms >= last_day.from_ms &&
	    now_ms < last_day.until_ms)
		return last_day.day;
	zone_enter(&z, tz);
	day = local_day(floor_div(now_ms, 1000), NULL);
	from = day_start(day) * 1000;
	until = day_start(day + 1) * 1000;
	zone_leave(&z);
	/* where the clock went back over midnight, dates are not in order:
	 * keep only a day that holds now_ms */
	if (from <= now_ms && now_ms < until && strlen(tz) <= POLICY_TZ_MAX) {
		snprintf(last_day.tz, sizeof(last_day.tz), "%s", tz);
		last_day.from_ms = from;
		last_day.until_ms = until;
		last_day.day = day;
	}
	return day;
}

bool hours_chat_open(const struct policy *p, enum auth_tier tier,
		     int64_t now_ms)
{
	int32_t day;

	if ((unsigned)tier >= AUTH_TIER__COUNT)
		return false;
	if (p->tiers[tier].chat_hours == POLICY_HOURS_24X7)
		return true;
	day = day_at(p->support_tz, now_ms);
	return day_open(p, day, weekday_of(day));
}

int64_t hours_next_open(const struct policy *p, enum auth_tier tier,
			int64_t now_ms)
{
	struct zone_switch z;
	int64_t at = -1;
	int32_t day;

	if ((unsigned)tier >= AUTH_TIER__COUNT)
		return -1;
	if (p->tiers[tier].chat_hours == POLICY_HOURS_24X7)
		return now_ms;
	day = day_at(p->support_tz, now_ms);
	if (day_open(p, day, weekday_of(day)))
		return now_ms;
	for (int32_t d = day + 1; d <= day + SEARCH_DAYS; d++)
		if (day_open(p, d, weekday_of(d))) {
			zone_enter(&z, p->support_tz);
			at = day_start(d) * 1000;
			zone_leave(&z);
			break;
		}
	return at;
}

int hours_format(int64_t at_ms, const char *tz, char *buf, size_t cap)
{
	static const char *const days[] = {"Sunday",	"Monday",   "Tuesday",
					   "Wednesday", "Thursday", "Friday",
					   "Saturday"};
	static const char *const months[] = {"January", "February", "March",
					     "April",	"May",	    "June",
					     "July",	"August",   "September",
					     "October", "November", "December"};
	struct zone_switch z;
	struct tm tm;
	int n;

	if (!tz || !hours_tz_valid(tz))
		tz = "UTC";
	zone_enter(&z, tz);
	local_day(floor_div(at_ms, 1000), &tm);
	zone_leave(&z);
	n = snprintf(buf, cap, "%s %d %s %d, %02d:%02d (%s)", days[tm.tm_wday],
		     tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
		     tm.tm_hour, tm.tm_min, tz);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}
