/*
 * bench_conn: one client connection (see bench_conn.h). The lws callback
 * only dispatches; each server frame type has one small handler.
 */
#include "bench_conn.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>
#include <libwebsockets.h>

#include "bench_client.h"
#include "chat/common/util.h"

#define SEND_QUEUE_CAP 1024
#define TEXT_MARK "bench t="
#define RX_MAX (1u << 20)

/* ---- reading server frames ---- */

/*
 * Copies the string value of the first "key":"..." in p[0..len) into out.
 * Values the bench reads (type, id, conv, code) carry no escapes. Returns
 * the length, or -1 when absent or too long.
 */
static int member_str(const char *p, size_t len, const char *key, char *out,
		      size_t cap)
{
	char pat[32];
	int n = snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	const char *v = memmem(p, len, pat, (size_t)n);
	const char *end;

	if (!v)
		return -1;
	v += n;
	end = memchr(v, '"', len - (size_t)(v - p));
	if (!end || (size_t)(end - v) >= cap)
		return -1;
	memcpy(out, v, (size_t)(end - v));
	out[end - v] = '\0';
	return (int)(end - v);
}

static uint64_t parse_u64(const char *p, const char *end)
{
	uint64_t v = 0;

	while (p < end && *p >= '0' && *p <= '9')
		v = v * 10 + (uint64_t)(*p++ - '0');
	return v;
}

/* ---- writing ---- */

static void queue_ctl(struct bench_conn *c, char *frame)
{
	free(c->ctl);
	c->ctl = frame;
	bench_client_mark(c->client, c);
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *format(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		abort();
	return s;
}

static uint32_t next_mask(struct bench_client *cl)
{
	uint32_t x = cl->mask_seed;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return cl->mask_seed = x;
}

/* Appends a masked final text frame (RFC 6455 5.2: clients mask) at out.
 * Returns the bytes written. */
static size_t put_frame(struct bench_client *cl, unsigned char *out,
			const char *payload, size_t n)
{
	uint32_t key = next_mask(cl);
	unsigned char *k;
	size_t h = 2;

	out[0] = 0x81;
	if (n < 126) {
		out[1] = (unsigned char)(0x80 | n);
	} else if (n <= 0xffff) {
		out[1] = 0x80 | 126;
		out[2] = (unsigned char)(n >> 8);
		out[3] = (unsigned char)n;
		h = 4;
	} else {
		out[1] = 0x80 | 127;
		for (int i = 0; i < 8; i++)
			out[2 + i] =
				(unsigned char)((uint64_t)n >> (56 - 8 * i));
		h = 10;
	}
	k = out + h;
	memcpy(k, &key, 4);
	for (size_t i = 0; i < n; i++)
		out[h + 4 + i] = (unsigned char)payload[i] ^ k[i & 3];
	return h + 4 + n;
}

/* {"type":"send",...,"text":"bench t=<ns> xxxx"} with text_size text.
 * Returns the payload length in cl->tbuf. */
static size_t format_message(struct bench_conn *c, uint64_t stamp)
{
	struct bench_client *cl = c->client;
	char *buf = cl->tbuf;
	size_t text = cl->opts->text_size, n, used;
	int head = snprintf(buf, cl->tbuf_cap,
			    "{\"type\":\"send\",\"id\":\"m%" PRIu64
			    "\",\"client_id\":\"c%" PRIu64
			    "\",\"conv\":\"%s\",\"text\":\"",
			    stamp, c->next_msg++, c->conv);
	int mark = snprintf(buf + head, cl->tbuf_cap - (size_t)head,
			    TEXT_MARK "%" PRIu64 " ", stamp);

	n = (size_t)head + (size_t)mark;
	used = (size_t)mark;
	if (text > used) {
		memset(buf + n, 'x', text - used);
		n += text - used;
	}
	memcpy(buf + n, "\"}", 2);
	return n + 2;
}

/*
 * Frames the setup frame and as many queued sends as fit into one buffer
 * and hands it to lws as raw bytes (its "HTTP" write type goes straight to
 * the socket, or to lws's buffer when the socket is full). One write per
 * connection per round instead of one per frame, and no wait for POLLOUT.
 */
static int write_batch(struct bench_conn *c)
{
	struct bench_client *cl = c->client;
	unsigned char *out = cl->wbuf + LWS_PRE;
	size_t used = 0;

	if (c->ctl) {
		size_t n = strlen(c->ctl);

		if (n > cl->tbuf_cap)
			return -1;
		used += put_frame(cl, out, c->ctl, n);
		free(c->ctl);
		c->ctl = NULL;
	}
	while (c->queued && used < BENCH_WRITE_BATCH) {
		size_t n = format_message(c, c->stamps[c->head]);

		used += put_frame(cl, out + used, cl->tbuf, n);
		c->head = (c->head + 1) % c->cap;
		c->queued--;
	}
	if (!used)
		return 0;
	return lws_write(c->wsi, out, used, LWS_WRITE_HTTP) < (int)used ? -1
									: 0;
}

static int on_writeable(struct bench_conn *c)
{
	if (write_batch(c))
		return -1;
	if (c->ctl || c->queued)
		lws_callback_on_writable(c->wsi);
	return 0;
}

void bench_conn_flush(struct bench_conn *c)
{
	if (!c->wsi || lws_partial_buffered(c->wsi))
		return; /* lws asks for WRITEABLE once its buffer drains */
	if (write_batch(c)) {
		lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_REASON_BASE,
				LWS_TO_KILL_ASYNC);
		return;
	}
	if (c->ctl || c->queued)
		lws_callback_on_writable(c->wsi);
}

int bench_conn_send(struct bench_conn *c, uint64_t stamp_ns)
{
	if (c->state != CONN_READY || !c->wsi)
		return -1;
	if (!c->stamps) {
		c->cap = SEND_QUEUE_CAP;
		c->stamps = xmalloc(c->cap * sizeof(*c->stamps));
	}
	if (c->queued == c->cap)
		return -1;
	c->stamps[(c->head + c->queued) % c->cap] = stamp_ns;
	c->queued++;
	c->inflight++;
	bench_client_mark(c->client, c);
	return 0;
}

/* ---- setup steps ---- */

static void fail(struct bench_conn *c, const char *why)
{
	if (c->state >= CONN_READY) /* ready, closed or failed */
		return;
	c->state = CONN_FAILED;
	bench_client_on_failed(c->client, c, why);
}

static void ready(struct bench_conn *c)
{
	c->state = CONN_READY;
	bench_client_on_ready(c->client, c);
}

static void send_open(struct bench_conn *c)
{
	const struct bench_opts *o = c->client->opts;

	c->state = CONN_OPENING;
	queue_ctl(c, format("{\"type\":\"open\",\"id\":\"o\",\"client_id\":"
			    "\"open-%x-%u\",\"details\":{\"summary\":"
			    "\"bench conversation %u\"}}",
			    o->run_id, c->index, c->index));
}

static void send_resume(struct bench_conn *c, const char *conv)
{
	c->state = CONN_RESUMING;
	queue_ctl(c, format("{\"type\":\"resume\",\"id\":\"r\",\"convs\":"
			    "[{\"conv\":\"%s\",\"after\":0}]}",
			    conv));
}

static void send_claim(struct bench_conn *c)
{
	c->state = CONN_CLAIMING;
	queue_ctl(c, format("{\"type\":\"claim\",\"id\":\"c\",\"client_id\":"
			    "\"claim-%x-%u\",\"conv\":\"%s\"}",
			    c->client->opts->run_id, c->index, c->conv));
}

static void on_hello(struct bench_conn *c)
{
	if (c->state != CONN_AUTHING)
		return;
	if (c->role == BENCH_IDLE)
		ready(c);
	else if (c->role == BENCH_CUSTOMER)
		send_open(c);
	else
		send_resume(c, c->conv);
}

static void on_synced(struct bench_conn *c)
{
	if (c->state != CONN_RESUMING)
		return;
	if (c->role == BENCH_AGENT)
		send_claim(c);
	else
		ready(c);
}

static void on_setup_ack(struct bench_conn *c, const char *p, size_t len)
{
	if (c->state == CONN_CLAIMING) {
		ready(c);
	} else if (c->state == CONN_OPENING) {
		if (member_str(p, len, "conv", c->conv, sizeof(c->conv)) < 0)
			fail(c, "open ack without conv");
		else
			send_resume(c, c->conv);
	}
}

/* ---- server frames ---- */

static void on_ack(struct bench_conn *c, const char *p, size_t len)
{
	char id[PROTO_ID_MAX + 1];

	if (member_str(p, len, "id", id, sizeof(id)) < 0)
		return;
	if (id[0] != 'm') {
		on_setup_ack(c, p, len);
		return;
	}
	if (c->inflight)
		c->inflight--;
	bench_client_on_ack(c->client, c, parse_u64(id + 1, id + strlen(id)));
}

static int on_error(struct bench_conn *c, const char *p, size_t len)
{
	char id[PROTO_ID_MAX + 1] = "", code[40] = "?", what[160];

	member_str(p, len, "id", id, sizeof(id));
	member_str(p, len, "code", code, sizeof(code));
	snprintf(what, sizeof(what), "error %s (reply to %s)", code,
		 id[0] == 'm' ? "send"
		 : *id	      ? id
			      : "-");
	bench_client_note(c->client, what);
	if (id[0] == 'm') {
		if (c->inflight)
			c->inflight--;
		bench_client_on_refused(c->client, c,
					parse_u64(id + 1, id + strlen(id)));
		return 0;
	}
	if (c->state >= CONN_READY)
		return 0;
	fail(c, "error during setup");
	return -1;
}

static void on_event(struct bench_conn *c, const char *p, size_t len)
{
	static const char mark[] = "\"text\":\"" TEXT_MARK;
	const char *m = memmem(p, len, mark, sizeof(mark) - 1);
	uint64_t stamp;

	if (!m)
		return; /* opened, joined: setup traffic */
	m += sizeof(mark) - 1;
	stamp = parse_u64(m, p + len);
	if (c->role == BENCH_AGENT)
		bench_client_on_delivery(c->client, c, stamp);
	else
		bench_client_on_echo(c->client, c, stamp);
}

static int on_frame(struct bench_conn *c, const char *p, size_t len)
{
	char type[16];

	bench_client_on_frame(c->client);
	if (member_str(p, len < 40 ? len : 40, "type", type, sizeof(type)) <
	    0) {
		bench_client_note(c->client, "frame without a type");
		return 0;
	}
	if (strcmp(type, "event") == 0)
		on_event(c, p, len);
	else if (strcmp(type, "ack") == 0)
		on_ack(c, p, len);
	else if (strcmp(type, "hello") == 0)
		on_hello(c);
	else if (strcmp(type, "synced") == 0)
		on_synced(c);
	else if (strcmp(type, "error") == 0)
		return on_error(c, p, len);
	return 0; /* feed, pong, typing, read: not measured */
}

/* ---- lws events ---- */

static int rx_append(struct bench_conn *c, const void *in, size_t len)
{
	if (c->rx_len + len > RX_MAX)
		return -1;
	if (c->rx_len + len > c->rx_cap) {
		c->rx_cap = (c->rx_len + len) * 2;
		c->rx = xrealloc(c->rx, c->rx_cap);
	}
	memcpy(c->rx + c->rx_len, in, len);
	c->rx_len += len;
	return 0;
}

static int on_receive(struct bench_conn *c, struct lws *wsi, const char *in,
		      size_t len)
{
	bool first = lws_is_first_fragment(wsi),
	     last = lws_is_final_fragment(wsi);
	int rc;

	if (first && last)
		return on_frame(c, in, len);
	if (first)
		c->rx_len = 0;
	if (rx_append(c, in, len)) {
		bench_client_note(c->client, "server frame over 1 MiB");
		return -1;
	}
	if (!last)
		return 0;
	rc = on_frame(c, c->rx, c->rx_len);
	c->rx_len = 0;
	return rc;
}

static int on_established(struct bench_conn *c)
{
	char *token = bench_client_token(c->client, c);

	if (!token) {
		fail(c, "cannot mint a token");
		return -1;
	}
	c->state = CONN_AUTHING;
	queue_ctl(c, format("{\"type\":\"auth\",\"id\":\"a\",\"token\":\"%s\"}",
			    token));
	free(token);
	return 0;
}

static void on_connect_error(struct bench_conn *c, const char *in, size_t len)
{
	char why[BENCH_TALLY_WHAT];

	snprintf(why, sizeof(why), "connect failed: %.*s", in ? (int)len : 4,
		 in ? in : "none");
	c->wsi = NULL;
	fail(c, why);
}

static void on_peer_close(struct bench_conn *c, const unsigned char *in,
			  size_t len)
{
	char what[BENCH_TALLY_WHAT];
	int code = len >= 2 ? (in[0] << 8 | in[1]) : 1005;

	c->close_frame = true;

	snprintf(what, sizeof(what), "server closed %d %.*s", code,
		 len > 2 ? (int)(len - 2) : 0,
		 len > 2 ? (const char *)in + 2 : "");
	bench_client_note(c->client, what);
}

static void on_closed(struct bench_conn *c)
{
	c->wsi = NULL;
	if (c->state == CONN_READY) {
		c->state = CONN_CLOSED;
		bench_client_note(c->client,
				  c->close_frame
					  ? "connection closed after setup"
					  : "connection dropped after "
					    "setup, no close frame");
	} else {
		fail(c, "connection closed during setup");
	}
}

static int callback_chat(struct lws *wsi, enum lws_callback_reasons reason,
			 void *user, void *in, size_t len)
{
	struct bench_conn *c = user;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		return on_established(c);
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return on_receive(c, wsi, in, len);
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return on_writeable(c);
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		on_connect_error(c, in, in ? strlen(in) : 0);
		return 0;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		on_peer_close(c, in, len);
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		on_closed(c);
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols protocols[] = {
	{PROTO_SUBPROTOCOL, callback_chat, 0, 4096, 0, NULL,
	 2 * BENCH_WRITE_BATCH},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

const struct lws_protocols *bench_conn_protocols(void)
{
	return protocols;
}

void bench_conn_init(struct bench_conn *c, struct bench_client *cl,
		     enum bench_role role, unsigned index)
{
	memset(c, 0, sizeof(*c));
	c->client = cl;
	c->role = role;
	c->index = index;
	c->state = CONN_WAITING;
}

void bench_conn_cleanup(struct bench_conn *c)
{
	free(c->ctl);
	free(c->stamps);
	free(c->rx);
	c->ctl = NULL;
	c->stamps = NULL;
	c->rx = NULL;
}

int bench_conn_start(struct bench_conn *c, const char *iface)
{
	struct lws_client_connect_info i;

	memset(&i, 0, sizeof(i));
	i.context = c->client->ctx;
	i.address = c->client->opts->host;
	i.port = c->client->opts->port;
	i.path = "/ws";
	i.host = i.address;
	i.protocol = PROTO_SUBPROTOCOL;
	i.ietf_version_or_minus_one = -1;
	i.userdata = c;
	i.pwsi = &c->wsi;
	i.iface = iface;
	c->state = CONN_CONNECTING;
	if (lws_client_connect_via_info(&i))
		return 0;
	c->wsi = NULL;
	fail(c, "connect failed at once");
	return -1;
}
