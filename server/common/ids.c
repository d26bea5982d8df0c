/* ids: conversation id derivation and idempotency record naming. */
#include "chat/common/ids.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "chat/common/util.h"

void ids_conv_derive(const unsigned char *secret, size_t secret_len,
		     const char *customer, const char *client_id,
		     char out[PROTO_CONV_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	size_t lc = strlen(customer), li = strlen(client_id);
	unsigned char *msg = xmalloc(lc + li + 1);

	memcpy(msg, customer, lc);
	msg[lc] = '\n'; /* customer ids never hold a newline */
	memcpy(msg + lc + 1, client_id, li);
	HMAC(EVP_sha256(), secret, (int)secret_len, msg, lc + li + 1, md,
	     &md_len);
	free(msg);
	base64url_encode(md, 16, out);
}

int ids_idem_field(char *out, size_t n, const char *sender,
		   const char *client_id)
{
	int len = snprintf(out, n, "%zu:%s:%s", strlen(sender), sender,
			   client_id);

	return len < 0 || (size_t)len >= n ? -1 : 0;
}

/*
 * FNV-1a, 64 bits: the fingerprint only tells a retry from a different
 * request under the same client id, sent by the same user, so it needs no
 * resistance to forgery (a user can only refuse their own retry), and
 * SHA-256 through OpenSSL's EVP cost a microsecond per message.
 */
void ids_fingerprint(const char *data, size_t len, char out[IDS_FP_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t h = 0xcbf29ce484222325u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)data[i];
		h *= 0x100000001b3u;
	}
	for (int i = IDS_FP_LEN - 1; i >= 0; i--, h >>= 4)
		out[i] = hex[h & 15];
	out[IDS_FP_LEN] = '\0';
}
