/* actor: copies of verified identities, and the server's own actor. */
#include "chat/cmd/actor.h"

#include <string.h>

#include "chat/common/util.h"

/* Copies s to *p and advances it past the terminating NUL; an empty s
 * takes no room. */
static const char *put(char **p, const char *s)
{
	size_t n = strlen(s) + 1;
	char *out;

	if (n == 1)
		return "";
	out = memcpy(*p, s, n);
	*p += n;
	return out;
}

/* Room for a string as put() stores it. */
static size_t room(const char *s)
{
	return *s ? strlen(s) + 1 : 0;
}

static size_t strings_size(const struct auth_claims *c)
{
	size_t n = room(c->sub) + room(c->name) + room(c->email) +
		   room(c->org) + room(c->site);

	for (size_t i = 0; i < c->n_skills; i++)
		n += room(c->skills[i]);
	return n;
}

struct actor *actor_from_claims(const struct auth_claims *c)
{
	size_t skills = c->n_skills * sizeof(char *);
	struct actor *a = xcalloc(1, sizeof(*a) + skills + strings_size(c));
	const char **list = (const char **)(a + 1);
	char *p = (char *)(a + 1) + skills;

	a->id = put(&p, c->sub);
	a->name = put(&p, c->name);
	a->email = put(&p, c->email);
	a->org = put(&p, c->org);
	a->site = put(&p, c->site);
	for (size_t i = 0; i < c->n_skills; i++)
		list[i] = put(&p, c->skills[i]);
	a->n_skills = (uint8_t)c->n_skills;
	a->role = (uint8_t)c->role;
	a->org_role = (uint8_t)c->org_role;
	a->tier = (uint8_t)c->tier;
	a->capacity = (uint8_t)c->capacity;
	a->exp = c->exp;
	return a;
}

const struct actor *actor_system(void)
{
	static const struct actor system = {
		.id = "chatd",
		.name = "chatd",
		.email = "",
		.org = "",
		.site = "",
		.role = PROTO_ROLE_ADMIN,
		.system = true,
	};

	return &system;
}

const char *const *actor_skills(const struct actor *a)
{
	return (const char *const *)(a + 1);
}

bool actor_is_agent(const struct actor *a)
{
	return a->role != PROTO_ROLE_CUSTOMER;
}

const char *actor_context(const struct actor *a)
{
	return *a->site ? "site" : "personal";
}
