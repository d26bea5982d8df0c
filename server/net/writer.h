/*
 * writer: puts sessions' queued frames on their sockets with as few system
 * calls as possible. Frames queued while the loop handles one round of
 * events are written when that round ends (a uv_check, and an idle handle
 * so that nothing waits across a blocking poll), all frames of one
 * connection in one write. A socket that cannot take everything gets the
 * rest from lws's WRITEABLE callback as usual. Not here: the queue itself
 * (outq.c) and what a session does when room frees up (session.c).
 */
#ifndef CHAT_WRITER_H
#define CHAT_WRITER_H

#include <stdbool.h>

#include <uv.h>

struct session;
struct writer;

/* Returns the writer (aborts when out of memory). */
struct writer *writer_create(uv_loop_t *loop);
/* Drops the sessions still waiting and frees the writer once libuv has
 * closed its handles; the caller must not mark sessions afterwards. NULL
 * is a no-op. */
void writer_destroy(struct writer *w);
/* s has new frames: session_flush(s) runs before the loop next blocks.
 * Holds a reference on s until then. */
void writer_mark(struct writer *w, struct session *s);
/* Writes as much of s's queue as fits in one buffer, as one write.
 * Returns 0, or -1 when the connection is unusable. */
int writer_write(struct writer *w, struct session *s);

#endif
