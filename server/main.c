/*
 * main: the chatd binary. `chatd serve` runs a node: one libuv loop
 * shared by libwebsockets (transport), hiredis (store, bus) and the
 * session hub; SIGINT/SIGTERM drain and exit 0. `chatd token` mints a
 * development token. Nothing here but wiring and the shutdown sequence.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "chat/common/auth.h"
#include "chat/cmd/idle.h"
#include "chat/cmd/outbox.h"
#include "chat/cmd/router.h"
#include "chat/mailer/mailer.h"
#include "chat/support/policy.h"
#include "chat/store/bus.h"
#include "chat/common/config.h"
#include "chat/cmd/batch.h"
#include "chat/net/hub.h"
#include "chat/common/log.h"
#include "chat/common/static_table.h"
#include "chat/common/util.h"
#include "chat/store/store.h"
#include "mail_dead_cmd.h"
#include "mail_ingest_cmd.h"
#include "mail_parse_cmd.h"
#include "mail_setup.h"
#include "mail_token_cmd.h"
#include "migrate_cmd.h"
#include "token_cmd.h"
#include "chat/net/transport.h"

#define CHATD_VERSION "0.1.0"
#define DRAIN_LIMIT_MS 5000

struct node {
	uv_loop_t loop;
	struct config cfg;
	struct auth_config auth;
	struct store *store;
	struct bus *bus;
	struct hub *hub;
	struct idle *idle;
	struct batch *batch;
	struct outbox *outbox;
	struct router *router;
	struct mailer *mailer;
	struct policy *policy;
	struct transport *transport;
	struct static_table *web; /* the web root's files */
	uv_signal_t sigint, sigterm;
	uv_timer_t drain;
	uint64_t drain_started;
	bool draining;
};

static void usage(void)
{
	printf("usage: chatd COMMAND [options]\n\n"
	       "commands:\n"
	       "  serve         run a chatd node (see chatd serve --help)\n"
	       "  token         mint a signed token (see chatd token --help)\n"
	       "  migrate-keys  move conversations stored by a release before "
	       "virtual\n"
	       "                shards to their new key names\n"
	       "  mail-parse    what chatd reads of one email, as JSON\n"
	       "  mail-ingest   one email from stdin into its conversation "
	       "(an MTA pipe)\n"
	       "  mail-token    the reply address of a conversation's mails\n"
	       "  mail-dead     the mail that could not be sent: list, "
	       "requeue, drop\n"
	       "  --help, --version\n");
}

static void finish(struct node *n)
{
	uv_timer_stop(&n->drain);
	uv_close((uv_handle_t *)&n->drain, NULL);
	uv_close((uv_handle_t *)&n->sigint, NULL);
	uv_close((uv_handle_t *)&n->sigterm, NULL);
	idle_destroy(n->idle);
	n->idle = NULL;
	batch_destroy(n->batch);
	n->batch = NULL;
	outbox_destroy(n->outbox);
	n->outbox = NULL;
	router_destroy(n->router);
	n->router = NULL;
	mailer_destroy(n->mailer);
	n->mailer = NULL;
	outbox_log_lag(&n->hub->cmd);
	store_stop(n->store);
	bus_stop(n->bus);
	transport_stop(n->transport); /* the hub goes once lws is done */
}

/* Waits until clients are gone and Redis has answered what was sent. */
static void on_drain_tick(uv_timer_t *t)
{
	struct node *n = t->data;
	bool waited_enough =
		uv_now(&n->loop) - n->drain_started > DRAIN_LIMIT_MS;

	if ((n->hub->n_sessions == 0 && store_pending(n->store) == 0) ||
	    waited_enough) {
		log_info("stopped (%zu sessions, %zu redis replies pending)",
			 n->hub->n_sessions, store_pending(n->store));
		finish(n);
	}
}

static void on_signal(uv_signal_t *sig, int signum)
{
	struct node *n = sig->data;

	if (n->draining)
		return;
	n->draining = true;
	log_info("signal %d: closing %zu connections", signum,
		 n->hub->n_sessions);
	hub_shutdown(n->hub);
	n->drain_started = uv_now(&n->loop);
	uv_timer_start(&n->drain, on_drain_tick, 20, 20);
}

static int write_port_file(const char *path, int port)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) != 0) {
		log_error("cannot write port file %s", path);
		return -1;
	}
	return 0;
}

static int setup_auth(struct node *n)
{
	char err[200];

	if (auth_keys_parse(&n->auth, n->cfg.jwt_keys, err, sizeof(err))) {
		fprintf(stderr, "chatd: invalid jwt-keys: %s\n", err);
		return -1;
	}
	n->auth.issuer = n->cfg.jwt_issuer;
	n->auth.audience = n->cfg.jwt_audience;
	n->auth.leeway_s = 5;
	return 0;
}

static void watch_signals(struct node *n)
{
	uv_signal_init(&n->loop, &n->sigint);
	uv_signal_init(&n->loop, &n->sigterm);
	n->sigint.data = n->sigterm.data = n;
	uv_signal_start(&n->sigint, on_signal, SIGINT);
	uv_signal_start(&n->sigterm, on_signal, SIGTERM);
	uv_timer_init(&n->loop, &n->drain);
	n->drain.data = n;
}

static void on_store_state(bool ready, void *arg)
{
	struct node *n = arg;

	if (ready && n->hub)
		hub_on_store_ready(n->hub);
}

/* A tenth of the smaller limit, from a quarter second to a minute: a
 * conversation is closed at most about 10 % after its time. */
static uint64_t idle_interval_ms(const struct config *cfg)
{
	long a = cfg->waiting_timeout_s, b = cfg->idle_timeout_s;
	long limit = !a ? b : !b ? a : a < b ? a : b;
	uint64_t ms = (uint64_t)limit * 100;

	return ms < 250 ? 250 : ms > 60000 ? 60000 : ms;
}

/* The support packages: the policy file, or the built-in defaults. */
static int setup_policy(struct node *n)
{
	char err[256];

	n->policy = xmalloc(sizeof(*n->policy));
	policy_defaults(n->policy);
	if (!n->cfg.policy)
		return 0;
	if (policy_load(n->policy, n->cfg.policy, err, sizeof(err))) {
		fprintf(stderr, "chatd: %s\n", err);
		return -1;
	}
	log_info("support policy: %s", n->cfg.policy);
	return 0;
}

/* The web root is read before anything starts, so that a wrong one
 * stops chatd at once with one line. */
static int setup_web(struct node *n)
{
	char err[512];

	if (!n->cfg.web_root || !*n->cfg.web_root) {
		n->web = static_table_empty();
		return 0;
	}
	n->web = static_table_load(n->cfg.web_root, err, sizeof(err));
	if (!n->web) {
		fprintf(stderr, "chatd: %s\n", err);
		return -1;
	}
	log_info("web root %s: %zu files, %zu bytes in memory", n->cfg.web_root,
		 static_table_count(n->web), static_table_bytes(n->web));
	return 0;
}

static int start(struct node *n)
{
	struct redis_config redis;
	const char *why;
	int port = 0;

	if (redis_config_parse(n->cfg.redis, &redis, &why)) {
		fprintf(stderr, "chatd: invalid redis '%s': %s\n", n->cfg.redis,
			why);
		return -1;
	}
	n->store = store_create(&n->loop, &redis, on_store_state, n);
	n->bus = bus_create(&n->loop, &redis);
	bus_set_keepalive(n->bus, (uint64_t)n->cfg.bus_ping_ms,
			  (uint64_t)n->cfg.bus_deadline_ms);
	n->hub = hub_create(&n->loop, &n->cfg, &n->auth, n->store, n->bus);
	if (!n->hub)
		return -1;
	n->hub->cmd.policy = n->policy;
	n->router = router_create(&n->loop, &n->hub->cmd);
	n->batch = batch_create(&n->loop, &n->hub->cmd);
	n->idle = idle_create(&n->loop, &n->hub->cmd, n->cfg.waiting_timeout_s,
			      n->cfg.idle_timeout_s, idle_interval_ms(&n->cfg));
	n->outbox = outbox_create(&n->loop, &n->hub->cmd,
				  (uint64_t)n->cfg.outbox_scan_ms,
				  (uint64_t)n->cfg.outbox_lease_ms);
	if (mail_setup(&n->loop, &n->hub->cmd, &n->cfg, &n->mailer))
		return -1;
	n->transport =
		transport_create(&n->loop, &n->cfg, n->hub, n->web, &port);
	if (!n->transport)
		return -1;
	log_info("listening on %s:%d (node %s, redis %s)", n->cfg.host, port,
		 n->cfg.node ? n->cfg.node : "-", n->cfg.redis);
	if (n->cfg.port_file && write_port_file(n->cfg.port_file, port))
		return -1;
	watch_signals(n);
	return 0;
}

static int serve(int argc, char **argv)
{
	struct node n;
	int rc;

	memset(&n, 0, sizeof(n));
	rc = config_load(&n.cfg, argc, argv);
	if (rc)
		goto out_cfg;
	log_set_level_named(n.cfg.log_level);
	if ((rc = setup_auth(&n)))
		goto out_cfg;
	if ((rc = setup_policy(&n)))
		goto out_cfg;
	if ((rc = setup_web(&n)))
		goto out_cfg;
	uv_loop_init(&n.loop);
	rc = start(&n);
	if (rc == 0)
		uv_run(&n.loop, UV_RUN_DEFAULT);
	transport_destroy(n.transport); /* every session has closed now */
	hub_destroy(n.hub);
	store_destroy(n.store);
	bus_destroy(n.bus);
	uv_run(&n.loop, UV_RUN_DEFAULT);
	uv_loop_close(&n.loop);
out_cfg:
	static_table_destroy(n.web);
	free(n.policy);
	config_cleanup(&n.cfg);
	return rc < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage();
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("chatd %s\n", CHATD_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "serve") == 0)
		return serve(argc - 1, argv + 1);
	if (strcmp(argv[1], "token") == 0)
		return token_cmd_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "migrate-keys") == 0)
		return migrate_cmd_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "mail-parse") == 0)
		return mail_parse_cmd_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "mail-ingest") == 0)
		return mail_ingest_cmd_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "mail-token") == 0)
		return mail_token_cmd_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "mail-dead") == 0)
		return mail_dead_cmd_main(argc - 1, argv + 1);
	fprintf(stderr, "chatd: unknown command '%s' (see chatd --help)\n",
		argv[1]);
	return 2;
}
