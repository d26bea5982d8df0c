/*
 * smtp_loop: libcurl's multi_socket interface on a libuv loop. curl says
 * which sockets to watch (on_socket) and when to call it back
 * (on_timer_change); each socket gets a uv_poll, the multi handle one
 * uv_timer. Not here: the sends themselves (smtp.c).
 */
#include "smtp_loop.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chat/common/util.h"

/* One watched socket; freed by its close callback. */
struct smtp_sock {
	uv_poll_t poll;
	struct smtp *s; /* borrowed */
	curl_socket_t fd;
	struct smtp_sock *prev, *next;
};

static void on_sock_closed(uv_handle_t *h)
{
	free(h->data);
}

static void sock_close(struct smtp_sock *k)
{
	struct smtp *s = k->s;

	if (k->prev)
		k->prev->next = k->next;
	else
		s->socks = k->next;
	if (k->next)
		k->next->prev = k->prev;
	uv_close((uv_handle_t *)&k->poll, on_sock_closed);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
	struct smtp_sock *k = h->data;
	struct smtp *s = k->s;
	int flags = 0;
	int running;

	if (status < 0)
		flags = CURL_CSELECT_ERR;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	/* k may be closed by curl inside this call: use only s after it. */
	curl_multi_socket_action(s->multi, k->fd, flags, &running);
	s->check_done(s);
}

static void on_timer(uv_timer_t *t)
{
	struct smtp *s = t->data;
	int running;

	curl_multi_socket_action(s->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	s->check_done(s);
}

static int on_timer_change(CURLM *multi, long timeout_ms, void *userp)
{
	struct smtp *s = userp;

	(void)multi;
	if (timeout_ms < 0)
		uv_timer_stop(&s->timer);
	else if (!s->closing)
		uv_timer_start(&s->timer, on_timer, (uint64_t)timeout_ms, 0);
	return 0;
}

static struct smtp_sock *sock_open(struct smtp *s, curl_socket_t fd)
{
	struct smtp_sock *k = xcalloc(1, sizeof(*k));

	if (uv_poll_init_socket(s->loop, &k->poll, fd) != 0) {
		free(k);
		return NULL;
	}
	k->poll.data = k;
	k->s = s;
	k->fd = fd;
	k->next = s->socks;
	if (s->socks)
		s->socks->prev = k;
	s->socks = k;
	curl_multi_assign(s->multi, fd, k);
	return k;
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp,
		     void *socketp)
{
	struct smtp *s = userp;
	struct smtp_sock *k = socketp;
	int events = 0;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (k) {
			curl_multi_assign(s->multi, fd, NULL);
			sock_close(k);
		}
		return 0;
	}
	if (!k && !(k = sock_open(s, fd)))
		return -1;
	if (what & CURL_POLL_IN)
		events |= UV_READABLE;
	if (what & CURL_POLL_OUT)
		events |= UV_WRITABLE;
	return uv_poll_start(&k->poll, events, on_poll) == 0 ? 0 : -1;
}

/* curl 7.88 says QUIT and blocks for the answer whenever it closes an SMTP
 * connection, even one whose relay went silent. Knowing every socket lets
 * smtp_destroy() shut them down first, so those goodbyes fail at once. */
static curl_socket_t on_open_socket(void *userp, curlsocktype purpose,
				    struct curl_sockaddr *addr)
{
	struct smtp *s = userp;
	int fd;

	(void)purpose;
	fd = socket(addr->family, addr->socktype, addr->protocol);
	if (fd < 0)
		return CURL_SOCKET_BAD;
	if (s->n_fds == s->cap_fds) {
		s->cap_fds = s->cap_fds ? s->cap_fds * 2 : 8;
		s->fds = xrealloc(s->fds, s->cap_fds * sizeof(*s->fds));
	}
	s->fds[s->n_fds++] = fd;
	return fd;
}

static int on_close_socket(void *userp, curl_socket_t fd)
{
	struct smtp *s = userp;

	for (size_t i = 0; i < s->n_fds; i++) {
		if (s->fds[i] == fd) {
			s->fds[i] = s->fds[--s->n_fds];
			break;
		}
	}
	return close(fd);
}

void smtp_loop_attach(struct smtp *s)
{
	uv_timer_init(s->loop, &s->timer);
	s->timer.data = s;
	curl_multi_setopt(s->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(s->multi, CURLMOPT_SOCKETDATA, s);
	curl_multi_setopt(s->multi, CURLMOPT_TIMERFUNCTION, on_timer_change);
	curl_multi_setopt(s->multi, CURLMOPT_TIMERDATA, s);
}

void smtp_loop_track(struct smtp *s, CURL *e)
{
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, s);
	curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, on_close_socket);
	curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, s);
}

void smtp_loop_shutdown(struct smtp *s)
{
	for (size_t i = 0; i < s->n_fds; i++)
		shutdown(s->fds[i], SHUT_RDWR);
}

void smtp_loop_close(struct smtp *s)
{
	while (s->socks)
		sock_close(s->socks);
}
