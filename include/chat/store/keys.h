/*
 * keys: the one place that names Redis keys and pub/sub channels. No
 * other file formats one; Lua scripts get every key in KEYS and every
 * channel name or prefix in ARGV from here.
 *
 * Every key of a conversation carries the hash tag {c:ID}, so the keys
 * one atomic step touches share a hash slot.
 */
#ifndef CHAT_KEYS_H
#define CHAT_KEYS_H

/* Room for the longest name: a tag, a 128-byte user id and a suffix. */
#define KEY_MAX 160

struct key {
	char s[KEY_MAX];
};

struct key key_conv_meta(const char *conv);   /* hash: state, seq, ... */
struct key key_conv_events(const char *conv); /* stream: 0-SEQ -> e */
struct key key_conv_idem(const char *conv);   /* hash: idempotency */
struct key key_conv_reads(const char *conv);  /* hash: read positions */
struct key key_user_convs(const char *user);  /* zset: a customer's */
struct key key_org_convs(const char *org);
struct key key_site_convs(const char *site);
struct key key_agent_convs(const char *agent);
struct key key_open_convs(void);   /* zset: not closed, by opened_at */
struct key key_active_convs(void); /* zset: not closed, by last_at */
struct key key_canned_agent(const char *agent);
struct key key_canned_team(void);

struct key chan_conv(const char *conv); /* a conversation's events */
struct key chan_user(const char *user); /* a customer's feed */
struct key chan_agents(void);		/* the feed every agent follows */
/* Subscribed by every node's pub/sub link as its liveness probe; nothing
 * is published on it. */
struct key chan_bus_probe(void);
/* Prefix of user feed channels, for the scripts and PSUBSCRIBE. */
const char *chan_user_prefix(void);
struct key chan_user_pattern(void);

#endif
