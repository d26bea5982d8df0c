/*
 * smtp: sends complete RFC 5322 messages to one SMTP relay with libcurl's
 * multi_socket interface, driven by the caller's libuv loop (one uv_poll
 * per socket, one uv_timer), several sends at once. Each send reports once:
 * sent, a temporary failure (retry later), a permanent one (the relay
 * refused with 5xx), or cancelled by smtp_destroy().
 * Not here: building messages, the outbox, retries and backoff.
 */
#ifndef CHAT_MAILER_SMTP_H
#define CHAT_MAILER_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

struct smtp_config {
	const char *url; /* smtp://host:port or smtps://host:port (TLS from
			    the start); a path names the EHLO domain */
	bool starttls_required; /* smtp:// only: fail unless STARTTLS
				   succeeds; false: use it when offered */
	const char *username;	/* NULL: no AUTH */
	const char *password;
	const char *ca_file;	 /* NULL: the system's trusted CAs */
	long connect_timeout_ms; /* 0: 10 s */
	long timeout_ms;	 /* one whole send; 0: 60 s */
};

enum smtp_result {
	SMTP_SENT,
	SMTP_TEMPORARY, /* no connection, timeout, TLS or 4xx: try later */
	SMTP_PERMANENT, /* the relay answered 5xx: retrying won't help */
	SMTP_CANCELLED, /* smtp_destroy() ran first */
};

/* Everything is borrowed for the callback's duration. */
struct smtp_outcome {
	enum smtp_result result;
	int code;	      /* the relay's last reply code, 0 if none */
	const char *response; /* its last reply line, "" if none */
	const char *error;    /* why it failed in words, "" when sent */
};

typedef void (*smtp_sent_cb)(void *arg, const struct smtp_outcome *out);

struct smtp;

/* Copies cfg. Returns NULL if libcurl cannot start. Owned by the caller:
 * free with smtp_destroy(). */
struct smtp *smtp_create(uv_loop_t *loop, const struct smtp_config *cfg);

/* Sends message (len bytes, CRLF line ends, headers and body; copied) from
 * the envelope sender to every recipient; a recipient the relay refuses
 * fails the whole send. cb runs exactly once, from the loop, never from
 * inside this call. Returns 0, or -1 (cb never runs) on bad arguments or
 * after smtp_destroy() began. */
int smtp_send(struct smtp *s, const char *from, const char *const *rcpts,
	      size_t n_rcpts, const char *message, size_t len, smtp_sent_cb cb,
	      void *arg);

/* Sends still in flight report SMTP_CANCELLED (from inside this call);
 * then every handle is closed. The memory is freed when the loop next
 * runs the close callbacks. NULL is a no-op. */
void smtp_destroy(struct smtp *s);

const char *smtp_result_name(enum smtp_result r);

#endif
