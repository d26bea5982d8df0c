/*
 * bus_link: libuv stream + redisReader. A reply handler may close the
 * link; reading stops there and the handle closes from the loop, so the
 * owner never sees a link vanish inside its own call.
 */
#include "bus_link.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/log.h"
#include "chat/common/util.h"

static void on_closed(uv_handle_t *h)
{
	struct bus_link *l = h->data;

	while (l->expect_head)
		bus_link_pop(l);
	redisReaderFree(l->reader);
	l->ops->on_down(l, l->arg);
	free(l);
}

void bus_link_close(struct bus_link *l)
{
	if (l->closing)
		return;
	l->closing = true;
	l->up = false;
	uv_close(&l->io.handle, on_closed);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct bus_link *l = h->data;

	(void)hint;
	buf->base = l->rbuf;
	buf->len = sizeof(l->rbuf);
}

static void drain_replies(struct bus_link *l)
{
	void *r;

	while (!l->closing) {
		if (redisReaderGetReply(l->reader, &r) != REDIS_OK) {
			log_warn("bus: bad reply from redis: %s",
				 l->reader->errstr);
			bus_link_close(l);
			return;
		}
		if (!r)
			return;
		l->ops->on_reply(l, r, l->arg);
		freeReplyObject(r);
	}
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct bus_link *l = s->data;

	if (n > 0 && !l->closing) {
		l->last_heard_ms = mono_ms();
		if (redisReaderFeed(l->reader, buf->base, (size_t)n) ==
		    REDIS_OK)
			drain_replies(l);
		else
			bus_link_close(l);
	} else if (n < 0) {
		bus_link_close(l);
	}
}

static void on_connect(uv_connect_t *req, int status)
{
	struct bus_link *l = req->data;

	if (l->closing)
		return;
	if (status < 0) {
		bus_link_close(l);
		return;
	}
	l->up = l->ever_up = true;
	l->last_heard_ms = mono_ms();
	uv_read_start(&l->io.stream, on_alloc, on_read);
	l->ops->on_up(l, l->arg);
}

/* Resolves host (a name resolves synchronously, as hiredis does). */
static int resolve(const struct redis_addr *a, struct sockaddr_storage *ss)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
	char port[8];

	if (uv_ip4_addr(a->host, a->port, (struct sockaddr_in *)ss) == 0 ||
	    uv_ip6_addr(a->host, a->port, (struct sockaddr_in6 *)ss) == 0)
		return 0;
	snprintf(port, sizeof(port), "%d", a->port);
	if (getaddrinfo(a->host, port, &hints, &res))
		return -1;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

struct bus_link *bus_link_open(uv_loop_t *loop, const struct redis_addr *addr,
			       int node, const struct bus_link_ops *ops,
			       void *arg)
{
	struct bus_link *l = xcalloc(1, sizeof(*l));
	struct sockaddr_storage ss;

	l->loop = loop;
	l->addr = *addr;
	l->node = node;
	l->ops = ops;
	l->arg = arg;
	l->connect_req.data = l;
	if (!addr->path[0] && resolve(addr, &ss)) {
		free(l);
		return NULL;
	}
	l->reader = redisReaderCreate();
	if (addr->path[0]) {
		uv_pipe_init(loop, &l->io.pipe, 0);
		uv_pipe_connect(&l->connect_req, &l->io.pipe, addr->path,
				on_connect);
	} else {
		uv_tcp_init(loop, &l->io.tcp);
		uv_tcp_nodelay(&l->io.tcp, 1);
		if (uv_tcp_connect(&l->connect_req, &l->io.tcp,
				   (struct sockaddr *)&ss, on_connect)) {
			l->io.handle.data = l;
			bus_link_close(l);
			return l; /* on_down follows */
		}
	}
	l->io.handle.data = l;
	l->last_heard_ms = mono_ms(); /* the connect has a deadline too */
	return l;
}

static void on_written(uv_write_t *req, int status)
{
	(void)status; /* a failed write ends in a failed read */
	free(req->data);
	free(req);
}

int bus_link_send(struct bus_link *l, const char *verb, const char *arg)
{
	const char *argv[2] = {verb, arg};
	struct bus_expect *e;
	uv_write_t *req;
	uv_buf_t buf;
	char *cmd;
	int len;

	if (!l->up || l->closing)
		return -1;
	len = redisFormatCommandArgv(&cmd, arg ? 2 : 1, argv, NULL);
	if (len < 0)
		return -1;
	req = xmalloc(sizeof(*req));
	req->data = cmd;
	buf = uv_buf_init(cmd, (unsigned)len);
	if (uv_write(req, &l->io.stream, &buf, 1, on_written)) {
		free(cmd);
		free(req);
		bus_link_close(l);
		return -1;
	}
	e = xcalloc(1, sizeof(*e));
	snprintf(e->verb, sizeof(e->verb), "%s", verb);
	e->arg = arg ? xstrdup(arg) : NULL;
	if (l->expect_tail)
		l->expect_tail->next = e;
	else
		l->expect_head = e;
	l->expect_tail = e;
	return 0;
}

const struct bus_expect *bus_link_expected(const struct bus_link *l)
{
	return l->expect_head;
}

void bus_link_pop(struct bus_link *l)
{
	struct bus_expect *e = l->expect_head;

	if (!e)
		return;
	l->expect_head = e->next;
	if (!l->expect_head)
		l->expect_tail = NULL;
	free(e->arg);
	free(e);
}
