/*
 * chatd-bench: load client for a running chatd. Measures server memory per
 * idle authenticated connection (--idle), messages per second stored and
 * relayed (--pairs with --duration) and send-to-delivery latency at a fixed
 * rate (--pairs with --rate), then prints a table and RESULT lines for
 * scripts/bench. Connections live in forked worker processes
 * (bench_client); this file is the command line and the phases as the
 * parent sees them; bench_print formats the output.
 */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "bench_load.h"
#include "bench_print.h"
#include "bench_proc.h"
#include "bench_worker.h"
#include "chat/common/util.h"

#define WORKERS_MAX 32

static const char usage_text[] =
	"usage: chatd-bench --port PORT [options]\n"
	"  --host H              chatd address [127.0.0.1]\n"
	"  --port P              chatd port (required)\n"
	"  --keys kid:hex        token keys (or env CHAT_JWT_KEYS)\n"
	"  --server-pid PID      chatd's pid: memory and CPU from /proc\n"
	"  --redis-pid PID[,PID] Redis's pid(s): their CPU from /proc, summed\n"
	"  --idle N              memory phase: N idle authenticated "
	"connections\n"
	"  --idle-watch          idle customers also open and watch a "
	"conversation\n"
	"  --settle S            idle: seconds before reading RSS [2]\n"
	"  --pairs N             customer/agent pairs for the load phases\n"
	"  --duration S          throughput window, 0 skips [10]\n"
	"  --latency-duration S  latency window, 0 skips [= --duration]\n"
	"  --warmup S            before each window [2]\n"
	"  --rate R              latency phase: messages/s in total [10000]\n"
	"  --inflight K          throughput: unacked sends per customer [8]\n"
	"  --size B              message text bytes [64]\n"
	"  --workers W           client processes for the pairs [1]\n"
	"  --sources K           source addresses 127.0.0.2.. [8 on "
	"loopback]\n"
	"  --batch C             handshakes in progress per worker [200]\n"
	"  --setup-limit S       give up on setup after S seconds [120]\n"
	"  --label TEXT          copied into the RESULT lines\n"
	"  --trace               workers print a timeline line per second\n";

/* ---- command line ---- */

static void defaults(struct bench_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->host = "127.0.0.1";
	o->warmup_s = 2;
	o->duration_s = 10;
	o->latency_s = -1;
	o->rate = 10000;
	o->inflight = 8;
	o->text_size = 64;
	o->workers = 1;
	o->sources = (unsigned)-1;
	o->batch = 200;
	o->settle_s = 2;
	o->setup_limit_s = 120;
	o->keys = getenv("CHAT_JWT_KEYS");
	o->label = "-";
	o->run_id = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
}

enum opt_kind {
	OPT_STR,
	OPT_INT,
	OPT_UINT,
	OPT_DOUBLE,
	OPT_PID,
	OPT_PIDS,
	OPT_FLAG
};

struct opt_def {
	const char *name;
	enum opt_kind kind;
	size_t offset; /* into struct bench_opts */
};

#define OPT(name, kind, field)                                                 \
	{                                                                      \
		name, kind, offsetof(struct bench_opts, field)                 \
	}

static const struct opt_def opt_defs[] = {
	OPT("host", OPT_STR, host),
	OPT("port", OPT_INT, port),
	OPT("keys", OPT_STR, keys),
	OPT("server-pid", OPT_PID, server_pid),
	OPT("redis-pid", OPT_PIDS, redis_pids),
	OPT("idle", OPT_UINT, idle),
	OPT("idle-watch", OPT_FLAG, idle_watch),
	OPT("settle", OPT_DOUBLE, settle_s),
	OPT("pairs", OPT_UINT, pairs),
	OPT("duration", OPT_DOUBLE, duration_s),
	OPT("latency-duration", OPT_DOUBLE, latency_s),
	OPT("warmup", OPT_DOUBLE, warmup_s),
	OPT("rate", OPT_DOUBLE, rate),
	OPT("inflight", OPT_UINT, inflight),
	OPT("size", OPT_UINT, text_size),
	OPT("workers", OPT_UINT, workers),
	OPT("sources", OPT_UINT, sources),
	OPT("batch", OPT_UINT, batch),
	OPT("setup-limit", OPT_DOUBLE, setup_limit_s),
	OPT("label", OPT_STR, label),
	OPT("trace", OPT_FLAG, trace),
};

#define N_OPTS (sizeof(opt_defs) / sizeof(opt_defs[0]))
#define OPT_HELP 1000

static void apply_opt(struct bench_opts *o, const struct opt_def *d,
		      const char *arg)
{
	char *field = (char *)o + d->offset;

	switch (d->kind) {
	case OPT_STR:
		*(const char **)(void *)field = arg;
		break;
	case OPT_INT:
		*(int *)(void *)field = atoi(arg);
		break;
	case OPT_UINT:
		*(unsigned *)(void *)field = (unsigned)strtoul(arg, NULL, 10);
		break;
	case OPT_DOUBLE:
		*(double *)(void *)field = atof(arg);
		break;
	case OPT_PID:
		*(pid_t *)(void *)field = (pid_t)atoi(arg);
		break;
	case OPT_PIDS:
		for (const char *p = arg;
		     *p && o->n_redis_pids < BENCH_REDIS_MAX;
		     p += strcspn(p, ","), p += *p == ',')
			o->redis_pids[o->n_redis_pids++] = (pid_t)atoi(p);
		break;
	case OPT_FLAG:
		*(bool *)(void *)field = true;
		break;
	}
}

static void build_long_opts(struct option *lo)
{
	for (size_t i = 0; i < N_OPTS; i++)
		lo[i] = (struct option){opt_defs[i].name,
					opt_defs[i].kind == OPT_FLAG
						? no_argument
						: required_argument,
					NULL, (int)i};
	lo[N_OPTS] = (struct option){"help", no_argument, NULL, OPT_HELP};
	lo[N_OPTS + 1] = (struct option){NULL, 0, NULL, 0};
}

static const char *check_opts(struct bench_opts *o)
{
	if (o->sources == (unsigned)-1)
		o->sources = strncmp(o->host, "127.", 4) == 0 ? 8 : 0;
	if (o->latency_s < 0)
		o->latency_s = o->duration_s;
	if (o->port <= 0 || o->port > 65535)
		return "--port is required";
	if (!o->keys || !*o->keys)
		return "--keys or CHAT_JWT_KEYS is required";
	if (!o->idle && !o->pairs)
		return "nothing to do: give --idle and/or --pairs";
	if (o->text_size < 32 || o->text_size > 16000)
		return "--size must be 32..16000";
	if (o->workers < 1 || o->workers > WORKERS_MAX ||
	    o->pairs * 2 > o->workers * BENCH_WORKER_CONNS_MAX)
		return "--workers must be 1..32, with at most 5000 pairs each";
	if (o->sources > 64 || o->batch < 1 || o->inflight < 1)
		return "--sources is 0..64, --batch and --inflight at least 1";
	if (o->idle > WORKERS_MAX * BENCH_WORKER_CONNS_MAX)
		return "--idle is too large";
	return NULL;
}

static int parse_args(struct bench_opts *o, int argc, char **argv)
{
	struct option lo[N_OPTS + 2];
	const char *bad;
	int c;

	defaults(o);
	build_long_opts(lo);
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c == OPT_HELP) {
			fputs(usage_text, stdout);
			exit(0);
		}
		if (c < 0 || (size_t)c >= N_OPTS) {
			fputs(usage_text, stderr);
			return -1;
		}
		apply_opt(o, &opt_defs[c], optarg);
	}
	bad = check_opts(o);
	if (bad)
		fprintf(stderr, "chatd-bench: %s\n", bad);
	return bad ? -1 : 0;
}

/* ---- workers ---- */

static unsigned spawn_all(struct bench_worker *w, unsigned n,
			  const struct bench_opts *o,
			  const struct bench_share *shares)
{
	for (unsigned i = 0; i < n; i++) {
		if (bench_worker_spawn(&w[i], o, &shares[i])) {
			perror("chatd-bench: fork");
			return i;
		}
	}
	return n;
}

static void stop_all(struct bench_worker *w, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		bench_worker_stop(&w[i]);
}

/* Waits for every READY; sums into ok/failed/tally. Returns the number of
 * workers that reported. */
static unsigned wait_ready(struct bench_worker *w, unsigned n, unsigned *ok,
			   unsigned *failed, double *setup_s, double *quiet_s,
			   struct bench_tally *tally)
{
	struct bench_report *r = xmalloc(sizeof(*r));
	unsigned got = 0;

	*ok = *failed = 0;
	*setup_s = *quiet_s = 0;
	for (unsigned i = 0; i < n; i++) {
		if (bench_worker_read(&w[i], r))
			continue;
		got++;
		*ok += r->conns_ok;
		*failed += r->conns_failed;
		*setup_s = fmax(*setup_s, r->setup_s);
		*quiet_s = fmax(*quiet_s, r->quiet_s);
		bench_tally_merge(tally, &r->tally);
	}
	free(r);
	return got;
}

static void split(struct bench_share *shares, unsigned n, unsigned total,
		  bool pairs, double rate)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned part = total / n + (i < total % n ? 1 : 0);

		memset(&shares[i], 0, sizeof(shares[i]));
		shares[i].worker = i;
		if (pairs)
			shares[i].pairs = part;
		else
			shares[i].idle = part;
		shares[i].rate = total ? rate * part / total : 0;
	}
}

static void sleep_until(uint64_t t_ns)
{
	uint64_t now = bench_load_clock_ns();
	struct timespec ts;

	if (t_ns <= now)
		return;
	ts.tv_sec = (time_t)((t_ns - now) / 1000000000ull);
	ts.tv_nsec = (long)((t_ns - now) % 1000000000ull);
	while (nanosleep(&ts, &ts))
		;
}

/* ---- idle memory ---- */

static int run_idle(const struct bench_opts *o)
{
	unsigned n =
		(o->idle + BENCH_WORKER_CONNS_MAX - 1) / BENCH_WORKER_CONNS_MAX;
	struct bench_share shares[WORKERS_MAX];
	struct bench_worker w[WORKERS_MAX];
	struct bench_tally tally = {0};
	unsigned ok, failed, started;
	long before = o->server_pid ? bench_proc_rss_kb(o->server_pid) : -1;
	long after = -1;
	double setup_s, quiet_s;

	split(shares, n, o->idle, false, 0);
	started = spawn_all(w, n, o, shares);
	wait_ready(w, started, &ok, &failed, &setup_s, &quiet_s, &tally);
	sleep_until(bench_load_clock_ns() + (uint64_t)(o->settle_s * 1e9));
	if (o->server_pid)
		after = bench_proc_rss_kb(o->server_pid);
	stop_all(w, started);
	bench_print_idle(o, ok, failed, setup_s, before, after);
	bench_print_tally(&tally);
	return ok == o->idle ? 0 : 1;
}

/* ---- load phases ---- */

static void add_report(struct bench_phase *ph, const struct bench_report *r)
{
	double win = r->window_s > 0 ? r->window_s : 1;

	ph->workers_reported++;
	ph->window_s = fmax(ph->window_s, r->window_s);
	ph->stored += (double)r->counts.acked / win;
	ph->relayed += (double)r->counts.relayed / win;
	ph->sent += (double)r->counts.sent / win;
	ph->echoed += (double)r->counts.echoed / win;
	ph->refused += r->counts.refused;
	ph->dropped += r->counts.dropped;
	ph->window_sent += r->window_sent;
	ph->missing += r->window_missing;
	ph->client_cpu += 100.0 * r->cpu_s / win;
	bench_hist_merge(&ph->delivery, &r->delivery);
	bench_hist_merge(&ph->ack, &r->ack);
	bench_tally_merge(&ph->tally, &r->tally);
}

/* CPU seconds of all of Redis's processes, or -1 when none is known. */
static double redis_cpu_s(const struct bench_opts *o)
{
	double sum = 0;

	if (o->n_redis_pids == 0)
		return -1;
	for (unsigned i = 0; i < o->n_redis_pids; i++) {
		double s = bench_proc_cpu_s(o->redis_pids[i]);

		if (s < 0)
			return -1;
		sum += s;
	}
	return sum;
}

static double pct(double before, double after, double window_s)
{
	if (before < 0 || after < 0 || window_s <= 0)
		return -1;
	return 100.0 * (after - before) / window_s;
}

static double cpu_pct(pid_t pid, double before, double window_s)
{
	return pct(before, pid ? bench_proc_cpu_s(pid) : -1, window_s);
}

/* Runs one phase on every worker; samples chatd and Redis CPU over the
 * same window as the workers (to within a millisecond or two). */
static void run_phase(const struct bench_opts *o, struct bench_worker *w,
		      unsigned n, enum bench_cmd cmd, struct bench_phase *ph)
{
	struct bench_report *r = xmalloc(sizeof(*r));
	double window =
		cmd == BENCH_CMD_THROUGHPUT ? o->duration_s : o->latency_s;
	uint64_t start = bench_load_clock_ns();
	double s0, r0, m0, m1;

	for (unsigned i = 0; i < n; i++)
		bench_worker_command(&w[i], cmd);
	sleep_until(start + (uint64_t)(o->warmup_s * 1e9));
	s0 = o->server_pid ? bench_proc_cpu_s(o->server_pid) : -1;
	r0 = redis_cpu_s(o);
	m0 = bench_proc_machine_busy_s();
	sleep_until(start + (uint64_t)((o->warmup_s + window) * 1e9));
	m1 = bench_proc_machine_busy_s();
	ph->server_cpu = cpu_pct(o->server_pid, s0, window);
	ph->redis_cpu = pct(r0, redis_cpu_s(o), window);
	ph->machine_cpu = m0 < 0 || m1 < 0 ? -1 : 100.0 * (m1 - m0) / window;
	for (unsigned i = 0; i < n; i++)
		if (w[i].pid > 0 && bench_worker_read(&w[i], r) == 0)
			add_report(ph, r);
	free(r);
}

static int load_phase(const struct bench_opts *o, struct bench_worker *w,
		      unsigned n, enum bench_cmd cmd)
{
	struct bench_phase *ph = xcalloc(1, sizeof(*ph));
	int rc;

	run_phase(o, w, n, cmd, ph);
	if (cmd == BENCH_CMD_THROUGHPUT)
		bench_print_throughput(o, ph);
	else
		bench_print_latency(o, ph);
	bench_print_tally(&ph->tally);
	rc = ph->workers_reported == n ? 0 : 1;
	free(ph);
	return rc;
}

static int run_pairs(const struct bench_opts *o)
{
	unsigned n = o->workers < o->pairs ? o->workers : o->pairs;
	struct bench_share shares[WORKERS_MAX];
	struct bench_worker w[WORKERS_MAX];
	struct bench_tally tally = {0};
	unsigned ok, failed, started;
	double setup_s, quiet_s;
	int rc = 0;

	split(shares, n, o->pairs, true, o->rate);
	started = spawn_all(w, n, o, shares);
	wait_ready(w, started, &ok, &failed, &setup_s, &quiet_s, &tally);
	printf("\nPAIRS: %u connections ready, %u failed, set up in %.1f s "
	       "(customer: auth, open, resume; agent: auth, resume, claim);\n"
	       "  then %.1f s until the server stopped sending setup frames "
	       "(each claim's feed goes to every agent)\n",
	       ok, failed, setup_s, quiet_s);
	bench_print_tally(&tally);
	if (started < n || ok == 0) {
		stop_all(w, started);
		return 1;
	}
	if (o->duration_s > 0)
		rc |= load_phase(o, w, started, BENCH_CMD_THROUGHPUT);
	if (o->rate > 0 && o->latency_s > 0)
		rc |= load_phase(o, w, started, BENCH_CMD_LATENCY);
	stop_all(w, started);
	return rc | (failed ? 1 : 0);
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	int rc = 0;

	if (parse_args(&o, argc, argv))
		return 2;
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("chatd-bench: ws://%s:%d/ws  server pid %d  label %s\n", o.host,
	       o.port, (int)o.server_pid, o.label);
	if (o.idle)
		rc |= run_idle(&o);
	if (o.pairs)
		rc |= run_pairs(&o);
	if (o.server_pid && !bench_proc_alive(o.server_pid)) {
		printf("  PROBLEM chatd (pid %d) is no longer running\n",
		       (int)o.server_pid);
		printf("PROBLEM count=1 what=chatd exited\n");
		rc = 1;
	}
	return rc;
}
