/* Unit tests for chat hours: 24x5 in the support time zone, holidays,
 * the next opening across weekends, holidays and DST changes, zone names
 * and local formatting. Every time is injected (UTC instants). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chat/support/hours.h"
#include "chat/support/policy.h"

/* The UTC instant date (YYYY-MM-DD) hh:mm:ss, in ms. */
static int64_t utc(const char *date, int h, int m, int s)
{
	int32_t day;

	if (hours_parse_date(date, &day))
		fail_msg("bad date %s", date);
	return ((int64_t)day * 86400 + h * 3600 + m * 60 + s) * 1000;
}

static bool silver_open(const struct policy *p, int64_t t)
{
	return hours_chat_open(p, AUTH_TIER_SILVER, t);
}

static int64_t silver_next(const struct policy *p, int64_t t)
{
	return hours_next_open(p, AUTH_TIER_SILVER, t);
}

/* A copy of the defaults in zone tz with these holidays. */
static void policy_with(struct policy *p, const char *tz,
			const char *const *holidays, unsigned n)
{
	policy_defaults(p);
	snprintf(p->support_tz, sizeof(p->support_tz), "%s", tz);
	p->n_holidays = n;
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(hours_parse_date(holidays[i], &p->holidays[i]),
				 0);
}

/* New York is UTC-5 in December: Friday 4 December 2026 23:59 local is
 * 04:59 UTC on the 5th. */
static void test_weekend_closed_for_silver_open_for_gold(void **state)
{
	struct policy p;
	int64_t sat = utc("2026-12-05", 17, 0, 0),
		sun = utc("2026-12-06", 17, 0, 0);

	(void)state;
	policy_defaults(&p);
	assert_false(silver_open(&p, sat));
	assert_false(silver_open(&p, sun));
	for (unsigned t = AUTH_TIER_GOLD; t < AUTH_TIER__COUNT; t++) {
		assert_true(hours_chat_open(&p, t, sat));
		assert_true(hours_chat_open(&p, t, sun));
		assert_int_equal(hours_next_open(&p, t, sun), sun);
	}
	assert_true(silver_open(&p, utc("2026-12-02", 15, 0, 0)));
}

static void test_friday_midnight_closes_and_monday_midnight_opens(void **state)
{
	struct policy p;

	(void)state;
	policy_defaults(&p);
	assert_true(silver_open(&p, utc("2026-12-05", 4, 59, 0)));
	assert_true(silver_open(&p, utc("2026-12-05", 4, 59, 59) + 999));
	assert_false(silver_open(&p, utc("2026-12-05", 5, 0, 0)));
	assert_false(silver_open(&p, utc("2026-12-07", 4, 59, 59) + 999));
	assert_true(silver_open(&p, utc("2026-12-07", 5, 0, 0)));
}

static void test_next_open_after_the_weekend_is_monday_midnight(void **state)
{
	struct policy p;
	int64_t monday = utc("2026-12-07", 5, 0, 0);
	int64_t last_ms = utc("2026-12-05", 4, 59, 59) + 999;

	(void)state;
	policy_defaults(&p);
	/* still open in the last ms of Friday: it opens "now" */
	assert_int_equal(silver_next(&p, last_ms), last_ms);
	assert_int_equal(silver_next(&p, last_ms + 1), monday);
	assert_int_equal(silver_next(&p, utc("2026-12-06", 12, 0, 0)), monday);
	assert_int_equal(silver_next(&p, monday - 1), monday);
	assert_int_equal(silver_next(&p, monday), monday);
}

static void test_holiday_closed_all_day_and_reopens_after(void **state)
{
	struct policy p;
	/* Friday 25 December 2026: 00:00 to 24:00 New York time */
	int64_t start = utc("2026-12-25", 5, 0, 0);

	(void)state;
	policy_defaults(&p);
	assert_true(silver_open(&p, start - 1));
	assert_false(silver_open(&p, start));
	assert_false(silver_open(&p, utc("2026-12-25", 17, 0, 0)));
	assert_false(silver_open(&p, utc("2026-12-26", 4, 59, 59)));
	assert_true(hours_chat_open(&p, AUTH_TIER_GOLD, start));
	assert_int_equal(silver_next(&p, start), utc("2026-12-28", 5, 0, 0));
	/* Friday 1 January 2027 too */
	assert_int_equal(silver_next(&p, utc("2027-01-01", 12, 0, 0)),
			 utc("2027-01-04", 5, 0, 0));
}

static void test_monday_holiday_opens_tuesday(void **state)
{
	static const char *const days[] = {"2026-12-07"};
	struct policy p;

	(void)state;
	policy_with(&p, "America/New_York", days, 1);
	assert_false(silver_open(&p, utc("2026-12-07", 15, 0, 0)));
	assert_int_equal(silver_next(&p, utc("2026-12-05", 12, 0, 0)),
			 utc("2026-12-08", 5, 0, 0));
}

static void test_consecutive_holidays_are_skipped_together(void **state)
{
	/* Thursday to the next Tuesday: the weekend between them too */
	static const char *const days[] = {"2026-12-10", "2026-12-11",
					   "2026-12-14", "2026-12-15"};
	struct policy p;

	(void)state;
	policy_with(&p, "America/New_York", days, 4);
	assert_true(silver_open(&p, utc("2026-12-10", 4, 59, 59)));
	assert_int_equal(silver_next(&p, utc("2026-12-10", 5, 0, 0)),
			 utc("2026-12-16", 5, 0, 0));
}

static void test_the_same_instant_differs_by_zone(void **state)
{
	/* Sunday 21:00 in New York is Monday 11:00 in Tokyo */
	int64_t t = utc("2026-12-07", 2, 0, 0);
	static const char *const monday[] = {"2026-12-07"};
	struct policy ny, tokyo, utc_zone;

	(void)state;
	policy_with(&ny, "America/New_York", NULL, 0);
	policy_with(&tokyo, "Asia/Tokyo", NULL, 0);
	policy_with(&utc_zone, "UTC", NULL, 0);
	assert_false(silver_open(&ny, t));
	assert_true(silver_open(&tokyo, t));
	assert_true(silver_open(&utc_zone, t));
	assert_int_equal(silver_next(&ny, t), utc("2026-12-07", 5, 0, 0));
	/* Tokyo opened at Monday 00:00 local, 15:00 UTC on Sunday */
	assert_false(silver_open(&tokyo, utc("2026-12-06", 14, 59, 59)));
	assert_true(silver_open(&tokyo, utc("2026-12-06", 15, 0, 0)));
	/* a holiday is a whole day in the support zone, not in UTC */
	policy_with(&tokyo, "Asia/Tokyo", monday, 1);
	assert_false(silver_open(&tokyo, utc("2026-12-06", 15, 0, 0)));
	assert_true(silver_open(&tokyo, utc("2026-12-07", 15, 0, 0)));
}

static void test_dst_weekends_in_new_york(void **state)
{
	struct policy p;

	(void)state;
	policy_defaults(&p);
	/* clocks go forward on Sunday 14 March 2027: Friday closes at EST
	 * (UTC-5) midnight, Monday opens at EDT (UTC-4) midnight */
	assert_true(silver_open(&p, utc("2027-03-13", 4, 59, 59)));
	assert_false(silver_open(&p, utc("2027-03-13", 5, 0, 0)));
	assert_int_equal(silver_next(&p, utc("2027-03-13", 5, 0, 0)),
			 utc("2027-03-15", 4, 0, 0));
	assert_false(silver_open(&p, utc("2027-03-15", 3, 59, 59)));
	assert_true(silver_open(&p, utc("2027-03-15", 4, 0, 0)));
	/* and back on Sunday 7 November 2027: Friday closes at EDT midnight,
	 * Monday opens at EST midnight */
	assert_true(silver_open(&p, utc("2027-11-06", 3, 59, 59)));
	assert_false(silver_open(&p, utc("2027-11-06", 4, 0, 0)));
	assert_int_equal(silver_next(&p, utc("2027-11-06", 4, 0, 0)),
			 utc("2027-11-08", 5, 0, 0));
	assert_false(silver_open(&p, utc("2027-11-08", 4, 59, 59)));
	assert_true(silver_open(&p, utc("2027-11-08", 5, 0, 0)));
}

static void
test_a_day_whose_midnight_does_not_exist_opens_at_its_start(void **state)
{
	struct policy p;
	static const char *const thursday[] = {"2026-04-23"};

	(void)state;
	/* Tehran went from +03:30 to +04:30 at 00:00 on Monday 22 March
	 * 2021: that Monday began at 01:00 local, 20:30 UTC on Sunday */
	policy_with(&p, "Asia/Tehran", NULL, 0);
	assert_int_equal(silver_next(&p, utc("2021-03-20", 12, 0, 0)),
			 utc("2021-03-21", 20, 30, 0));
	assert_false(silver_open(&p, utc("2021-03-21", 20, 29, 59)));
	assert_true(silver_open(&p, utc("2021-03-21", 20, 30, 0)));
	/* Cairo skips from 00:00 to 01:00 on Friday 24 April 2026: after a
	 * Thursday holiday, Friday opens at 22:00 UTC on Thursday */
	policy_with(&p, "Africa/Cairo", thursday, 1);
	assert_int_equal(silver_next(&p, utc("2026-04-23", 12, 0, 0)),
			 utc("2026-04-23", 22, 0, 0));
}

static void test_zone_names_are_checked(void **state)
{
	(void)state;
	assert_true(hours_tz_valid("UTC"));
	assert_true(hours_tz_valid("America/New_York"));
	assert_true(hours_tz_valid("Europe/Paris"));
	assert_true(hours_tz_valid("Etc/GMT+5"));
	assert_false(hours_tz_valid(""));
	assert_false(hours_tz_valid(NULL));
	assert_false(hours_tz_valid("Mars/Olympus_Mons"));
	assert_false(hours_tz_valid("America"));      /* a folder */
	assert_false(hours_tz_valid("zone1970.tab")); /* '.' */
	assert_false(hours_tz_valid("iso3166.tab"));
	assert_false(hours_tz_valid("../../../etc/passwd"));
	assert_false(hours_tz_valid("/etc/localtime"));
	assert_false(hours_tz_valid("America/../Europe/Paris"));
	assert_false(hours_tz_valid("Europe/Paris "));
	assert_false(hours_tz_valid(
		"America/"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
}

static void test_times_are_written_in_english_local_time(void **state)
{
	char buf[128];
	int64_t t = utc("2026-12-07", 5, 0, 0);

	(void)state;
	assert_int_equal(hours_format(t, "America/New_York", buf, sizeof(buf)),
			 (int)strlen("Monday 7 December 2026, 00:00 "
				     "(America/New_York)"));
	assert_string_equal(buf,
			    "Monday 7 December 2026, 00:00 (America/New_York)");
	hours_format(t, "Europe/Paris", buf, sizeof(buf));
	assert_string_equal(buf,
			    "Monday 7 December 2026, 06:00 (Europe/Paris)");
	hours_format(t, "Asia/Kolkata", buf, sizeof(buf));
	assert_string_equal(buf,
			    "Monday 7 December 2026, 10:30 (Asia/Kolkata)");
	hours_format(t, "", buf, sizeof(buf));
	assert_string_equal(buf, "Monday 7 December 2026, 05:00 (UTC)");
	hours_format(t, "Nowhere/Land", buf, sizeof(buf));
	assert_string_equal(buf, "Monday 7 December 2026, 05:00 (UTC)");
	hours_format(utc("2027-07-04", 16, 5, 0), "America/New_York", buf,
		     sizeof(buf));
	assert_string_equal(buf,
			    "Sunday 4 July 2027, 12:05 (America/New_York)");
	assert_int_equal(hours_format(t, "UTC", buf, 10), -1);
}

static void test_the_process_time_zone_is_restored(void **state)
{
	struct policy p;

	(void)state;
	/* a zone and days no other test asks about: nothing is remembered */
	policy_with(&p, "Pacific/Auckland", NULL, 0);
	setenv("TZ", "Europe/Paris", 1);
	silver_open(&p, utc("2030-06-05", 5, 0, 0));
	assert_string_equal(getenv("TZ"), "Europe/Paris");
	unsetenv("TZ");
	silver_next(&p, utc("2030-06-08", 12, 0, 0));
	assert_null(getenv("TZ"));
}

static void test_dates_are_parsed_strictly(void **state)
{
	int32_t d;

	(void)state;
	assert_int_equal(hours_parse_date("1970-01-01", &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(hours_parse_date("2024-02-29", &d), 0);
	assert_int_equal(hours_parse_date("2000-02-29", &d), 0);
	assert_int_equal(hours_parse_date("2100-02-29", &d), -1);
	assert_int_equal(hours_parse_date("2027-02-29", &d), -1);
	assert_int_equal(hours_parse_date("2027-04-31", &d), -1);
	assert_int_equal(hours_parse_date("2027-13-01", &d), -1);
	assert_int_equal(hours_parse_date("2027-00-10", &d), -1);
	assert_int_equal(hours_parse_date("2027-01-00", &d), -1);
	assert_int_equal(hours_parse_date("2027-1-1", &d), -1);
	assert_int_equal(hours_parse_date("2027-01-01x", &d), -1);
	assert_int_equal(hours_parse_date("+027-01-01", &d), -1);
	assert_int_equal(hours_parse_date("1969-12-31", &d), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weekend_closed_for_silver_open_for_gold),
		cmocka_unit_test(
			test_friday_midnight_closes_and_monday_midnight_opens),
		cmocka_unit_test(
			test_next_open_after_the_weekend_is_monday_midnight),
		cmocka_unit_test(test_holiday_closed_all_day_and_reopens_after),
		cmocka_unit_test(test_monday_holiday_opens_tuesday),
		cmocka_unit_test(
			test_consecutive_holidays_are_skipped_together),
		cmocka_unit_test(test_the_same_instant_differs_by_zone),
		cmocka_unit_test(test_dst_weekends_in_new_york),
		cmocka_unit_test(
			test_a_day_whose_midnight_does_not_exist_opens_at_its_start),
		cmocka_unit_test(test_zone_names_are_checked),
		cmocka_unit_test(test_times_are_written_in_english_local_time),
		cmocka_unit_test(test_the_process_time_zone_is_restored),
		cmocka_unit_test(test_dates_are_parsed_strictly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
