/*
 * watch: a sink following a conversation live. Resume checks access,
 * subscribes first, then replays stored events after the client's last
 * sequence in pages paced by the sink's room, then streams live events;
 * seqtrack decides what is delivered. The watches hang off the sink.
 */
#ifndef CHAT_WATCH_H
#define CHAT_WATCH_H

#include "chat/cmd/cmd.h"

void watch_resume(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		  const struct proto_request *req);
void watch_unwatch(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		   const struct proto_request *req);
/* The watch of conv whose access was verified, or NULL. */
struct watch *watch_find(struct sink *k, const char *conv);
/* Drops every watch of a sink that is going away. */
void watch_remove_all(struct sink *k);
/* The sink has room again: continue paused replays. */
void watch_on_drain(struct sink *k);

#endif
