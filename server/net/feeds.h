/*
 * feeds: the conversation-list feed of each session on this node (opened,
 * assigned, closed elsewhere). A customer's feed is the Redis channel
 * u:<id>; agents share the channel "agents", which carries every change.
 * The node follows all user channels with one pattern subscription and
 * "agents" with one subscription, and finds its sessions through an index
 * by user: a connection costs two pointers here, instead of a channel of
 * its own in the bus, in hiredis and in Redis. Not here: what the feed
 * frames say (conv.c builds them; the store publishes them).
 */
#ifndef CHAT_FEEDS_H
#define CHAT_FEEDS_H

#include <stdbool.h>
#include <stddef.h>

#include "chat/store/bus.h"

struct feeds;
struct session;

/* Returns the feeds of this node (aborts when out of memory); bus is
 * borrowed and must outlive them. */
struct feeds *feeds_create(struct bus *bus);
/* Sessions must have been removed. NULL is a no-op. */
void feeds_destroy(struct feeds *f);
/* s authenticated: its feed frames go to it from now on. */
void feeds_add(struct feeds *f, struct session *s);
/* s closes; a no-op when it was never added. */
void feeds_remove(struct feeds *f, struct session *s);

/* A customer (an agent) of this id has a session here; any customer has. */
bool feeds_customer_here(const struct feeds *f, const char *user);
bool feeds_agent_here(const struct feeds *f, const char *user);
bool feeds_any_customer(const struct feeds *f);
/* Sends frame (len bytes, copied) to every session here of the customer
 * (the agent) of this id. */
void feeds_to_customer(struct feeds *f, const char *user, const char *frame,
		       size_t len);
void feeds_to_agent(struct feeds *f, const char *user, const char *frame,
		    size_t len);
/* Sends frame to every agent session here. */
void feeds_to_agents(struct feeds *f, const char *frame, size_t len);

#endif
