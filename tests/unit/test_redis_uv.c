/* Unit tests for redis_uv: real hiredis contexts on a real loop against a
 * local TCP listener that refuses, resets or stalls. A socket error makes
 * libuv stop the poll and report a status; these prove hiredis still hears
 * of the error (connect or disconnect callback with REDIS_ERR, pending
 * callbacks with NULL) instead of the connection going deaf. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "redis_uv.h"

#include "chat/common/util.h"

struct fixture {
	uv_loop_t loop;
	uv_timer_t tick; /* wakes uv_run so waits can time out */
	int listen_fd, peer_fd, port;
	redisAsyncContext *ac;
	int connect_status, disconnect_status; /* 1 until called */
	int replies, null_replies;
	char last[32];
};

static struct fixture fx;

static void on_tick(uv_timer_t *t)
{
	(void)t;
}

static int64_t mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs the loop until *flag differs from unset, or fails after 3 s. */
static void run_until_set(const int *flag, int unset, const char *what)
{
	int64_t deadline = mono() + 3000;

	while (*flag == unset) {
		if (mono() > deadline)
			fail_msg("timed out waiting for %s", what);
		uv_run(&fx.loop, UV_RUN_ONCE);
	}
}

static void on_connect(const redisAsyncContext *ac, int status)
{
	(void)ac;
	fx.connect_status = status;
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
	(void)ac;
	fx.disconnect_status = status;
	fx.ac = NULL;
}

static void on_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;

	(void)ac;
	(void)privdata;
	if (!reply) {
		fx.null_replies++;
		return;
	}
	fx.replies++;
	snprintf(fx.last, sizeof(fx.last), "%s", reply->str ? reply->str : "");
}

static int listen_local(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static void start_client(int port)
{
	fx.ac = redisAsyncConnect("127.0.0.1", port);
	assert_non_null(fx.ac);
	assert_int_equal(fx.ac->err, 0);
	assert_int_equal(redis_uv_attach(fx.ac, &fx.loop), 0);
	redisAsyncSetConnectCallback(fx.ac, on_connect);
	redisAsyncSetDisconnectCallback(fx.ac, on_disconnect);
}

/* A connected client and the server's end of it (fx.peer_fd). */
static void connect_pair(void)
{
	fx.listen_fd = listen_local(&fx.port);
	start_client(fx.port);
	run_until_set(&fx.connect_status, 1, "the connect callback");
	assert_int_equal(fx.connect_status, REDIS_OK);
	fx.peer_fd = accept(fx.listen_fd, NULL, NULL);
	assert_true(fx.peer_fd >= 0);
}

/* Reads what the client sent until it holds want bytes. */
static void peer_read(size_t want)
{
	char buf[4096];
	size_t got = 0;
	int64_t deadline = mono() + 3000;

	while (got < want) {
		ssize_t n = recv(fx.peer_fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n > 0)
			got += (size_t)n;
		if (mono() > deadline)
			fail_msg("the client sent %zu of %zu bytes", got, want);
		uv_run(&fx.loop, UV_RUN_NOWAIT);
	}
}

/* Closes the server's end with a RST: the client's socket gets an error
 * (EPOLLERR), not just an end of stream. */
static void peer_reset(void)
{
	struct linger l = {1, 0};

	setsockopt(fx.peer_fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fx.peer_fd);
	fx.peer_fd = -1;
}

static int setup(void **state)
{
	(void)state;
	memset(&fx, 0, sizeof(fx));
	fx.connect_status = fx.disconnect_status = 1;
	fx.listen_fd = fx.peer_fd = -1;
	uv_loop_init(&fx.loop);
	uv_timer_init(&fx.loop, &fx.tick);
	uv_timer_start(&fx.tick, on_tick, 5, 5);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (fx.ac)
		redisAsyncFree(fx.ac);
	if (fx.peer_fd >= 0)
		close(fx.peer_fd);
	if (fx.listen_fd >= 0)
		close(fx.listen_fd);
	uv_close((uv_handle_t *)&fx.tick, NULL);
	uv_run(&fx.loop, UV_RUN_DEFAULT); /* the closes */
	assert_int_equal(uv_loop_close(&fx.loop), 0);
	return 0;
}

static void test_refused_connect_reaches_the_connect_callback(void **state)
{
	int port, fd = listen_local(&port);

	(void)state;
	close(fd); /* nothing listens there now */
	start_client(port);
	run_until_set(&fx.connect_status, 1, "the connect callback");
	assert_int_equal(fx.connect_status, REDIS_ERR);
	fx.ac = NULL; /* hiredis freed it */
}

static void test_reset_with_a_command_waiting_disconnects(void **state)
{
	(void)state;
	connect_pair();
	redisAsyncCommand(fx.ac, on_reply, NULL, "PING");
	peer_read(14); /* *1\r\n$4\r\nPING\r\n */
	peer_reset();
	run_until_set(&fx.disconnect_status, 1, "the disconnect callback");
	assert_int_equal(fx.disconnect_status, REDIS_ERR);
	assert_int_equal(fx.null_replies, 1);
	assert_int_equal(fx.replies, 0);
}

/* The answer queued before the reset is read first; the error, still
 * pending, must be seen on the next round. */
static void test_reply_before_a_reset_is_delivered_then_the_reset(void **state)
{
	static const char pong[] = "+PONG\r\n";

	(void)state;
	connect_pair();
	redisAsyncCommand(fx.ac, on_reply, NULL, "PING");
	redisAsyncCommand(fx.ac, on_reply, NULL, "PING");
	peer_read(28);
	assert_int_equal(send(fx.peer_fd, pong, 7, 0), 7);
	peer_reset();
	run_until_set(&fx.disconnect_status, 1, "the disconnect callback");
	assert_int_equal(fx.disconnect_status, REDIS_ERR);
	assert_int_equal(fx.replies, 1);
	assert_string_equal(fx.last, "PONG");
	assert_int_equal(fx.null_replies, 1);
}

/* A write too big for the socket buffers leaves the poll waiting for
 * POLLOUT as well as POLLIN when the reset comes. */
static void test_reset_during_a_blocked_write_disconnects(void **state)
{
	size_t n = 16u << 20;
	char *big = malloc(n);

	(void)state;
	assert_non_null(big);
	memset(big, 'x', n);
	connect_pair();
	redisAsyncCommand(fx.ac, on_reply, NULL, "SET k %b", big, n);
	free(big);
	peer_read(1 << 16); /* the write has started and stalled */
	peer_reset();
	run_until_set(&fx.disconnect_status, 1, "the disconnect callback");
	assert_int_equal(fx.disconnect_status, REDIS_ERR);
	assert_int_equal(fx.null_replies, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_refused_connect_reaches_the_connect_callback,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_reset_with_a_command_waiting_disconnects, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_reply_before_a_reset_is_delivered_then_the_reset,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_reset_during_a_blocked_write_disconnects, setup,
			teardown),
	};

	signal(SIGPIPE, SIG_IGN); /* as chatd: a reset surfaces as EPIPE */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
