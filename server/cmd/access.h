/*
 * access: who may do what, in one place. Each check returns NULL when the
 * actor may, or the reason it may not (sent with a forbidden error).
 * What must hold atomically with a write (the conversation is not closed,
 * the sender is its customer or its agent) is enforced by the Redis step,
 * told by these rules which checks apply (access_must_own).
 */
#ifndef CHAT_ACCESS_H
#define CHAT_ACCESS_H

#include <stdbool.h>

#include "chat/cmd/actor.h"
#include "chat/protocol.h"

const char *access_open(const struct actor *a);
/* send, note, claim, close on a conversation */
const char *access_append(const struct actor *a, enum proto_type type);
/* A customer acts only on their own conversations: the Redis step checks
 * the conversation's customer against the actor. */
bool access_must_own(const struct actor *a);
/* Reading a conversation whose customer is customer_id. */
const char *access_read_conv(const struct actor *a, const char *customer_id);
const char *access_list(const struct actor *a, enum proto_list_scope scope);
const char *access_canned(const struct actor *a, enum proto_list_scope scope,
			  bool change);
/* Routing: availability (anyone), presence, agents, claim, accept,
 * decline, transfer (agents; the holder check is atomic in Redis),
 * takeover (admins). */
const char *access_route(const struct actor *a, enum proto_type type);
/* Whether a stored event of this audience ('*' everyone, 'a' agents
 * only) is shown to the actor. */
bool access_sees(const struct actor *a, char audience);

#endif
