/*
 * auth: verifies the host platform's HS256 tokens into struct auth_claims
 * (keys are parsed in auth_keys.c, development tokens minted in
 * auth_mint.c).
 *
 * libjwt 1.10 is used only to check the HMAC and to sign: it would accept
 * alg "none", other algorithms and expired tokens, so this file reads the
 * header and the claims itself (jansson, duplicates rejected) and checks
 * alg, kid, exp, nbf, iat, iss and aud. It knows nothing of connections, Redis
 * or what a role may do.
 */
#include "chat/common/auth.h"

#include "auth_keys.h"
#include "chat/common/util.h"

#include <jansson.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_MAX 8192
#define HS256_SIG_LEN 43 /* 32 bytes, unpadded base64url */
#define LEEWAY_MAX 86400 /* keeps now +/- leeway far from overflow */
#define CAPACITY_DEFAULT 3
#define CAPACITY_MAX 100
#define SKILL_MAX 32
#define EMAIL_MAX 254

static const char *const tier_names[] = {
	[AUTH_TIER_SILVER] = "silver",
	[AUTH_TIER_GOLD] = "gold",
	[AUTH_TIER_PLATINUM] = "platinum",
	[AUTH_TIER_DIAMOND] = "diamond",
};

static const char *const org_role_names[] = {
	[AUTH_ORG_MEMBER] = "member",
	[AUTH_ORG_UNPRIVILEGED] = "unprivileged",
	[AUTH_ORG_ADMIN] = "admin",
};

#define N_TIERS (sizeof(tier_names) / sizeof(tier_names[0]))
#define N_ORG_ROLES (sizeof(org_role_names) / sizeof(org_role_names[0]))

static int name_index(const char *const *names, size_t n, const char *s)
{
	if (!s)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

/* Returns "silver" ... "diamond"; "unknown" for a bad value. */
const char *auth_tier_str(enum auth_tier tier)
{
	if ((unsigned)tier >= N_TIERS)
		return "unknown";
	return tier_names[tier];
}

/* Returns 0 and sets *out for a tier name, else -1. */
int auth_tier_parse(const char *s, enum auth_tier *out)
{
	int i = name_index(tier_names, N_TIERS, s);

	if (i < 0)
		return -1;
	*out = (enum auth_tier)i;
	return 0;
}

/* Returns "member", "unprivileged" or "admin"; "unknown" for a bad value. */
const char *auth_org_role_str(enum auth_org_role r)
{
	if ((unsigned)r >= N_ORG_ROLES)
		return "unknown";
	return org_role_names[r];
}

/* Returns 0 and sets *out for an org role name, else -1. */
int auth_org_role_parse(const char *s, enum auth_org_role *out)
{
	int i = name_index(org_role_names, N_ORG_ROLES, s);

	if (i < 0)
		return -1;
	*out = (enum auth_org_role)i;
	return 0;
}

/* Returns a short English phrase for an enum auth_result; never NULL. */
const char *auth_result_str(int result)
{
	switch (result) {
	case AUTH_OK:
		return "ok";
	case AUTH_ERR_MALFORMED:
		return "malformed token";
	case AUTH_ERR_SIGNATURE:
		return "bad signature or algorithm";
	case AUTH_ERR_UNKNOWN_KID:
		return "unknown key id";
	case AUTH_ERR_EXPIRED:
		return "token expired";
	case AUTH_ERR_NOT_YET:
		return "token not yet valid";
	case AUTH_ERR_AUDIENCE:
		return "wrong issuer or audience";
	case AUTH_ERR_CLAIMS:
		return "invalid claims";
	case AUTH_ERR_NO_KID:
		return "kid missing";
	case AUTH_ERR_TIME_RANGE:
		return "exp, nbf or iat out of range";
	default:
		return "unknown auth error";
	}
}

/* ---- claims validation (shared by verify and mint) ------------------- */

static bool text_ok(const char *s, size_t cap, size_t min)
{
	size_t len = strnlen(s, cap);

	if (len == cap || len < min)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* local@domain, without spaces or the characters that delimit addresses
 * in mail headers, so the mailer can use it as it is. */
static bool email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	if (!text_ok(s, EMAIL_MAX + 1, 0))
		return false;
	if (!*s)
		return true;
	if (!at || at == s || !at[1] || strchr(at + 1, '@'))
		return false;
	return strpbrk(s, " <>()[],;:\\\"") == NULL;
}

static bool skills_ok(const struct auth_claims *c)
{
	if (c->n_skills > AUTH_SKILLS_MAX)
		return false;
	for (size_t i = 0; i < c->n_skills; i++)
		if (!text_ok(c->skills[i], sizeof(c->skills[i]), 1))
			return false;
	return true;
}

/*
 * Returns 0 when every field of c is one a verified token can carry, else
 * -1 with the first problem in err (which may be NULL). An empty name is
 * allowed (it defaults to sub).
 */
int auth_claims_check(const struct auth_claims *c, char *err, size_t err_len)
{
	const char *bad = NULL;

	if (!text_ok(c->sub, sizeof(c->sub), 1))
		bad = "sub must be 1..128 bytes without control characters";
	else if (!text_ok(c->name, sizeof(c->name), 0))
		bad = "name must be at most 128 bytes without control "
		      "characters";
	else if (!email_ok(c->email))
		bad = "email must look like local@domain (at most 254 bytes)";
	else if ((unsigned)c->role > PROTO_ROLE_ADMIN)
		bad = "role must be customer, agent or admin";
	else if (!text_ok(c->org, sizeof(c->org), 0))
		bad = "org must be at most 128 bytes without control "
		      "characters";
	else if ((unsigned)c->org_role >= N_ORG_ROLES)
		bad = "org_role must be member, unprivileged or admin";
	else if (!text_ok(c->site, sizeof(c->site), 0))
		bad = "site must be at most 128 bytes without control "
		      "characters";
	else if ((unsigned)c->tier >= N_TIERS)
		bad = "tier must be silver, gold, platinum or diamond";
	else if (!skills_ok(c))
		bad = "skills must be at most 16 names of 1..32 bytes";
	else if (c->capacity < 1 || c->capacity > CAPACITY_MAX)
		bad = "capacity must be 1..100";
	if (bad && err)
		snprintf(err, err_len, "%s", bad);
	return bad ? -1 : 0;
}

/* ---- verification -------------------------------------------------- */

struct token_parts {
	const char *seg[3]; /* header, payload, signature; borrowed */
	size_t len[3];
};

static int b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/* Exactly three base64url segments, header and payload not empty. */
static int split_token(const char *token, struct token_parts *p)
{
	size_t len = strnlen(token, TOKEN_MAX + 1), i = 0;
	int k = 0;

	if (len > TOKEN_MAX)
		return -1;
	p->seg[0] = token;
	for (; i < len; i++) {
		if (token[i] != '.') {
			if (b64url_value((unsigned char)token[i]) < 0)
				return -1;
			continue;
		}
		if (k == 2)
			return -1;
		p->len[k] = (size_t)(token + i - p->seg[k]);
		p->seg[++k] = token + i + 1;
	}
	if (k != 2)
		return -1;
	p->len[2] = (size_t)(token + len - p->seg[2]);
	return p->len[0] && p->len[1] ? 0 : -1;
}

/* Decodes canonical unpadded base64url into out (room for len bytes);
 * returns the byte count or -1. */
static long b64url_decode(const char *in, size_t len, unsigned char *out)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	long n = 0;

	if (len % 4 == 1)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int v = b64url_value((unsigned char)in[i]);

		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return acc == 0 ? n : -1;
}

/* Returns a new reference to the JSON object a segment encodes, or NULL. */
static json_t *segment_json(const char *seg, size_t len)
{
	unsigned char *buf = malloc(len);
	json_t *obj = NULL; /* owned */
	long n;

	if (!buf)
		return NULL;
	n = b64url_decode(seg, len, buf);
	if (n > 0)
		obj = json_loadb((const char *)buf, (size_t)n,
				 JSON_REJECT_DUPLICATES, NULL);
	free(buf);
	if (obj && !json_is_object(obj)) {
		json_decref(obj);
		obj = NULL;
	}
	return obj;
}

/* Pins alg and typ, then picks the key; head is borrowed. */
static int check_header(const struct auth_config *cfg, json_t *head,
			const struct auth_key **key)
{
	const char *alg = json_string_value(json_object_get(head, "alg"));
	json_t *typ = json_object_get(head, "typ");
	json_t *kid = json_object_get(head, "kid");
	int i;

	if (!alg || strcmp(alg, "HS256") != 0)
		return AUTH_ERR_SIGNATURE;
	if (typ && !(json_is_string(typ) &&
		     strcmp(json_string_value(typ), "JWT") == 0))
		return AUTH_ERR_MALFORMED;
	if (json_object_get(head, "crit") || (kid && !json_is_string(kid)))
		return AUTH_ERR_MALFORMED;
	if (!kid)
		return AUTH_ERR_NO_KID; /* never guess which key signed */
	i = auth_keys_index(cfg->keys, cfg->n_keys, json_string_value(kid));
	if (i < 0)
		return AUTH_ERR_UNKNOWN_KID;
	*key = &cfg->keys[i];
	return AUTH_OK;
}

/* An empty or odd-sized signature never reaches libjwt. */
static int check_signature(const char *token, const struct token_parts *p,
			   const struct auth_key *key)
{
	jwt_t *jwt = NULL;
	int rc = AUTH_ERR_SIGNATURE;

	if (p->len[2] != HS256_SIG_LEN)
		return rc;
	if (jwt_decode(&jwt, token, key->secret, (int)key->secret_len) == 0 &&
	    jwt_get_alg(jwt) == JWT_ALG_HS256)
		rc = AUTH_OK;
	jwt_free(jwt);
	return rc;
}

/* A present time claim must be an integer second in 0..AUTH_TIME_MAX:
 * the server computes exp * 1000 and compares times with now +/- leeway,
 * which a larger value would overflow. */
static int time_claim(json_t *claims, const char *name, int64_t *out)
{
	json_t *v = json_object_get(claims, name);
	json_int_t t;

	if (!v)
		return 1;
	if (!json_is_integer(v))
		return AUTH_ERR_CLAIMS;
	t = json_integer_value(v);
	if (t < 0 || t > AUTH_TIME_MAX)
		return AUTH_ERR_TIME_RANGE;
	*out = t;
	return AUTH_OK;
}

static int check_times(const struct auth_config *cfg, json_t *claims,
		       int64_t now, int64_t *exp_out)
{
	int64_t leeway = cfg->leeway_s, exp = 0, nbf = 0, iat = 0;
	int rc, nbf_rc;

	if (leeway < 0)
		leeway = 0;
	if (leeway > LEEWAY_MAX)
		leeway = LEEWAY_MAX;
	if ((rc = time_claim(claims, "exp", &exp)) != AUTH_OK)
		return rc == 1 ? AUTH_ERR_EXPIRED : rc;
	if ((nbf_rc = time_claim(claims, "nbf", &nbf)) < 0)
		return nbf_rc;
	if ((rc = time_claim(claims, "iat", &iat)) < 0)
		return rc;
	if (exp <= now - leeway)
		return AUTH_ERR_EXPIRED;
	if (nbf_rc == AUTH_OK && nbf > now + leeway)
		return AUTH_ERR_NOT_YET;
	*exp_out = exp;
	return AUTH_OK;
}

static bool json_string_equals(json_t *v, const char *s)
{
	return json_is_string(v) && strcmp(json_string_value(v), s) == 0;
}

static int check_audience(const struct auth_config *cfg, json_t *claims)
{
	json_t *aud = json_object_get(claims, "aud");
	json_t *item; /* borrowed */
	size_t i;
	bool found = false;

	if (cfg->issuer &&
	    !json_string_equals(json_object_get(claims, "iss"), cfg->issuer))
		return AUTH_ERR_AUDIENCE;
	if (!cfg->audience || json_string_equals(aud, cfg->audience))
		return AUTH_OK;
	json_array_foreach(aud, i, item)
	{
		if (json_string_equals(item, cfg->audience))
			found = true;
	}
	return found ? AUTH_OK : AUTH_ERR_AUDIENCE;
}

/*
 * Copies string claim name into buf (cap bytes). Returns AUTH_OK, 1 when
 * absent or null (buf untouched), or AUTH_ERR_CLAIMS for a non-string or a
 * string that does not fit.
 */
static int read_string(json_t *claims, const char *name, char *buf, size_t cap)
{
	json_t *v = json_object_get(claims, name);

	if (!v || json_is_null(v))
		return 1;
	if (!json_is_string(v) || json_string_length(v) >= cap)
		return AUTH_ERR_CLAIMS;
	memcpy(buf, json_string_value(v), json_string_length(v) + 1);
	return AUTH_OK;
}

/* Reads a name claim into an enum through parse; absent keeps *out. */
static int read_enum(json_t *claims, const char *name,
		     int (*parse)(const char *s, void *out), void *out)
{
	char buf[16];
	int rc = read_string(claims, name, buf, sizeof(buf));

	if (rc == 1)
		return AUTH_OK;
	if (rc < 0 || parse(buf, out) < 0)
		return AUTH_ERR_CLAIMS;
	return AUTH_OK;
}

static int parse_tier(const char *s, void *out)
{
	return auth_tier_parse(s, out);
}

static int parse_org_role(const char *s, void *out)
{
	return auth_org_role_parse(s, out);
}

static int read_skills(json_t *claims, struct auth_claims *c)
{
	json_t *skills = json_object_get(claims, "skills");
	json_t *item; /* borrowed */
	size_t i;

	if (!skills || json_is_null(skills))
		return AUTH_OK;
	if (!json_is_array(skills) || json_array_size(skills) > AUTH_SKILLS_MAX)
		return AUTH_ERR_CLAIMS;
	json_array_foreach(skills, i, item)
	{
		if (!json_is_string(item) ||
		    json_string_length(item) >= sizeof(c->skills[i]))
			return AUTH_ERR_CLAIMS;
		memcpy(c->skills[i], json_string_value(item),
		       json_string_length(item) + 1);
	}
	c->n_skills = json_array_size(skills);
	return AUTH_OK;
}

static int read_capacity(json_t *claims, struct auth_claims *c)
{
	json_t *v = json_object_get(claims, "capacity");
	json_int_t n;

	c->capacity = CAPACITY_DEFAULT;
	if (!v || json_is_null(v))
		return AUTH_OK;
	if (!json_is_integer(v))
		return AUTH_ERR_CLAIMS;
	n = json_integer_value(v);
	if (n < 1 || n > CAPACITY_MAX)
		return AUTH_ERR_CLAIMS;
	c->capacity = (unsigned)n;
	return AUTH_OK;
}

/* sub and role are required (absent: MALFORMED); every other claim is
 * optional and read_string's 1 (absent) leaves the zeroed default. */
static int read_claims(json_t *claims, struct auth_claims *c)
{
	char role[16];
	int sub_rc, role_rc;

	memset(c, 0, sizeof(*c));
	sub_rc = read_string(claims, "sub", c->sub, sizeof(c->sub));
	role_rc = read_string(claims, "role", role, sizeof(role));
	if (sub_rc == 1 || role_rc == 1)
		return AUTH_ERR_MALFORMED;
	if (sub_rc < 0 || role_rc < 0 || proto_role_parse(role, &c->role) < 0 ||
	    read_string(claims, "name", c->name, sizeof(c->name)) < 0 ||
	    read_string(claims, "email", c->email, sizeof(c->email)) < 0 ||
	    read_string(claims, "org", c->org, sizeof(c->org)) < 0 ||
	    read_string(claims, "site", c->site, sizeof(c->site)) < 0 ||
	    read_enum(claims, "org_role", parse_org_role, &c->org_role) < 0 ||
	    read_enum(claims, "tier", parse_tier, &c->tier) < 0 ||
	    read_skills(claims, c) < 0 || read_capacity(claims, c) < 0)
		return AUTH_ERR_CLAIMS;
	if (!c->name[0])
		memcpy(c->name, c->sub, sizeof(c->name));
	return auth_claims_check(c, NULL, 0) < 0 ? AUTH_ERR_CLAIMS : AUTH_OK;
}

/* Everything after the split: header, key, signature, then the claims. */
static int verify_parts(const struct auth_config *cfg, const char *token,
			const struct token_parts *p, json_t *head,
			json_t *claims, int64_t now, struct auth_claims *c)
{
	const struct auth_key *key = NULL;
	int64_t exp = 0;
	int rc;

	if (!head || !claims)
		return AUTH_ERR_MALFORMED;
	if ((rc = check_header(cfg, head, &key)) < 0 ||
	    (rc = check_signature(token, p, key)) < 0 ||
	    (rc = check_times(cfg, claims, now, &exp)) < 0 ||
	    (rc = check_audience(cfg, claims)) < 0 ||
	    (rc = read_claims(claims, c)) < 0)
		return rc;
	c->exp = exp;
	return AUTH_OK;
}

int auth_verify(const struct auth_config *cfg, const char *token, int64_t now,
		struct auth_claims *out)
{
	struct token_parts parts;
	struct auth_claims c;
	json_t *head = NULL, *claims = NULL; /* owned */
	int rc;

	if (!token || split_token(token, &parts) < 0)
		return AUTH_ERR_MALFORMED;
	head = segment_json(parts.seg[0], parts.len[0]);
	claims = segment_json(parts.seg[1], parts.len[1]);
	rc = verify_parts(cfg, token, &parts, head, claims, now, &c);
	if (rc == AUTH_OK)
		*out = c;
	json_decref(head);
	json_decref(claims);
	return rc;
}
