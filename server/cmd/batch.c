/*
 * batch: gathers the messages and notes of one loop round per shard and
 * sends them as one append_batch step, then answers each from its own
 * part of the reply. A message alone goes as a plain append step, which
 * costs Redis less than a batch of one. Not here: what a message is
 * (conv.c builds it as append takes it) and when it is acked (commit.c).
 *
 * A uv_check handle sends what gathered once the round's I/O has been
 * handled; a uv_idle handle, running while something waits, keeps the
 * loop from blocking in poll before that. The messages of a conversation
 * stay in their order and together, so the step reads and writes each
 * conversation's state once.
 */
#include "batch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/ids.h"
#include "chat/common/util.h"
#include "chat/store/keys.h"

#define BATCH_MSGS 64
/* Three keys and a channel each, within the store's 32 arguments. */
#define BATCH_CONVS 7
#define BATCH_BYTES (256 * 1024)
/* The packed message's header (see append_batch.lua). */
#define HEAD_LEN 26
#define PREFIX_MAX 0xffffff

/* The arguments of append for a send or a note. */
enum {
	A_META,
	A_EVENTS,
	A_IDEM,
	A_OUTBOX,
	A_OP,
	A_SENDER,
	A_OWN,
	A_PREFIX,
	A_FIELD,
	A_FP,
	A_TAG,
	A_CHANNEL,
	A_EXPIRY,
	A__COUNT
};

struct waiter {
	store_reply_cb on_reply;
	void *arg;
};

/* One conversation's messages in a batch. */
struct part {
	struct key keys[3], channel;
	char conv[PROTO_CONV_LEN + 1];
	char *rec; /* the packed messages */
	size_t len, cap;
	int index; /* from 1, in the step's keys */
	int n;
	struct waiter w[BATCH_MSGS];
};

struct shard_batch {
	struct part *parts[BATCH_CONVS];
	int nparts, n;
	size_t bytes;
	bool listed; /* in batch.dirty */
};

struct batch {
	struct cmd_ctx *ctx; /* borrowed */
	uv_check_t check;
	uv_idle_t idle;
	int open_handles;
	char expiry[48];
	unsigned dirty[KEYS_SHARDS];
	int ndirty;
	struct shard_batch shards[KEYS_SHARDS];
};

/* A step in flight: whom to answer, in the order of its messages. */
struct call {
	int n;
	struct waiter w[];
};

bool batch_takes(enum script_id script, int nkeys)
{
	return script == SCRIPT_APPEND && nkeys == 4;
}

static void answer_all(const struct waiter *w, int n, struct store *st,
		       redisReply *r)
{
	for (int i = 0; i < n; i++)
		w[i].on_reply(st, r, w[i].arg);
}

static void on_batch_reply(struct store *st, redisReply *r, void *arg)
{
	struct call *call = arg;

	if (!r || r->type != REDIS_REPLY_ARRAY ||
	    r->elements != (size_t)call->n * 3) {
		answer_all(call->w, call->n, st, r);
		free(call);
		return;
	}
	for (int i = 0; i < call->n; i++) {
		redisReply **e = r->element + 3 * i;
		redisReply one = {
			.type = REDIS_REPLY_ARRAY, .elements = 3, .element = e};

		call->w[i].on_reply(
			st, e[0]->type == REDIS_REPLY_ERROR ? e[0] : &one,
			call->w[i].arg);
	}
	free(call);
}

/* A message alone: append with its own arguments, read back from its
 * packed form (which has no terminating NULs: every length is given). */
static void send_single(struct batch *b, struct part *pt)
{
	const unsigned char *h = (const unsigned char *)pt->rec;
	const char *s = pt->rec + HEAD_LEN;
	size_t sl = h[3], fl = h[4];
	struct key outbox = key_outbox(key_shard_of(pt->conv));
	const char *argv[A__COUNT] = {
		[A_META] = pt->keys[0].s,
		[A_EVENTS] = pt->keys[1].s,
		[A_IDEM] = pt->keys[2].s,
		[A_OUTBOX] = outbox.s,
		[A_OP] = h[2] == 'n' ? "note" : "send",
		[A_SENDER] = s,
		[A_OWN] = h[1] == '1' ? "1" : "0",
		[A_PREFIX] = s + sl + fl,
		[A_FIELD] = s + sl,
		[A_FP] = pt->rec + 10,
		[A_TAG] = pt->rec + 8,
		[A_CHANNEL] = pt->channel.s,
		[A_EXPIRY] = b->expiry,
	};
	size_t lens[A__COUNT] = {
		[A_SENDER] = sl,
		[A_OWN] = 1,
		[A_PREFIX] = pt->len - HEAD_LEN - sl - fl,
		[A_FIELD] = fl,
		[A_FP] = IDS_FP_LEN,
		[A_TAG] = 2,
	};

	for (int i = A_META; i <= A_OP; i++)
		lens[i] = strlen(argv[i]);
	lens[A_CHANNEL] = strlen(argv[A_CHANNEL]);
	lens[A_EXPIRY] = strlen(argv[A_EXPIRY]);
	if (store_eval(b->ctx->store, SCRIPT_APPEND, pt->w[0].on_reply,
		       pt->w[0].arg, 4, A__COUNT, argv, lens))
		answer_all(pt->w, 1, b->ctx->store, NULL);
}

static void send_batch(struct batch *b, struct shard_batch *sb)
{
	int np = sb->nparts, argc = 0, blob_at = 3 * np + 2;
	const char *argv[4 * BATCH_CONVS + 3];
	size_t lens[4 * BATCH_CONVS + 3], at = 0;
	struct key outbox = key_outbox(key_shard_of(sb->parts[0]->conv));
	struct call *call =
		malloc(sizeof(*call) + (size_t)sb->n * sizeof(struct waiter));
	char *blob = malloc(sb->bytes);

	if (!call || !blob) {
		for (int i = 0; i < np; i++)
			answer_all(sb->parts[i]->w, sb->parts[i]->n,
				   b->ctx->store, NULL);
		goto out;
	}
	call->n = 0;
	for (int i = 0; i < np; i++) {
		struct part *pt = sb->parts[i];

		for (int k = 0; k < 3; k++)
			argv[argc++] = pt->keys[k].s;
		memcpy(blob + at, pt->rec, pt->len);
		at += pt->len;
		memcpy(call->w + call->n, pt->w,
		       (size_t)pt->n * sizeof(*pt->w));
		call->n += pt->n;
	}
	argv[argc++] = outbox.s;
	argv[argc++] = b->expiry;
	argv[argc++] = blob;
	for (int i = 0; i < np; i++)
		argv[argc++] = sb->parts[i]->channel.s;
	for (int i = 0; i < argc; i++)
		lens[i] = i == blob_at ? at : strlen(argv[i]);
	if (store_eval(b->ctx->store, SCRIPT_APPEND_BATCH, on_batch_reply, call,
		       3 * np + 1, argc, argv, lens)) {
		answer_all(call->w, call->n, b->ctx->store, NULL);
		goto out;
	}
	call = NULL; /* on_batch_reply frees it */
out:
	free(call);
	free(blob);
}

/* Sends the shard's batch. It is taken out of the shard first, so the
 * shard gathers anew should an answer given here bring a message. */
static void flush_shard(struct batch *b, unsigned shard)
{
	struct shard_batch *sb = &b->shards[shard], taken = *sb;

	sb->nparts = sb->n = 0;
	sb->bytes = 0;
	if (taken.n == 1)
		send_single(b, taken.parts[0]);
	else if (taken.n > 1)
		send_batch(b, &taken);
	for (int i = 0; i < taken.nparts; i++) {
		free(taken.parts[i]->rec);
		free(taken.parts[i]);
	}
}

static void flush_all(struct batch *b)
{
	unsigned dirty[KEYS_SHARDS];
	int n = b->ndirty;

	memcpy(dirty, b->dirty, (size_t)n * sizeof(dirty[0]));
	b->ndirty = 0;
	uv_check_stop(&b->check);
	uv_idle_stop(&b->idle);
	for (int i = 0; i < n; i++) {
		b->shards[dirty[i]].listed = false;
		flush_shard(b, dirty[i]);
	}
}

static void on_check(uv_check_t *h)
{
	flush_all(h->data);
}

static void on_idle(uv_idle_t *h)
{
	(void)h;
}

/* The conversation's part of the shard's batch, added when missing;
 * NULL when memory ran out. Sends the batch first when it has no room
 * for another conversation. */
static struct part *part_of(struct batch *b, unsigned shard, const char *conv,
			    const char **argv)
{
	struct shard_batch *sb = &b->shards[shard];
	struct part *pt;

	for (int i = 0; i < sb->nparts; i++)
		if (strcmp(sb->parts[i]->conv, conv) == 0)
			return sb->parts[i];
	if (sb->nparts == BATCH_CONVS)
		flush_shard(b, shard);
	pt = calloc(1, sizeof(*pt));
	if (!pt)
		return NULL;
	snprintf(pt->conv, sizeof(pt->conv), "%s", conv);
	pt->index = sb->nparts + 1;
	for (int k = 0; k < 3; k++)
		snprintf(pt->keys[k].s, sizeof(pt->keys[k].s), "%s",
			 argv[A_META + k]);
	snprintf(pt->channel.s, sizeof(pt->channel.s), "%s", argv[A_CHANNEL]);
	sb->parts[sb->nparts++] = pt;
	return pt;
}

/* Appends the packed message to pt; -1 when memory ran out. */
static int pack(struct part *pt, const char **argv, size_t sl, size_t fl,
		size_t pl)
{
	size_t need = HEAD_LEN + sl + fl + pl;
	unsigned char *h;

	if (pt->len + need > pt->cap) {
		size_t cap = (pt->len + need) * 2;
		char *rec = realloc(pt->rec, cap);

		if (!rec)
			return -1;
		pt->rec = rec;
		pt->cap = cap;
	}
	h = (unsigned char *)pt->rec + pt->len;
	h[0] = (unsigned char)pt->index;
	h[1] = argv[A_OWN][0] == '1' ? '1' : '0';
	h[2] = strcmp(argv[A_OP], "note") == 0 ? 'n' : 's';
	h[3] = (unsigned char)sl;
	h[4] = (unsigned char)fl;
	h[5] = (unsigned char)(pl >> 16);
	h[6] = (unsigned char)(pl >> 8);
	h[7] = (unsigned char)pl;
	memcpy(h + 8, argv[A_TAG], 2);
	memcpy(h + 10, argv[A_FP], IDS_FP_LEN);
	memcpy(h + HEAD_LEN, argv[A_SENDER], sl);
	memcpy(h + HEAD_LEN + sl, argv[A_FIELD], fl);
	memcpy(h + HEAD_LEN + sl + fl, argv[A_PREFIX], pl);
	pt->len += need;
	return 0;
}

/* Sends the message at once, after what its shard gathered: one that does
 * not fit the packed form (never from conv.c: ids are short). */
static int send_now(struct batch *b, unsigned shard, int argc,
		    const char **argv, const struct waiter *w)
{
	flush_shard(b, shard);
	return store_eval(b->ctx->store, SCRIPT_APPEND, w->on_reply, w->arg, 4,
			  argc, argv, NULL);
}

int batch_append(struct batch *b, const char *conv, int argc, const char **argv,
		 store_reply_cb on_reply, void *arg)
{
	struct waiter w = {on_reply, arg};
	unsigned shard = key_shard_of(conv);
	struct shard_batch *sb = &b->shards[shard];
	size_t sl, fl, pl, need;
	struct part *pt;

	if (!store_ready(b->ctx->store) || argc != A__COUNT)
		return -1;
	sl = strlen(argv[A_SENDER]);
	fl = strlen(argv[A_FIELD]);
	pl = strlen(argv[A_PREFIX]);
	need = HEAD_LEN + sl + fl + pl;
	if (sl > UINT8_MAX || fl > UINT8_MAX || pl > PREFIX_MAX ||
	    strlen(argv[A_TAG]) != 2 || strlen(argv[A_FP]) != IDS_FP_LEN)
		return send_now(b, shard, argc, argv, &w);
	if (sb->n > 0 && sb->bytes + need > BATCH_BYTES)
		flush_shard(b, shard);
	snprintf(b->expiry, sizeof(b->expiry), "%s", argv[A_EXPIRY]);
	pt = part_of(b, shard, conv, argv);
	if (!pt || pack(pt, argv, sl, fl, pl))
		return -1;
	pt->w[pt->n++] = w;
	sb->n++;
	sb->bytes += need;
	if (!sb->listed) {
		sb->listed = true;
		b->dirty[b->ndirty++] = shard;
		if (b->ndirty == 1) {
			uv_check_start(&b->check, on_check);
			uv_idle_start(&b->idle, on_idle);
		}
	}
	if (sb->n == BATCH_MSGS)
		flush_shard(b, shard);
	return 0;
}

void batch_flush_conv(struct batch *b, const char *conv)
{
	flush_shard(b, key_shard_of(conv));
}

struct batch *batch_create(uv_loop_t *loop, struct cmd_ctx *ctx)
{
	struct batch *b = xcalloc(1, sizeof(*b));

	b->ctx = ctx;
	uv_check_init(loop, &b->check);
	uv_idle_init(loop, &b->idle);
	b->check.data = b->idle.data = b;
	b->open_handles = 2;
	ctx->batch = b;
	return b;
}

static void on_handle_closed(uv_handle_t *h)
{
	struct batch *b = h->data;

	if (--b->open_handles == 0)
		free(b);
}

void batch_destroy(struct batch *b)
{
	if (!b)
		return;
	flush_all(b);
	b->ctx->batch = NULL;
	uv_close((uv_handle_t *)&b->check, on_handle_closed);
	uv_close((uv_handle_t *)&b->idle, on_handle_closed);
}
