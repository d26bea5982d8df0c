/*
 * ingest_match: which conversation a mail answers and whether it must be
 * ignored, from the parsed mail alone (no Redis, no clock); see
 * ingest_private.h.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/sha.h>

#include "chat/mail/compose.h"
#include "chat/mail/reply_token.h"
#include "ingest_private.h"

/* True when address is local@domain (domain in any case). */
static bool at_domain(const char *address, const char *domain)
{
	const char *at = strrchr(address, '@');

	return at && domain && *domain && strcasecmp(at + 1, domain) == 0;
}

int ingest_find_token(const struct inbound_mail *m, const char *domain,
		      char token_out[REPLY_TOKEN_LEN + 1])
{
	size_t plen = sizeof(REPLY_LOCAL_PREFIX) - 1;
	bool malformed = false;

	for (size_t i = 0; i < m->n_recipients; i++) {
		const char *r = m->recipients[i];

		if (reply_address_parse(r, domain, token_out) == 0)
			return 1;
		if (strncasecmp(r, REPLY_LOCAL_PREFIX, plen) == 0 &&
		    at_domain(r, domain))
			malformed = true;
	}
	return malformed ? -1 : 0;
}

static int our_id(const char *id, const char *domain,
		  char conv_out[PROTO_CONV_LEN + 1])
{
	char bracketed[COMPOSE_ID_MAX + 3];
	int n;

	if (!id || !*id)
		return -1;
	n = snprintf(bracketed, sizeof(bracketed), "<%s>", id);
	if (n < 0 || (size_t)n >= sizeof(bracketed))
		return -1;
	return compose_message_id_parse(bracketed, domain, conv_out);
}

int ingest_thread_conv(const struct inbound_mail *m, const char *domain,
		       char conv_out[PROTO_CONV_LEN + 1])
{
	if (our_id(m->in_reply_to, domain, conv_out) == 0)
		return 0;
	for (size_t i = m->n_references; i > 0; i--)
		if (our_id(m->references[i - 1], domain, conv_out) == 0)
			return 0;
	return -1;
}

/* The local part (before the last '@') is local, in any case. */
static bool local_is(const char *address, const char *local)
{
	const char *at = strrchr(address, '@');
	size_t n = strlen(local);

	return at && (size_t)(at - address) == n &&
	       strncasecmp(address, local, n) == 0;
}

const char *ingest_drop_reason(const struct inbound_mail *m,
			       const char *reply_domain, const char *mail_from)
{
	if (m->auto_reply)
		return "an automatic reply";
	if (m->bounce)
		return "a delivery report (bounce)";
	if (!*m->from || !strchr(m->from, '@'))
		return "no sender";
	if (local_is(m->from, "mailer-daemon") ||
	    local_is(m->from, "postmaster"))
		return "a delivery report (bounce)";
	if (mail_from && *mail_from && strcasecmp(m->from, mail_from) == 0)
		return "a loop: sent from our own address";
	if (at_domain(m->from, reply_domain))
		return "a loop: sent from the reply domain";
	return NULL;
}

static void sha256_hex40(const void *data, size_t len, char out[41])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(data, len, md);
	for (int i = 0; i < 20; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

void ingest_client_id(const char *message_id, const char *raw, size_t len,
		      char out[INGEST_CLIENT_ID_LEN + 1])
{
	char hex[41];

	if (message_id && *message_id)
		sha256_hex40(message_id, strlen(message_id), hex);
	else
		sha256_hex40(raw, len, hex);
	snprintf(out, INGEST_CLIENT_ID_LEN + 1, "mail-%s", hex);
}

void ingest_autoreply_id(const char *sender,
			 char out[INGEST_AUTOREPLY_ID_MAX + 1])
{
	char hex[41];

	if (strlen(sender) <= INGEST_AUTOREPLY_ADDR_MAX) {
		snprintf(out, INGEST_AUTOREPLY_ID_MAX + 1, "a.%s", sender);
		return;
	}
	sha256_hex40(sender, strlen(sender), hex);
	snprintf(out, INGEST_AUTOREPLY_ID_MAX + 1, "a.h.%s", hex);
}
