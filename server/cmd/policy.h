/*
 * policy: who may do what, in one place. Each check returns NULL when the
 * actor may, or the reason it may not (sent with a forbidden error).
 * What must hold atomically with a write (the conversation is not closed,
 * the sender is its customer or its agent) is enforced by the Redis step,
 * told by the policy which checks apply (policy_must_own).
 */
#ifndef CHAT_POLICY_H
#define CHAT_POLICY_H

#include <stdbool.h>

#include "chat/cmd/actor.h"
#include "chat/protocol.h"

const char *policy_open(const struct actor *a);
/* send, note, claim, close on a conversation */
const char *policy_append(const struct actor *a, enum proto_type type);
/* A customer acts only on their own conversations: the Redis step checks
 * the conversation's customer against the actor. */
bool policy_must_own(const struct actor *a);
/* Reading a conversation whose customer is customer_id. */
const char *policy_read_conv(const struct actor *a, const char *customer_id);
const char *policy_list(const struct actor *a, enum proto_list_scope scope);
const char *policy_canned(const struct actor *a, enum proto_list_scope scope,
			  bool change);
/* Routing: availability (anyone), presence, agents, claim, accept,
 * decline, transfer (agents; the holder check is atomic in Redis),
 * takeover (admins). */
const char *policy_route(const struct actor *a, enum proto_type type);
/* Whether a stored event of this audience ('*' everyone, 'a' agents
 * only) is shown to the actor. */
bool policy_sees(const struct actor *a, char audience);

#endif
