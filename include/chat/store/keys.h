/*
 * keys: the one place that names Redis keys and pub/sub channels. No
 * other file formats one; Lua steps get every key in KEYS and every
 * channel name in ARGV from here.
 *
 * Every atomic step touches the keys of one hash slot. A conversation
 * belongs to one of KEYS_SHARDS virtual shards (a hash of its id), and
 * its keys, its channel, its shard's outbox and its shard's feed channel
 * all carry the shard's hash tag: on Redis Cluster a shard lives on one
 * primary, and a step never crosses slots. Indexes in other slots
 * (customer, organization, site, agent, open and active conversations)
 * are updated from the outbox. The number of shards and their tags are
 * fixed once data exists.
 */
#ifndef CHAT_KEYS_H
#define CHAT_KEYS_H

#define KEYS_SHARDS 64
/* The routing state (queue, agents, offers) is one slot of its own, with
 * its own outbox: shard number KEYS_ROUTE among the outboxes. */
#define KEYS_ROUTE KEYS_SHARDS
#define KEYS_OUTBOXES (KEYS_SHARDS + 1)

/* Room for the longest name: a tag, a 128-byte user id and a suffix. */
#define KEY_MAX 160

struct key {
	char s[KEY_MAX];
};

/* The virtual shard of a conversation id (any string: an invalid id maps
 * to a shard too, where nothing is found). */
unsigned key_shard_of(const char *conv);
/* The shard's hash tag, without braces: "v12.48". */
const char *key_shard_tag(unsigned shard);

struct key key_conv_meta(const char *conv);   /* hash: state, seq, ... */
struct key key_conv_events(const char *conv); /* stream: 0-SEQ -> e */
struct key key_conv_idem(const char *conv);   /* hash: idempotency */
struct key key_conv_reads(const char *conv);  /* hash: read positions */

/* Per shard (and KEYS_ROUTE): the outbox stream written with the events that
 * something must follow, and its consumer's lease and cursor. */
struct key key_outbox(unsigned shard);
struct key key_outbox_lease(unsigned shard);
struct key key_outbox_cursor(unsigned shard);

struct key key_user_convs(const char *user); /* zset: a customer's */
struct key key_org_convs(const char *org);
struct key key_site_convs(const char *site);
struct key key_agent_convs(const char *agent);
struct key key_open_convs(void);   /* zset: not closed, by opened_at */
struct key key_active_convs(void); /* zset: not closed, by last_at */
struct key key_canned_agent(const char *agent);
struct key key_canned_team(void);

struct key chan_conv(const char *conv); /* a conversation's events */
/* The routing slot: the prefix every routing key starts with ("{r}:"; the
 * routing steps derive the names they touch from it, all in one slot),
 * the board (zset: queue, held, assigned) every routing step names in
 * KEYS, one conversation's routing hash, and the notices channel. */
struct key key_route_prefix(void);
struct key key_route_board(void);
struct key key_route_conv(const char *conv);
/* Named here for chatd migrate-keys, which writes the routing state of
 * conversations opened before routing: waiting conversation -> class and
 * customer, an agent's hash and conversations, the queue's version. */
struct key key_route_wait(void);
struct key key_route_agent(const char *agent);
struct key key_route_agent_convs(const char *agent);
struct key key_route_version(void);
/* The conversations offered to an agent (set), the waiting ones needing a
 * skill ("" for none) in queue order (zset), the agents not gone (zset). */
struct key key_route_agent_offers(const char *agent);
struct key key_route_skill_queue(const char *skill);
struct key key_route_live(void);
struct key chan_route(void);
/* The mail slot ({m}): the prefix the mail steps derive their keys from
 * (the queue stream, the dead letters, the duplicate guards, the
 * notification schedule), and the queue stream they name in KEYS. */
struct key key_mail_prefix(void);
struct key key_mail_queue(void);
struct key key_mail_schedule(void); /* zset: notification looks */
/* The dead letters (stream): jobs the relay refused or that failed every
 * try, with their tries and last error; chatd mail-dead reads them. */
struct key key_mail_dead(void);
/* A shard's feed: conversation list changes (opened, assigned, closed),
 * for agents and the conversation's customer. Every node follows all. */
struct key chan_feed(unsigned shard);

#endif
