/*
 * fuzz_auth: libFuzzer target for auth_verify() with a fixed key set.
 *
 * Built twice. By default the input is the token string itself, which
 * mostly exercises splitting, base64url and the header checks. With
 * FUZZ_AUTH_SIGNED the input is "header JSON" NUL "payload JSON": the
 * target signs them with the key the header's kid names (k1 when it names
 * none), so inputs get past the HMAC and reach the time, audience and
 * claim checks. Each token is verified with and without iss/aud
 * configured. Aborts when an accepted token breaks what auth.h promises
 * (claims that pass auth_claims_check, exp in 0..AUTH_TIME_MAX and not
 * past, a kid in the header), or when a refusal touches *out.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "chat/common/auth.h"
#include "chat/common/util.h"

#define NOW INT64_C(1700000000)
#define KEY1                                                                   \
	"k1:1111111111111111111111111111111111111111111111111111111111111111"
#define KEY2                                                                   \
	"k2:2222222222222222222222222222222222222222222222222222222222222222"
#define INPUT_MAX 6000 /* tokens are capped at 8192 bytes */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* plain: two keys, nothing else checked; strict: k1 alone (where a
 * missing kid is most tempting to forgive), iss, aud and leeway. */
static struct auth_config plain, strict;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[160];

	(void)argc;
	(void)argv;
	if (auth_keys_parse(&plain, KEY1 "," KEY2, err, sizeof(err)) < 0 ||
	    auth_keys_parse(&strict, KEY1, err, sizeof(err)) < 0)
		abort();
	strict.issuer = "platform";
	strict.audience = "chatd";
	strict.leeway_s = 5;
	return 0;
}

static void check_claims(const struct auth_config *cfg,
			 const struct auth_claims *c)
{
	if (auth_claims_check(c, NULL, 0) < 0 || c->exp < 0 ||
	    c->exp > AUTH_TIME_MAX || c->exp <= NOW - cfg->leeway_s)
		abort();
	if (c->exp > INT64_MAX / 1000) /* the server's exp * 1000 */
		abort();
}

/* Returns auth_verify's result after checking what it promises. */
static int verify(const struct auth_config *cfg, const char *token)
{
	struct auth_claims out, before;
	int rc;

	memset(&out, 0xa5, sizeof(out));
	before = out;
	rc = auth_verify(cfg, token, NOW, &out);
	if (rc == AUTH_OK)
		check_claims(cfg, &out);
	else if (memcmp(&out, &before, sizeof(out)) != 0 ||
		 strcmp(auth_result_str(rc), "unknown auth error") == 0)
		abort();
	return rc;
}

#ifdef FUZZ_AUTH_SIGNED

/* The key the header's kid names, else k1; *has_kid says if it had one. */
static const struct auth_key *signing_key(const char *header, size_t len,
					  bool *has_kid)
{
	json_t *head = json_loadb(header, len, 0, NULL); /* owned */
	const char *kid = json_string_value(json_object_get(head, "kid"));
	const struct auth_key *key = &plain.keys[0];

	*has_kid = json_object_get(head, "kid") != NULL;
	for (size_t i = 0; kid && i < plain.n_keys; i++)
		if (strcmp(plain.keys[i].kid, kid) == 0)
			key = &plain.keys[i];
	json_decref(head);
	return key;
}

/* Returns a heap token b64(header).b64(payload).b64(HMAC-SHA256). */
static char *sign(const char *header, size_t hlen, const char *payload,
		  size_t plen, bool *has_kid)
{
	const struct auth_key *key = signing_key(header, hlen, has_kid);
	char *tok = malloc(2 * (hlen + plen) + 64);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned mac_len = 0;
	size_t n;

	if (!tok)
		abort();
	n = base64url_encode((const unsigned char *)header, hlen, tok);
	tok[n++] = '.';
	n += base64url_encode((const unsigned char *)payload, plen, tok + n);
	HMAC(EVP_sha256(), key->secret, (int)key->secret_len,
	     (unsigned char *)tok, n, mac, &mac_len);
	tok[n++] = '.';
	n += base64url_encode(mac, mac_len, tok + n);
	tok[n] = '\0';
	return tok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	const char *nul = memchr(in, '\0', size);
	bool has_kid, accepted;
	char *tok;

	if (!nul || size > INPUT_MAX)
		return 0;
	tok = sign(in, (size_t)(nul - in), nul + 1,
		   size - (size_t)(nul - in) - 1, &has_kid);
	accepted = verify(&plain, tok) == AUTH_OK;
	accepted |= verify(&strict, tok) == AUTH_OK;
	if (accepted && !has_kid) /* the README requires kid */
		abort();
	free(tok);
	return 0;
}

#else

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *tok = malloc(size + 1);

	if (!tok)
		abort();
	memcpy(tok, data, size);
	tok[size] = '\0';
	verify(&plain, tok);
	verify(&strict, tok);
	free(tok);
	return 0;
}

#endif
