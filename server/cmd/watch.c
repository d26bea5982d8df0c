/*
 * watch: resume, replay and live delivery for one session and one
 * conversation: access check, then subscribe, then replay pages from the
 * stream, then live. The delivery decisions (exactly sent+1, drop
 * duplicates, refill gaps) are seqtrack's.
 */
#include "chat/cmd/watch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "chat/store/bus.h"
#include "chat/common/event.h"
#include "chat/net/hub.h"
#include "chat/common/log.h"
#include "reply.h"
#include "chat/common/seqtrack.h"
#include "session.h"
#include "chat/common/util.h"

#define WATCHES_MAX 1000

struct watch {
	struct bus_sub sub; /* first: a bus_sub pointer is a watch pointer */
	struct session *s;  /* borrowed: the session owns its watches */
	struct watch *next;
	bool checked; /* access verified */
	bool fetching, paused;
	bool stale_fetch; /* rewound while a page was in flight: read again */
	unsigned gen;
	struct seqtrack seq;
	char conv[PROTO_CONV_LEN + 1];
	unsigned asked;		/* entries the page in flight asked for */
	struct sync_req *syncs; /* resume requests to answer, owned */
};

/* A resume request waiting for its synced answer. */
struct sync_req {
	struct sync_req *next;
	char id[];
};

static unsigned next_gen;

static void fetch(struct watch *w);

struct watch *watch_find(struct session *s, const char *conv)
{
	for (struct watch *w = s->watches; w; w = w->next)
		if (strcmp(w->conv, conv) == 0 && w->checked)
			return w;
	return NULL;
}

static struct watch *find_any(struct session *s, const char *conv, unsigned gen)
{
	for (struct watch *w = s->watches; w; w = w->next)
		if (strcmp(w->conv, conv) == 0 && (!gen || w->gen == gen))
			return w;
	return NULL;
}

static void watch_free(struct watch *w)
{
	struct watch **pp = &w->s->watches;

	while (*pp && *pp != w)
		pp = &(*pp)->next;
	if (*pp)
		*pp = w->next;
	bus_remove(w->s->hub->bus, &w->sub);
	if (w->paused)
		w->s->paused_replays--;
	while (w->syncs) {
		struct sync_req *next = w->syncs->next;

		free(w->syncs);
		w->syncs = next;
	}
	free(w);
}

static void deliver(struct watch *w, const char *payload, size_t len)
{
	struct frame *f = frame_create(payload, len);

	session_send_frame(w->s, f);
	frame_unref(f);
}

/* A stored event in sequence: deliver it unless the reader may not see it. */
static void deliver_event(struct watch *w, const char *payload, size_t len)
{
	if (!session_is_agent(w->s) && event_is_note(payload, len))
		return;
	deliver(w, payload, len);
}

static void add_sync(struct watch *w, const char *id)
{
	size_t n = strlen(id) + 1;
	struct sync_req *r = xmalloc(sizeof(*r) + n);

	memcpy(r->id, id, n);
	r->next = w->syncs;
	w->syncs = r;
}

/* synced for request id, with the read positions spliced in. */
static char *synced_frame(const char *id, const char *conv, uint64_t seq,
			  const char *reads)
{
	char *base = proto_encode_synced(id, conv, seq), *out;
	size_t n = base ? strlen(base) : 0;

	if (!base || !reads)
		return base;
	out = malloc(n + strlen(reads) + 12);
	if (out) /* base ends with '}' */
		sprintf(out, "%.*s,\"reads\":%s}", (int)(n - 1), base, reads);
	free(base);
	return out;
}

/* Answers every resume request in r, oldest first, and frees them. */
static void answer_syncs(struct watch *w, struct sync_req *r, const char *reads)
{
	if (!r)
		return;
	answer_syncs(w, r->next, reads);
	session_send_owned(w->s,
			   synced_frame(r->id, w->conv, w->seq.sent, reads));
	free(r);
}

static char *reads_json(const redisReply *r)
{
	json_t *o = json_object();
	char *out;

	for (size_t i = 0; o && i + 1 < r->elements; i += 2)
		json_object_set_new(
			o, r->element[i]->str,
			json_integer(atoll(r->element[i + 1]->str)));
	out = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return out;
}

static void on_reads(struct store *st, redisReply *r, void *arg)
{
	struct pending *p = arg;
	struct watch *w = find_any(p->s, p->conv, (unsigned)p->kind);
	char *reads;

	(void)st;
	if (w && session_alive(p->s)) {
		reads = r && r->type == REDIS_REPLY_ARRAY ? reads_json(r)
							  : NULL;
		answer_syncs(w, w->syncs, reads ? reads : "{}");
		w->syncs = NULL;
		free(reads);
	}
	pending_destroy(p);
}

/* Replay caught up: answer the resume requests with the read positions. */
static void synced(struct watch *w)
{
	char key[64];
	struct pending *p;

	if (!w->syncs)
		return;
	snprintf(key, sizeof(key), "{c:%s}:r", w->conv);
	const char *argv[] = {"HGETALL", key};
	p = pending_create(w->s, NULL, w->conv);
	p->kind = (int)w->gen;
	if (store_command(w->s->hub->store, on_reads, p, 2, argv, NULL)) {
		pending_destroy(p);
		answer_syncs(w, w->syncs, NULL);
		w->syncs = NULL;
	}
}

static void replay_entries(struct watch *w, const redisReply *r)
{
	for (size_t i = 0; i < r->elements; i++) {
		const redisReply *e = r->element[i], *fields;
		uint64_t seq;

		if (e->type != REDIS_REPLY_ARRAY || e->elements != 2)
			continue;
		fields = e->element[1];
		if (fields->type != REDIS_REPLY_ARRAY || fields->elements < 2)
			continue;
		seq = event_seq(fields->element[1]->str,
				fields->element[1]->len);
		if (seqtrack_replayed(&w->seq, seq))
			deliver_event(w, fields->element[1]->str,
				      fields->element[1]->len);
	}
}

static void pause_replay(struct watch *w)
{
	if (!w->paused) {
		w->paused = true;
		w->s->paused_replays++;
	}
}

static void on_page(struct store *st, redisReply *r, void *arg)
{
	struct pending *p = arg;
	struct watch *w = find_any(p->s, p->conv, (unsigned)p->kind);

	(void)st;
	if (!w || !session_alive(p->s)) {
		pending_destroy(p);
		return;
	}
	w->fetching = false;
	if (!r) {
		pause_replay(w); /* Redis went away: go on when it is back */
	} else if (w->stale_fetch && r->type == REDIS_REPLY_ARRAY) {
		w->stale_fetch = false;
		fetch(w);
	} else if (r->type != REDIS_REPLY_ARRAY) {
		reply_fail(p, r);
		watch_free(w);
	} else {
		replay_entries(w, r);
		if (seqtrack_page_done(&w->seq, r->elements >= w->asked)) {
			fetch(w);
		} else {
			synced(w);
		}
	}
	pending_destroy(p);
}

static void fetch(struct watch *w)
{
	struct session *s = w->s;
	/* Half the free queue at most: live traffic needs the rest. */
	unsigned page = (unsigned)s->hub->cfg->page, room = session_room(s) / 2;
	char key[64], start[32], count[16];
	struct pending *p;

	if (w->fetching)
		return;
	if (room == 0) {
		pause_replay(w);
		return;
	}
	w->asked = page < room ? page : room;
	snprintf(key, sizeof(key), "{c:%s}:e", w->conv);
	snprintf(start, sizeof(start), "0-%llu",
		 (unsigned long long)w->seq.sent + 1);
	snprintf(count, sizeof(count), "%u", w->asked);
	const char *argv[] = {"XRANGE", key, start, "+", "COUNT", count};
	p = pending_create(s, NULL, w->conv);
	p->kind = (int)w->gen;
	if (store_command(s->hub->store, on_page, p, 6, argv, NULL)) {
		pending_destroy(p);
		pause_replay(w); /* Redis is down: go on when it is back */
		return;
	}
	w->fetching = true;
}

/* The channel is (again) subscribed: read what may have been missed. */
static void start_replay(struct watch *w)
{
	if (!w->checked || !bus_live(&w->sub))
		return;
	seqtrack_rewind(&w->seq, w->seq.sent);
	w->stale_fetch = w->fetching;
	fetch(w);
}

static void on_live(struct bus_sub *sub)
{
	start_replay((struct watch *)sub);
}

static bool relay_wanted(const struct watch *w, const char *p, size_t len)
{
	const char *sender = p + 4, *bar;
	size_t n;

	if (len < 5 || p[3] != '|')
		return false;
	if (p[1] == 'a' && !session_is_agent(w->s))
		return false;
	if (p[2] == '1')
		return true;
	bar = memchr(sender, '|', len - 4);
	n = bar ? (size_t)(bar - sender) : 0;
	return !(n == strlen(w->s->who->sub) &&
		 memcmp(sender, w->s->who->sub, n) == 0);
}

static void on_relay(struct watch *w, const char *p, size_t len)
{
	const char *frame;

	if (!relay_wanted(w, p, len))
		return;
	frame = memchr(p + 4, '|', len - 4);
	if (frame)
		deliver(w, frame + 1, len - (size_t)(frame + 1 - p));
}

static void on_message(struct bus_sub *sub, const char *p, size_t len)
{
	struct watch *w = (struct watch *)sub;
	uint64_t seq;

	if (len > 0 && p[0] == '!') {
		on_relay(w, p, len);
		return;
	}
	seq = event_seq(p, len);
	switch (seqtrack_live(&w->seq, seq)) {
	case SEQ_DELIVER:
		deliver_event(w, p, len);
		break;
	case SEQ_GAP:
		log_debug("watch %s: gap before %llu, refilling", w->conv,
			  (unsigned long long)seq);
		fetch(w);
		break;
	case SEQ_DROP:
	case SEQ_NOTED:
		break;
	}
}

static void on_checked(struct store *st, redisReply *r, void *arg)
{
	struct pending *p = arg;
	struct watch *w = find_any(p->s, p->conv, (unsigned)p->kind);

	(void)st;
	if (!w || !session_alive(p->s)) {
		pending_destroy(p);
		return;
	}
	if (!reply_owner_ok(p, r, 2)) {
		watch_free(w);
	} else {
		char channel[PROTO_CONV_LEN + 3];
		uint64_t last = r->element[1]->type == REDIS_REPLY_STRING
					? strtoull(r->element[1]->str, NULL, 10)
					: 0;

		if (w->seq.sent > last)
			w->seq.sent =
				last; /* the client claims more than exists */
		w->checked = true;
		snprintf(channel, sizeof(channel), "c:%s", w->conv);
		bus_add(p->s->hub->bus, &w->sub, channel); /* -> on_live */
	}
	pending_destroy(p);
}

static size_t watch_count(const struct session *s)
{
	size_t n = 0;

	for (const struct watch *w = s->watches; w; w = w->next)
		n++;
	return n;
}

static struct watch *watch_add(struct session *s, const char *conv,
			       uint64_t after, const char *req_id)
{
	struct watch *w = xcalloc(1, sizeof(*w));

	w->s = s;
	w->gen = ++next_gen ? next_gen : ++next_gen;
	seqtrack_init(&w->seq, after);
	add_sync(w, req_id);
	w->sub.on_message = on_message;
	w->sub.on_live = on_live;
	snprintf(w->conv, sizeof(w->conv), "%s", conv);
	w->next = s->watches;
	s->watches = w;
	return w;
}

static void check_access(struct session *s, struct watch *w, const char *req_id)
{
	char key[64];
	struct pending *p;

	snprintf(key, sizeof(key), "{c:%s}:m", w->conv);
	const char *argv[] = {"HMGET", key, "customer", "seq"};
	p = pending_create(s, req_id, w->conv);
	p->kind = (int)w->gen;
	if (store_command(s->hub->store, on_checked, p, 4, argv, NULL)) {
		reply_fail(p, NULL);
		pending_destroy(p);
		watch_free(w);
	}
}

/* A conversation this connection already watches: nothing it was sent is
 * sent again (the client can only have more); the request is answered
 * once the replay, if one runs, has caught up. */
static void rewind_watch(struct watch *w, uint64_t after, const char *req_id)
{
	add_sync(w, req_id);
	if (after > w->seq.sent && !w->checked)
		w->seq.sent = after; /* clamped when the check answers */
	if (w->checked && w->seq.mode == SEQ_LIVE)
		synced(w);
}

void watch_resume(struct session *s, const struct proto_request *req)
{
	size_t have = watch_count(s);

	for (size_t i = 0; i < req->n_resume; i++) {
		const struct proto_resume_item *it = &req->resume[i];
		struct watch *w = find_any(s, it->conv, 0);

		if (w) {
			rewind_watch(w, it->after, req->id);
		} else if (have >= WATCHES_MAX) {
			session_send_error(s, req->id, it->conv,
					   PROTO_E_TOO_LARGE,
					   "too many conversations watched");
		} else {
			w = watch_add(s, it->conv, it->after, req->id);
			have++;
			check_access(s, w, req->id);
		}
	}
}

void watch_remove_all(struct session *s)
{
	while (s->watches)
		watch_free(s->watches);
}

void watch_on_drain(struct session *s)
{
	if (!s->paused_replays)
		return;
	for (struct watch *w = s->watches; w; w = w->next) {
		if (!w->paused)
			continue;
		w->paused = false;
		s->paused_replays--;
		fetch(w);
	}
}

void watch_unwatch(struct session *s, const struct proto_request *req)
{
	struct watch *w = find_any(s, req->conv, 0);

	if (w)
		watch_free(w);
	session_send_owned(s, proto_encode_ack(req->id, req->conv, 0, now_ms(),
					       w == NULL));
}
