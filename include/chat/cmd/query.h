/*
 * query: read-only requests. history returns one page of a conversation's
 * stored events (without watching it); list returns a page of the user's
 * conversations (or, for agents, every open one) newest first.
 */
#ifndef CHAT_QUERY_H
#define CHAT_QUERY_H

#include "chat/protocol.h"

struct session;

void query_history(struct session *s, const struct proto_request *req);
void query_list(struct session *s, const struct proto_request *req);

#endif
