/*
 * actor: who performs a command, whatever the entry point (a WebSocket
 * session, an HTTP request, an inbound email, a timer). Built from a
 * verified token, or by the server for its own work (actor_system).
 */
#ifndef CHAT_ACTOR_H
#define CHAT_ACTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chat/common/auth.h"
#include "chat/protocol.h"

/* Strings live in the same heap block as the struct ("" when absent). */
/* One is held per connection, so it is kept small: the small fields are
 * bytes (role, org_role and tier hold the enum values named beside
 * them), the skills follow the struct (actor_skills()), and empty strings
 * take no room. */
struct actor {
	const char *id, *name, *email, *org, *site;
	int64_t exp;	  /* token expiry, seconds since the epoch */
	uint8_t role;	  /* enum proto_role */
	uint8_t org_role; /* enum auth_org_role */
	uint8_t tier;	  /* enum auth_tier */
	uint8_t n_skills; /* at most AUTH_SKILLS_MAX */
	uint8_t capacity; /* agents: concurrent conversations, 1..100 */
	bool system;	  /* the server itself (timers, sweeps) */
};

/* Returns an actor copied from verified claims, in one heap block freed
 * with free(). Aborts on out-of-memory (a structural allocation). */
struct actor *actor_from_claims(const struct auth_claims *c);
/* The server acting on its own (closing idle conversations): an admin
 * with the given display name. Static storage; never freed. */
const struct actor *actor_system(void);

bool actor_is_agent(const struct actor *a);
/* The actor's n_skills skills (borrowed, as long as the actor). */
const char *const *actor_skills(const struct actor *a);
/* "site" when the actor acts for a site, else "personal". */
const char *actor_context(const struct actor *a);

#endif
