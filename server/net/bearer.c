/* bearer: "Authorization: Bearer <secret>" against the configured one. */
#include "bearer.h"

#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#define SCHEME "Bearer"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Both sides are hashed first, so comparing the digests in constant time
 * says nothing about the secret's length or where a guess goes wrong. */
static bool same_in_constant_time(const char *a, size_t a_len, const char *b)
{
	unsigned char da[SHA256_DIGEST_LENGTH], db[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)a, a_len, da);
	SHA256((const unsigned char *)b, strlen(b), db);
	return CRYPTO_memcmp(da, db, sizeof(da)) == 0;
}

bool bearer_matches(const char *header, const char *secret)
{
	size_t n = sizeof(SCHEME) - 1, len;
	const char *token;

	if (!header || !secret || !*secret ||
	    strncasecmp(header, SCHEME, n) != 0 || !is_blank(header[n]))
		return false;
	token = header + n;
	while (is_blank(*token))
		token++;
	len = strlen(token);
	while (len && is_blank(token[len - 1]))
		len--;
	return len > 0 && same_in_constant_time(token, len, secret);
}
