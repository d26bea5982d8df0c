/*
 * canned: agents' canned responses, stored in Redis (a hash per agent and
 * one for the team) so they follow an agent to any browser. Agents read
 * both sets and write their own; only admins write the team's.
 */
#ifndef CHAT_CANNED_H
#define CHAT_CANNED_H

#include "chat/protocol.h"

struct session;

void canned_list(struct session *s, const struct proto_request *req);
void canned_save(struct session *s, const struct proto_request *req);
void canned_delete(struct session *s, const struct proto_request *req);

#endif
