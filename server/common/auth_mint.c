/*
 * auth_mint: signs development and reference tokens (`chatd token`) with
 * libjwt, HS256, header kid. Claims are checked with auth_claims_check()
 * first, so whatever is minted verifies.
 */
#include "chat/common/auth.h"

#include <jansson.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_keys.h"

#define TTL_MAX 315360000 /* ten years */

/* ---- minting ------------------------------------------------------- */

static const struct auth_key *mint_key(const struct auth_config *cfg)
{
	int i;

	if (cfg->n_keys == 0)
		return NULL;
	if (!cfg->default_kid)
		return &cfg->keys[0];
	i = auth_keys_index(cfg->keys, cfg->n_keys, cfg->default_kid);
	return i < 0 ? NULL : &cfg->keys[i];
}

/* Sets name to s unless s is NULL or empty; obj is borrowed. */
static int set_optional(json_t *obj, const char *name, const char *s)
{
	if (!s || !*s)
		return 0;
	return json_object_set_new(obj, name, json_string(s));
}

static int set_agent_claims(json_t *obj, const struct auth_claims *c)
{
	json_t *skills = json_array(); /* owned until stolen */
	int rc = 0;

	for (size_t i = 0; i < c->n_skills; i++)
		rc |= json_array_append_new(skills, json_string(c->skills[i]));
	rc |= json_object_set_new(obj, "skills", skills);
	rc |= json_object_set_new(obj, "capacity",
				  json_integer((json_int_t)c->capacity));
	return rc;
}

/* Returns a new reference to the claims object, or NULL. */
static json_t *claims_json(const struct auth_config *cfg,
			   const struct auth_claims *c, int64_t now,
			   int64_t ttl_s)
{
	json_t *obj = json_object(); /* owned */
	int rc = 0;

	rc |= json_object_set_new(obj, "sub", json_string(c->sub));
	rc |= set_optional(obj, "name", c->name);
	rc |= set_optional(obj, "email", c->email);
	rc |= json_object_set_new(obj, "role",
				  json_string(proto_role_str(c->role)));
	rc |= set_optional(obj, "org", c->org);
	rc |= json_object_set_new(obj, "org_role",
				  json_string(auth_org_role_str(c->org_role)));
	rc |= set_optional(obj, "site", c->site);
	rc |= json_object_set_new(obj, "tier",
				  json_string(auth_tier_str(c->tier)));
	if (c->role != PROTO_ROLE_CUSTOMER)
		rc |= set_agent_claims(obj, c);
	rc |= json_object_set_new(obj, "iat", json_integer(now));
	rc |= json_object_set_new(obj, "nbf", json_integer(now));
	rc |= json_object_set_new(obj, "exp", json_integer(now + ttl_s));
	rc |= set_optional(obj, "iss", cfg->issuer);
	rc |= set_optional(obj, "aud", cfg->audience);
	if (rc == 0)
		return obj;
	json_decref(obj);
	return NULL;
}

static char *sign(const struct auth_key *key, const char *claims)
{
	jwt_t *jwt = NULL;
	char *token = NULL;

	if (jwt_new(&jwt) != 0)
		return NULL;
	if (jwt_set_alg(jwt, JWT_ALG_HS256, key->secret,
			(int)key->secret_len) == 0 &&
	    jwt_add_header(jwt, "kid", key->kid) == 0 &&
	    jwt_add_grants_json(jwt, claims) == 0)
		token = jwt_encode_str(jwt);
	jwt_free(jwt);
	return token;
}

/* Refuses claims auth_verify would refuse, so a minted token verifies. */
char *auth_mint(const struct auth_config *cfg, const struct auth_claims *c,
		int64_t now, int64_t ttl_s)
{
	const struct auth_key *key = mint_key(cfg);
	json_t *claims; /* owned */
	char *text, *token = NULL;

	if (!key || ttl_s <= 0 || ttl_s > TTL_MAX ||
	    auth_claims_check(c, NULL, 0) < 0)
		return NULL;
	claims = claims_json(cfg, c, now, ttl_s);
	if (!claims)
		return NULL;
	text = json_dumps(claims, JSON_COMPACT);
	if (text)
		token = sign(key, text);
	free(text);
	json_decref(claims);
	return token;
}
