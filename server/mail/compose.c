/*
 * compose: assembles a complete message from struct compose_mail (headers
 * through mime_header, bodies through compose_body), and names our
 * message ids and subjects. Sends nothing.
 */
#include "chat/mail/compose.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "compose_body.h"
#include "compose_buf.h"
#include "mime_header.h"

#define BOUNDARY_HASH 12 /* bytes of SHA-256(Message-ID) in the boundary */
#define KIND_MAX 32
#define SHORT_MAX PROTO_CONV_LEN

static const char *const days[] = {"Sun", "Mon", "Tue", "Wed",
				   "Thu", "Fri", "Sat"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool compose_address_valid(const char *addr)
{
	return mime_header_address_valid(addr);
}

bool compose_message_id_valid(const char *id)
{
	return mime_header_id_valid(id);
}

static int check(const struct compose_mail *m)
{
	if (!compose_address_valid(m->from_addr) ||
	    !compose_address_valid(m->to_addr) ||
	    (m->reply_to && !compose_address_valid(m->reply_to)))
		return COMPOSE_ERR_ADDRESS;
	if (!compose_message_id_valid(m->message_id) ||
	    (m->in_reply_to && !compose_message_id_valid(m->in_reply_to)))
		return COMPOSE_ERR_ID;
	for (size_t i = 0; i < m->n_references; i++)
		if (!compose_message_id_valid(m->references[i]))
			return COMPOSE_ERR_ID;
	return COMPOSE_OK;
}

/* The boundary starts with "=_", which quoted-printable never writes,
 * so no body line can match it; the rest is a hash of the Message-ID, so
 * a retry writes the same bytes. */
static void boundary_of(const char *message_id,
			char out[2 + 2 * BOUNDARY_HASH + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	EVP_Digest(message_id, strlen(message_id), md, &md_len, EVP_sha256(),
		   NULL);
	out[0] = '=';
	out[1] = '_';
	for (int i = 0; i < BOUNDARY_HASH; i++) {
		out[2 + 2 * i] = hex[md[i] >> 4];
		out[3 + 2 * i] = hex[md[i] & 15];
	}
	out[2 + 2 * BOUNDARY_HASH] = '\0';
}

static void put_date(struct compose_buf *b, int64_t s)
{
	time_t t = (time_t)s;
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		b->failed = true;
		return;
	}
	compose_buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
			   days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
			   tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void put_headers(struct compose_buf *b, const struct compose_mail *m,
			const char *boundary)
{
	put_date(b, m->date_s);
	mime_header_address(b, "From", m->from_name, m->from_addr);
	mime_header_address(b, "To", m->to_name, m->to_addr);
	if (m->reply_to)
		mime_header_address(b, "Reply-To", NULL, m->reply_to);
	mime_header_text(b, "Subject", m->subject);
	compose_buf_printf(b, "Message-ID: %s\r\n", m->message_id);
	if (m->in_reply_to)
		compose_buf_printf(b, "In-Reply-To: %s\r\n", m->in_reply_to);
	if (m->n_references)
		mime_header_ids(b, "References", m->references,
				m->n_references);
	compose_buf_puts(b, "Auto-Submitted: auto-generated\r\n"
			    "MIME-Version: 1.0\r\n"
			    "Content-Type: multipart/alternative;\r\n");
	compose_buf_printf(b, " boundary=\"%s\"\r\n\r\n", boundary);
	compose_buf_puts(b, "This is a multi-part message in MIME format.\r\n");
}

static void put_part(struct compose_buf *b, const char *boundary,
		     const char *type, const struct compose_buf *body)
{
	compose_buf_printf(b,
			   "\r\n--%s\r\n"
			   "Content-Type: %s; charset=utf-8\r\n"
			   "Content-Transfer-Encoding: quoted-printable\r\n"
			   "\r\n",
			   boundary, type);
	compose_body_qp(b, body->data ? body->data : "", body->len);
}

int compose_build(const struct compose_mail *m, char **out, size_t *out_len)
{
	struct compose_buf msg = {0}, plain = {0}, html = {0};
	char boundary[2 + 2 * BOUNDARY_HASH + 1];
	int rc = check(m);

	*out = NULL;
	*out_len = 0;
	if (rc != COMPOSE_OK)
		return rc;
	boundary_of(m->message_id, boundary);
	compose_body_plain(&plain, m);
	compose_body_html(&html, m);
	put_headers(&msg, m, boundary);
	put_part(&msg, boundary, "text/plain", &plain);
	put_part(&msg, boundary, "text/html", &html);
	compose_buf_printf(&msg, "\r\n--%s--\r\n", boundary);
	if (msg.failed || plain.failed || html.failed) {
		compose_buf_cleanup(&msg);
		rc = COMPOSE_ERR_NOMEM;
	} else {
		*out = msg.data;
		*out_len = msg.len;
	}
	compose_buf_cleanup(&plain);
	compose_buf_cleanup(&html);
	return rc;
}

/* ---- ids and subjects ---------------------------------------------- */

static bool kind_valid(const char *kind)
{
	size_t n = strlen(kind);

	if (n == 0 || n > KIND_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((kind[i] >= 'a' && kind[i] <= 'z') ||
		      (kind[i] >= '0' && kind[i] <= '9') || kind[i] == '-'))
			return false;
	return true;
}

int compose_message_id(const char *conv, const char *kind, uint64_t seq,
		       const char *domain, char *out, size_t cap)
{
	int len;

	if (!conv || !kind || !proto_conv_id_valid(conv) || !kind_valid(kind) ||
	    !mime_header_domain_valid(domain))
		return -1;
	len = snprintf(out, cap, "<c.%s.%s.%" PRIu64 "@%s>", conv, kind, seq,
		       domain);
	if (len < 0 || (size_t)len >= cap || len > COMPOSE_ID_MAX)
		return -1;
	return 0;
}

int compose_message_id_parse(const char *id, const char *domain,
			     char conv_out[PROTO_CONV_LEN + 1])
{
	char conv[PROTO_CONV_LEN + 1];
	const char *at;
	size_t n;

	if (!id || !domain || strncmp(id, "<c.", 3) != 0)
		return -1;
	n = strlen(id);
	at = strrchr(id, '@');
	if (n < 3 + PROTO_CONV_LEN + 1 || id[n - 1] != '>' || !at ||
	    id[3 + PROTO_CONV_LEN] != '.' || !compose_message_id_valid(id) ||
	    strlen(domain) != (size_t)(id + n - 1 - at - 1) ||
	    strncasecmp(at + 1, domain, strlen(domain)) != 0)
		return -1;
	memcpy(conv, id + 3, PROTO_CONV_LEN);
	conv[PROTO_CONV_LEN] = '\0';
	if (!proto_conv_id_valid(conv))
		return -1;
	memcpy(conv_out, conv, sizeof(conv));
	return 0;
}

static bool short_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > SHORT_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-'))
			return false;
	return true;
}

int compose_subject(const char *short_id, const char *summary, char *out,
		    size_t cap)
{
	struct compose_buf clean = {0};
	int len = -1;

	if (!short_valid(short_id))
		return -1;
	mime_header_clean(&clean, summary, COMPOSE_SUMMARY_MAX);
	if (!clean.failed)
		len = snprintf(out, cap, "%s [#%s]",
			       clean.len ? clean.data : "Conversation",
			       short_id);
	compose_buf_cleanup(&clean);
	return len < 0 || (size_t)len >= cap ? -1 : 0;
}
