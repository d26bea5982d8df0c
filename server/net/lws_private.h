/*
 * lws_private: the two things chatd does with libwebsockets outside its
 * documented API, kept here so a new lws version is checked in one place
 * (this file refuses to build against any other version than the one
 * they were verified on, 4.1):
 *  - raw writes on an established WebSocket (lws's "HTTP" write type),
 *    which the writer uses for frames it framed itself;
 *  - writing a close frame directly (lws's close write type, not exported
 *    by its public header in 4.1), then half-closing the socket under lws
 *    so the peer gets everything before the connection goes.
 */
#ifndef CHAT_LWS_PRIVATE_H
#define CHAT_LWS_PRIVATE_H

#include <stddef.h>

struct lws;

/* Writes len bytes (already WebSocket frames) at buf; lws keeps what the
 * socket does not take and drains it before any later write. buf must
 * have FRAME_PRE bytes of headroom. Returns 0 or -1. */
int lwsp_write_raw(struct lws *wsi, unsigned char *buf, size_t len);
/* Writes a close frame with code and reason (cut to fit). Returns 0 or
 * -1. */
int lwsp_write_close(struct lws *wsi, int code, const char *reason);

/* Half-closes the connection's socket (no more writes; the peer sees the
 * end of the stream after what was written). Returns 0 or -1. */
int lwsp_shutdown_write(struct lws *wsi);

#endif
