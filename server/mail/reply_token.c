/*
 * reply_token: signed, storage-free reply tokens and the reply+TOKEN@domain
 * addresses that carry them. Knows nothing of mail parsing or Redis.
 */
#include "chat/mail/reply_token.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "chat/common/util.h"

#define TOKEN_VERSION 1
#define CONV_RAW 16
#define HEAD_LEN (1 + 1 + 5 + CONV_RAW)
#define MAC_LEN 12
#define RAW_LEN (HEAD_LEN + MAC_LEN)
#define RECIPIENT_MAX 254 /* the longest address SMTP allows */
/* Keeps these MACs apart from any other use of the same secret. */
static const char mac_label[] = "chatd reply token";

_Static_assert(RAW_LEN * 8 == REPLY_TOKEN_LEN * 5, "token is whole base32");
_Static_assert(sizeof(REPLY_LOCAL_PREFIX) - 1 + REPLY_TOKEN_LEN <= 64,
	       "local part within 64 characters");

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
static const char b64url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* ---- encodings ----------------------------------------------------- */

static void base32_encode(const unsigned char *in, size_t n, char *out)
{
	unsigned acc = 0, bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32[(acc >> bits) & 31];
		}
	}
	if (bits)
		out[o++] = b32[(acc << (5 - bits)) & 31];
	out[o] = '\0';
}

static int base32_value(char c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

/* Decodes exactly REPLY_TOKEN_LEN characters (either case) into
 * RAW_LEN bytes; returns 0 or -1. */
static int token_decode(const char *s, unsigned char out[RAW_LEN])
{
	unsigned acc = 0, bits = 0;
	size_t o = 0;

	if (strlen(s) != REPLY_TOKEN_LEN)
		return -1;
	for (size_t i = 0; i < REPLY_TOKEN_LEN; i++) {
		int v = base32_value(s[i]);

		if (v < 0)
			return -1;
		acc = (acc << 5) | (unsigned)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return 0;
}

/* A conversation id is 22 base64url characters of 16 bytes; only the
 * canonical form (unused low bits zero) decodes. */
static int conv_decode(const char *conv, unsigned char out[CONV_RAW])
{
	unsigned acc = 0, bits = 0;
	size_t o = 0;

	if (strlen(conv) != PROTO_CONV_LEN)
		return -1;
	for (size_t i = 0; i < PROTO_CONV_LEN; i++) {
		const char *p = conv[i] ? strchr(b64url, conv[i]) : NULL;

		if (!p)
			return -1;
		acc = (acc << 6) | (unsigned)(p - b64url);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return (acc & ((1u << bits) - 1)) ? -1 : 0;
}

/* ---- keys ---------------------------------------------------------- */

static const struct reply_key *key_find(const struct reply_keys *keys,
					unsigned id)
{
	for (size_t i = 0; i < keys->n_keys; i++)
		if (keys->keys[i].id == id)
			return &keys->keys[i];
	return NULL;
}

static int parse_id(const char *s, size_t len, struct reply_key *key)
{
	unsigned v = 0;

	if (len == 0 || len > 3)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 255)
		return -1;
	key->id = (uint8_t)v;
	return 0;
}

static int parse_secret(const char *hex, size_t len, struct reply_key *key)
{
	if (len < 2 * REPLY_SECRET_MIN || len > 2 * REPLY_SECRET_MAX || len % 2)
		return -1;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		key->secret[i] = (unsigned char)(hi << 4 | lo);
	}
	key->secret_len = len / 2;
	return 0;
}

/* Parses one "id:hex" entry of len bytes; pos counts from 1 for errors. */
static int parse_key(const char *s, size_t len, struct reply_key *key,
		     size_t pos, char *err, size_t err_len)
{
	const char *colon = memchr(s, ':', len);

	if (!colon || parse_id(s, (size_t)(colon - s), key) < 0) {
		snprintf(err, err_len,
			 "reply key %zu: expected id:hexsecret "
			 "with id 0..255",
			 pos);
		return -1;
	}
	if (parse_secret(colon + 1, len - (size_t)(colon - s) - 1, key) < 0) {
		snprintf(err, err_len,
			 "reply key %u: secret must be %d to %d hex digits",
			 key->id, 2 * REPLY_SECRET_MIN, 2 * REPLY_SECRET_MAX);
		return -1;
	}
	return 0;
}

int reply_keys_parse(struct reply_keys *keys, const char *spec, char *err,
		     size_t err_len)
{
	struct reply_keys tmp;
	const char *p = spec;
	int rc = -1;

	memset(&tmp, 0, sizeof(tmp));
	if (!spec || !*spec) {
		snprintf(err, err_len, "no reply keys given (id:hexsecret)");
		return -1;
	}
	for (;;) {
		size_t len = strcspn(p, ",");
		struct reply_key *k = &tmp.keys[tmp.n_keys];

		if (tmp.n_keys == REPLY_KEYS_MAX) {
			snprintf(err, err_len, "more than %d reply keys",
				 REPLY_KEYS_MAX);
			goto out;
		}
		if (parse_key(p, len, k, tmp.n_keys + 1, err, err_len) < 0)
			goto out;
		if (key_find(&tmp, k->id)) {
			snprintf(err, err_len, "reply key id %u listed twice",
				 k->id);
			goto out;
		}
		tmp.n_keys++;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	*keys = tmp;
	rc = 0;
out:
	explicit_bzero(&tmp, sizeof(tmp));
	return rc;
}

/* ---- tokens -------------------------------------------------------- */

/* Signs head and recipient (in ASCII lowercase, at most RECIPIENT_MAX
 * bytes: the caller checks) into mac. */
static void token_mac(const struct reply_key *key,
		      const unsigned char head[HEAD_LEN], const char *recipient,
		      unsigned char mac[MAC_LEN])
{
	unsigned char msg[sizeof(mac_label) + HEAD_LEN + RECIPIENT_MAX];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	size_t rlen = strlen(recipient);
	unsigned char *p = msg;

	memcpy(p, mac_label, sizeof(mac_label)); /* with its NUL */
	p += sizeof(mac_label);
	memcpy(p, head, HEAD_LEN);
	p += HEAD_LEN;
	for (size_t i = 0; i < rlen; i++) {
		char c = recipient[i];

		p[i] = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	HMAC(EVP_sha256(), key->secret, (int)key->secret_len, msg,
	     (size_t)(p + rlen - msg), md, &md_len);
	memcpy(mac, md, MAC_LEN);
	explicit_bzero(md, sizeof(md));
}

static bool recipient_ok(const char *r)
{
	return r && *r && strlen(r) <= RECIPIENT_MAX;
}

int reply_token_make(const struct reply_keys *keys, const char *conv,
		     const char *recipient, int64_t expires,
		     char out[REPLY_TOKEN_LEN + 1])
{
	unsigned char raw[RAW_LEN];
	const struct reply_key *key = keys->n_keys ? &keys->keys[0] : NULL;

	if (!key || !recipient_ok(recipient) || expires < 0 ||
	    expires > REPLY_EXPIRY_MAX || conv_decode(conv, raw + 7) < 0)
		return -1;
	raw[0] = TOKEN_VERSION;
	raw[1] = key->id;
	for (int i = 0; i < 5; i++)
		raw[2 + i] = (unsigned char)((uint64_t)expires >> (32 - 8 * i));
	token_mac(key, raw, recipient, raw + HEAD_LEN);
	base32_encode(raw, RAW_LEN, out);
	return 0;
}

int reply_token_verify(const struct reply_keys *keys, const char *token,
		       const char *sender, int64_t now,
		       char conv_out[PROTO_CONV_LEN + 1], int64_t *expires_out)
{
	unsigned char raw[RAW_LEN], mac[MAC_LEN];
	const struct reply_key *key;
	int64_t expires = 0;

	if (!token || token_decode(token, raw) < 0 || raw[0] != TOKEN_VERSION)
		return REPLY_TOKEN_MALFORMED;
	key = key_find(keys, raw[1]);
	if (!key)
		return REPLY_TOKEN_UNKNOWN_KEY;
	if (!recipient_ok(sender)) /* no token is issued to it */
		return REPLY_TOKEN_BAD_SIGNATURE;
	token_mac(key, raw, sender, mac);
	if (CRYPTO_memcmp(mac, raw + HEAD_LEN, MAC_LEN) != 0)
		return REPLY_TOKEN_BAD_SIGNATURE;
	for (int i = 0; i < 5; i++)
		expires = (expires << 8) | raw[2 + i];
	if (expires_out)
		*expires_out = expires;
	if (now > expires)
		return REPLY_TOKEN_EXPIRED;
	base64url_encode(raw + 7, CONV_RAW, conv_out);
	return REPLY_TOKEN_OK;
}

int reply_token_conv(const char *token, char conv_out[PROTO_CONV_LEN + 1])
{
	unsigned char raw[RAW_LEN];

	if (!token || token_decode(token, raw) < 0 || raw[0] != TOKEN_VERSION)
		return -1;
	base64url_encode(raw + 7, CONV_RAW, conv_out);
	return 0;
}

const char *reply_token_result_str(int result)
{
	switch (result) {
	case REPLY_TOKEN_OK:
		return "ok";
	case REPLY_TOKEN_MALFORMED:
		return "malformed token";
	case REPLY_TOKEN_BAD_SIGNATURE:
		return "bad signature";
	case REPLY_TOKEN_UNKNOWN_KEY:
		return "unknown key";
	case REPLY_TOKEN_EXPIRED:
		return "expired";
	}
	return "unknown result";
}

/* ---- addresses ----------------------------------------------------- */

int reply_address_make(const struct reply_keys *keys, const char *conv,
		       const char *recipient, int64_t expires,
		       const char *domain, char *out, size_t cap)
{
	char token[REPLY_TOKEN_LEN + 1];
	int len;

	if (!domain || !*domain ||
	    reply_token_make(keys, conv, recipient, expires, token) < 0)
		return -1;
	len = snprintf(out, cap, "%s%s@%s", REPLY_LOCAL_PREFIX, token, domain);
	return len < 0 || (size_t)len >= cap ? -1 : 0;
}

int reply_address_parse(const char *address, const char *domain,
			char token_out[REPLY_TOKEN_LEN + 1])
{
	size_t plen = sizeof(REPLY_LOCAL_PREFIX) - 1;
	const char *tok, *at;

	if (!address || !domain || !*domain ||
	    strncasecmp(address, REPLY_LOCAL_PREFIX, plen) != 0)
		return -1;
	tok = address + plen;
	at = strchr(tok, '@');
	if (!at || at - tok != REPLY_TOKEN_LEN || strcasecmp(at + 1, domain))
		return -1;
	for (size_t i = 0; i < REPLY_TOKEN_LEN; i++) {
		int v = base32_value(tok[i]);

		if (v < 0)
			return -1;
		token_out[i] = b32[v];
	}
	token_out[REPLY_TOKEN_LEN] = '\0';
	return 0;
}
