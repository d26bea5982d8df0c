/*
 * evhdr: the fixed headers in front of the JSON of events (stored and
 * published) and of relayed frames (typing, read positions).
 *
 * The headers carry what the server routes on (seq, kind, audience,
 * sender) in fixed positions, so routing never scans JSON text and no user
 * content can forge them. Layouts are in chat/protocol.h. This module only
 * writes and reads headers; it does not look at the JSON after them.
 */
#include <stdio.h>
#include <string.h>

#include "chat/protocol.h"

#define KIND_LETTERS "omnjlcrx"
#define SEQ_DIGITS_MAX 20 /* UINT64_MAX */
#define SENDER_DIGITS 4
#define RELAY_FIXED (3 + SENDER_DIGITS) /* 'R', audience, self, length */

static const struct {
	const char *name;
	char letter;
} kinds[] = {
	{"opened", 'o'}, {"message", 'm'}, {"note", 'n'},     {"joined", 'j'},
	{"left", 'l'},	 {"closed", 'c'},  {"reopened", 'r'},
};

static bool audience_valid(char c)
{
	return c == PROTO_AUD_ALL || c == PROTO_AUD_AGENTS;
}

/* Reads n lowercase hex digits; false on any other byte. Uppercase is
 * refused so that every value has exactly one spelling. */
static bool read_hex(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (c >= '0' && c <= '9')
			v = v << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (uint64_t)(c - 'a' + 10);
		else
			return false;
	}
	*out = v;
	return true;
}

char proto_event_kind_letter(const char *kind)
{
	for (size_t i = 0; kind && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kind, kinds[i].name) == 0)
			return kinds[i].letter;
	return 'x';
}

char proto_event_audience(const char *kind)
{
	return kind && strcmp(kind, "note") == 0 ? PROTO_AUD_AGENTS
						 : PROTO_AUD_ALL;
}

/* Reads the decimal seq at p (at most end - p bytes) up to its space:
 * 1 to 20 digits, no leading zero, no overflow. Returns the header's
 * length or 0. */
static size_t read_seq(const char *p, const char *end, uint64_t *out)
{
	const char *d = p;
	uint64_t v = 0;

	while (d < end && d - p < SEQ_DIGITS_MAX + 1 && *d >= '0' &&
	       *d <= '9') {
		unsigned digit = (unsigned)(*d - '0');

		if (v > (UINT64_MAX - digit) / 10)
			return 0;
		v = v * 10 + digit;
		d++;
	}
	if (d == p || d == end || *d != ' ' || (*p == '0' && d - p > 1))
		return 0;
	*out = v;
	return (size_t)(d + 1 - (p - 3));
}

int proto_evhdr_parse(const char *p, size_t len, struct proto_evhdr *out)
{
	uint64_t seq;
	size_t n;

	if (!p || len < PROTO_EVHDR_MIN || p[0] != 'E' ||
	    !audience_valid(p[1]) || p[2] == '\0' ||
	    !strchr(KIND_LETTERS, p[2]))
		return -1;
	n = read_seq(p + 3, p + len, &seq);
	if (!n)
		return -1;
	out->seq = seq;
	out->audience = p[1];
	out->kind = p[2];
	out->len = n;
	return 0;
}

const char *proto_evhdr_json(const char *p, size_t len, size_t *json_len)
{
	struct proto_evhdr h;

	if (proto_evhdr_parse(p, len, &h) < 0)
		return NULL;
	*json_len = len - h.len;
	return p + h.len;
}

int proto_evhdr_write(char *buf, const struct proto_evhdr *h)
{
	if (!audience_valid(h->audience) || h->kind == '\0' ||
	    !strchr(KIND_LETTERS, h->kind))
		return -1;
	return snprintf(buf, PROTO_EVHDR_MAX + 1, "E%c%c%llu ", h->audience,
			h->kind, (unsigned long long)h->seq);
}

int proto_relay_header(char *buf, size_t cap, char audience, bool self,
		       const char *sender)
{
	size_t n = sender ? strlen(sender) : 0;
	char fixed[RELAY_FIXED + 1];

	if (!sender || n > PROTO_RELAY_SENDER_MAX ||
	    !audience_valid(audience) || cap < RELAY_FIXED + n)
		return -1;
	snprintf(fixed, sizeof(fixed), "R%c%c%04zx", audience, self ? '1' : '0',
		 n);
	memcpy(buf, fixed, RELAY_FIXED);
	memcpy(buf + RELAY_FIXED, sender, n);
	return (int)(RELAY_FIXED + n);
}

int proto_relay_parse(const char *p, size_t len, struct proto_relay *out)
{
	uint64_t n;

	if (!p || len < RELAY_FIXED || p[0] != 'R' || !audience_valid(p[1]) ||
	    (p[2] != '0' && p[2] != '1') ||
	    !read_hex(p + 3, SENDER_DIGITS, &n) || n > len - RELAY_FIXED)
		return -1;
	out->audience = p[1];
	out->self = p[2] == '1';
	out->sender = p + RELAY_FIXED;
	out->sender_len = (size_t)n;
	out->json = p + RELAY_FIXED + n;
	out->json_len = len - RELAY_FIXED - (size_t)n;
	return 0;
}
