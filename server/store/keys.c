/*
 * keys: Redis key and channel names. An id too long for KEY_MAX (never a
 * valid one: conversation ids are 22 characters, user ids at most
 * PROTO_USER_ID_MAX bytes) gives the bare prefix rather than a cut name,
 * which could be another id's.
 */
#include "chat/store/keys.h"

#include <string.h>

#define USER_PREFIX "u:"

/* prefix id suffix, cut to fit. Built with memcpy rather than snprintf:
 * an append names seven keys per message. */
static struct key join(const char *prefix, const char *id, const char *suffix)
{
	struct key k;
	size_t lp = strlen(prefix), li = strlen(id), ls = strlen(suffix);

	if (lp + li + ls >= sizeof(k.s))
		li = ls = 0; /* not a valid id: the name stays unambiguous */
	memcpy(k.s, prefix, lp);
	memcpy(k.s + lp, id, li);
	memcpy(k.s + lp + li, suffix, ls);
	k.s[lp + li + ls] = '\0';
	return k;
}

struct key key_conv_meta(const char *conv)
{
	return join("{c:", conv, "}:m");
}

struct key key_conv_events(const char *conv)
{
	return join("{c:", conv, "}:e");
}

struct key key_conv_idem(const char *conv)
{
	return join("{c:", conv, "}:i");
}

struct key key_conv_reads(const char *conv)
{
	return join("{c:", conv, "}:r");
}

struct key key_user_convs(const char *user)
{
	return join("{u:", user, "}:c");
}

struct key key_org_convs(const char *org)
{
	return join("{o:", org, "}:c");
}

struct key key_site_convs(const char *site)
{
	return join("{s:", site, "}:c");
}

struct key key_agent_convs(const char *agent)
{
	return join("{a:", agent, "}:c");
}

struct key key_open_convs(void)
{
	return join("convs:open", "", "");
}

struct key key_active_convs(void)
{
	return join("convs:active", "", "");
}

struct key key_canned_agent(const char *agent)
{
	return join("{a:", agent, "}:canned");
}

struct key key_canned_team(void)
{
	return join("canned:team", "", "");
}

struct key chan_conv(const char *conv)
{
	return join("c:", conv, "");
}

struct key chan_user(const char *user)
{
	return join(USER_PREFIX, user, "");
}

struct key chan_agents(void)
{
	return join("agents", "", "");
}

struct key chan_bus_probe(void)
{
	return join("bus:alive", "", "");
}

const char *chan_user_prefix(void)
{
	return USER_PREFIX;
}

struct key chan_user_pattern(void)
{
	return join(USER_PREFIX, "*", "");
}
