/*
 * http_answer: a whole small HTTP answer (headers and a short body) in one
 * write, for the answers chatd makes itself: static files' 404/301/405 and
 * POST /mail/inbound's JSON outcomes.
 */
#ifndef CHAT_NET_HTTP_ANSWER_H
#define CHAT_NET_HTTP_ANSWER_H

#include <stdbool.h>

#include <libwebsockets.h>

#define HTTP_ANSWER_BODY_MAX 1536

/* Writes status, Content-Type type, Content-Length, one more header
 * (extra: "name:" and value, or NULL), Connection: close when close, then
 * body (at most HTTP_ANSWER_BODY_MAX bytes; not sent for a HEAD, head).
 * Ending the transaction is the caller's. Returns 0 or -1. */
int http_answer(struct lws *wsi, int status, const char *type, const char *body,
		const char *const *extra, bool close, bool head);

#endif
