/*
 * keys: Redis key and channel names. Names that do not fit KEY_MAX are
 * cut, which cannot happen for valid ids (conversation ids are 22
 * characters, user ids at most PROTO_USER_ID_MAX bytes).
 */
#include "chat/store/keys.h"

#include <stdio.h>

#define USER_PREFIX "u:"

static struct key make(const char *fmt, const char *id)
{
	struct key k;

	snprintf(k.s, sizeof(k.s), fmt, id);
	return k;
}

struct key key_conv_meta(const char *conv)
{
	return make("{c:%s}:m", conv);
}

struct key key_conv_events(const char *conv)
{
	return make("{c:%s}:e", conv);
}

struct key key_conv_idem(const char *conv)
{
	return make("{c:%s}:i", conv);
}

struct key key_conv_reads(const char *conv)
{
	return make("{c:%s}:r", conv);
}

struct key key_user_convs(const char *user)
{
	return make("{u:%s}:c", user);
}

struct key key_org_convs(const char *org)
{
	return make("{o:%s}:c", org);
}

struct key key_site_convs(const char *site)
{
	return make("{s:%s}:c", site);
}

struct key key_agent_convs(const char *agent)
{
	return make("{a:%s}:c", agent);
}

struct key key_open_convs(void)
{
	return make("%s", "convs:open");
}

struct key key_active_convs(void)
{
	return make("%s", "convs:active");
}

struct key key_canned_agent(const char *agent)
{
	return make("{a:%s}:canned", agent);
}

struct key key_canned_team(void)
{
	return make("%s", "canned:team");
}

struct key chan_conv(const char *conv)
{
	return make("c:%s", conv);
}

struct key chan_user(const char *user)
{
	return make(USER_PREFIX "%s", user);
}

struct key chan_agents(void)
{
	return make("%s", "agents");
}

const char *chan_user_prefix(void)
{
	return USER_PREFIX;
}

struct key chan_user_pattern(void)
{
	return make("%s*", USER_PREFIX);
}
