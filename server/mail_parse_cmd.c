/*
 * mail_parse_cmd: `chatd mail-parse [--reply-domain D] FILE|-` reads one
 * RFC 5322 message and prints, as one JSON object, what chatd reads of it:
 * sender, recipients, the reply token of a reply+TOKEN@ recipient (and,
 * given the reply keys, whether it is valid for this sender and which
 * conversation it names), the conversation our message ids in In-Reply-To
 * or References name, whether it is an automatic reply or a bounce, its
 * text and the new reply extracted from it. Exit codes follow sysexits.h.
 */
#include "mail_parse_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <gmime/gmime.h>
#include <jansson.h>

#include "chat/common/util.h"
#include "chat/inbound/mime.h"
#include "chat/mail/compose.h"
#include "chat/mail/reply_token.h"

/* Larger mails are not replies to a chat. */
#define MAIL_MAX (25u * 1024 * 1024)

static void usage(FILE *f)
{
	fprintf(f, "usage: chatd mail-parse [--reply-domain DOMAIN] "
		   "[--reply-keys KEYS] FILE|-\n"
		   "  Prints what chatd reads of one email (RFC 5322) as "
		   "JSON.\n"
		   "  --reply-domain  the domain of reply+TOKEN@ addresses and "
		   "of our message ids\n"
		   "                  [$CHAT_REPLY_DOMAIN; any]\n"
		   "  --reply-keys    id:hexsecret[,...]: check the token "
		   "[$CHAT_REPLY_KEYS]\n");
}

/* Reads all of f, up to MAIL_MAX bytes; NULL on a read error or a mail
 * over the limit (*too_big set). */
static char *slurp(FILE *f, size_t *len, int *too_big)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);

	*too_big = 0;
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (got == 0)
			break;
		if (n == cap) {
			char *more =
				cap > MAIL_MAX ? NULL : realloc(buf, 2 * cap);

			if (!more) {
				*too_big = cap > MAIL_MAX;
				free(buf);
				return NULL;
			}
			buf = more;
			cap *= 2;
		}
	}
	if (buf && (ferror(f) || n > MAIL_MAX)) {
		*too_big = n > MAIL_MAX;
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/* The token of the first recipient that is reply+TOKEN@domain (any
 * domain when domain is NULL). */
static json_t *reply_token(const struct inbound_mail *m, const char *domain)
{
	char token[REPLY_TOKEN_LEN + 1];

	for (size_t i = 0; i < m->n_recipients; i++) {
		const char *at = strrchr(m->recipients[i], '@');

		if (at &&
		    reply_address_parse(m->recipients[i],
					domain ? domain : at + 1, token) == 0)
			return json_string(token);
	}
	return json_null();
}

/* The token checked for this sender, now: {result, conv, expires}. */
static json_t *token_check(const struct reply_keys *keys, const char *token,
			   const char *sender)
{
	char conv[PROTO_CONV_LEN + 1];
	int64_t expires = 0;
	int rc = reply_token_verify(keys, token, sender, now_s(), conv,
				    &expires);

	return json_pack("{s:s, s:s?, s:o}", "result",
			 reply_token_result_str(rc), "conv",
			 rc == REPLY_TOKEN_OK ? conv : NULL, "expires",
			 rc == REPLY_TOKEN_OK || rc == REPLY_TOKEN_EXPIRED
				 ? json_integer(expires)
				 : json_null());
}

/* The conversation our newest message id in In-Reply-To or References
 * names (any domain when domain is NULL). */
static json_t *thread_conv(const struct inbound_mail *m, const char *domain)
{
	char conv[PROTO_CONV_LEN + 1];
	const char *ids[INBOUND_MAX_REFS + 1];
	size_t n = 0;

	ids[n++] = m->in_reply_to;
	for (size_t i = m->n_references; i > 0; i--)
		ids[n++] = m->references[i - 1];
	for (size_t i = 0; i < n; i++) {
		const char *at = strrchr(ids[i], '@');
		char id[512];

		snprintf(id, sizeof(id), "<%s>", ids[i]);
		if (at && compose_message_id_parse(id, domain ? domain : at + 1,
						   conv) == 0)
			return json_string(conv);
	}
	return json_null();
}

static json_t *strings(char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static int print(const struct inbound_mail *m, const char *domain,
		 const struct reply_keys *keys)
{
	json_t *o = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:b, s:b, "
		"s:s, s:s}",
		"from", m->from, "from_name", m->from_name, "return_path",
		m->return_path, "subject", m->subject, "message_id",
		m->message_id, "in_reply_to", m->in_reply_to, "references",
		strings(m->references, m->n_references), "recipients",
		strings(m->recipients, m->n_recipients), "reply_token",
		reply_token(m, domain), "auto_reply", m->auto_reply, "bounce",
		m->bounce, "from_html", m->from_html, "text", m->text, "reply",
		m->reply);
	json_t *token = o ? json_object_get(o, "reply_token") : NULL;
	char *out;

	if (o)
		json_object_set_new(o, "thread_conv", thread_conv(m, domain));
	if (o && keys && json_is_string(token))
		json_object_set_new(
			o, "token",
			token_check(keys, json_string_value(token), m->from));
	out = o ? json_dumps(o, JSON_INDENT(2) | JSON_ENSURE_ASCII) : NULL;

	json_decref(o);
	if (!out) {
		fprintf(stderr, "chatd mail-parse: out of memory\n");
		return EX_SOFTWARE;
	}
	puts(out);
	free(out);
	return 0;
}

int mail_parse_cmd_main(int argc, char **argv)
{
	const char *domain = getenv("CHAT_REPLY_DOMAIN"), *path = NULL;
	const char *key_spec = getenv("CHAT_REPLY_KEYS");
	struct reply_keys keys;
	char err[160];
	struct inbound_mail m;
	int too_big, rc;
	size_t len = 0;
	char *raw;
	FILE *f;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--reply-domain") == 0 && i + 1 < argc) {
			domain = argv[++i];
		} else if (strcmp(argv[i], "--reply-keys") == 0 &&
			   i + 1 < argc) {
			key_spec = argv[++i];
		} else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (!path) {
			path = argv[i];
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!path) {
		usage(stderr);
		return 2;
	}
	if (domain && !*domain)
		domain = NULL;
	if (key_spec && *key_spec &&
	    reply_keys_parse(&keys, key_spec, err, sizeof(err))) {
		fprintf(stderr, "chatd mail-parse: reply keys: %s\n", err);
		return 2;
	}
	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "chatd mail-parse: %s: %s\n", path,
			strerror(errno));
		return EX_NOINPUT;
	}
	raw = slurp(f, &len, &too_big);
	if (f != stdin)
		fclose(f);
	if (!raw) {
		fprintf(stderr, "chatd mail-parse: %s: %s\n", path,
			too_big ? "over 25 MiB: not a reply to a chat"
				: "read error");
		return too_big ? EX_DATAERR : EX_IOERR;
	}
	rc = inbound_mime_parse(raw, len, &m);
	free(raw);
	if (rc) {
		fprintf(stderr,
			"chatd mail-parse: %s: not an email (no "
			"headers, or no sender)\n",
			path);
		g_mime_shutdown();
		return EX_DATAERR;
	}
	rc = print(&m, domain, key_spec && *key_spec ? &keys : NULL);
	inbound_mail_cleanup(&m);
	g_mime_shutdown();
	return rc;
}
