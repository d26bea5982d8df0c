/*
 * seqtrack: the delivery decision for one reader of one conversation,
 * kept pure so it can be tested without a network. `sent` is the highest
 * sequence the reader has been given or skipped; the stream is delivered
 * exactly as sent+1, sent+2, ...; live events that arrive while a replay
 * runs are noted (live_max) so the replay reads on until it has them.
 */
#ifndef CHAT_SEQTRACK_H
#define CHAT_SEQTRACK_H

#include <stdbool.h>
#include <stdint.h>

enum seqtrack_mode { SEQ_REPLAYING, SEQ_LIVE };

enum seqtrack_action {
	SEQ_DELIVER, /* hand it to the reader; sent advanced */
	SEQ_DROP,    /* already sent: a duplicate */
	SEQ_NOTED,   /* replay running: it will come from the stream */
	SEQ_GAP,     /* missed something: switch to replay from sent */
};

struct seqtrack {
	enum seqtrack_mode mode;
	uint64_t sent;
	uint64_t live_max;
};

void seqtrack_init(struct seqtrack *t, uint64_t after);
/* A live (pub/sub) event with sequence seq. */
enum seqtrack_action seqtrack_live(struct seqtrack *t, uint64_t seq);
/* An event read from the stream during replay: true when it is new (sent
 * advanced), false for one at or below sent. */
bool seqtrack_replayed(struct seqtrack *t, uint64_t seq);
/* A replay page ended. Returns true when another page must be read (the
 * page was full or live events are still ahead); false switches to live. */
bool seqtrack_page_done(struct seqtrack *t, bool page_full);
/* The reader restates what it has (resume) or the subscription was
 * renewed: replay from after. */
void seqtrack_rewind(struct seqtrack *t, uint64_t after);

#endif
