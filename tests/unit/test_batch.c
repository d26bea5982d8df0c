/*
 * Tests for cmd/batch.c: what goes to Redis (one append for a message
 * alone, one append_batch per shard and loop round, the packed form, the
 * caps) and how each message's own answer is cut out of the reply. The
 * store is a stub that records the steps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "batch.h"
#include "chat/store/keys.h"

#define MAX_STEPS 8
#define MAX_ARGS 40

/* A step the stub store was given. */
struct step {
	enum script_id script;
	int nkeys, argc;
	char *argv[MAX_ARGS];
	size_t lens[MAX_ARGS];
	store_reply_cb cb;
	void *arg;
	bool answered;
};

static struct step steps[MAX_STEPS];
static int nsteps;
static bool ready = true, refuse;

bool store_ready(const struct store *st)
{
	(void)st;
	return ready;
}

int store_eval(struct store *st, enum script_id script, store_reply_cb cb,
	       void *arg, int nkeys, int argc, const char **argv,
	       const size_t *lens)
{
	struct step *s = &steps[nsteps];

	(void)st;
	if (refuse || nsteps == MAX_STEPS || argc > MAX_ARGS)
		return -1;
	nsteps++;
	s->script = script;
	s->nkeys = nkeys;
	s->argc = argc;
	s->cb = cb;
	s->arg = arg;
	s->answered = false;
	for (int i = 0; i < argc; i++) {
		s->lens[i] = lens ? lens[i] : strlen(argv[i]);
		s->argv[i] = malloc(s->lens[i] + 1);
		memcpy(s->argv[i], argv[i], s->lens[i]);
		s->argv[i][s->lens[i]] = '\0';
	}
	return 0;
}

/* What each message was told, in the order they were added. */
struct answer {
	int calls;
	bool null, error;
	char error_str[32];
	long long seq;
};

static void on_reply(struct store *st, redisReply *r, void *arg)
{
	struct answer *a = arg;

	(void)st;
	a->calls++;
	a->null = !r;
	if (r && r->type == REDIS_REPLY_ERROR) {
		a->error = true;
		snprintf(a->error_str, sizeof(a->error_str), "%s", r->str);
	} else if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 3) {
		a->seq = r->element[1]->integer;
	}
}

/* Gives step i its reply, as the store would. */
static void answer(int i, redisReply *r)
{
	steps[i].answered = true;
	steps[i].cb(NULL, r, steps[i].arg);
}

struct fixture {
	uv_loop_t loop;
	struct cmd_ctx ctx;
	struct batch *b;
	char convs[8][PROTO_CONV_LEN + 1]; /* all in one shard */
	char other[PROTO_CONV_LEN + 1];	   /* in another */
	struct answer answers[80];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int n = 0;

	uv_loop_init(&f->loop);
	f->b = batch_create(&f->loop, &f->ctx);
	for (int i = 0; n < 8 || !*f->other; i++) {
		char c[PROTO_CONV_LEN + 1];

		snprintf(c, sizeof(c), "conv%018d", i);
		if (key_shard_of(c) == key_shard_of("conv000000000000000000")) {
			if (n < 8)
				strcpy(f->convs[n++], c);
		} else if (!*f->other) {
			strcpy(f->other, c);
		}
	}
	nsteps = 0;
	ready = true;
	refuse = false;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	batch_destroy(f->b);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	uv_loop_close(&f->loop);
	for (int i = 0; i < nsteps; i++)
		if (!steps[i].answered)
			answer(i, NULL);
	for (int i = 0; i < nsteps; i++)
		for (int k = 0; k < steps[i].argc; k++)
			free(steps[i].argv[k]);
	free(f);
	return 0;
}

/* Adds message i (text "m<i>") of conv as append would take it. */
static int add(struct fixture *f, const char *conv, int i, bool note)
{
	struct key meta = key_conv_meta(conv), events = key_conv_events(conv),
		   idem = key_conv_idem(conv), ch = chan_conv(conv),
		   outbox = key_outbox(key_shard_of(conv));
	char field[64], prefix[64];

	snprintf(field, sizeof(field), "2:c1:cid%d", i);
	snprintf(prefix, sizeof(prefix), "{\"text\":\"m%d\"", i);
	const char *argv[] = {meta.s,
			      events.s,
			      idem.s,
			      outbox.s,
			      note ? "note" : "send",
			      "c1",
			      note ? "0" : "1",
			      prefix,
			      field,
			      "0123456789abcdef",
			      note ? "an" : "*m",
			      ch.s,
			      "86400 0"};
	return batch_append(f->b, conv, 13, argv, on_reply, &f->answers[i]);
}

static void end_round(struct fixture *f)
{
	uv_run(&f->loop, UV_RUN_NOWAIT);
}

/* The texts packed in a batch's messages, in order, as "conv-index:m<i>". */
static void unpack(const struct step *s, char *out, size_t cap)
{
	const unsigned char *b = (const unsigned char *)s->argv[s->nkeys + 1];
	size_t len = s->lens[s->nkeys + 1], p = 0, at = 0;

	out[0] = '\0';
	while (p < len) {
		size_t sl = b[p + 3], fl = b[p + 4];
		size_t pl = ((size_t)b[p + 5] << 16) | ((size_t)b[p + 6] << 8) |
			    b[p + 7];
		const char *prefix = (const char *)b + p + 26 + sl + fl;

		assert_memory_equal(b + p + 8, b[p + 2] == 'n' ? "an" : "*m",
				    2);
		assert_memory_equal(b + p + 10, "0123456789abcdef", 16);
		assert_memory_equal(b + p + 26, "c1", sl);
		at += (size_t)snprintf(out + at, cap - at, "%s%d:%.*s",
				       at ? " " : "", b[p], (int)(pl - 10),
				       prefix + 9);
		p += 26 + sl + fl + pl;
	}
	assert_int_equal(p, len);
}

static void
test_a_message_alone_goes_as_append_with_its_own_arguments(void **state)
{
	struct fixture *f = *state;
	struct key idem = key_conv_idem(f->convs[0]);

	assert_int_equal(add(f, f->convs[0], 0, false), 0);
	assert_int_equal(nsteps, 0);
	end_round(f);
	assert_int_equal(nsteps, 1);
	assert_int_equal(steps[0].script, SCRIPT_APPEND);
	assert_int_equal(steps[0].nkeys, 4);
	assert_int_equal(steps[0].argc, 13);
	assert_string_equal(steps[0].argv[2], idem.s);
	assert_string_equal(steps[0].argv[3],
			    key_outbox(key_shard_of(f->convs[0])).s);
	assert_string_equal(steps[0].argv[4], "send");
	assert_string_equal(steps[0].argv[5], "c1");
	assert_string_equal(steps[0].argv[6], "1");
	assert_string_equal(steps[0].argv[7], "{\"text\":\"m0\"");
	assert_string_equal(steps[0].argv[8], "2:c1:cid0");
	assert_string_equal(steps[0].argv[9], "0123456789abcdef");
	assert_string_equal(steps[0].argv[10], "*m");
	assert_string_equal(steps[0].argv[12], "86400 0");
	assert_int_equal(f->answers[0].calls, 0);
}

static redisReply *integer(long long v)
{
	redisReply *r = calloc(1, sizeof(*r));

	r->type = REDIS_REPLY_INTEGER;
	r->integer = v;
	return r;
}

static void
test_one_step_per_shard_and_round_grouped_by_conversation_each_answered_on_its_own(
	void **state)
{
	struct fixture *f = *state;
	redisReply *el[9], top = {.type = REDIS_REPLY_ARRAY, .elements = 9};
	redisReply err = {.type = REDIS_REPLY_ERROR, .str = "not_found"};
	char texts[256];

	add(f, f->convs[0], 0, false);
	add(f, f->convs[1], 1, false);
	add(f, f->convs[0], 2, true);
	add(f, f->other, 3, false);
	end_round(f);
	assert_int_equal(nsteps, 2);
	/* The shard's three messages, conversation by conversation. */
	assert_int_equal(steps[0].script, SCRIPT_APPEND_BATCH);
	assert_int_equal(steps[0].nkeys, 7);
	assert_int_equal(steps[0].argc, 11);
	assert_string_equal(steps[0].argv[0], key_conv_meta(f->convs[0]).s);
	assert_string_equal(steps[0].argv[3], key_conv_meta(f->convs[1]).s);
	assert_string_equal(steps[0].argv[6],
			    key_outbox(key_shard_of(f->convs[0])).s);
	assert_string_equal(steps[0].argv[7], "86400 0");
	assert_string_equal(steps[0].argv[9], chan_conv(f->convs[0]).s);
	assert_string_equal(steps[0].argv[10], chan_conv(f->convs[1]).s);
	unpack(&steps[0], texts, sizeof(texts));
	assert_string_equal(texts, "1:m0 1:m2 2:m1");
	/* The other shard's message alone. */
	assert_int_equal(steps[1].script, SCRIPT_APPEND);

	/* Replies in the step's order: m0 stored, m2 refused, m1 stored. */
	for (int i = 0; i < 9; i++)
		el[i] = integer(i == 1 ? 2 : i == 7 ? 2 : 0);
	free(el[3]);
	el[3] = &err;
	top.element = el;
	answer(0, &top);
	assert_int_equal(f->answers[0].calls, 1);
	assert_int_equal(f->answers[0].seq, 2);
	assert_int_equal(f->answers[2].calls, 1);
	assert_true(f->answers[2].error);
	assert_string_equal(f->answers[2].error_str, "not_found");
	assert_int_equal(f->answers[1].calls, 1);
	assert_false(f->answers[1].error);
	assert_int_equal(f->answers[1].seq, 2);
	for (int i = 0; i < 9; i++)
		if (i != 3)
			free(el[i]);
	answer(1, NULL);
	assert_true(f->answers[3].null);
}

static void
test_a_failed_step_answers_every_message_with_its_reply(void **state)
{
	struct fixture *f = *state;
	redisReply busy = {.type = REDIS_REPLY_ERROR, .str = "BUSY"};

	for (int i = 0; i < 4; i++)
		add(f, f->convs[i % 2], i, false);
	end_round(f);
	assert_int_equal(nsteps, 1);
	answer(0, &busy);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(f->answers[i].calls, 1);
		assert_string_equal(f->answers[i].error_str, "BUSY");
	}
}

static void test_a_full_batch_goes_at_once(void **state)
{
	struct fixture *f = *state;

	for (int i = 0; i < 64; i++)
		add(f, f->convs[0], i, false);
	assert_int_equal(nsteps, 1);
	assert_int_equal(steps[0].script, SCRIPT_APPEND_BATCH);
	add(f, f->convs[0], 64, false);
	assert_int_equal(nsteps, 1);
	end_round(f);
	assert_int_equal(nsteps, 2);
	assert_int_equal(steps[1].script, SCRIPT_APPEND);
	/* Seven conversations fill a batch: the eighth starts the next. */
	for (int i = 0; i < 8; i++)
		add(f, f->convs[i], i, false);
	assert_int_equal(nsteps, 3);
	assert_int_equal(steps[2].nkeys, 22);
	assert_int_equal(steps[2].argc, 31);
	end_round(f);
	assert_int_equal(nsteps, 4);
	assert_int_equal(steps[3].script, SCRIPT_APPEND);
	assert_string_equal(steps[3].argv[0], key_conv_meta(f->convs[7]).s);
}

static void test_flush_conv_sends_its_shard_before_the_next_step(void **state)
{
	struct fixture *f = *state;

	add(f, f->convs[0], 0, false);
	add(f, f->convs[1], 1, false);
	batch_flush_conv(f->b, f->convs[2]);
	assert_int_equal(nsteps, 1);
	end_round(f);
	assert_int_equal(nsteps, 1);
}

static void
test_redis_not_ready_refuses_and_a_failed_send_answers_null(void **state)
{
	struct fixture *f = *state;

	ready = false;
	assert_int_equal(add(f, f->convs[0], 0, false), -1);
	ready = true;
	add(f, f->convs[0], 1, false);
	add(f, f->convs[0], 2, false);
	refuse = true;
	end_round(f);
	assert_int_equal(f->answers[0].calls, 0);
	for (int i = 1; i < 3; i++) {
		assert_int_equal(f->answers[i].calls, 1);
		assert_true(f->answers[i].null);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_a_message_alone_goes_as_append_with_its_own_arguments,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_one_step_per_shard_and_round_grouped_by_conversation_each_answered_on_its_own,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_failed_step_answers_every_message_with_its_reply,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_full_batch_goes_at_once,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_flush_conv_sends_its_shard_before_the_next_step,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_redis_not_ready_refuses_and_a_failed_send_answers_null,
			setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
