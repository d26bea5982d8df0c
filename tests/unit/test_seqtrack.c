/* Unit tests for seqtrack: exactly-once, in-order delivery decisions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "chat/common/seqtrack.h"

static void test_live_delivers_exactly_the_next_sequence(void **state)
{
	struct seqtrack t;

	(void)state;
	seqtrack_init(&t, 4);
	assert_false(seqtrack_page_done(&t, false));
	assert_int_equal(seqtrack_live(&t, 5), SEQ_DELIVER);
	assert_int_equal(seqtrack_live(&t, 6), SEQ_DELIVER);
	assert_int_equal(t.sent, 6);
}

static void test_live_duplicate_is_dropped(void **state)
{
	struct seqtrack t;

	(void)state;
	seqtrack_init(&t, 0);
	seqtrack_page_done(&t, false);
	assert_int_equal(seqtrack_live(&t, 1), SEQ_DELIVER);
	assert_int_equal(seqtrack_live(&t, 1), SEQ_DROP);
	assert_int_equal(seqtrack_live(&t, 0), SEQ_DROP);
	assert_int_equal(t.sent, 1);
}

static void test_live_gap_switches_to_replay(void **state)
{
	struct seqtrack t;

	(void)state;
	seqtrack_init(&t, 2);
	seqtrack_page_done(&t, false);
	assert_int_equal(seqtrack_live(&t, 5), SEQ_GAP);
	assert_int_equal(t.mode, SEQ_REPLAYING);
	assert_int_equal(t.sent, 2);
	/* the refill must read on until it has 5 */
	assert_true(seqtrack_replayed(&t, 3));
	assert_true(seqtrack_page_done(&t, false));
	assert_true(seqtrack_replayed(&t, 4));
	assert_true(seqtrack_replayed(&t, 5));
	assert_false(seqtrack_page_done(&t, false));
	assert_int_equal(t.mode, SEQ_LIVE);
}

static void test_events_during_replay_are_noted_not_delivered(void **state)
{
	struct seqtrack t;

	(void)state;
	seqtrack_init(&t, 0);
	assert_int_equal(seqtrack_live(&t, 7), SEQ_NOTED);
	assert_true(seqtrack_replayed(&t, 1));
	/* a short page that ends before the live event: read again */
	assert_true(seqtrack_page_done(&t, false));
	for (uint64_t s = 2; s <= 7; s++)
		assert_true(seqtrack_replayed(&t, s));
	assert_false(seqtrack_page_done(&t, false));
	/* the live copy of 7 arriving late is a duplicate */
	assert_int_equal(seqtrack_live(&t, 7), SEQ_DROP);
	assert_int_equal(seqtrack_live(&t, 8), SEQ_DELIVER);
}

static void test_full_page_reads_another(void **state)
{
	struct seqtrack t;

	(void)state;
	seqtrack_init(&t, 0);
	assert_true(seqtrack_replayed(&t, 1));
	assert_true(seqtrack_page_done(&t, true));
	assert_int_equal(t.mode, SEQ_REPLAYING);
}

static void test_replayed_old_entries_are_skipped(void **state)
{
	struct seqtrack t;

	(void)state;
	seqtrack_init(&t, 10);
	assert_false(seqtrack_replayed(&t, 9));
	assert_false(seqtrack_replayed(&t, 10));
	assert_true(seqtrack_replayed(&t, 11));
}

static void test_rewind_replays_from_the_restated_position(void **state)
{
	struct seqtrack t;

	(void)state;
	seqtrack_init(&t, 0);
	seqtrack_page_done(&t, false);
	assert_int_equal(seqtrack_live(&t, 1), SEQ_DELIVER);
	assert_int_equal(seqtrack_live(&t, 2), SEQ_DELIVER);
	seqtrack_rewind(&t, 0);
	assert_int_equal(t.mode, SEQ_REPLAYING);
	assert_true(seqtrack_replayed(&t, 1));
	assert_int_equal(seqtrack_live(&t, 3), SEQ_NOTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_delivers_exactly_the_next_sequence),
		cmocka_unit_test(test_live_duplicate_is_dropped),
		cmocka_unit_test(test_live_gap_switches_to_replay),
		cmocka_unit_test(
			test_events_during_replay_are_noted_not_delivered),
		cmocka_unit_test(test_full_page_reads_another),
		cmocka_unit_test(test_replayed_old_entries_are_skipped),
		cmocka_unit_test(
			test_rewind_replays_from_the_restated_position),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
