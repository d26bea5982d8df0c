/* mail_build: a job's mail; see mail_build.h. */
#include "mail_build.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/mail/compose.h"

#define SHORT_ID_LEN 8
#define TEXT_BUF 1024

/* One event the mail shows; its strings point into the parsed JSON. */
struct shown {
	json_t *doc;
	struct compose_entry e;
};

static const char *str_of(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* Parses a stored event the customer can see, or returns NULL. */
static json_t *parse_visible(const char *ev, size_t len)
{
	const char *sp = memchr(ev, ' ', len);

	if (len < 4 || ev[0] != 'E' || ev[1] != '*' || !sp)
		return NULL;
	return json_loadb(sp + 1, len - (size_t)(sp + 1 - ev),
			  JSON_REJECT_DUPLICATES, NULL);
}

/* Whether the event belongs in the mail, and its entry. */
static bool pick(enum mail_kind kind, json_t *doc, struct compose_entry *e)
{
	const char *k = str_of(doc, "kind");
	json_t *from = json_object_get(doc, "from");
	bool customer = strcmp(str_of(from, "role"), "customer") == 0;

	e->sender = str_of(from, "name");
	e->at_ms = json_integer_value(json_object_get(doc, "ts"));
	if (strcmp(k, "message") == 0) {
		e->text = str_of(doc, "text");
		return kind != MAIL_NOTIFY || !customer;
	}
	if (strcmp(k, "opened") == 0 && kind != MAIL_NOTIFY) {
		e->text = str_of(json_object_get(doc, "details"), "summary");
		return *e->text != '\0';
	}
	return false;
}

/* The events shown, oldest first, within MAIL_BUILD_TEXT_MAX; *cut says
 * older ones were left out. */
static struct shown *collect(const struct mail_build_in *in, size_t *n,
			     bool *cut)
{
	struct shown *s = calloc(in->n_events ? in->n_events : 1, sizeof(*s));
	size_t bytes = 0;

	*n = 0;
	*cut = false;
	if (!s)
		return NULL;
	for (size_t i = 0; i < in->n_events; i++) {
		json_t *doc = parse_visible(in->events[i], in->event_lens[i]);
		struct compose_entry e;

		if (!doc)
			continue;
		if (!pick(in->kind, doc, &e)) {
			json_decref(doc);
			continue;
		}
		if (*n > 0 && bytes + strlen(e.text) > MAIL_BUILD_TEXT_MAX) {
			json_decref(doc);
			*cut = true;
			break;
		}
		bytes += strlen(e.text);
		s[*n].doc = doc;
		s[*n].e = e;
		(*n)++;
	}
	for (size_t i = 0; i < *n / 2; i++) {
		struct shown t = s[i];

		s[i] = s[*n - 1 - i];
		s[*n - 1 - i] = t;
	}
	return s;
}

static void free_shown(struct shown *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		json_decref(s[i].doc);
	free(s);
}

static void texts(const struct mail_site *site, const struct mail_build_in *in,
		  size_t n, bool cut, char *intro, char *footer)
{
	const char *earlier =
		cut ? " Earlier messages are in your dashboard." : "";

	switch (in->kind) {
	case MAIL_NOTIFY:
		snprintf(intro, TEXT_BUF,
			 "You have %zu new %s in your support conversation."
			 "%s",
			 n, n == 1 ? "reply" : "replies", earlier);
		snprintf(footer, TEXT_BUF,
			 "Reply to this email to answer: your reply goes "
			 "straight into the conversation.");
		break;
	case MAIL_AUTOREPLY:
		snprintf(intro, TEXT_BUF,
			 "Thank you for your email. It does not answer one of "
			 "our chat emails, so it has not reached anyone: chats "
			 "start from your dashboard%s%s. Replies to the emails "
			 "we send about a chat continue that chat.",
			 *site->dashboard_url ? " at " : "",
			 site->dashboard_url);
		snprintf(footer, TEXT_BUF,
			 "This is an automatic message; you will not get it "
			 "again today.");
		break;
	default:
		snprintf(intro, TEXT_BUF,
			 "Here is the transcript of your support "
			 "conversation.%s",
			 earlier);
		snprintf(footer, TEXT_BUF,
			 "Reply to this email to continue the conversation.");
		break;
	}
}

static const char *kind_tag(enum mail_kind k)
{
	return k == MAIL_NOTIFY ? "n" : k == MAIL_REQUESTED ? "r" : "t";
}

/* Ids, subject and Reply-To of a mail about a conversation. */
static int thread(const struct mail_site *site, const struct mail_build_in *in,
		  struct compose_mail *m, char *msg_id, char *root,
		  char *subject, char *reply_to)
{
	char short_id[SHORT_ID_LEN + 1];
	int64_t expires = in->now_s + site->reply_days * 86400;

	snprintf(short_id, sizeof(short_id), "%s", in->conv);
	if (compose_message_id(in->conv, kind_tag(in->kind), in->hi,
			       site->domain, msg_id, COMPOSE_ID_MAX + 1) ||
	    compose_message_id(in->conv, "o", 1, site->domain, root,
			       COMPOSE_ID_MAX + 1) ||
	    compose_subject(short_id, in->summary, subject, TEXT_BUF) ||
	    reply_address_make(site->keys, in->conv, in->to, expires,
			       site->domain, reply_to, REPLY_ADDRESS_MAX))
		return -1;
	m->in_reply_to = root;
	m->reply_to = reply_to;
	return 0;
}

/* Ids and subject of an auto-reply: its own id, and the mail it answers
 * when that mail's id is usable. */
static int answer(const struct mail_site *site, const struct mail_build_in *in,
		  struct compose_mail *m, char *msg_id, char *root,
		  char *subject)
{
	int n = snprintf(msg_id, COMPOSE_ID_MAX + 1, "<a.%s@%s>", in->entry_id,
			 site->domain);

	if (n < 0 || n > COMPOSE_ID_MAX || !compose_message_id_valid(msg_id))
		return -1;
	snprintf(root, COMPOSE_ID_MAX + 1, "<%s>",
		 in->in_reply_to ? in->in_reply_to : "");
	if (compose_message_id_valid(root))
		m->in_reply_to = root;
	snprintf(subject, TEXT_BUF, "Re: %s",
		 in->subject && *in->subject ? in->subject : "your email");
	return 0;
}

int mail_build(const struct mail_site *site, const struct mail_build_in *in,
	       char **out, size_t *len, const char **why)
{
	char msg_id[COMPOSE_ID_MAX + 1], root[COMPOSE_ID_MAX + 1],
		subject[TEXT_BUF], reply_to[REPLY_ADDRESS_MAX], intro[TEXT_BUF],
		footer[TEXT_BUF];
	struct compose_mail m = {.from_name = site->from_name,
				 .from_addr = site->from_addr,
				 .to_name = in->to_name,
				 .to_addr = in->to,
				 .subject = subject,
				 .message_id = msg_id,
				 .date_s = in->now_s,
				 .intro = intro,
				 .footer = footer};
	const char *refs[1];
	struct compose_entry *entries;
	struct shown *shown = NULL;
	size_t n = 0;
	bool cut = false;
	int rc;

	*why = "";
	if (in->kind == MAIL_AUTOREPLY) {
		if (answer(site, in, &m, msg_id, root, subject)) {
			*why = "no usable message id";
			return -1;
		}
	} else {
		if (thread(site, in, &m, msg_id, root, subject, reply_to)) {
			*why = "bad conversation id, address or domain";
			return -1;
		}
		shown = collect(in, &n, &cut);
		if (!shown)
			return -1;
		if (n == 0) {
			free_shown(shown, n);
			return 1;
		}
	}
	if (m.in_reply_to) {
		refs[0] = m.in_reply_to;
		m.references = refs;
		m.n_references = 1;
	}
	texts(site, in, n, cut, intro, footer);
	entries = calloc(n ? n : 1, sizeof(*entries));

	for (size_t i = 0; entries && i < n; i++)
		entries[i] = shown[i].e;
	m.entries = entries;
	m.n_entries = n;
	rc = entries ? compose_build(&m, out, len) : COMPOSE_ERR_NOMEM;
	free(entries);
	free_shown(shown, n);
	if (rc == COMPOSE_ERR_ADDRESS)
		*why = "an address compose refuses";
	else if (rc == COMPOSE_ERR_ID)
		*why = "a message id compose refuses";
	return rc == COMPOSE_OK ? 0 : -1;
}
