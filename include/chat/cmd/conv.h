/*
 * conv: the requests that change a conversation: open, send, note, claim,
 * close (each applied exactly once by a Lua step in Redis and acked only
 * after Redis accepted it), read positions, and typing (relayed only).
 */
#ifndef CHAT_CONV_H
#define CHAT_CONV_H

#include <stddef.h>

#include "chat/protocol.h"

struct session;

void conv_open(struct session *s, const struct proto_request *req);
void conv_append(struct session *s, const struct proto_request *req);
void conv_typing(struct session *s, const struct proto_request *req);
void conv_read(struct session *s, const struct proto_request *req);

#endif
