/* access: the access rules of chat.v1, by role. */
#include "access.h"

#include <string.h>

const char *access_open(const struct actor *a)
{
	return a->role == PROTO_ROLE_CUSTOMER
		       ? NULL
		       : "only customers open conversations";
}

const char *access_append(const struct actor *a, enum proto_type type)
{
	if (actor_is_agent(a) || type == PROTO_SEND || type == PROTO_CLOSE)
		return NULL;
	return "agents only";
}

bool access_must_own(const struct actor *a)
{
	return a->role == PROTO_ROLE_CUSTOMER;
}

const char *access_read_conv(const struct actor *a, const char *customer_id)
{
	if (!access_must_own(a) || strcmp(customer_id, a->id) == 0)
		return NULL;
	return "not your conversation";
}

const char *access_list(const struct actor *a, enum proto_list_scope scope)
{
	if (scope == PROTO_SCOPE_MINE || actor_is_agent(a))
		return NULL;
	return "this scope is for agents";
}

const char *access_canned(const struct actor *a, enum proto_list_scope scope,
			  bool change)
{
	if (!actor_is_agent(a))
		return "agents only";
	if (change && scope == PROTO_SCOPE_TEAM && a->role != PROTO_ROLE_ADMIN)
		return "only admins change team responses";
	return NULL;
}

bool access_sees(const struct actor *a, char audience)
{
	return audience == '*' || actor_is_agent(a);
}

const char *access_route(const struct actor *a, enum proto_type type)
{
	if (type == PROTO_AVAILABILITY)
		return NULL;
	if (!actor_is_agent(a))
		return "agents only";
	if (type == PROTO_TAKEOVER && a->role != PROTO_ROLE_ADMIN)
		return "only admins take conversations over";
	return NULL;
}
