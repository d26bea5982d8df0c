/*
 * bench_print: the table and the RESULT/PROBLEM lines (see bench_print.h).
 */
#include "bench_print.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>

#define GOAL_BYTES_PER_CONN 2048
#define GOAL_MSGS_PER_S 50000
#define GOAL_P99_MS 5.0

/* 12345.6 -> "12,346" in buf. */
static const char *grouped(char *buf, double v)
{
	char digits[32], *out = buf;
	int n = snprintf(digits, sizeof(digits), "%.0f", v < 0 ? 0 : v);

	for (int i = 0; i < n; i++) {
		*out++ = digits[i];
		if ((n - i - 1) % 3 == 0 && i < n - 1)
			*out++ = ',';
	}
	*out = '\0';
	return buf;
}

/* "goal <= 5 ms  PASS" */
static const char *goal(char *buf, size_t cap, const char *what, bool ok)
{
	snprintf(buf, cap, "goal %s  %s", what, ok ? "PASS" : "FAIL");
	return buf;
}

static void row(const char *what, const char *value, const char *goal)
{
	printf("  %-44s %-22s %s\n", what, value, goal ? goal : "");
}

static double ms(const struct bench_hist *h, double q)
{
	return (double)bench_hist_quantile(h, q) / 1000.0;
}

void bench_print_tally(const struct bench_tally *t)
{
	for (unsigned i = 0; i < t->n; i++) {
		printf("  PROBLEM %llu x %s\n",
		       (unsigned long long)t->items[i].count, t->items[i].what);
		printf("PROBLEM count=%llu what=%s\n",
		       (unsigned long long)t->items[i].count, t->items[i].what);
	}
	if (t->other)
		printf("  PROBLEM %llu x (other kinds)\n",
		       (unsigned long long)t->other);
}

void bench_print_idle(const struct bench_opts *o, unsigned ok, unsigned failed,
		      double setup_s, long before, long after)
{
	char a[32], b[32], g[48], value[64];
	double per = ok && before > 0 && after > 0
			     ? (double)(after - before) * 1024.0 / ok
			     : -1;

	printf("\nIDLE MEMORY: %u %s connections, rx-buffer as the server "
	       "has it\n",
	       o->idle,
	       o->idle_watch ? "customer (auth + open + resume)"
			     : "authenticated");
	snprintf(value, sizeof(value), "%u / %u", ok, failed);
	row("connections ready / failed", value, NULL);
	snprintf(value, sizeof(value), "%.1f s (%s/s)", setup_s,
		 grouped(a, setup_s > 0 ? ok / setup_s : 0));
	row("setup time", value, NULL);
	if (per < 0) {
		row("server RSS", "not measured (--server-pid)", NULL);
		return;
	}
	snprintf(value, sizeof(value), "%s -> %s KiB", grouped(a, before),
		 grouped(b, after));
	row("server VmRSS before -> after", value, NULL);
	snprintf(value, sizeof(value), "%s B", grouped(a, per));
	row("server RSS per idle connection", value,
	    goal(g, sizeof(g), "<= 2,048 B", per <= GOAL_BYTES_PER_CONN));
	printf("RESULT idle label=%s mode=%s conns=%u failed=%u "
	       "rss_before_kb=%ld rss_after_kb=%ld bytes_per_conn=%.0f "
	       "setup_s=%.2f\n",
	       o->label, o->idle_watch ? "watch" : "auth", ok, failed, before,
	       after, per, setup_s);
}

static const char *pct(char *buf, double v)
{
	if (v < 0)
		return "-";
	snprintf(buf, 16, "%.0f%%", v);
	return buf;
}

/* CPU used by everything but chatd, Redis and this client: the kernel's
 * own threads and whatever else runs on the machine. */
static double other_cpu(const struct bench_phase *ph)
{
	if (ph->machine_cpu < 0 || ph->server_cpu < 0)
		return -1;
	return fmax(0, ph->machine_cpu - ph->server_cpu -
			       fmax(0, ph->redis_cpu) - ph->client_cpu);
}

static void print_cpu(const struct bench_phase *ph)
{
	char a[16], b[16], c[16], d[16], value[96];

	snprintf(value, sizeof(value), "%s / %s / %s / %s",
		 pct(a, ph->server_cpu), pct(b, ph->redis_cpu),
		 pct(c, ph->client_cpu), pct(d, other_cpu(ph)));
	row("CPU, % of a core: chatd / redis / client / other", value, NULL);
}

void bench_print_throughput(const struct bench_opts *o,
			    const struct bench_phase *ph)
{
	char a[32], b[32], g[48], value[64];

	printf("\nTHROUGHPUT: %u pairs, %u unacked sends per customer, "
	       "%u-byte text, %.0f s window after %.0f s warm-up\n",
	       o->pairs, o->inflight, o->text_size, o->duration_s, o->warmup_s);
	row("stored (acks/s)", grouped(a, ph->stored),
	    goal(g, sizeof(g), ">= 50,000", ph->stored >= GOAL_MSGS_PER_S));
	row("relayed (message events at agents/s)", grouped(a, ph->relayed),
	    goal(g, sizeof(g), ">= 50,000", ph->relayed >= GOAL_MSGS_PER_S));
	row("echoed to the sending customer/s", grouped(b, ph->echoed), NULL);
	snprintf(value, sizeof(value), "%.2f / %.2f / %.2f ms",
		 ms(&ph->delivery, 0.5), ms(&ph->delivery, 0.99),
		 (double)ph->delivery.max_us / 1000);
	row("send->delivery p50 / p99 / max (saturated)", value, NULL);
	snprintf(value, sizeof(value), "%llu", (unsigned long long)ph->refused);
	row("sends refused with an error", value, NULL);
	print_cpu(ph);
	printf("RESULT throughput label=%s pairs=%u inflight=%u size=%u "
	       "stored=%.0f relayed=%.0f refused=%llu server_cpu=%.0f "
	       "redis_cpu=%.0f client_cpu=%.0f other_cpu=%.0f p50_ms=%.3f "
	       "p99_ms=%.3f\n",
	       o->label, o->pairs, o->inflight, o->text_size, ph->stored,
	       ph->relayed, (unsigned long long)ph->refused, ph->server_cpu,
	       ph->redis_cpu, ph->client_cpu, other_cpu(ph),
	       ms(&ph->delivery, 0.5), ms(&ph->delivery, 0.99));
}

void bench_print_latency(const struct bench_opts *o,
			 const struct bench_phase *ph)
{
	char a[32], b[32], g[48], value[64];
	double p99 = ms(&ph->delivery, 0.99);

	printf("\nLATENCY: %s msg/s over %u pairs, %u-byte text, %.0f s "
	       "window after %.0f s warm-up\n",
	       grouped(a, o->rate), o->pairs, o->text_size, o->latency_s,
	       o->warmup_s);
	snprintf(value, sizeof(value), "%s / %s", grouped(a, ph->sent),
		 grouped(b, ph->relayed));
	row("achieved msg/s sent / relayed", value, NULL);
	snprintf(value, sizeof(value), "%.3f ms", ms(&ph->delivery, 0.5));
	row("send->delivery p50", value, NULL);
	snprintf(value, sizeof(value), "%.3f ms", p99);
	row("send->delivery p99", value,
	    goal(g, sizeof(g), "<= 5 ms", p99 <= GOAL_P99_MS));
	snprintf(value, sizeof(value), "%.3f ms", ms(&ph->delivery, 0.999));
	row("send->delivery p99.9", value, NULL);
	snprintf(value, sizeof(value), "%.3f ms",
		 (double)ph->delivery.max_us / 1000);
	row("send->delivery max", value, NULL);
	snprintf(value, sizeof(value), "%.3f / %.3f ms", ms(&ph->ack, 0.5),
		 ms(&ph->ack, 0.99));
	row("send->ack (stored) p50 / p99", value, NULL);
	snprintf(value, sizeof(value), "%llu of %llu (+%llu not sent)",
		 (unsigned long long)ph->missing,
		 (unsigned long long)ph->window_sent,
		 (unsigned long long)ph->dropped);
	row("window sends never delivered", value, NULL);
	print_cpu(ph);
	printf("RESULT latency label=%s pairs=%u rate=%.0f sent=%.0f "
	       "relayed=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f "
	       "max_ms=%.3f ack_p99_ms=%.3f missing=%llu server_cpu=%.0f "
	       "redis_cpu=%.0f client_cpu=%.0f other_cpu=%.0f\n",
	       o->label, o->pairs, o->rate, ph->sent, ph->relayed,
	       ms(&ph->delivery, 0.5), p99, ms(&ph->delivery, 0.999),
	       (double)ph->delivery.max_us / 1000, ms(&ph->ack, 0.99),
	       (unsigned long long)ph->missing, ph->server_cpu, ph->redis_cpu,
	       ph->client_cpu, other_cpu(ph));
}
