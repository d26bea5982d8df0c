/*
 * static_files: GET and HEAD of the web root (--web-root), answered from
 * the files static_table read at start: the Brotli or gzip encoding the
 * request accepts, a strong ETag per encoding and 304 for a matching
 * If-None-Match, Cache-Control by name (static_http). Unknown paths get
 * 404, a directory without its slash a 301 to it, other methods 405. The
 * body goes out in pieces on WRITEABLE. transport.c calls these from its
 * HTTP callback; the state of a request is the HTTP protocol's per-session
 * data (struct static_req). Not here: what HTTP says (static_http), the
 * files (static_table, read by main.c at start).
 */
#ifndef CHAT_STATIC_FILES_H
#define CHAT_STATIC_FILES_H

#include <stddef.h>

#include <uv.h>
#include <libwebsockets.h>

struct static_table;

/* A body being written; zeroed by lws with the connection. */
struct static_req {
	const unsigned char *data; /* borrowed from the table; NULL = none */
	size_t len, sent;
};

/* LWS_CALLBACK_HTTP for a path of the web root, answered from web
 * (borrowed; it must outlive every connection); req is the connection's
 * per-session data. Returns what the lws callback returns. */
int static_files_on_request(const struct static_table *web, struct lws *wsi,
			    struct static_req *req);
/* LWS_CALLBACK_HTTP_WRITEABLE: the next piece of the body, if any. */
int static_files_on_writeable(struct lws *wsi, struct static_req *req);

#endif
