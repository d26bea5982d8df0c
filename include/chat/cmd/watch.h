/*
 * watch: a session following a conversation. Resume subscribes first,
 * then replays the stored events after the client's last sequence in
 * pages (paced by the outbound queue), then streams live events, dropping
 * anything at or below what it already sent; a gap in the live stream (or
 * a resubscribe after the pub/sub link broke) refills from the stream.
 * Customers never get internal notes.
 */
#ifndef CHAT_WATCH_H
#define CHAT_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chat/protocol.h"

struct session;
struct watch;

void watch_resume(struct session *s, const struct proto_request *req);
/* Stops following req->conv (acked; duplicate:true when it was not
 * followed). Pending resume requests for it are dropped unanswered. */
void watch_unwatch(struct session *s, const struct proto_request *req);
/* The watch of conv whose access was checked, or NULL. Borrowed. */
struct watch *watch_find(struct session *s, const char *conv);
/* Drops every watch of a closing session. */
void watch_remove_all(struct session *s);
/* The outbound queue drained, or Redis is back: continue paused replays. */
void watch_on_drain(struct session *s);

#endif
