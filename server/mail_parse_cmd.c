/*
 * mail_parse_cmd: `chatd mail-parse [--reply-domain D] FILE|-` reads one
 * RFC 5322 message and prints, as one JSON object, what chatd reads of it:
 * sender, recipients, the reply token of a reply+TOKEN@ recipient (not
 * verified: no keys are needed), message ids, whether it is an automatic
 * reply or a bounce, its text and the new reply extracted from it. Exit
 * codes follow sysexits.h.
 */
#include "mail_parse_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <gmime/gmime.h>
#include <jansson.h>

#include "chat/inbound/mime.h"
#include "chat/mail/reply_token.h"

/* Larger mails are not replies to a chat. */
#define MAIL_MAX (25u * 1024 * 1024)

static void usage(FILE *f)
{
	fprintf(f, "usage: chatd mail-parse [--reply-domain DOMAIN] FILE|-\n"
		   "  Prints what chatd reads of one email (RFC 5322) as "
		   "JSON.\n"
		   "  --reply-domain  the domain of reply+TOKEN@ addresses "
		   "[$CHAT_REPLY_DOMAIN; any]\n");
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

static json_t *strings(char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static int print(const struct inbound_mail *m, const char *domain)
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
	char *out =
		o ? json_dumps(o, JSON_INDENT(2) | JSON_ENSURE_ASCII) : NULL;

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
	struct inbound_mail m;
	int too_big, rc;
	size_t len = 0;
	char *raw;
	FILE *f;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--reply-domain") == 0 && i + 1 < argc) {
			domain = argv[++i];
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
	rc = print(&m, domain);
	inbound_mail_cleanup(&m);
	g_mime_shutdown();
	return rc;
}
