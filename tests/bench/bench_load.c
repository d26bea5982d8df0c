/*
 * bench_load: throughput and latency phases (see bench_load.h). One 1 ms
 * timer moves a phase along: window start, pacing, window end, drain.
 */
#include "bench_load.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench_client.h"
#include "bench_conn.h"
#include "chat/common/util.h"

#define TICK_MS 1
#define DRAIN_NS 3000000000ull

struct bench_load {
	struct bench_client *cl; /* borrowed: the client owns the load */
	enum bench_mode mode;
	bool running, sending, window_open, window_closed;
	uint64_t start_ns, win0_ns, win1_ns, drain_end_ns;
	double per_customer; /* latency: sends per second per customer */
	struct bench_counts total, at0, at1;
	double cpu0, cpu1;
	uint64_t window_sent, window_delivered;
	struct bench_hist delivery, ack;
	uv_timer_t tick;
	uint64_t trace_ns; /* next trace line */
	struct bench_counts trace_at;
	uint64_t trace_max_us; /* worst delivery since the last line */
};

uint64_t bench_load_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double cpu_seconds(void)
{
	struct rusage u;

	getrusage(RUSAGE_SELF, &u);
	return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 +
	       (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

static bool in_window(const struct bench_load *l, uint64_t stamp)
{
	return stamp >= l->win0_ns && stamp < l->win1_ns;
}

static void send_one(struct bench_load *l, struct bench_conn *c, uint64_t now)
{
	if (bench_conn_send(c, now)) {
		l->total.dropped++;
		return;
	}
	l->total.sent++;
	if (in_window(l, now))
		l->window_sent++;
}

/* ---- connection events ---- */

void bench_load_on_ack(struct bench_load *l, struct bench_conn *c,
		       uint64_t stamp_ns)
{
	uint64_t now = bench_load_clock_ns();

	l->total.acked++;
	if (in_window(l, stamp_ns))
		bench_hist_record(&l->ack, (now - stamp_ns) / 1000);
	if (l->sending && l->mode == BENCH_LOAD_THROUGHPUT)
		send_one(l, c, now);
}

void bench_load_on_refused(struct bench_load *l, struct bench_conn *c,
			   uint64_t stamp_ns)
{
	(void)stamp_ns;
	l->total.refused++;
	if (l->sending && l->mode == BENCH_LOAD_THROUGHPUT)
		send_one(l, c, bench_load_clock_ns());
}

void bench_load_on_delivery(struct bench_load *l, uint64_t stamp_ns)
{
	uint64_t us = (bench_load_clock_ns() - stamp_ns) / 1000;

	l->total.relayed++;
	if (us > l->trace_max_us)
		l->trace_max_us = us;
	if (!in_window(l, stamp_ns))
		return;
	l->window_delivered++;
	bench_hist_record(&l->delivery, us);
}

void bench_load_on_echo(struct bench_load *l)
{
	l->total.echoed++;
}

/* ---- phase ---- */

static struct bench_counts counts_diff(const struct bench_counts *a,
				       const struct bench_counts *b)
{
	struct bench_counts d = {
		.sent = a->sent - b->sent,
		.acked = a->acked - b->acked,
		.relayed = a->relayed - b->relayed,
		.echoed = a->echoed - b->echoed,
		.refused = a->refused - b->refused,
		.dropped = a->dropped - b->dropped,
	};

	return d;
}

static void finish(struct bench_load *l)
{
	struct bench_report *r = xcalloc(1, sizeof(*r));

	uv_timer_stop(&l->tick);
	l->running = false;
	r->kind = l->mode == BENCH_LOAD_THROUGHPUT ? BENCH_REPORT_THROUGHPUT
						   : BENCH_REPORT_LATENCY;
	r->conns_ok = l->cl->ok;
	r->conns_failed = l->cl->failed;
	r->window_s = (double)(l->win1_ns - l->win0_ns) / 1e9;
	r->cpu_s = l->cpu1 - l->cpu0;
	r->counts = counts_diff(&l->at1, &l->at0);
	r->window_sent = l->window_sent;
	r->window_missing = l->window_sent > l->window_delivered
				    ? l->window_sent - l->window_delivered
				    : 0;
	r->delivery = l->delivery;
	r->ack = l->ack;
	bench_client_report(l->cl, r);
	free(r);
}

/* Every ready customer's sends answered and delivered. */
static bool drained(const struct bench_load *l)
{
	const struct bench_client *cl = l->cl;

	for (unsigned i = 0; i < cl->n_customers; i++)
		if (cl->conns[i].state == CONN_READY && cl->conns[i].inflight)
			return false;
	return l->total.relayed >= l->total.acked;
}

/* Latency phase: customer k of n sends its m-th message at
 * (m - k/n) / rate seconds, so sends spread over each interval. */
static void pace(struct bench_load *l, uint64_t now)
{
	struct bench_client *cl = l->cl;
	double elapsed = (double)(now - l->start_ns) / 1e9;

	for (unsigned i = 0; i < cl->n_customers; i++) {
		struct bench_conn *c = &cl->conns[i];
		double offset = (double)i / (double)cl->n_customers;
		uint64_t due = (uint64_t)(elapsed * l->per_customer + offset);

		if (c->state != CONN_READY)
			continue;
		while (c->paced < due) {
			c->paced++;
			send_one(l, c, now);
		}
	}
}

/* One stderr line per second: wall clock (to match server and Redis logs),
 * counts in that second and its worst delivery. */
static void trace(struct bench_load *l, uint64_t now)
{
	struct timespec ts;
	struct tm tm;
	struct bench_counts d = counts_diff(&l->total, &l->trace_at);

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	fprintf(stderr,
		"trace w%u %02d:%02d:%02d.%03ld sent=%" PRIu64 " acked=%" PRIu64
		" relayed=%" PRIu64 " refused=%" PRIu64 " max_ms=%.1f\n",
		l->cl->share.worker, tm.tm_hour, tm.tm_min, tm.tm_sec,
		ts.tv_nsec / 1000000, d.sent, d.acked, d.relayed, d.refused,
		(double)l->trace_max_us / 1000);
	l->trace_at = l->total;
	l->trace_max_us = 0;
	l->trace_ns = now + 1000000000ull;
}

static void on_tick(uv_timer_t *t)
{
	struct bench_load *l = t->data;
	uint64_t now = bench_load_clock_ns();

	if (l->cl->opts->trace && now >= l->trace_ns)
		trace(l, now);
	if (!l->window_open && now >= l->win0_ns) {
		l->window_open = true;
		l->at0 = l->total;
		l->cpu0 = cpu_seconds();
	}
	if (!l->window_closed && now >= l->win1_ns) {
		l->window_closed = true;
		l->sending = false;
		l->at1 = l->total;
		l->cpu1 = cpu_seconds();
		l->drain_end_ns = now + DRAIN_NS;
	}
	if (l->sending && l->mode == BENCH_LOAD_LATENCY)
		pace(l, now);
	if (l->window_closed && (drained(l) || now >= l->drain_end_ns))
		finish(l);
}

static void reset(struct bench_load *l, enum bench_mode mode)
{
	const struct bench_opts *o = l->cl->opts;
	double window =
		mode == BENCH_LOAD_THROUGHPUT ? o->duration_s : o->latency_s;

	l->mode = mode;
	l->running = l->sending = true;
	l->window_open = l->window_closed = false;
	l->start_ns = bench_load_clock_ns();
	l->win0_ns = l->start_ns + (uint64_t)(o->warmup_s * 1e9);
	l->win1_ns = l->win0_ns + (uint64_t)(window * 1e9);
	l->window_sent = l->window_delivered = 0;
	memset(&l->delivery, 0, sizeof(l->delivery));
	memset(&l->ack, 0, sizeof(l->ack));
	l->trace_ns = l->start_ns + 1000000000ull;
	l->trace_at = l->total;
	l->trace_max_us = 0;
	l->per_customer =
		l->cl->n_customers ? l->cl->share.rate / l->cl->n_customers : 0;
}

int bench_load_start(struct bench_load *l, enum bench_mode mode)
{
	struct bench_client *cl = l->cl;

	if (l->running)
		return -1;
	reset(l, mode);
	for (unsigned i = 0; i < cl->n_customers; i++) {
		cl->conns[i].paced = 0;
		if (mode == BENCH_LOAD_THROUGHPUT)
			for (unsigned k = 0; k < cl->opts->inflight; k++)
				if (cl->conns[i].state == CONN_READY)
					send_one(l, &cl->conns[i], l->start_ns);
	}
	uv_timer_start(&l->tick, on_tick, TICK_MS, TICK_MS);
	return 0;
}

struct bench_load *bench_load_create(struct bench_client *cl)
{
	struct bench_load *l = xcalloc(1, sizeof(*l));

	l->cl = cl;
	uv_timer_init(&cl->loop, &l->tick);
	l->tick.data = l;
	return l;
}
