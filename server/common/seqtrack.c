/* seqtrack: gap-free, duplicate-free delivery decisions. */
#include "chat/common/seqtrack.h"

void seqtrack_init(struct seqtrack *t, uint64_t after)
{
	t->mode = SEQ_REPLAYING;
	t->sent = after;
	t->live_max = 0;
}

enum seqtrack_action seqtrack_live(struct seqtrack *t, uint64_t seq)
{
	if (t->mode != SEQ_LIVE) {
		if (seq > t->live_max)
			t->live_max = seq;
		return SEQ_NOTED;
	}
	if (seq <= t->sent)
		return SEQ_DROP;
	if (seq == t->sent + 1) {
		t->sent = seq;
		return SEQ_DELIVER;
	}
	t->live_max = seq;
	t->mode = SEQ_REPLAYING;
	return SEQ_GAP;
}

bool seqtrack_replayed(struct seqtrack *t, uint64_t seq)
{
	if (seq <= t->sent)
		return false;
	t->sent = seq;
	return true;
}

bool seqtrack_page_done(struct seqtrack *t, bool page_full)
{
	if (page_full || t->live_max > t->sent)
		return true;
	t->mode = SEQ_LIVE;
	return false;
}

void seqtrack_rewind(struct seqtrack *t, uint64_t after)
{
	t->mode = SEQ_REPLAYING;
	t->sent = after;
}
