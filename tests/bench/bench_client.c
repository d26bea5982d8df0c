/*
 * bench_client: one worker process's client (see bench_client.h).
 * Connections are set up in stages: all customers (or idle connections),
 * then the agents, so that agents, who follow every conversation's feed,
 * do not receive each opening.
 */
#include "bench_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "bench_conn.h"
#include "bench_load.h"
#include "chat/common/util.h"

#define PUMP_MS 2
#define TOKEN_TTL_S 3600
#define QUIET_CHECK_MS 50
#define QUIET_NS 300000000ull	      /* no frame for this long: quiet */
#define QUIET_LIMIT_NS 30000000000ull /* report anyway after this */

static void write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(3); /* the parent is gone */
		p += w;
		n -= (size_t)w;
	}
}

void bench_client_report(struct bench_client *cl, struct bench_report *r)
{
	r->worker = cl->share.worker;
	r->tally = cl->tally;
	memset(&cl->tally, 0, sizeof(cl->tally));
	write_all(cl->report_fd, r, sizeof(*r));
}

void bench_client_note(struct bench_client *cl, const char *what)
{
	bench_tally_add(&cl->tally, what, 1);
}

char *bench_client_token(struct bench_client *cl, const struct bench_conn *c)
{
	struct auth_claims claims;
	/* idle users, pair customers and agents never share an id */
	const char *kind = c->role == BENCH_AGENT ? "a"
			   : cl->share.pairs	  ? "c"
						  : "i";

	memset(&claims, 0, sizeof(claims));
	snprintf(claims.sub, sizeof(claims.sub), "bench-%x-%s%u-%u",
		 cl->opts->run_id, kind, cl->share.worker, c->index);
	snprintf(claims.name, sizeof(claims.name), "Bench %s%u", kind,
		 c->index);
	claims.role =
		c->role == BENCH_AGENT ? PROTO_ROLE_AGENT : PROTO_ROLE_CUSTOMER;
	if (c->role != BENCH_AGENT) {
		snprintf(claims.org, sizeof(claims.org), "bench-org");
		snprintf(claims.site, sizeof(claims.site), "bench-site");
	}
	claims.tier = AUTH_TIER_GOLD;
	claims.capacity = 3;
	return auth_mint(&cl->auth, &claims, now_s(), TOKEN_TTL_S);
}

/* ---- setup ---- */

static void send_ready(struct bench_client *cl)
{
	struct bench_report *r = xcalloc(1, sizeof(*r));
	uint64_t now = bench_load_clock_ns();

	uv_timer_stop(&cl->quiet);
	r->kind = BENCH_REPORT_READY;
	r->conns_ok = cl->ok;
	r->conns_failed = cl->failed;
	r->setup_s = (double)(cl->setup_end_ns - cl->setup_start_ns) / 1e9;
	r->quiet_s = (double)(now - cl->setup_end_ns) / 1e9;
	bench_client_report(cl, r);
	free(r);
}

/*
 * Setup traffic goes on after the last ack: every claim is fanned out as a
 * feed frame to every agent connected (P claims x P agents), and the server
 * writes those for a while. A load phase that started meanwhile would
 * measure that backlog, so READY waits until no frame came for QUIET_NS.
 */
static void on_quiet_check(uv_timer_t *t)
{
	struct bench_client *cl = t->data;
	uint64_t now = bench_load_clock_ns();

	if (now - cl->last_rx_ns >= QUIET_NS ||
	    now - cl->setup_end_ns >= QUIET_LIMIT_NS) {
		if (now - cl->last_rx_ns < QUIET_NS)
			bench_client_note(cl, "server still sending setup "
					      "frames after 30 s");
		send_ready(cl);
	}
}

static void setup_finished(struct bench_client *cl)
{
	cl->setup_done = true;
	cl->setup_end_ns = bench_load_clock_ns();
	uv_timer_stop(&cl->pump);
	uv_timer_stop(&cl->setup_limit);
	uv_timer_start(&cl->quiet, on_quiet_check, QUIET_CHECK_MS,
		       QUIET_CHECK_MS);
}

void bench_client_on_frame(struct bench_client *cl)
{
	cl->last_rx_ns = bench_load_clock_ns();
}

/* Moves to the agents once every customer is settled, or reports. */
static void check_stage(struct bench_client *cl)
{
	if (cl->setup_done || cl->ok + cl->failed < cl->stage_end)
		return;
	if (cl->stage_end < cl->n_conns)
		cl->stage_end = cl->n_conns;
	else
		setup_finished(cl);
}

static void settle(struct bench_client *cl, bool ok)
{
	if (cl->setup_done)
		return;
	cl->in_setup--;
	if (ok)
		cl->ok++;
	else
		cl->failed++;
	check_stage(cl);
}

void bench_client_on_ready(struct bench_client *cl, struct bench_conn *c)
{
	(void)c;
	settle(cl, true);
}

void bench_client_on_failed(struct bench_client *cl, struct bench_conn *c,
			    const char *why)
{
	(void)c;
	bench_client_note(cl, why);
	settle(cl, false);
}

static void start_next(struct bench_client *cl)
{
	struct bench_conn *c = &cl->conns[cl->next++];
	unsigned k = cl->opts->sources;

	if (c->role == BENCH_AGENT && c->peer->state != CONN_READY) {
		c->state = CONN_FAILED; /* nothing to claim */
		bench_client_note(cl, "agent skipped: its customer failed");
		cl->failed++;
		check_stage(cl);
		return;
	}
	if (c->peer)
		memcpy(c->conv, c->peer->conv, sizeof(c->conv));
	cl->in_setup++;
	bench_conn_start(c, k ? cl->sources[(cl->next + cl->share.worker) % k]
			      : NULL);
}

static void on_pump(uv_timer_t *t)
{
	struct bench_client *cl = t->data;

	while (!cl->setup_done && cl->in_setup < cl->opts->batch &&
	       cl->next < cl->stage_end)
		start_next(cl);
}

static void on_setup_limit(uv_timer_t *t)
{
	struct bench_client *cl = t->data;
	unsigned unsettled = cl->n_conns - cl->ok - cl->failed;

	bench_tally_add(&cl->tally, "setup not finished in time", unsettled);
	cl->failed += unsettled;
	setup_finished(cl);
}

/* ---- commands ---- */

static void on_command(uv_poll_t *p, int status, int events)
{
	struct bench_client *cl = p->data;
	int cmd = 0;
	ssize_t n;

	(void)events;
	n = status < 0 ? 0 : read(cl->cmd_fd, &cmd, sizeof(cmd));
	if (n < 0 && errno == EINTR)
		return;
	if (n != (ssize_t)sizeof(cmd))
		_exit(2); /* the parent is gone */
	if (cmd == BENCH_CMD_QUIT)
		_exit(0); /* the kernel closes thousands of sockets faster */
	if (bench_load_start(cl->load, cmd == BENCH_CMD_THROUGHPUT
					       ? BENCH_LOAD_THROUGHPUT
					       : BENCH_LOAD_LATENCY))
		bench_client_note(cl, "phase requested while one runs");
}

/* ---- events to the load ---- */

void bench_client_on_ack(struct bench_client *cl, struct bench_conn *c,
			 uint64_t stamp_ns)
{
	bench_load_on_ack(cl->load, c, stamp_ns);
}

void bench_client_on_refused(struct bench_client *cl, struct bench_conn *c,
			     uint64_t stamp_ns)
{
	bench_load_on_refused(cl->load, c, stamp_ns);
}

void bench_client_on_delivery(struct bench_client *cl, struct bench_conn *c,
			      uint64_t stamp_ns)
{
	(void)c;
	bench_load_on_delivery(cl->load, stamp_ns);
}

void bench_client_on_echo(struct bench_client *cl, struct bench_conn *c,
			  uint64_t stamp_ns)
{
	(void)c;
	(void)stamp_ns;
	bench_load_on_echo(cl->load);
}

/* ---- process ---- */

static void init_conns(struct bench_client *cl)
{
	unsigned p = cl->share.pairs;
	enum bench_role idle_role =
		cl->opts->idle_watch ? BENCH_CUSTOMER : BENCH_IDLE;

	if (p) {
		cl->n_conns = 2 * p;
		cl->n_customers = p;
		cl->stage_end = p;
	} else {
		cl->n_conns = cl->stage_end = cl->share.idle;
	}
	cl->conns = xcalloc(cl->n_conns, sizeof(*cl->conns));
	for (unsigned i = 0; i < cl->n_conns; i++) {
		bool agent = p && i >= p;

		bench_conn_init(&cl->conns[i], cl,
				agent ? BENCH_AGENT
				: p   ? BENCH_CUSTOMER
				      : idle_role,
				agent ? i - p : i);
	}
	for (unsigned i = 0; i < p; i++) {
		cl->conns[i].peer = &cl->conns[p + i];
		cl->conns[p + i].peer = &cl->conns[i];
	}
}

static int create_context(struct bench_client *cl)
{
	struct lws_context_creation_info info;
	void *loops[1] = {&cl->loop};

	lws_set_log_level(LLL_ERR, NULL);
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = bench_conn_protocols();
	info.options = LWS_SERVER_OPTION_LIBUV |
		       LWS_SERVER_OPTION_UV_NO_SIGSEGV_SIGFPE_SPIN;
	info.foreign_loops = loops;
	info.user = cl;
	info.timeout_secs = 30;
	info.connect_timeout_secs = 30;
	cl->ctx = lws_create_context(&info);
	return cl->ctx ? 0 : -1;
}

static void raise_fd_limit(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

static int setup(struct bench_client *cl)
{
	char err[200];

	if (auth_keys_parse(&cl->auth, cl->opts->keys, err, sizeof(err))) {
		fprintf(stderr, "chatd-bench: keys: %s\n", err);
		return -1;
	}
	for (unsigned i = 0; i < cl->opts->sources && i < BENCH_SOURCES_MAX;
	     i++)
		snprintf(cl->sources[i], sizeof(cl->sources[i]), "127.0.0.%u",
			 i + 2);
	cl->tbuf_cap = cl->opts->text_size + 8192;
	cl->tbuf = xmalloc(cl->tbuf_cap);
	/* the setup frame, then sends until past the batch size */
	cl->wbuf_cap = 2 * (cl->tbuf_cap + 14) + BENCH_WRITE_BATCH;
	cl->wbuf = xmalloc(LWS_PRE + cl->wbuf_cap);
	cl->mask_seed = (uint32_t)bench_load_clock_ns() | 1u;
	uv_loop_init(&cl->loop);
	if (create_context(cl)) {
		fprintf(stderr, "chatd-bench: cannot create the lws context\n");
		return -1;
	}
	init_conns(cl);
	cl->load = bench_load_create(cl);
	return 0;
}

/* ---- writing: one write per connection per loop round ---- */

static void flush(struct bench_client *cl)
{
	uv_idle_stop(&cl->flush_idle);
	while (cl->dirty) {
		struct bench_conn *c = cl->dirty;

		cl->dirty = c->dirty_next;
		c->dirty_next = NULL;
		c->dirty = false;
		bench_conn_flush(c);
	}
}

static void on_flush_check(uv_check_t *h)
{
	flush(h->data);
}

static void on_flush_idle(uv_idle_t *h)
{
	flush(h->data);
}

void bench_client_mark(struct bench_client *cl, struct bench_conn *c)
{
	if (c->dirty)
		return;
	c->dirty = true;
	c->dirty_next = cl->dirty;
	cl->dirty = c;
	uv_idle_start(&cl->flush_idle, on_flush_idle);
}

static void start_timers(struct bench_client *cl)
{
	uv_check_init(&cl->loop, &cl->flush_check);
	uv_idle_init(&cl->loop, &cl->flush_idle);
	cl->flush_check.data = cl->flush_idle.data = cl;
	uv_check_start(&cl->flush_check, on_flush_check);
	uv_timer_init(&cl->loop, &cl->pump);
	uv_timer_init(&cl->loop, &cl->setup_limit);
	uv_timer_init(&cl->loop, &cl->quiet);
	cl->pump.data = cl->setup_limit.data = cl->quiet.data = cl;
	cl->setup_start_ns = bench_load_clock_ns();
	uv_timer_start(&cl->pump, on_pump, 0, PUMP_MS);
	uv_timer_start(&cl->setup_limit, on_setup_limit,
		       (uint64_t)(cl->opts->setup_limit_s * 1000), 0);
	uv_poll_init(&cl->loop, &cl->cmd_poll, cl->cmd_fd);
	cl->cmd_poll.data = cl;
	uv_poll_start(&cl->cmd_poll, UV_READABLE, on_command);
	if (cl->n_conns == 0)
		setup_finished(cl);
}

int bench_client_run(const struct bench_opts *o, const struct bench_share *s,
		     int cmd_fd, int report_fd)
{
	static struct bench_client cl; /* one per process */

	raise_fd_limit();
	cl.opts = o;
	cl.share = *s;
	cl.cmd_fd = cmd_fd;
	cl.report_fd = report_fd;
	if (setup(&cl))
		return 1;
	start_timers(&cl);
	uv_run(&cl.loop, UV_RUN_DEFAULT);
	return 0; /* not reached: QUIT exits the process */
}
