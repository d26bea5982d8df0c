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
	struct hmap *agent_ids; /* agent id -> sessions here (uintptr_t) */
	struct feeds_shard {
		struct bus_sub sub;
		struct feeds *f;
	} shards[KEYS_SHARDS];
};

static void send_all(struct session *first, const char *payload, size_t len)
{
	struct frame *f = frame_create(payload, len);

	for (struct session *s = first; s && f; s = s->feed_next)
		session_send_frame(s, f);
	frame_unref(f);
}

/* "F" LLLL (hex length) customer id, then the feed frame: to every agent
 * here and to the customer's own sessions here. */
static void on_feed_message(struct bus_sub *sub, const char *payload,
			    size_t len)
{
	struct feeds *f = ((struct feeds_shard *)sub)->f;
	char id[PROTO_USER_ID_MAX + 1];
	size_t n = 0;

	if (len < 5 || payload[0] != 'F')
		return;
	for (int i = 1; i < 5; i++) {
		int d = hex_digit(payload[i]);

		if (d < 0)
			return;
		n = n * 16 + (size_t)d;
	}
	if (n > PROTO_USER_ID_MAX || len < 5 + n)
		return;
	memcpy(id, payload + 5, n);
	id[n] = '\0';
	payload += 5 + n;
	len -= 5 + n;
	send_all(f->agents, payload, len);
	send_all(hmap_get(f->users, id), payload, len);
}

static void on_feed_live(struct bus_sub *sub)
{
	(void)sub; /* feeds are not sequenced: clients list again */
}

struct feeds *feeds_create(struct bus *bus)
{
	struct feeds *f = xcalloc(1, sizeof(*f));

	f->bus = bus;
	f->users = hmap_create();
	f->agent_ids = hmap_create();
	for (unsigned i = 0; i < KEYS_SHARDS; i++) {
		struct key ch = chan_feed(i);

		f->shards[i].f = f;
		f->shards[i].sub.on_message = on_feed_message;
		f->shards[i].sub.on_live = on_feed_live;
		bus_add(bus, &f->shards[i].sub, ch.s);
	}
	return f;
}

void feeds_destroy(struct feeds *f)
{
	if (!f)
		return;
	for (unsigned i = 0; i < KEYS_SHARDS; i++)
		bus_remove(f->bus, &f->shards[i].sub);
	hmap_destroy(f->users);
	hmap_destroy(f->agent_ids);
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
	if (head) {
		uintptr_t n = (uintptr_t)hmap_get(f->agent_ids, s->who->id);

		*head = s;
		hmap_put(f->agent_ids, s->who->id, (void *)(n + 1));
	} else {
		hmap_put(f->users, s->who->id, s);
	}
	s->in_feed = true;
}

void feeds_remove(struct feeds *f, struct session *s)
{
	struct session **head;

	if (!s->in_feed)
		return;
	s->in_feed = false;
	if (session_is_agent(s)) {
		uintptr_t n = (uintptr_t)hmap_get(f->agent_ids, s->who->id);

		if (n > 1)
			hmap_put(f->agent_ids, s->who->id, (void *)(n - 1));
		else
			hmap_remove(f->agent_ids, s->who->id);
	}
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

bool feeds_customer_here(const struct feeds *f, const char *user)
{
	return hmap_get(f->users, user) != NULL;
}

bool feeds_agent_here(const struct feeds *f, const char *user)
{
	return hmap_get(f->agent_ids, user) != NULL;
}

bool feeds_any_customer(const struct feeds *f)
{
	return hmap_count(f->users) > 0;
}

void feeds_to_customer(struct feeds *f, const char *user, const char *frame,
		       size_t len)
{
	struct session *first = hmap_get(f->users, user);

	if (first)
		send_all(first, frame, len);
}

void feeds_to_agent(struct feeds *f, const char *user, const char *frame,
		    size_t len)
{
	struct frame *fr;

	if (!feeds_agent_here(f, user))
		return;
	fr = frame_create(frame, len);
	for (struct session *s = f->agents; s && fr; s = s->feed_next)
		if (strcmp(s->who->id, user) == 0)
			session_send_frame(s, fr);
	frame_unref(fr);
}

void feeds_to_agents(struct feeds *f, const char *frame, size_t len)
{
	send_all(f->agents, frame, len);
}
