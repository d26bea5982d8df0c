/*
 * mail_ingest_cmd: `chatd mail-ingest [--wait-ms N] [serve's settings]`
 * reads one email from stdin (an MTA's pipe transport), ingests it
 * (inbound/ingest.c: appended, duplicate, dropped, auto-replied, or
 * refused), prints the outcome as one line of JSON on stdout and exits
 * with its sysexits code. It reads the settings `chatd serve` reads
 * (--config FILE, CHAT_* variables, flags) and needs redis, id-secret,
 * jwt-keys, reply-keys and reply-domain. It waits for Redis up to
 * --wait-ms (default 10 s), then answers 75 (try later) for any mail
 * that needs it. Logs go to stderr.
 */
#include "mail_ingest_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <gmime/gmime.h>
#include <jansson.h>
#include <uv.h>

#include "chat/cmd/cmd.h"
#include "chat/common/config.h"
#include "chat/common/log.h"
#include "chat/common/util.h"
#include "chat/inbound/ingest.h"
#include "chat/store/store.h"
#include "chat/support/policy.h"

#define WAIT_MS_DEFAULT 10000

struct ingest_run {
	uv_loop_t loop;
	struct config cfg;
	struct policy policy;
	struct reply_keys keys;
	struct ingest_config icfg;
	struct store *store;
	struct cmd_ctx cmd;
	uv_timer_t deadline;
	char *raw;
	size_t len;
	bool started;
	int exit_code;
};

/* Reads stdin up to max + 1 bytes (one more says "too large"; nothing
 * past it is read). NULL on a read error. */
static char *read_mail(size_t max, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = xmalloc(cap);

	for (;;) {
		size_t want = cap - n, got;

		if (n + want > max + 1)
			want = max + 1 - n;
		got = fread(buf + n, 1, want, stdin);
		n += got;
		if (got < want || n == max + 1)
			break;
		if (n == cap) {
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			buf = xrealloc(buf, cap);
		}
	}
	if (ferror(stdin)) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

static void print_result(const struct ingest_result *r)
{
	json_t *o = json_pack("{s:s, s:s, s:I, s:b, s:s}", "outcome",
			      ingest_outcome_name(r->outcome), "conv", r->conv,
			      "seq", (json_int_t)r->seq, "reopened",
			      r->reopened, "detail", r->detail);
	char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;

	if (line)
		printf("%s\n", line);
	fflush(stdout);
	free(line);
	json_decref(o);
}

static void on_result(const struct ingest_result *r, void *arg)
{
	struct ingest_run *run = arg;

	print_result(r);
	run->exit_code = ingest_exit_code(r->outcome);
	uv_close((uv_handle_t *)&run->deadline, NULL);
	store_stop(run->store);
}

static void ingest_now(struct ingest_run *run)
{
	if (run->started)
		return;
	run->started = true;
	uv_timer_stop(&run->deadline);
	if (!store_ready(run->store))
		log_warn("mail-ingest: redis is not ready");
	inbound_ingest(&run->cmd, &run->icfg, run->raw, run->len, on_result,
		       run);
}

static void on_store_state(bool ready, void *arg)
{
	struct ingest_run *run = arg;

	if (ready)
		ingest_now(run);
}

static void on_deadline(uv_timer_t *t)
{
	ingest_now(t->data);
}

/* Removes --wait-ms N from argv (in place); returns the new argc, or -1
 * when its value is not a number of milliseconds. */
static int take_wait_ms(int argc, char **argv, long *wait_ms)
{
	int out = 0;

	*wait_ms = WAIT_MS_DEFAULT;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--wait-ms") == 0 && i + 1 < argc) {
			char *end;

			*wait_ms = strtol(argv[++i], &end, 10);
			if (*end || *wait_ms < 0 || *wait_ms > 600000)
				return -1;
			continue;
		}
		argv[out++] = argv[i];
	}
	return out;
}

static int settings(struct ingest_run *run, int argc, char **argv)
{
	char err[256];
	int rc = config_load(&run->cfg, argc, argv);

	if (rc)
		return rc;
	if (!run->cfg.reply_domain || !*run->cfg.reply_domain ||
	    !run->cfg.reply_keys || !*run->cfg.reply_keys) {
		fprintf(stderr, "chatd mail-ingest: needs --reply-domain and "
				"--reply-keys (CHAT_REPLY_KEYS)\n");
		return -1;
	}
	if (reply_keys_parse(&run->keys, run->cfg.reply_keys, err,
			     sizeof(err))) {
		fprintf(stderr, "chatd mail-ingest: reply keys: %s\n", err);
		return -1;
	}
	policy_defaults(&run->policy);
	if (run->cfg.policy &&
	    policy_load(&run->policy, run->cfg.policy, err, sizeof(err))) {
		fprintf(stderr, "chatd mail-ingest: %s\n", err);
		return -1;
	}
	run->icfg = (struct ingest_config){&run->keys, run->cfg.reply_domain,
					   (size_t)run->cfg.mail_max_bytes,
					   run->cfg.mail_from};
	return 0;
}

/* The loop: the store, the command context, the deadline. */
static int run_loop(struct ingest_run *run, long wait_ms)
{
	struct redis_config redis;
	const char *why;

	if (redis_config_parse(run->cfg.redis, &redis, &why)) {
		fprintf(stderr, "chatd mail-ingest: invalid redis '%s': %s\n",
			run->cfg.redis, why);
		return EX_CONFIG;
	}
	/* the id secret is checked before anything can call back */
	if (cmd_ctx_init(&run->cmd, NULL, NULL, run->cfg.id_secret)) {
		fprintf(stderr, "chatd mail-ingest: invalid id-secret\n");
		return EX_CONFIG;
	}
	cmd_ctx_limits(&run->cmd, (unsigned)run->cfg.page,
		       (size_t)run->cfg.history_bytes, run->cfg.idem_ttl_s,
		       run->cfg.retention_s);
	run->cmd.replica_acks = (int)run->cfg.replica_acks;
	run->cmd.replica_timeout_ms = run->cfg.replica_timeout_ms;
	run->cmd.policy = &run->policy;
	uv_loop_init(&run->loop);
	uv_timer_init(&run->loop, &run->deadline);
	run->deadline.data = run;
	run->store = store_create(&run->loop, &redis, on_store_state, run);
	run->cmd.store = run->store;
	/* a mail over the limit needs no Redis */
	uv_timer_start(&run->deadline, on_deadline,
		       run->len > run->icfg.max_bytes ? 0 : (uint64_t)wait_ms,
		       0);
	uv_run(&run->loop, UV_RUN_DEFAULT);
	store_destroy(run->store);
	uv_run(&run->loop, UV_RUN_DEFAULT);
	uv_loop_close(&run->loop);
	return run->exit_code;
}

int mail_ingest_cmd_main(int argc, char **argv)
{
	struct ingest_run *run = xcalloc(1, sizeof(*run));
	long wait_ms;
	int rc;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			printf("usage: chatd mail-ingest [--wait-ms N] "
			       "[--config "
			       "FILE] [--NAME VALUE ...] < MAIL\n"
			       "  One email from stdin into its conversation; "
			       "prints the outcome as JSON and exits\n"
			       "  with its sysexits code. --wait-ms: how long "
			       "to wait for Redis [10000].\n"
			       "  It reads the settings of chatd serve:\n\n");
	argc = take_wait_ms(argc, argv, &wait_ms);
	rc = argc < 0 ? -1 : settings(run, argc, argv);
	if (rc) {
		if (argc < 0)
			fprintf(stderr, "chatd mail-ingest: --wait-ms wants "
					"0 to 600000\n");
		config_cleanup(&run->cfg);
		free(run);
		return rc == 1 ? 0 : EX_CONFIG;
	}
	log_set_level_named(run->cfg.log_level);
	run->raw = read_mail((size_t)run->cfg.mail_max_bytes, &run->len);
	if (!run->raw) {
		fprintf(stderr, "chatd mail-ingest: cannot read stdin\n");
		rc = EX_IOERR;
	} else {
		rc = run_loop(run, wait_ms);
	}
	free(run->raw);
	config_cleanup(&run->cfg);
	free(run);
	g_mime_shutdown();
	return rc;
}
