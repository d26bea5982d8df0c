/*
 * mail_dead_cmd: `chatd mail-dead [list|requeue|drop] ...`, the
 * operator's view of the dead letters: the mail jobs the relay refused or
 * that failed --mail-tries times (mailer/, mail_take.lua, mail_finish.lua),
 * kept with their tries and last error. `list` prints them oldest first,
 * one JSON line each, then a line with the count; `requeue` puts them
 * back into the queue as new jobs, to be given every try again once the
 * cause is fixed; `drop` deletes them for good. requeue and drop are one
 * atomic step per call (mail_dead.lua). It reads the settings `chatd
 * serve` reads and needs redis (one server, a cluster or sentinels); it
 * waits for Redis up to --wait-ms and exits 75 when it cannot be reached.
 * Not here: sending, retries, the queue itself (cmd/mailq.c).
 */
#include "mail_dead_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <jansson.h>
#include <uv.h>

#include "chat/common/config.h"
#include "chat/common/log.h"
#include "chat/common/util.h"
#include "chat/store/keys.h"
#include "chat/store/store.h"

#define WAIT_MS_DEFAULT 10000
#define LIMIT_DEFAULT 100
#define LIMIT_MAX 100000
/* entry ids one call takes: the store's argument limit less the keys */
#define IDS_MAX 60

enum dead_op { DEAD_LIST, DEAD_REQUEUE, DEAD_DROP };

static const char *const op_names[] = {"list", "requeue", "drop"};

/* What the command line asks; ids and settings borrow argv's strings. */
struct dead_args {
	enum dead_op op;
	bool op_given, all, help;
	long limit, wait_ms;
	int nids, nsettings;
	const char **ids;
	char **settings; /* for config_load: the command's name, then flags */
};

struct dead_run {
	uv_loop_t loop;
	struct config cfg;
	struct dead_args args;
	struct store *store;
	uv_timer_t deadline;
	size_t listed;
	bool started;
	int exit_code;
};

static void finish(struct dead_run *run, int exit_code)
{
	run->exit_code = exit_code;
	uv_close((uv_handle_t *)&run->deadline, NULL);
	store_stop(run->store);
}

/* False (after finishing with its exit code) when r is no answer. */
static bool answered(struct dead_run *run, const redisReply *r)
{
	if (!r) {
		fprintf(stderr, "chatd mail-dead: redis did not answer\n");
		finish(run, EX_TEMPFAIL);
		return false;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		fprintf(stderr, "chatd mail-dead: redis: %s\n", r->str);
		finish(run, EX_UNAVAILABLE);
		return false;
	}
	return true;
}

static void print_json(json_t *o)
{
	char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;

	if (line)
		printf("%s\n", line);
	fflush(stdout);
	free(line);
	json_decref(o);
}

/* The value of a dead letter's field (borrowed), or NULL. */
static const redisReply *field(const redisReply *fields, const char *name)
{
	for (size_t i = 0; i + 1 < fields->elements; i += 2)
		if (fields->element[i]->type == REDIS_REPLY_STRING &&
		    strcmp(fields->element[i]->str, name) == 0 &&
		    fields->element[i + 1]->type == REDIS_REPLY_STRING)
			return fields->element[i + 1];
	return NULL;
}

static const char *kind_name(const char *k)
{
	static const char *const names[][2] = {
		{"t", "transcript"},
		{"r", "transcript-requested"},
		{"n", "notification"},
		{"a", "auto-reply"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(k, names[i][0]) == 0)
			return names[i][1];
	return k;
}

/* Sets name to the field's text when there is one (text that is not
 * UTF-8 is left out rather than printed as invalid JSON). */
static void put_text(json_t *o, const char *name, const redisReply *v)
{
	if (v && v->len > 0)
		json_object_set_new(o, name, json_stringn(v->str, v->len));
}

static void put_number(json_t *o, const char *name, const redisReply *v)
{
	if (v)
		json_object_set_new(o, name,
				    json_integer(strtoll(v->str, NULL, 10)));
}

/* e: {entry id, {field, value, ...}} as XRANGE gives it. */
static void print_letter(const redisReply *e)
{
	const redisReply *f, *kind;
	json_t *o;

	if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
	    e->element[0]->type != REDIS_REPLY_STRING ||
	    e->element[1]->type != REDIS_REPLY_ARRAY)
		return;
	f = e->element[1];
	kind = field(f, "k");
	o = json_object();
	put_text(o, "entry", e->element[0]);
	if (kind)
		json_object_set_new(o, "kind",
				    json_string(kind_name(kind->str)));
	put_text(o, "conv", field(f, "c"));
	put_text(o, "to", field(f, "to"));
	put_number(o, "tries", field(f, "tries"));
	put_text(o, "error", field(f, "error"));
	put_number(o, "queued_ms", field(f, "t"));
	put_text(o, "job", field(f, "id"));
	print_json(o);
}

static void on_length(struct store *st, redisReply *r, void *arg)
{
	struct dead_run *run = arg;

	(void)st;
	if (!answered(run, r))
		return;
	print_json(json_pack("{s:I, s:I}", "count", (json_int_t)run->listed,
			     "total", (json_int_t)r->integer));
	finish(run, EX_OK);
}

static void on_range(struct store *st, redisReply *r, void *arg)
{
	struct dead_run *run = arg;
	struct key dead = key_mail_dead();
	const char *argv[] = {"XLEN", dead.s};

	if (!answered(run, r))
		return;
	for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++)
		print_letter(r->element[i]);
	run->listed = r->type == REDIS_REPLY_ARRAY ? r->elements : 0;
	if (store_command(st, on_length, run, 2, argv, NULL))
		finish(run, EX_TEMPFAIL);
}

static int list(struct dead_run *run)
{
	struct key dead = key_mail_dead();
	char count[24];
	const char *argv[] = {"XRANGE", dead.s, "-", "+", "COUNT", count};

	snprintf(count, sizeof(count), "%ld", run->args.limit);
	return store_command(run->store, on_range, run, 6, argv, NULL);
}

/* r: {how many, {ids not found}} (mail_dead.lua). */
static void on_settled(struct store *st, redisReply *r, void *arg)
{
	struct dead_run *run = arg;
	const redisReply *unknown;
	json_t *ids;

	(void)st;
	if (!answered(run, r))
		return;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_INTEGER ||
	    r->element[1]->type != REDIS_REPLY_ARRAY) {
		fprintf(stderr, "chatd mail-dead: unexpected reply\n");
		finish(run, EX_UNAVAILABLE);
		return;
	}
	unknown = r->element[1];
	ids = json_array();
	for (size_t i = 0; i < unknown->elements; i++) {
		fprintf(stderr, "chatd mail-dead: no dead letter %s\n",
			unknown->element[i]->str);
		json_array_append_new(ids,
				      json_string(unknown->element[i]->str));
	}
	print_json(
		json_pack("{s:I, s:o}",
			  run->args.op == DEAD_REQUEUE ? "requeued" : "dropped",
			  (json_int_t)r->element[0]->integer, "unknown", ids));
	finish(run, EX_OK);
}

static int settle(struct dead_run *run)
{
	struct key dead = key_mail_dead(), q = key_mail_queue();
	int n = 0, rc;
	const char **argv = xcalloc((size_t)run->args.nids + 3, sizeof(*argv));

	argv[n++] = dead.s;
	argv[n++] = q.s;
	argv[n++] = op_names[run->args.op];
	for (int i = 0; i < run->args.nids; i++)
		argv[n++] = run->args.ids[i];
	rc = store_eval(run->store, SCRIPT_MAIL_DEAD, on_settled, run, 2, n,
			argv, NULL);
	free(argv);
	return rc;
}

static void start(struct dead_run *run)
{
	run->started = true;
	uv_timer_stop(&run->deadline);
	if ((run->args.op == DEAD_LIST ? list(run) : settle(run)) != 0) {
		fprintf(stderr, "chatd mail-dead: redis is not ready\n");
		finish(run, EX_TEMPFAIL);
	}
}

static void on_store_state(bool ready, void *arg)
{
	struct dead_run *run = arg;

	if (ready && !run->started)
		start(run);
}

static void on_deadline(uv_timer_t *t)
{
	struct dead_run *run = t->data;

	run->started = true;
	fprintf(stderr,
		"chatd mail-dead: redis (%s) not reached within %ld ms\n",
		run->cfg.redis, run->args.wait_ms);
	finish(run, EX_TEMPFAIL);
}

/* An entry id as Redis streams write them: MS-SEQ, both decimal. */
static bool entry_id_valid(const char *id)
{
	size_t ms = strspn(id, "0123456789"), seq;

	if (ms == 0 || ms > 20 || id[ms] != '-')
		return false;
	seq = strspn(id + ms + 1, "0123456789");
	return seq > 0 && seq <= 20 && id[ms + 1 + seq] == '\0';
}

/* Reads a flag's number into *out; false (after saying so) when it is
 * not one between min and max. */
static bool number_arg(const char *flag, const char *s, long min, long max,
		       long *out)
{
	char *end;

	*out = strtol(s, &end, 10);
	if (*s && !*end && *out >= min && *out <= max)
		return true;
	fprintf(stderr, "chatd mail-dead: %s wants %ld to %ld\n", flag, min,
		max);
	return false;
}

/* A word that is not a flag: the operation first, then entry ids. */
static int take_word(struct dead_args *a, const char *w)
{
	if (!a->op_given && a->nids == 0) {
		for (int op = DEAD_LIST; op <= DEAD_DROP; op++)
			if (strcmp(w, op_names[op]) == 0) {
				a->op = (enum dead_op)op;
				a->op_given = true;
				return 0;
			}
	}
	if (a->op == DEAD_LIST) {
		fprintf(stderr, "chatd mail-dead: unexpected '%s'\n", w);
		return -1;
	}
	a->ids[a->nids++] = w;
	return 0;
}

/* Splits argv into this command's words and flags and the settings for
 * config_load (every other --flag with its value). Returns 0 or -1 after
 * printing why. */
static int parse_args(struct dead_args *a, int argc, char **argv)
{
	*a = (struct dead_args){.limit = LIMIT_DEFAULT,
				.wait_ms = WAIT_MS_DEFAULT};
	a->ids = xcalloc((size_t)argc, sizeof(*a->ids));
	a->settings = xcalloc((size_t)argc + 1, sizeof(*a->settings));
	a->settings[a->nsettings++] = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (strcmp(s, "--all") == 0) {
			a->all = true;
		} else if (strcmp(s, "--limit") == 0 && i + 1 < argc) {
			if (!number_arg(s, argv[++i], 1, LIMIT_MAX, &a->limit))
				return -1;
		} else if (strcmp(s, "--wait-ms") == 0 && i + 1 < argc) {
			if (!number_arg(s, argv[++i], 0, 600000, &a->wait_ms))
				return -1;
		} else if (s[0] == '-') {
			bool help = !strcmp(s, "--help") || !strcmp(s, "-h");

			a->help |= help;
			a->settings[a->nsettings++] = argv[i];
			/* every setting takes a value */
			if (!help && !strchr(s, '=') && i + 1 < argc)
				a->settings[a->nsettings++] = argv[++i];
		} else if (take_word(a, s)) {
			return -1;
		}
	}
	return 0;
}

/* Returns 0, or the exit code for arguments that make no sense. */
static int check_args(const struct dead_args *a)
{
	if (a->help)
		return 0;
	if (a->op == DEAD_LIST && a->all) {
		fprintf(stderr, "chatd mail-dead: --all is for requeue and "
				"drop\n");
		return EX_USAGE;
	}
	if (a->op != DEAD_LIST && a->all == (a->nids > 0)) {
		fprintf(stderr,
			"chatd mail-dead: %s wants entry ids or --all\n",
			op_names[a->op]);
		return EX_USAGE;
	}
	if (a->nids > IDS_MAX) {
		fprintf(stderr,
			"chatd mail-dead: at most %d entry ids at once\n",
			IDS_MAX);
		return EX_USAGE;
	}
	for (int i = 0; i < a->nids; i++)
		if (!entry_id_valid(a->ids[i])) {
			fprintf(stderr,
				"chatd mail-dead: malformed entry id "
				"'%s' (MS-SEQ, as list prints it)\n",
				a->ids[i]);
			return EX_DATAERR;
		}
	return 0;
}

static void usage(void)
{
	printf("usage: chatd mail-dead [list] [--limit N] [settings]\n"
	       "       chatd mail-dead requeue ENTRY... | --all [settings]\n"
	       "       chatd mail-dead drop ENTRY... | --all [settings]\n"
	       "  The mail that could not be sent (refused by the relay, or "
	       "failed every try).\n"
	       "  list: one JSON line per dead letter, oldest first, then "
	       "the count [--limit 100].\n"
	       "  requeue: back into the queue as new jobs (every try "
	       "again); drop: deleted.\n"
	       "  --wait-ms N: how long to wait for Redis [10000], then exit "
	       "75.\n"
	       "  It reads the settings of chatd serve:\n\n");
}

static int run_loop(struct dead_run *run)
{
	struct redis_config redis;
	const char *why;

	if (redis_config_parse(run->cfg.redis, &redis, &why)) {
		fprintf(stderr, "chatd mail-dead: invalid redis '%s': %s\n",
			run->cfg.redis, why);
		return EX_CONFIG;
	}
	log_set_level_named(run->cfg.log_level);
	uv_loop_init(&run->loop);
	uv_timer_init(&run->loop, &run->deadline);
	run->deadline.data = run;
	uv_timer_start(&run->deadline, on_deadline, (uint64_t)run->args.wait_ms,
		       0);
	run->store = store_create(&run->loop, &redis, on_store_state, run);
	uv_run(&run->loop, UV_RUN_DEFAULT);
	store_destroy(run->store);
	uv_run(&run->loop, UV_RUN_DEFAULT);
	uv_loop_close(&run->loop);
	return run->exit_code;
}

int mail_dead_cmd_main(int argc, char **argv)
{
	struct dead_run *run = xcalloc(1, sizeof(*run));
	int rc = parse_args(&run->args, argc, argv) ? EX_USAGE : 0;

	if (!rc)
		rc = check_args(&run->args);
	if (!rc) {
		if (run->args.help)
			usage();
		switch (config_load(&run->cfg, run->args.nsettings,
				    run->args.settings)) {
		case 0:
			rc = run_loop(run);
			break;
		case 1:
			rc = 0;
			break;
		default:
			rc = EX_CONFIG;
		}
		config_cleanup(&run->cfg);
	}
	free(run->args.ids);
	free(run->args.settings);
	free(run);
	return rc;
}
