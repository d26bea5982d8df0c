/*
 * auth_keys: parses the "kid:hexsecret,..." signing-key list and finds a
 * key by kid. Secrets never appear in error messages.
 */
#include "auth_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/util.h"

#define SECRET_MIN 32 /* bytes */

/* ---- keys ---------------------------------------------------------- */

static bool kid_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static int parse_kid(const char *s, size_t len, struct auth_key *key,
		     size_t pos, char *err, size_t err_len)
{
	if (len == 0 || len > AUTH_KID_MAX) {
		snprintf(err, err_len, "key %zu: kid must be 1..%d characters",
			 pos, AUTH_KID_MAX);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (!kid_char(s[i])) {
			snprintf(err, err_len,
				 "key %zu: kid may only use A-Z a-z 0-9 . _ -",
				 pos);
			return -1;
		}
	}
	memcpy(key->kid, s, len);
	key->kid[len] = '\0';
	return 0;
}

/* Error messages name the kid but never echo any part of the secret. */
static int parse_secret(const char *hex, size_t len, struct auth_key *key,
			char *err, size_t err_len)
{
	const char *bad = NULL;

	if (len < 2 * SECRET_MIN)
		bad = "must be at least 64 hex digits (32 bytes)";
	else if (len > 2 * sizeof(key->secret))
		bad = "must be at most 256 hex digits (128 bytes)";
	else if (len % 2)
		bad = "must have an even number of hex digits";
	for (size_t i = 0; !bad && i < len / 2; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			bad = "is not hexadecimal";
		else
			key->secret[i] = (unsigned char)(hi << 4 | lo);
	}
	if (bad) {
		snprintf(err, err_len, "key \"%s\": secret %s", key->kid, bad);
		return -1;
	}
	key->secret_len = len / 2;
	return 0;
}

/* Parses one "kid:hex" entry of len bytes; pos counts from 1 for errors. */
static int parse_key(const char *s, size_t len, struct auth_key *key,
		     size_t pos, char *err, size_t err_len)
{
	const char *colon = memchr(s, ':', len);

	if (!colon) {
		snprintf(err, err_len, "key %zu: expected kid:hexsecret", pos);
		return -1;
	}
	if (parse_kid(s, (size_t)(colon - s), key, pos, err, err_len) < 0)
		return -1;
	return parse_secret(colon + 1, len - (size_t)(colon - s) - 1, key, err,
			    err_len);
}

int auth_keys_index(const struct auth_key *keys, size_t n, const char *kid)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(keys[i].kid, kid) == 0)
			return (int)i;
	return -1;
}

/* Parses into keys[]; returns the key count or -1 with err filled. */
static int parse_key_list(const char *spec, struct auth_key *keys, char *err,
			  size_t err_len)
{
	size_t n = 0;
	const char *p = spec;

	for (;;) {
		size_t len = strcspn(p, ",");

		if (n == AUTH_KEYS_MAX) {
			snprintf(err, err_len, "more than %d keys",
				 AUTH_KEYS_MAX);
			return -1;
		}
		if (parse_key(p, len, &keys[n], n + 1, err, err_len) < 0)
			return -1;
		if (auth_keys_index(keys, n, keys[n].kid) >= 0) {
			snprintf(err, err_len, "key %zu: duplicate kid \"%s\"",
				 n + 1, keys[n].kid);
			return -1;
		}
		n++;
		if (p[len] == '\0')
			return (int)n;
		p += len + 1;
	}
}

/*
 * Replaces cfg->keys on success; on failure cfg is untouched. A non-NULL
 * default_kid must name one of the new keys.
 */
int auth_keys_parse(struct auth_config *cfg, const char *spec, char *err,
		    size_t err_len)
{
	struct auth_key keys[AUTH_KEYS_MAX];
	int n;

	if (!spec || !*spec) {
		snprintf(err, err_len,
			 "no keys given (expected kid:hexsecret)");
		return -1;
	}
	memset(keys, 0, sizeof(keys));
	n = parse_key_list(spec, keys, err, err_len);
	if (n > 0 && cfg->default_kid &&
	    auth_keys_index(keys, (size_t)n, cfg->default_kid) < 0) {
		snprintf(err, err_len,
			 "default kid \"%s\" is not among the keys",
			 cfg->default_kid);
		n = -1;
	}
	if (n > 0) {
		memcpy(cfg->keys, keys, sizeof(keys));
		cfg->n_keys = (size_t)n;
		if (!cfg->default_kid)
			cfg->default_kid = cfg->keys[0].kid;
	}
	explicit_bzero(keys, sizeof(keys));
	return n > 0 ? 0 : -1;
}
