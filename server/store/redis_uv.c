/* redis_uv: hiredis event hooks on libuv with deferred, batched writes.
 * The events hiredis asked for (wanted) are kept apart from the events the
 * poll is started with (armed): libuv stops the poll by itself on a socket
 * error, and after every error the poll is started again with what hiredis
 * still wants, whatever hiredis did or did not call meanwhile. */
#include "redis_uv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "chat/common/util.h"

struct redis_uv {
	redisAsyncContext *ac; /* NULL once hiredis let go */
	uv_poll_t poll;
	uv_idle_t flush;
	int wanted;	  /* events hiredis asked for through the hooks */
	int armed;	  /* events the poll is started with */
	bool want_write;  /* output is waiting for the flush */
	bool in_write;	  /* inside redisAsyncHandleWrite */
	unsigned handles; /* open libuv handles; freed at 0 */
};

static void on_poll(uv_poll_t *h, int status, int events);

static bool connected(const struct redis_uv *r)
{
	return r->ac && (r->ac->c.flags & REDIS_CONNECTED);
}

/* Brings the poll in line with what hiredis wants, touching it only when
 * that changed: each uv_poll_start() is an epoll_ctl DEL and ADD in libuv
 * 1.44. */
static void sync_poll(struct redis_uv *r)
{
	if (r->wanted == r->armed)
		return;
	r->armed = r->wanted;
	if (r->armed)
		uv_poll_start(&r->poll, r->armed, on_poll);
	else
		uv_poll_stop(&r->poll);
}

static void want(struct redis_uv *r, int events)
{
	r->wanted = events;
	sync_poll(r);
}

static void handle_write(struct redis_uv *r)
{
	r->in_write = true;
	redisAsyncHandleWrite(r->ac); /* may end in cleanup(): r->ac NULL */
	r->in_write = false;
}

/*
 * hiredis reads 16 KiB per redisAsyncHandleRead(); called once per loop
 * round, a busy node empties its SUBSCRIBE connection slower than Redis
 * fills it. So read again while the socket holds more, up to a bound that
 * keeps the loop fair. Bigger reads would cost more than the extra calls:
 * hiredis's reader moves the rest of its buffer down after every 1 KiB it
 * consumes.
 */
#define READS_PER_ROUND 64

static void handle_read(struct redis_uv *r)
{
	for (int i = 0; i < READS_PER_ROUND && r->ac; i++) {
		int pending = 0;

		redisAsyncHandleRead(r->ac); /* may free: r->ac NULL */
		if (!connected(r) || ioctl(r->ac->c.fd, FIONREAD, &pending) ||
		    pending <= 0)
			return;
	}
}

/*
 * A socket error (a refused connect, a reset): libuv has stopped the poll
 * and says nothing more, so hiredis must find the error itself. Connecting,
 * its write handler checks SO_ERROR and calls the connect callback; once
 * connected, a read returns the error or EOF and it disconnects. A read
 * may first return data still queued before the error: then hiredis
 * stays up and the poll, started again below, reports the error again.
 */
static void on_poll_error(struct redis_uv *r)
{
	r->armed = 0;
	if (!connected(r)) {
		handle_write(r);
	} else {
		handle_read(r);
		if (r->ac && (r->wanted & UV_WRITABLE))
			handle_write(r);
	}
	if (r->ac)
		sync_poll(r);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
	struct redis_uv *r = h->data;

	if (status < 0) {
		if (r->ac)
			on_poll_error(r);
		return;
	}
	if (r->ac && (events & UV_READABLE))
		handle_read(r);
	if (r->ac && (events & UV_WRITABLE))
		handle_write(r);
}

static void on_flush(uv_idle_t *h)
{
	struct redis_uv *r = h->data;

	uv_idle_stop(h);
	if (!r->want_write || !connected(r))
		return;
	r->want_write = false;
	handle_write(r);
}

static void add_read(void *p)
{
	struct redis_uv *r = p;

	want(r, r->wanted | UV_READABLE);
}

static void del_read(void *p)
{
	struct redis_uv *r = p;

	want(r, r->wanted & ~UV_READABLE);
}

/* hiredis has output. Connected and not inside a write: leave it for the
 * flush, which runs once per loop iteration before it blocks. Connecting,
 * or a write that could not finish: wait for POLLOUT. */
static void add_write(void *p)
{
	struct redis_uv *r = p;

	if (connected(r) && !r->in_write) {
		r->want_write = true;
		uv_idle_start(&r->flush, on_flush);
		return;
	}
	want(r, r->wanted | UV_WRITABLE);
}

static void del_write(void *p)
{
	struct redis_uv *r = p;

	r->want_write = false;
	want(r, r->wanted & ~UV_WRITABLE);
}

static void on_closed(uv_handle_t *h)
{
	struct redis_uv *r = h->data;

	if (--r->handles == 0)
		free(r);
}

static void cleanup(void *p)
{
	struct redis_uv *r = p;

	r->ac = NULL;
	uv_close((uv_handle_t *)&r->poll, on_closed);
	uv_close((uv_handle_t *)&r->flush, on_closed);
}

int redis_uv_attach(redisAsyncContext *ac, uv_loop_t *loop)
{
	struct redis_uv *r;

	if (ac->ev.data)
		return -1;
	r = xcalloc(1, sizeof(*r));
	if (uv_poll_init(loop, &r->poll, ac->c.fd)) {
		free(r);
		return -1;
	}
	uv_idle_init(loop, &r->flush);
	r->poll.data = r->flush.data = r;
	r->handles = 2;
	r->ac = ac;
	ac->ev.data = r;
	ac->ev.addRead = add_read;
	ac->ev.delRead = del_read;
	ac->ev.addWrite = add_write;
	ac->ev.delWrite = del_write;
	ac->ev.cleanup = cleanup;
	return 0;
}
