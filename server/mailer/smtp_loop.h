/*
 * smtp_loop: the plumbing that lets libcurl's multi_socket interface run on
 * a libuv loop, private to server/mailer/. struct smtp lives here because
 * both halves of the module use it.
 */
#ifndef CHAT_MAILER_SMTP_LOOP_H
#define CHAT_MAILER_SMTP_LOOP_H

#include <curl/curl.h>

#include "chat/mailer/smtp.h"

struct smtp_job;
struct smtp_sock;

struct smtp {
	uv_loop_t *loop; /* borrowed */
	CURLM *multi;
	uv_timer_t timer;
	char *url, *username, *password, *ca_file;
	bool starttls_required;
	long connect_timeout_ms, timeout_ms;
	bool closing;
	int *fds; /* every socket curl has open, watched or idle */
	size_t n_fds, cap_fds;
	struct smtp_job *jobs;
	struct smtp_sock *socks;
	/* Set by smtp.c: reports the sends curl has finished; the loop half
	 * calls it after curl ran. */
	void (*check_done)(struct smtp *s);
};

/* Hands curl's socket and timer needs to the loop: initialises s->timer. */
void smtp_loop_attach(struct smtp *s);
/* Lets s know every socket e opens, for smtp_loop_shutdown(). */
void smtp_loop_track(struct smtp *s, CURL *e);
/* Shuts down every socket curl holds, so nothing blocks on a silent relay. */
void smtp_loop_shutdown(struct smtp *s);
/* Closes the polls curl did not remove itself (after curl_multi_cleanup). */
void smtp_loop_close(struct smtp *s);

#endif
