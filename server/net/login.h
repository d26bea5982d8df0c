/*
 * login: the auth frame. Verifies the token, fixes the session's identity,
 * subscribes the user's feed (and the agents' feed for agents), and
 * answers hello; a refused token gets an error and close 4003.
 */
#ifndef CHAT_LOGIN_H
#define CHAT_LOGIN_H

#include "chat/protocol.h"

struct session;

void login_handle(struct session *s, const struct proto_request *req);

#endif
