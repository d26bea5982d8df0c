/*
 * watch: resume, replay and live delivery for one sink and one
 * conversation: access check, then subscribe, then replay pages from the
 * stream, then live. The delivery decisions (exactly sent+1, drop
 * duplicates, refill gaps) are seqtrack's; what an actor may see is the
 * policy's, read from each event's fixed header.
 */
#include "watch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/log.h"
#include "chat/common/seqtrack.h"
#include "chat/common/util.h"
#include "chat/store/bus.h"
#include "chat/store/keys.h"
#include "chat/store/store.h"
#include "access.h"
#include "reply.h"

#define WATCHES_MAX 1000
/* Replay pages are sized for events this big (a message at the text
 * limit with its envelope), so a page stays within the sink's room; a
 * sink with less room still gets one event at a time. */
#define REPLAY_EVENT_MAX (PROTO_TEXT_MAX + 1024)

struct watch {
	struct bus_sub sub; /* first: a bus_sub pointer is a watch pointer */
	struct sink *k;	    /* borrowed: the sink owns its watches */
	const struct actor *who; /* borrowed, as long as the sink */
	struct cmd_ctx *ctx;	 /* borrowed */
	struct watch *next;
	bool checked; /* access verified */
	bool fetching, paused;
	bool stale_fetch; /* rewound while a page was in flight: read again */
	unsigned gen;
	struct seqtrack seq;
	char conv[PROTO_CONV_LEN + 1];
	unsigned asked;		/* entries the page in flight asked for */
	struct sync_req *syncs; /* resume requests to answer, newest first */
};

/* A resume request waiting for its synced answer. */
struct sync_req {
	struct sync_req *next;
	char id[];
};

static unsigned next_gen;

static void fetch(struct watch *w);

struct watch *watch_find(struct sink *k, const char *conv)
{
	for (struct watch *w = k->watches; w; w = w->next)
		if (strcmp(w->conv, conv) == 0 && w->checked)
			return w;
	return NULL;
}

static struct watch *find_any(struct sink *k, const char *conv, unsigned gen)
{
	for (struct watch *w = k->watches; w; w = w->next)
		if (strcmp(w->conv, conv) == 0 && (!gen || w->gen == gen))
			return w;
	return NULL;
}

static void free_syncs(struct sync_req *r)
{
	while (r) {
		struct sync_req *next = r->next;

		free(r);
		r = next;
	}
}

static void watch_free(struct watch *w)
{
	struct watch **pp = &w->k->watches;

	while (*pp && *pp != w)
		pp = &(*pp)->next;
	if (*pp)
		*pp = w->next;
	bus_remove(w->ctx->bus, &w->sub);
	if (w->paused)
		w->k->paused_replays--;
	free_syncs(w->syncs);
	free(w);
}

/* A stored event in sequence: deliver its JSON unless the reader may not
 * see it. */
static void deliver_event(struct watch *w, const struct proto_evhdr *h,
			  const char *payload, size_t len)
{
	if (access_sees(w->who, h->audience))
		sink_send_text(w->k, payload + h->len, len - h->len);
}

static void add_sync(struct watch *w, const char *id)
{
	size_t n = strlen(id) + 1;
	struct sync_req *r = xmalloc(sizeof(*r) + n);

	memcpy(r->id, id, n);
	r->next = w->syncs;
	w->syncs = r;
}

/* Answers every waiting resume request, oldest first, with the read
 * positions, and frees them. */
static void answer_syncs(struct watch *w, const struct proto_read_pos *reads,
			 size_t n_reads)
{
	struct sync_req *r = w->syncs, *oldest = NULL;

	w->syncs = NULL;
	while (r) { /* reverse: the list is newest first */
		struct sync_req *next = r->next;

		r->next = oldest;
		oldest = r;
		r = next;
	}
	for (r = oldest; r; r = r->next)
		sink_send_owned(w->k, proto_encode_synced_reads(
					      r->id, w->conv, w->seq.sent,
					      reads, n_reads));
	free_syncs(oldest);
}

static void on_reads(struct store *st, redisReply *r, void *arg)
{
	struct pending *p = arg;
	struct watch *w = find_any(p->k, p->conv, p->kind);
	struct proto_read_pos *reads = NULL;
	size_t n = 0;

	(void)st;
	if (w && pending_alive(p)) {
		if (r && r->type == REDIS_REPLY_ARRAY && r->elements > 1)
			reads = calloc(r->elements / 2, sizeof(*reads));
		for (size_t i = 0; reads && i + 1 < r->elements; i += 2) {
			reads[n].user = r->element[i]->str;
			reads[n++].seq =
				strtoull(r->element[i + 1]->str, NULL, 10);
		}
		answer_syncs(w, reads, n);
		free(reads);
	}
	pending_destroy(p);
}

/* Replay caught up: answer the resume requests with the read positions. */
static void synced(struct watch *w)
{
	struct key reads = key_conv_reads(w->conv);
	struct pending *p;

	if (!w->syncs)
		return;
	const char *argv[] = {"HGETALL", reads.s};
	p = pending_create(w->ctx, w->who, w->k, NULL, w->conv);
	p->kind = w->gen;
	if (store_command(w->ctx->store, on_reads, p, 2, argv, NULL)) {
		pending_destroy(p);
		answer_syncs(w, NULL, 0);
	}
}

static void replay_entries(struct watch *w, const redisReply *r)
{
	for (size_t i = 0; i < r->elements; i++) {
		const redisReply *e = r->element[i], *fields, *v;
		struct proto_evhdr h;

		if (e->type != REDIS_REPLY_ARRAY || e->elements != 2)
			continue;
		fields = e->element[1];
		if (fields->type != REDIS_REPLY_ARRAY || fields->elements < 2)
			continue;
		v = fields->element[1];
		if (proto_evhdr_parse(v->str, v->len, &h) == 0 &&
		    seqtrack_replayed(&w->seq, h.seq))
			deliver_event(w, &h, v->str, v->len);
	}
}

static void pause_replay(struct watch *w)
{
	if (!w->paused) {
		w->paused = true;
		w->k->paused_replays++;
	}
}

static void on_page(struct store *st, redisReply *r, void *arg)
{
	struct pending *p = arg;
	struct watch *w = find_any(p->k, p->conv, p->kind);

	(void)st;
	if (!w || !pending_alive(p)) {
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
		if (seqtrack_page_done(&w->seq, r->elements >= w->asked))
			fetch(w);
		else
			synced(w);
	}
	pending_destroy(p);
}

/* Events to ask for: what the sink has room for, at most a page; 0 when
 * it has none. */
static unsigned page_size(const struct watch *w)
{
	size_t room = w->k->ops->room(w->k), n;

	if (room == 0)
		return 0;
	n = room / REPLAY_EVENT_MAX;
	if (n == 0)
		n = 1;
	return n < w->ctx->page ? (unsigned)n : w->ctx->page;
}

static void fetch(struct watch *w)
{
	struct key events = key_conv_events(w->conv);
	char start[32], count[16];
	struct pending *p;

	if (w->fetching)
		return;
	w->asked = page_size(w);
	if (w->asked == 0) {
		pause_replay(w);
		return;
	}
	snprintf(start, sizeof(start), "0-%llu",
		 (unsigned long long)w->seq.sent + 1);
	snprintf(count, sizeof(count), "%u", w->asked);
	const char *argv[] = {"XRANGE", events.s, start, "+", "COUNT", count};
	p = pending_create(w->ctx, w->who, w->k, NULL, w->conv);
	p->kind = w->gen;
	if (store_command(w->ctx->store, on_page, p, 6, argv, NULL)) {
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

/* A relayed typing or read frame: agents-only ones reach agents, and the
 * sender's own sinks only when the frame says so. */
static void on_relay(struct watch *w, const char *p, size_t len)
{
	struct proto_relay r;
	size_t me = strlen(w->who->id);

	if (proto_relay_parse(p, len, &r) || !access_sees(w->who, r.audience))
		return;
	if (!r.self && r.sender_len == me &&
	    memcmp(r.sender, w->who->id, me) == 0)
		return;
	sink_send_text(w->k, r.json, r.json_len);
}

static void on_message(struct bus_sub *sub, const char *p, size_t len)
{
	struct watch *w = (struct watch *)sub;
	struct proto_evhdr h;

	if (proto_evhdr_parse(p, len, &h)) {
		on_relay(w, p, len);
		return;
	}
	switch (seqtrack_live(&w->seq, h.seq)) {
	case SEQ_DELIVER:
		deliver_event(w, &h, p, len);
		break;
	case SEQ_GAP:
		log_debug("watch %s: gap before %llu, refilling", w->conv,
			  (unsigned long long)h.seq);
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
	struct watch *w = find_any(p->k, p->conv, p->kind);
	uint64_t last;

	(void)st;
	if (!w || !pending_alive(p)) {
		pending_destroy(p);
		return;
	}
	if (!reply_owner_ok(p, r, 2)) {
		watch_free(w);
	} else {
		struct key channel = chan_conv(w->conv);

		last = r->element[1]->type == REDIS_REPLY_STRING
			       ? strtoull(r->element[1]->str, NULL, 10)
			       : 0;
		if (w->seq.sent > last) /* the client claims more than exists */
			w->seq.sent = last;
		w->checked = true;
		bus_add(w->ctx->bus, &w->sub, channel.s); /* -> on_live */
	}
	pending_destroy(p);
}

static size_t watch_count(const struct sink *k)
{
	size_t n = 0;

	for (const struct watch *w = k->watches; w; w = w->next)
		n++;
	return n;
}

static struct watch *watch_add(struct cmd_ctx *ctx, const struct actor *a,
			       struct sink *k, const char *conv, uint64_t after)
{
	struct watch *w = xcalloc(1, sizeof(*w));

	w->k = k;
	w->who = a;
	w->ctx = ctx;
	w->gen = ++next_gen ? next_gen : ++next_gen;
	seqtrack_init(&w->seq, after);
	w->sub.on_message = on_message;
	w->sub.on_live = on_live;
	snprintf(w->conv, sizeof(w->conv), "%s", conv);
	w->next = k->watches;
	k->watches = w;
	return w;
}

static void check_access(struct watch *w, const char *req_id)
{
	struct key meta = key_conv_meta(w->conv);
	struct pending *p;

	const char *argv[] = {"HMGET", meta.s, "customer", "seq"};
	p = pending_create(w->ctx, w->who, w->k, req_id, w->conv);
	p->kind = w->gen;
	if (store_command(w->ctx->store, on_checked, p, 4, argv, NULL)) {
		reply_fail(p, NULL);
		pending_destroy(p);
		watch_free(w);
	}
}

/* A conversation this sink already watches: nothing it was sent is sent
 * again (the client can only have more); the request is answered once
 * the replay, if one runs, has caught up. */
static void rewind_watch(struct watch *w, uint64_t after, const char *req_id)
{
	add_sync(w, req_id);
	if (after > w->seq.sent && !w->checked)
		w->seq.sent = after; /* clamped when the check answers */
	if (w->checked && w->seq.mode == SEQ_LIVE)
		synced(w);
}

/* True when item i repeats a conversation named earlier in the request:
 * each conversation is answered once per request. */
static bool repeated(const struct proto_request *req, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(req->resume[j].conv, req->resume[i].conv) == 0)
			return true;
	return false;
}

void watch_resume(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		  const struct proto_request *req)
{
	size_t have = watch_count(k);

	for (size_t i = 0; i < req->n_resume; i++) {
		const struct proto_resume_item *it = &req->resume[i];
		struct watch *w;

		if (repeated(req, i))
			continue;
		w = find_any(k, it->conv, 0);
		if (w) {
			rewind_watch(w, it->after, req->id);
		} else if (have >= WATCHES_MAX) {
			sink_send_error(k, req->id, it->conv, PROTO_E_TOO_LARGE,
					"too many conversations watched");
		} else {
			w = watch_add(ctx, a, k, it->conv, it->after);
			add_sync(w, req->id);
			have++;
			check_access(w, req->id);
		}
	}
}

void watch_remove_all(struct sink *k)
{
	while (k->watches)
		watch_free(k->watches);
}

void watch_on_drain(struct sink *k)
{
	if (!k->paused_replays)
		return;
	for (struct watch *w = k->watches; w; w = w->next) {
		if (!w->paused)
			continue;
		w->paused = false;
		k->paused_replays--;
		fetch(w);
	}
}

void watch_unwatch(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		   const struct proto_request *req)
{
	struct watch *w = find_any(k, req->conv, 0);

	(void)ctx;
	(void)a;
	if (w)
		watch_free(w);
	sink_send_owned(k, proto_encode_ack_noseq(req->id, req->conv, now_ms(),
						  w == NULL));
}
