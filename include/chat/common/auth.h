/*
 * auth: verifies the host platform's signed tokens (JWT HS256, libjwt) and
 * mints them for development (`chatd token`).
 *
 * Verification always requires a key, pins alg to HS256, chooses the key by
 * the header's kid (which must be present), and checks exp, nbf, iat and,
 * when configured, iss and aud.
 * It does not know about connections or Redis.
 */
#ifndef CHAT_AUTH_H
#define CHAT_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chat/protocol.h"

#define AUTH_KEYS_MAX 8
#define AUTH_KID_MAX 64
#define AUTH_SKILLS_MAX 16

enum auth_tier {
	AUTH_TIER_SILVER,
	AUTH_TIER_GOLD,
	AUTH_TIER_PLATINUM,
	AUTH_TIER_DIAMOND,
	AUTH_TIER__COUNT
};
enum auth_org_role { AUTH_ORG_MEMBER, AUTH_ORG_UNPRIVILEGED, AUTH_ORG_ADMIN };

enum auth_result {
	AUTH_OK = 0,
	AUTH_ERR_MALFORMED = -1, /* not a JWT, bad JSON, missing claim */
	AUTH_ERR_SIGNATURE = -2, /* wrong key, unsigned, alg not HS256 */
	AUTH_ERR_UNKNOWN_KID = -3,
	AUTH_ERR_EXPIRED = -4,	/* exp in the past (or missing) */
	AUTH_ERR_NOT_YET = -5,	/* nbf in the future */
	AUTH_ERR_AUDIENCE = -6, /* iss or aud mismatch */
	AUTH_ERR_CLAIMS = -7,	/* a claim has a wrong value */
	AUTH_ERR_NO_KID = -8,	/* header without kid */
	/* exp, nbf or iat negative or past AUTH_TIME_MAX */
	AUTH_ERR_TIME_RANGE = -9,
};

/* The last second of year 9999 (UTC): the latest exp, nbf or iat a token
 * may carry, so exp * 1000 (milliseconds) always fits in int64_t. */
#define AUTH_TIME_MAX INT64_C(253402300799)

struct auth_key {
	char kid[AUTH_KID_MAX + 1];
	unsigned char secret[128];
	size_t secret_len; /* at least 32 bytes */
};

/* Verifier configuration; embedded by its owner, no heap. */
struct auth_config {
	struct auth_key keys[AUTH_KEYS_MAX];
	size_t n_keys;
	const char *default_kid; /* used to mint; borrowed */
	const char *issuer;	 /* NULL = not checked; borrowed */
	const char *audience;	 /* NULL = not checked; borrowed */
	int64_t leeway_s;	 /* clock skew allowed on exp/nbf */
};

/* Verified identity from a token. Fixed buffers; no heap. */
struct auth_claims {
	char sub[129];
	char name[129];
	char email[255];
	enum proto_role role;
	char org[129]; /* "" when none */
	enum auth_org_role org_role;
	char site[129]; /* "" = personal context */
	enum auth_tier tier;
	char skills[AUTH_SKILLS_MAX][33];
	size_t n_skills;
	unsigned capacity; /* agents: concurrent chats, default 3 */
	int64_t exp;	   /* seconds since epoch, 0..AUTH_TIME_MAX */
};

/*
 * Parses "kid:secret[,kid:secret...]" into cfg->keys. Secrets are hex
 * (64+ hex digits). Returns 0, or -1 with a one-line reason in err.
 * On success sets a NULL default_kid to the first kid (pointing into
 * cfg->keys); a non-NULL default_kid must name one of the keys. On failure
 * cfg is untouched. Messages never contain secret material.
 */
int auth_keys_parse(struct auth_config *cfg, const char *spec, char *err,
		    size_t err_len);

/*
 * Verifies token at time now (seconds since epoch) and fills *out.
 * Returns AUTH_OK or a negative enum auth_result; *out is untouched on
 * failure. A missing sub or role is MALFORMED, a missing exp EXPIRED, a
 * header without kid NO_KID, an exp, nbf or iat outside 0..AUTH_TIME_MAX
 * TIME_RANGE, a claim of the wrong type or value CLAIMS (see
 * auth_claims_check).
 */
int auth_verify(const struct auth_config *cfg, const char *token, int64_t now,
		struct auth_claims *out);
const char *auth_result_str(int result);

/*
 * Mints an HS256 token for claims with the key cfg->default_kid (or the
 * first key), valid from now for ttl_s seconds. Returns a heap string the
 * caller frees, or NULL.
 */
char *auth_mint(const struct auth_config *cfg, const struct auth_claims *c,
		int64_t now, int64_t ttl_s);

/*
 * Returns 0 when c holds values a verified token may carry (the rules
 * auth_verify applies and auth_mint requires), else -1 with the first
 * problem as one line in err (err may be NULL). An empty name is allowed.
 */
int auth_claims_check(const struct auth_claims *c, char *err, size_t err_len);

const char *auth_tier_str(enum auth_tier tier);
int auth_tier_parse(const char *s, enum auth_tier *out);
const char *auth_org_role_str(enum auth_org_role r);
int auth_org_role_parse(const char *s, enum auth_org_role *out);

#endif
