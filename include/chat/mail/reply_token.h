/*
 * reply_token: the signed token in the Reply-To address of every mail we
 * send, reply+<token>@<reply domain>. It names a conversation, the address
 * it was issued to and an expiry, and needs no storage: it is its own
 * record, signed with HMAC-SHA256 under a key chosen by a one-byte key id,
 * so keys can rotate (mint with the current key, verify with any listed).
 *
 * Layout before encoding (35 bytes): version (1), key id (1), expiry in
 * seconds since the epoch (5, big-endian), conversation id (16 raw bytes),
 * HMAC-SHA256 cut to 96 bits over a context label, those 23 bytes and the
 * recipient address in ASCII lowercase. Encoded as lowercase RFC 4648
 * base32 without padding: 56 characters, so the local part "reply+TOKEN"
 * is 62 characters, within the 64 SMTP allows.
 *
 * Pure: no I/O, no clock (callers pass the time).
 */
#ifndef CHAT_MAIL_REPLY_TOKEN_H
#define CHAT_MAIL_REPLY_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "chat/protocol.h"

#define REPLY_TOKEN_LEN 56
#define REPLY_LOCAL_PREFIX "reply+"
#define REPLY_KEYS_MAX 8
#define REPLY_SECRET_MIN 32  /* bytes */
#define REPLY_SECRET_MAX 128 /* bytes */
/* The latest expiry a token can carry (40 bits of seconds). */
#define REPLY_EXPIRY_MAX INT64_C(0xffffffffff)
/* Longest address reply_address_make writes, with its NUL. */
#define REPLY_ADDRESS_MAX 320

enum reply_token_result {
	REPLY_TOKEN_OK = 0,
	REPLY_TOKEN_MALFORMED = -1,	/* not a token of this version */
	REPLY_TOKEN_BAD_SIGNATURE = -2, /* forged, altered, other recipient */
	REPLY_TOKEN_UNKNOWN_KEY = -3,	/* key id not (or no longer) listed */
	REPLY_TOKEN_EXPIRED = -4,	/* genuine, but past its expiry */
};

struct reply_key {
	uint8_t id;
	unsigned char secret[REPLY_SECRET_MAX];
	size_t secret_len;
};

/* The key set; embedded by its owner, no heap. keys[0] is current: it
 * signs new tokens; every listed key verifies. */
struct reply_keys {
	struct reply_key keys[REPLY_KEYS_MAX];
	size_t n_keys;
};

/*
 * Parses "id:hexsecret[,id:hexsecret...]" (id decimal 0..255, secret 64 to
 * 256 hex digits) into *keys, the first being current. To rotate, put a new
 * key first and keep the old one listed until its tokens have expired.
 * Returns 0, or -1 with a one-line reason in err that never holds secret
 * material; on failure *keys is untouched.
 */
int reply_keys_parse(struct reply_keys *keys, const char *spec, char *err,
		     size_t err_len);

/*
 * Writes the token for conversation conv (a conversation id), issued to
 * recipient and valid up to and including second expires, signed with the
 * current key, into out (NUL-terminated). Returns 0, or -1 when there is no
 * key, conv is not a conversation id, recipient is empty or longer than
 * 254 bytes, or expires is outside 0..REPLY_EXPIRY_MAX.
 */
int reply_token_make(const struct reply_keys *keys, const char *conv,
		     const char *recipient, int64_t expires,
		     char out[REPLY_TOKEN_LEN + 1]);

/*
 * Checks token (either case) for a mail from sender at time now (seconds).
 * Returns REPLY_TOKEN_OK and writes the conversation id into conv_out, or a
 * negative enum reply_token_result (conv_out untouched). The signature is
 * checked before the expiry, so EXPIRED means a genuine token; the
 * comparison of signatures takes constant time. sender is compared in
 * ASCII lowercase. expires_out, when not NULL, receives the expiry on OK
 * and EXPIRED.
 */
int reply_token_verify(const struct reply_keys *keys, const char *token,
		       const char *sender, int64_t now,
		       char conv_out[PROTO_CONV_LEN + 1], int64_t *expires_out);

/*
 * Writes the conversation id token names into conv_out WITHOUT checking
 * its signature, and returns 0 (or -1 for a token that is malformed).
 * Only for telling a genuine token from a forged one after
 * reply_token_verify refused it for the sender: verify it again for the
 * address that conversation's mails went to.
 */
int reply_token_conv(const char *token, char conv_out[PROTO_CONV_LEN + 1]);

const char *reply_token_result_str(int result);

/*
 * Writes "reply+TOKEN@domain" for the token reply_token_make would make
 * into out of cap bytes. Returns 0, or -1 (as reply_token_make, or when the
 * domain is empty or the address does not fit).
 */
int reply_address_make(const struct reply_keys *keys, const char *conv,
		       const char *recipient, int64_t expires,
		       const char *domain, char *out, size_t cap);

/*
 * If address (a bare envelope or header address, any case) is
 * reply+TOKEN@domain for our domain, writes TOKEN in lowercase into
 * token_out and returns 0; otherwise returns -1. The token is not verified
 * here.
 */
int reply_address_parse(const char *address, const char *domain,
			char token_out[REPLY_TOKEN_LEN + 1]);

#endif
