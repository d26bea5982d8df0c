/* feeds: user and agent feeds delivered through one index per node. */
#include "feeds.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/hmap.h"
#include "chat/store/keys.h"
#include "outq.h"
#include "session.h"
#include "chat/common/util.h"

struct feeds {
	struct bus *bus;	/* borrowed */
	struct hmap *users;	/* customer id -> first session (borrowed) */
	struct session *agents; /* every agent session, linked by feed_next */
	struct bus_sub agents_sub;
};

#define FEEDS_OF(sub)                                                          \
	((struct feeds *)((char *)(sub)-offsetof(struct feeds, agents_sub)))

static void send_all(struct session *first, const char *payload, size_t len)
{
	struct frame *f = frame_create(payload, len);

	for (struct session *s = first; s && f; s = s->feed_next)
		session_send_frame(s, f);
	frame_unref(f);
}

static void on_user_message(const char *channel, const char *payload,
			    size_t len, void *arg)
{
	struct feeds *f = arg;

	size_t prefix = strlen(chan_user_prefix());

	if (strncmp(channel, chan_user_prefix(), prefix) == 0)
		send_all(hmap_get(f->users, channel + prefix), payload, len);
}

static void on_agents_message(struct bus_sub *sub, const char *payload,
			      size_t len)
{
	send_all(FEEDS_OF(sub)->agents, payload, len);
}

static void on_agents_live(struct bus_sub *sub)
{
	(void)sub; /* feeds are not sequenced: clients list again */
}

struct feeds *feeds_create(struct bus *bus)
{
	struct feeds *f = xcalloc(1, sizeof(*f));
	struct key agents = chan_agents(), users = chan_user_pattern();

	f->bus = bus;
	f->users = hmap_create();
	f->agents_sub.on_message = on_agents_message;
	f->agents_sub.on_live = on_agents_live;
	bus_add(bus, &f->agents_sub, agents.s);
	bus_psubscribe(bus, users.s, on_user_message, f);
	return f;
}

void feeds_destroy(struct feeds *f)
{
	if (!f)
		return;
	bus_remove(f->bus, &f->agents_sub);
	bus_punsubscribe(f->bus);
	hmap_destroy(f->users);
	free(f);
}

static struct session **head_of(struct feeds *f, struct session *s)
{
	return session_is_agent(s) ? &f->agents : NULL;
}

void feeds_add(struct feeds *f, struct session *s)
{
	struct session **head = head_of(f, s);
	struct session *first = head ? *head : hmap_get(f->users, s->who->id);

	s->feed_prev = NULL;
	s->feed_next = first;
	if (first)
		first->feed_prev = s;
	if (head)
		*head = s;
	else
		hmap_put(f->users, s->who->id, s);
	s->in_feed = true;
}

void feeds_remove(struct feeds *f, struct session *s)
{
	struct session **head;

	if (!s->in_feed)
		return;
	s->in_feed = false;
	if (s->feed_next)
		s->feed_next->feed_prev = s->feed_prev;
	if (s->feed_prev) {
		s->feed_prev->feed_next = s->feed_next;
	} else if ((head = head_of(f, s))) {
		*head = s->feed_next;
	} else if (s->feed_next) {
		hmap_put(f->users, s->who->id, s->feed_next);
	} else {
		hmap_remove(f->users, s->who->id);
	}
	s->feed_next = s->feed_prev = NULL;
}
