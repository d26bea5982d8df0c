/*
 * test_auth: server/auth.c. Tokens come from auth_mint, from libjwt directly
 * (other algorithms) and from a hand-rolled HMAC over exact header and
 * payload bytes, so the tests control every byte the verifier sees. Not a
 * test of libjwt's HMAC itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "chat/common/auth.h"
#include "chat/common/util.h"

#define NOW 1700000000
#define HEX1 "1111111111111111111111111111111111111111111111111111111111111111"
#define HEX2 "2222222222222222222222222222222222222222222222222222222222222222"
#define HEX_OTHER                                                              \
	"3333333333333333333333333333333333333333333333333333333333333333"

static void b64url(const unsigned char *in, size_t n, char *out)
{
	base64url_encode(in, n, out);
}

/* Returns a heap token "b64(header).b64(payload)." with the HS256 MAC of
 * those bytes under secret, or an empty signature when secret is NULL. */
static char *raw_token(const char *header, const char *payload,
		       const unsigned char *secret, size_t secret_len)
{
	size_t cap = 4 * (strlen(header) + strlen(payload)) + 128;
	char *tok = malloc(cap);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned mac_len = 0;

	assert_non_null(tok);
	b64url((const unsigned char *)header, strlen(header), tok);
	strcat(tok, ".");
	b64url((const unsigned char *)payload, strlen(payload),
	       tok + strlen(tok));
	if (secret)
		HMAC(EVP_sha256(), secret, (int)secret_len,
		     (unsigned char *)tok, strlen(tok), mac, &mac_len);
	strcat(tok, ".");
	b64url(mac, mac_len, tok + strlen(tok));
	return tok;
}

/* A token signed by libjwt itself with any algorithm it knows. */
static char *libjwt_token(jwt_alg_t alg, const struct auth_key *key,
			  const char *payload)
{
	jwt_t *jwt = NULL;
	char *tok;

	assert_int_equal(jwt_new(&jwt), 0);
	assert_int_equal(
		jwt_set_alg(jwt, alg, key->secret, (int)key->secret_len), 0);
	assert_int_equal(jwt_add_header(jwt, "kid", key->kid), 0);
	assert_int_equal(jwt_add_grants_json(jwt, payload), 0);
	tok = jwt_encode_str(jwt);
	assert_non_null(tok);
	jwt_free(jwt);
	return tok;
}

static void config_keys(struct auth_config *cfg, const char *spec)
{
	char err[160];

	memset(cfg, 0, sizeof(*cfg));
	assert_int_equal(auth_keys_parse(cfg, spec, err, sizeof(err)), 0);
}

static void config_one(struct auth_config *cfg)
{
	config_keys(cfg, "k1:" HEX1);
}

/* A valid payload with extra members (",\"x\":1" or "") appended. */
static const char *payload(const char *extra)
{
	static char buf[16384];

	snprintf(buf, sizeof(buf),
		 "{\"sub\":\"u1\",\"role\":\"customer\",\"exp\":%d%s}",
		 NOW + 600, extra);
	return buf;
}

static int verify_raw(const struct auth_config *cfg, const char *header,
		      const char *body)
{
	struct auth_claims c;
	char *tok = raw_token(header, body, cfg->keys[0].secret,
			      cfg->keys[0].secret_len);
	int rc = auth_verify(cfg, tok, NOW, &c);

	free(tok);
	return rc;
}

#define HS256_K1 "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}"

/* Verifies a correctly signed k1 token with payload(extra). */
static int verify_extra(const char *extra)
{
	struct auth_config cfg;

	config_one(&cfg);
	return verify_raw(&cfg, HS256_K1, payload(extra));
}

/* Verifies a correctly signed k1 token with exactly this payload. */
static int verify_extra_body(const char *body)
{
	struct auth_config cfg;

	config_one(&cfg);
	return verify_raw(&cfg, HS256_K1, body);
}

static void fill_agent(struct auth_claims *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->sub, "agent-7");
	strcpy(c->name, "Ada Agent");
	strcpy(c->email, "ada@example.com");
	c->role = PROTO_ROLE_AGENT;
	strcpy(c->org, "org-1");
	c->org_role = AUTH_ORG_ADMIN;
	strcpy(c->site, "site-9");
	c->tier = AUTH_TIER_PLATINUM;
	strcpy(c->skills[0], "billing");
	strcpy(c->skills[1], "wordpress");
	c->n_skills = 2;
	c->capacity = 5;
}

static void minted_token_verifies_with_all_claims(void **state)
{
	struct auth_config cfg;
	struct auth_claims in, out;
	char *tok;

	(void)state;
	config_one(&cfg);
	cfg.issuer = "platform";
	cfg.audience = "chatd";
	fill_agent(&in);
	tok = auth_mint(&cfg, &in, NOW, 3600);
	assert_non_null(tok);
	memset(&out, 0xa5, sizeof(out));
	assert_int_equal(auth_verify(&cfg, tok, NOW + 10, &out), AUTH_OK);
	assert_string_equal(out.sub, "agent-7");
	assert_string_equal(out.name, "Ada Agent");
	assert_string_equal(out.email, "ada@example.com");
	assert_int_equal(out.role, PROTO_ROLE_AGENT);
	assert_string_equal(out.org, "org-1");
	assert_int_equal(out.org_role, AUTH_ORG_ADMIN);
	assert_string_equal(out.site, "site-9");
	assert_int_equal(out.tier, AUTH_TIER_PLATINUM);
	assert_int_equal(out.n_skills, 2);
	assert_string_equal(out.skills[0], "billing");
	assert_string_equal(out.skills[1], "wordpress");
	assert_int_equal(out.capacity, 5);
	assert_int_equal(out.exp, NOW + 3600);
	free(tok);
}

static void minted_customer_gets_defaults_and_no_agent_claims(void **state)
{
	struct auth_config cfg;
	struct auth_claims in, out;
	char *tok;

	(void)state;
	config_one(&cfg);
	memset(&in, 0, sizeof(in));
	strcpy(in.sub, "cust-1");
	in.capacity = 3;
	strcpy(in.skills[0], "ignored");
	in.n_skills = 1;
	tok = auth_mint(&cfg, &in, NOW, 60);
	assert_non_null(tok);
	assert_int_equal(auth_verify(&cfg, tok, NOW, &out), AUTH_OK);
	assert_string_equal(out.name, "cust-1");
	assert_string_equal(out.email, "");
	assert_string_equal(out.org, "");
	assert_string_equal(out.site, "");
	assert_int_equal(out.role, PROTO_ROLE_CUSTOMER);
	assert_int_equal(out.org_role, AUTH_ORG_MEMBER);
	assert_int_equal(out.tier, AUTH_TIER_SILVER);
	assert_int_equal(out.n_skills, 0);
	assert_int_equal(out.capacity, 3);
	free(tok);
}

static void omitted_optional_claims_take_defaults(void **state)
{
	struct auth_config cfg;
	struct auth_claims c;
	char *tok;

	(void)state;
	config_one(&cfg);
	tok = raw_token(HS256_K1, payload(",\"org\":null"), cfg.keys[0].secret,
			cfg.keys[0].secret_len);
	assert_int_equal(auth_verify(&cfg, tok, NOW, &c), AUTH_OK);
	assert_string_equal(c.sub, "u1");
	assert_string_equal(c.name, "u1");
	assert_string_equal(c.org, "");
	assert_int_equal(c.tier, AUTH_TIER_SILVER);
	assert_int_equal(c.org_role, AUTH_ORG_MEMBER);
	assert_int_equal(c.capacity, 3);
	assert_int_equal(c.exp, NOW + 600);
	free(tok);
}

static void wrong_secret_is_signature_error(void **state)
{
	struct auth_config mint_cfg, cfg;
	struct auth_claims c;
	char *tok;

	(void)state;
	config_keys(&mint_cfg, "k1:" HEX_OTHER);
	config_one(&cfg);
	fill_agent(&c);
	tok = auth_mint(&mint_cfg, &c, NOW, 60);
	assert_non_null(tok);
	assert_int_equal(auth_verify(&cfg, tok, NOW, &c), AUTH_ERR_SIGNATURE);
	free(tok);
}

static void tampered_payload_is_signature_error(void **state)
{
	struct auth_config cfg;
	struct auth_claims c;
	char *good, *forged, *sig;
	char *tok;

	(void)state;
	config_one(&cfg);
	good = raw_token(HS256_K1, payload(""), cfg.keys[0].secret,
			 cfg.keys[0].secret_len);
	forged = raw_token(
		HS256_K1,
		"{\"sub\":\"u1\",\"role\":\"admin\",\"exp\":1800000000}", NULL,
		0);
	sig = strrchr(good, '.');
	tok = malloc(strlen(forged) + strlen(sig) + 1);
	assert_non_null(tok);
	strcpy(tok, forged);
	strcpy(strrchr(tok, '.'), sig);
	assert_int_equal(auth_verify(&cfg, tok, NOW, &c), AUTH_ERR_SIGNATURE);
	free(tok);
	free(forged);
	free(good);
}

static void alg_none_is_refused(void **state)
{
	struct auth_config cfg;
	struct auth_claims c;
	char *tok;

	(void)state;
	config_one(&cfg);
	tok = raw_token("{\"alg\":\"none\"}", payload(""), NULL, 0);
	assert_int_equal(auth_verify(&cfg, tok, NOW, &c), AUTH_ERR_SIGNATURE);
	free(tok);
	/* Even with a signature-shaped tail, none is not HS256. */
	assert_int_equal(verify_raw(&cfg, "{\"alg\":\"none\",\"kid\":\"k1\"}",
				    payload("")),
			 AUTH_ERR_SIGNATURE);
	assert_int_equal(verify_raw(&cfg, "{\"alg\":\"hs256\",\"kid\":\"k1\"}",
				    payload("")),
			 AUTH_ERR_SIGNATURE);
	assert_int_equal(verify_raw(&cfg, "{\"kid\":\"k1\"}", payload("")),
			 AUTH_ERR_SIGNATURE);
}

static void other_hmac_alg_refused(jwt_alg_t alg)
{
	struct auth_config cfg;
	struct auth_claims c;
	char *tok;

	config_one(&cfg);
	tok = libjwt_token(alg, &cfg.keys[0], payload(""));
	assert_int_equal(auth_verify(&cfg, tok, NOW, &c), AUTH_ERR_SIGNATURE);
	free(tok);
}

static void hs512_with_right_secret_is_refused(void **state)
{
	(void)state;
	other_hmac_alg_refused(JWT_ALG_HS512);
}

static void hs384_with_right_secret_is_refused(void **state)
{
	(void)state;
	other_hmac_alg_refused(JWT_ALG_HS384);
}

static void hs512_header_with_hs256_sized_mac_is_refused(void **state)
{
	struct auth_config cfg;

	(void)state;
	config_one(&cfg);
	assert_int_equal(verify_raw(&cfg, "{\"alg\":\"HS512\",\"kid\":\"k1\"}",
				    payload("")),
			 AUTH_ERR_SIGNATURE);
}

static void rs256_header_is_refused(void **state)
{
	struct auth_config cfg;

	(void)state;
	config_one(&cfg);
	assert_int_equal(verify_raw(&cfg,
				    "{\"alg\":\"RS256\",\"typ\":\"JWT\","
				    "\"kid\":\"k1\"}",
				    payload("")),
			 AUTH_ERR_SIGNATURE);
}

static void typ_other_than_jwt_or_crit_is_refused(void **state)
{
	struct auth_config cfg;

	(void)state;
	config_one(&cfg);
	assert_int_equal(verify_raw(&cfg,
				    "{\"alg\":\"HS256\",\"typ\":\"JWE\","
				    "\"kid\":\"k1\"}",
				    payload("")),
			 AUTH_ERR_MALFORMED);
	assert_int_equal(verify_raw(&cfg,
				    "{\"alg\":\"HS256\",\"kid\":\"k1\","
				    "\"crit\":[\"exp\"]}",
				    payload("")),
			 AUTH_ERR_MALFORMED);
	assert_int_equal(
		verify_raw(&cfg, "{\"alg\":\"HS256\",\"kid\":7}", payload("")),
		AUTH_ERR_MALFORMED);
	assert_int_equal(verify_raw(&cfg, "{\"alg\":\"HS256\",\"kid\":\"k1\"}",
				    payload("")),
			 AUTH_OK);
}

static void expired_is_refused(void **state)
{
	struct auth_config cfg;
	struct auth_claims in, out;
	char *tok;

	(void)state;
	config_one(&cfg);
	fill_agent(&in);
	tok = auth_mint(&cfg, &in, NOW, 60);
	assert_int_equal(auth_verify(&cfg, tok, NOW + 59, &out), AUTH_OK);
	assert_int_equal(auth_verify(&cfg, tok, NOW + 60, &out),
			 AUTH_ERR_EXPIRED);
	assert_int_equal(auth_verify(&cfg, tok, NOW + 100000, &out),
			 AUTH_ERR_EXPIRED);
	free(tok);
}

static void missing_exp_is_refused(void **state)
{
	struct auth_config cfg;

	(void)state;
	config_one(&cfg);
	assert_int_equal(verify_raw(&cfg, HS256_K1,
				    "{\"sub\":\"u1\",\"role\":\"customer\"}"),
			 AUTH_ERR_EXPIRED);
	assert_int_equal(verify_raw(&cfg, HS256_K1,
				    "{\"sub\":\"u1\",\"role\":\"customer\","
				    "\"exp\":\"1800000000\"}"),
			 AUTH_ERR_CLAIMS);
	assert_int_equal(verify_raw(&cfg, HS256_K1,
				    "{\"sub\":\"u1\",\"role\":\"customer\","
				    "\"exp\":1800000000.5}"),
			 AUTH_ERR_CLAIMS);
}

static void future_nbf_is_refused(void **state)
{
	(void)state;
	assert_int_equal(verify_extra(",\"nbf\":1700000001"), AUTH_ERR_NOT_YET);
	assert_int_equal(verify_extra(",\"nbf\":1700000000"), AUTH_OK);
	assert_int_equal(verify_extra(",\"nbf\":\"soon\""), AUTH_ERR_CLAIMS);
}

static void leeway_is_honoured(void **state)
{
	struct auth_config cfg;
	struct auth_claims in, out;
	char *tok;

	(void)state;
	config_one(&cfg);
	cfg.leeway_s = 30;
	fill_agent(&in);
	tok = auth_mint(&cfg, &in, NOW, 60);
	assert_int_equal(auth_verify(&cfg, tok, NOW - 30, &out), AUTH_OK);
	assert_int_equal(auth_verify(&cfg, tok, NOW - 31, &out),
			 AUTH_ERR_NOT_YET);
	assert_int_equal(auth_verify(&cfg, tok, NOW + 89, &out), AUTH_OK);
	assert_int_equal(auth_verify(&cfg, tok, NOW + 90, &out),
			 AUTH_ERR_EXPIRED);
	cfg.leeway_s = -5; /* treated as 0 */
	assert_int_equal(auth_verify(&cfg, tok, NOW + 60, &out),
			 AUTH_ERR_EXPIRED);
	free(tok);
}

static void unknown_kid_is_refused(void **state)
{
	struct auth_config cfg;

	(void)state;
	config_one(&cfg);
	assert_int_equal(verify_raw(&cfg, "{\"alg\":\"HS256\",\"kid\":\"k9\"}",
				    payload("")),
			 AUTH_ERR_UNKNOWN_KID);
}

/* The README requires kid: a token without one is refused even when only
 * one key could have signed it, and with two or more. */
static void missing_kid_is_refused(void **state)
{
	struct auth_config cfg;
	const char *hs256_no_kid = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

	(void)state;
	config_one(&cfg);
	assert_int_equal(verify_raw(&cfg, hs256_no_kid, payload("")),
			 AUTH_ERR_NO_KID);
	assert_int_equal(verify_raw(&cfg, "{\"alg\":\"HS256\"}", payload("")),
			 AUTH_ERR_NO_KID);
	config_keys(&cfg, "k1:" HEX1 ",k2:" HEX2);
	assert_int_equal(verify_raw(&cfg, hs256_no_kid, payload("")),
			 AUTH_ERR_NO_KID);
	assert_string_equal(auth_result_str(AUTH_ERR_NO_KID), "kid missing");
}

/* Verifies a k1 token whose claims are sub, role and the given times. */
static int verify_times(const char *times)
{
	char body[512];

	snprintf(body, sizeof(body), "{\"sub\":\"u1\",\"role\":\"customer\"%s}",
		 times);
	return verify_extra_body(body);
}

/* exp, nbf and iat are bounded to 0..year 9999 so the server's exp * 1000
 * (milliseconds) cannot overflow int64_t. */
static void out_of_range_times_are_refused(void **state)
{
	struct auth_config cfg;
	struct auth_claims c;
	char *tok;

	(void)state;
	assert_int_equal(verify_times(",\"exp\":253402300800"),
			 AUTH_ERR_TIME_RANGE);
	assert_int_equal(verify_times(",\"exp\":9223372036854775807"),
			 AUTH_ERR_TIME_RANGE);
	assert_int_equal(verify_times(",\"exp\":-1"), AUTH_ERR_TIME_RANGE);
	assert_int_equal(verify_times(",\"exp\":1800000000,\"nbf\":-5"),
			 AUTH_ERR_TIME_RANGE);
	assert_int_equal(
		verify_times(",\"exp\":1800000000,\"nbf\":253402300800"),
		AUTH_ERR_TIME_RANGE);
	assert_int_equal(
		verify_times(",\"exp\":1800000000,\"iat\":9000000000000000000"),
		AUTH_ERR_TIME_RANGE);
	assert_int_equal(verify_times(",\"exp\":1800000000,\"iat\":-1"),
			 AUTH_ERR_TIME_RANGE);
	assert_int_equal(verify_times(",\"exp\":1800000000,\"iat\":\"now\""),
			 AUTH_ERR_CLAIMS);
	assert_string_not_equal(auth_result_str(AUTH_ERR_TIME_RANGE),
				"unknown auth error");

	/* The last second of 9999 is accepted and its milliseconds fit. */
	config_one(&cfg);
	tok = raw_token(HS256_K1,
			"{\"sub\":\"u1\",\"role\":\"customer\",\"iat\":0,"
			"\"exp\":253402300799}",
			cfg.keys[0].secret, cfg.keys[0].secret_len);
	assert_int_equal(auth_verify(&cfg, tok, NOW, &c), AUTH_OK);
	assert_int_equal(c.exp, AUTH_TIME_MAX);
	assert_true(c.exp <= INT64_MAX / 1000);
	free(tok);
}

static void rotated_keys_both_verify(void **state)
{
	struct auth_config cfg;
	struct auth_claims in, out;
	char *tok1, *tok2;

	(void)state;
	config_keys(&cfg, "k1:" HEX1 ",k2:" HEX2);
	assert_string_equal(cfg.default_kid, "k1");
	fill_agent(&in);
	tok1 = auth_mint(&cfg, &in, NOW, 60);
	cfg.default_kid = "k2";
	tok2 = auth_mint(&cfg, &in, NOW, 60);
	assert_non_null(tok1);
	assert_non_null(tok2);
	assert_string_not_equal(tok1, tok2);
	assert_int_equal(auth_verify(&cfg, tok1, NOW, &out), AUTH_OK);
	assert_int_equal(auth_verify(&cfg, tok2, NOW, &out), AUTH_OK);
	/* After k1 is retired only k2's token passes. */
	config_keys(&cfg, "k2:" HEX2);
	assert_int_equal(auth_verify(&cfg, tok1, NOW, &out),
			 AUTH_ERR_UNKNOWN_KID);
	assert_int_equal(auth_verify(&cfg, tok2, NOW, &out), AUTH_OK);
	free(tok1);
	free(tok2);
}

static void issuer_and_audience_mismatch_refused(void **state)
{
	struct auth_config cfg;

	(void)state;
	config_one(&cfg);
	cfg.issuer = "platform";
	assert_int_equal(verify_raw(&cfg, HS256_K1, payload("")),
			 AUTH_ERR_AUDIENCE);
	assert_int_equal(
		verify_raw(&cfg, HS256_K1, payload(",\"iss\":\"evil\"")),
		AUTH_ERR_AUDIENCE);
	assert_int_equal(
		verify_raw(&cfg, HS256_K1, payload(",\"iss\":\"platform\"")),
		AUTH_OK);
	cfg.audience = "chatd";
	assert_int_equal(
		verify_raw(&cfg, HS256_K1, payload(",\"iss\":\"platform\"")),
		AUTH_ERR_AUDIENCE);
	assert_int_equal(verify_raw(&cfg, HS256_K1,
				    payload(",\"iss\":\"platform\","
					    "\"aud\":\"other\"")),
			 AUTH_ERR_AUDIENCE);
	assert_int_equal(verify_raw(&cfg, HS256_K1,
				    payload(",\"iss\":\"platform\","
					    "\"aud\":[\"a\",\"b\"]")),
			 AUTH_ERR_AUDIENCE);
}

static void audience_string_or_array_accepted(void **state)
{
	struct auth_config cfg;

	(void)state;
	config_one(&cfg);
	cfg.audience = "chatd";
	assert_int_equal(
		verify_raw(&cfg, HS256_K1, payload(",\"aud\":\"chatd\"")),
		AUTH_OK);
	assert_int_equal(verify_raw(&cfg, HS256_K1,
				    payload(",\"aud\":[\"api\",7,\"chatd\"]")),
			 AUTH_OK);
}

static void missing_sub_or_role_is_malformed(void **state)
{
	struct auth_config cfg;

	(void)state;
	config_one(&cfg);
	assert_int_equal(
		verify_raw(&cfg, HS256_K1,
			   "{\"role\":\"customer\",\"exp\":1800000000}"),
		AUTH_ERR_MALFORMED);
	assert_int_equal(verify_raw(&cfg, HS256_K1,
				    "{\"sub\":\"u1\",\"exp\":1800000000}"),
			 AUTH_ERR_MALFORMED);
	assert_int_equal(verify_raw(&cfg, HS256_K1,
				    "{\"sub\":\"u1\",\"role\":null,"
				    "\"exp\":1800000000}"),
			 AUTH_ERR_MALFORMED);
}

static void bad_sub_refused(void **state)
{
	char extra[400];
	struct auth_config cfg;

	(void)state;
	config_one(&cfg);
	assert_int_equal(verify_raw(&cfg, HS256_K1,
				    "{\"sub\":\"\",\"role\":\"customer\","
				    "\"exp\":1800000000}"),
			 AUTH_ERR_CLAIMS);
	assert_int_equal(verify_raw(&cfg, HS256_K1,
				    "{\"sub\":42,\"role\":\"customer\","
				    "\"exp\":1800000000}"),
			 AUTH_ERR_CLAIMS);
	snprintf(extra, sizeof(extra),
		 "{\"sub\":\"%0129d\",\"role\":\"customer\","
		 "\"exp\":1800000000}",
		 0);
	assert_int_equal(verify_raw(&cfg, HS256_K1, extra), AUTH_ERR_CLAIMS);
	snprintf(extra, sizeof(extra),
		 "{\"sub\":\"%0128d\",\"role\":\"customer\","
		 "\"exp\":1800000000}",
		 0);
	assert_int_equal(verify_raw(&cfg, HS256_K1, extra), AUTH_OK);
}

static void bad_role_refused(void **state)
{
	struct auth_config cfg;

	(void)state;
	config_one(&cfg);
	assert_int_equal(verify_raw(&cfg, HS256_K1,
				    "{\"sub\":\"u1\",\"role\":\"root\","
				    "\"exp\":1800000000}"),
			 AUTH_ERR_CLAIMS);
	assert_int_equal(verify_raw(&cfg, HS256_K1,
				    "{\"sub\":\"u1\",\"role\":[\"admin\"],"
				    "\"exp\":1800000000}"),
			 AUTH_ERR_CLAIMS);
	assert_int_equal(verify_raw(&cfg, HS256_K1,
				    "{\"sub\":\"u1\",\"role\":\"Admin\","
				    "\"exp\":1800000000}"),
			 AUTH_ERR_CLAIMS);
}

static void bad_tier_and_org_role_refused(void **state)
{
	(void)state;
	assert_int_equal(verify_extra(",\"tier\":\"bronze\""), AUTH_ERR_CLAIMS);
	assert_int_equal(verify_extra(",\"tier\":3"), AUTH_ERR_CLAIMS);
	assert_int_equal(verify_extra(",\"tier\":\"diamond\""), AUTH_OK);
	assert_int_equal(verify_extra(",\"org_role\":\"owner\""),
			 AUTH_ERR_CLAIMS);
	assert_int_equal(verify_extra(",\"org_role\":true"), AUTH_ERR_CLAIMS);
	assert_int_equal(verify_extra(",\"org_role\":\"unprivileged\""),
			 AUTH_OK);
}

static void bad_capacity_refused(void **state)
{
	(void)state;
	assert_int_equal(verify_extra(",\"capacity\":\"5\""), AUTH_ERR_CLAIMS);
	assert_int_equal(verify_extra(",\"capacity\":5.0"), AUTH_ERR_CLAIMS);
	assert_int_equal(verify_extra(",\"capacity\":0"), AUTH_ERR_CLAIMS);
	assert_int_equal(verify_extra(",\"capacity\":101"), AUTH_ERR_CLAIMS);
	assert_int_equal(verify_extra(",\"capacity\":-1"), AUTH_ERR_CLAIMS);
	assert_int_equal(verify_extra(",\"capacity\":4294967299"),
			 AUTH_ERR_CLAIMS);
	assert_int_equal(verify_extra(",\"capacity\":100"), AUTH_OK);
}

static void bad_skills_refused(void **state)
{
	(void)state;
	assert_int_equal(verify_extra(",\"skills\":\"billing\""),
			 AUTH_ERR_CLAIMS);
	assert_int_equal(verify_extra(",\"skills\":[\"a\",1]"),
			 AUTH_ERR_CLAIMS);
	assert_int_equal(verify_extra(",\"skills\":[\"\"]"), AUTH_ERR_CLAIMS);
	assert_int_equal(verify_extra(",\"skills\":[\"abcdefghijklmnopqrstuvwxy"
				      "z0123456\"]"),
			 AUTH_ERR_CLAIMS);
	assert_int_equal(verify_extra(",\"skills\":[\"1\",\"2\",\"3\",\"4\","
				      "\"5\",\"6\",\"7\",\"8\",\"9\",\"10\","
				      "\"11\",\"12\",\"13\",\"14\",\"15\","
				      "\"16\",\"17\"]"),
			 AUTH_ERR_CLAIMS);
	assert_int_equal(verify_extra(",\"skills\":[]"), AUTH_OK);
}

static void bad_strings_refused(void **state)
{
	(void)state;
	assert_int_equal(verify_extra(",\"name\":\"Eve\\r\\nBcc: x\""),
			 AUTH_ERR_CLAIMS);
	assert_int_equal(verify_extra(",\"name\":7"), AUTH_ERR_CLAIMS);
	assert_int_equal(verify_extra(",\"email\":\"a@b\\u0000c\""),
			 AUTH_ERR_MALFORMED);
	assert_int_equal(verify_extra(",\"email\":\"<a@b>, c@d\""),
			 AUTH_ERR_CLAIMS);
	assert_int_equal(verify_extra(",\"email\":\"no-at-sign\""),
			 AUTH_ERR_CLAIMS);
	assert_int_equal(verify_extra(",\"org\":{}"), AUTH_ERR_CLAIMS);
	assert_int_equal(verify_extra(",\"site\":false"), AUTH_ERR_CLAIMS);
	assert_int_equal(verify_extra(",\"name\":\"Zoë\",\"site\":\"s1\""),
			 AUTH_OK);
}

static void duplicate_claim_is_malformed(void **state)
{
	(void)state;
	assert_int_equal(verify_extra(",\"role\":\"admin\""),
			 AUTH_ERR_MALFORMED);
}

static void garbage_tokens_refused_without_crashing(void **state)
{
	static const char *const bad[] = {
		"",
		".",
		"..",
		"abc",
		"a.b",
		"a.b.c.d",
		"....",
		"eyJhbGciOiJIUzI1NiJ9..sig",
		"a b.c.d",
		"=.=.=",
		"\xff\xfe.x.y",
	};
	struct auth_config cfg;
	struct auth_claims c;
	char *big;

	(void)state;
	config_one(&cfg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(auth_verify(&cfg, bad[i], NOW, &c),
				 AUTH_ERR_MALFORMED);
	assert_int_equal(auth_verify(&cfg, NULL, NOW, &c), AUTH_ERR_MALFORMED);
	assert_int_equal(verify_raw(&cfg, "not json", payload("")),
			 AUTH_ERR_MALFORMED);
	assert_int_equal(verify_raw(&cfg, "[\"HS256\"]", payload("")),
			 AUTH_ERR_MALFORMED);
	assert_int_equal(verify_raw(&cfg, HS256_K1, "{\"sub\":"),
			 AUTH_ERR_MALFORMED);
	/* Well formed but unsigned: a signature problem, not garbage. */
	assert_int_equal(auth_verify(&cfg,
				     "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0.e30.",
				     NOW, &c),
			 AUTH_ERR_SIGNATURE);
	big = malloc(9001);
	assert_non_null(big);
	memset(big, 'A', 9000);
	big[3000] = big[6000] = '.';
	big[9000] = '\0';
	assert_int_equal(auth_verify(&cfg, big, NOW, &c), AUTH_ERR_MALFORMED);
	free(big);
}

static void oversized_but_well_signed_token_is_malformed(void **state)
{
	char extra[8300];

	(void)state;
	snprintf(extra, sizeof(extra), ",\"pad\":\"%06500d\"", 0);
	assert_int_equal(verify_extra(extra), AUTH_ERR_MALFORMED);
	snprintf(extra, sizeof(extra), ",\"pad\":\"%05500d\"", 0);
	assert_int_equal(verify_extra(extra), AUTH_OK);
}

static void failure_leaves_out_untouched(void **state)
{
	struct auth_config cfg;
	struct auth_claims c, before;

	(void)state;
	config_one(&cfg);
	memset(&c, 0x5a, sizeof(c));
	before = c;
	assert_int_equal(auth_verify(&cfg, "a.b.c", NOW, &c),
			 AUTH_ERR_MALFORMED);
	assert_memory_equal(&c, &before, sizeof(c));
}

static int parse_fails(const char *spec, const char *needle)
{
	struct auth_config cfg;
	char err[160] = "";

	memset(&cfg, 0, sizeof(cfg));
	if (auth_keys_parse(&cfg, spec, err, sizeof(err)) == 0)
		return 0;
	if (!strstr(err, needle)) {
		print_error("message \"%s\" lacks \"%s\"\n", err, needle);
		return 0;
	}
	return cfg.n_keys == 0 && !cfg.default_kid && !strchr(err, '\n');
}

static void keys_parse_accepts_several_keys(void **state)
{
	struct auth_config cfg;

	(void)state;
	config_keys(&cfg, "k1:" HEX1 ",key.2_b-c:" HEX2 "aBcD");
	assert_int_equal(cfg.n_keys, 2);
	assert_ptr_equal(cfg.default_kid, cfg.keys[0].kid);
	assert_string_equal(cfg.keys[1].kid, "key.2_b-c");
	assert_int_equal(cfg.keys[1].secret_len, 34);
	assert_int_equal(cfg.keys[1].secret[32], 0xab);
	assert_int_equal(cfg.keys[1].secret[33], 0xcd);
	assert_int_equal(cfg.keys[0].secret[0], 0x11);
}

static void keys_parse_refuses_bad_specs(void **state)
{
	char many[2048] = "";

	(void)state;
	assert_true(parse_fails("", "no keys"));
	assert_true(parse_fails(NULL, "no keys"));
	assert_true(parse_fails("k1:1111", "at least"));
	assert_true(parse_fails("k1", "kid:hexsecret"));
	assert_true(parse_fails("k1:" HEX1 "1", "even"));
	assert_true(parse_fails("k1:" HEX1 ",", "key 2"));
	assert_true(parse_fails("k1:"
				"zz11111111111111111111111111111111111111111111"
				"111111111111111111",
				"not hexadecimal"));
	assert_true(parse_fails(":" HEX1, "1..64"));
	assert_true(parse_fails("k 1:" HEX1, "A-Z"));
	assert_true(parse_fails("k/1:" HEX1, "A-Z"));
	assert_true(parse_fails(
		"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
		"kkkkkkkkkkkkkk:" HEX1,
		"1..64"));
	assert_true(parse_fails("k1:" HEX1 ",k1:" HEX2, "duplicate"));
	for (int i = 0; i < AUTH_KEYS_MAX + 1; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
			 "%sk%d:%s", i ? "," : "", i, HEX1);
	assert_true(parse_fails(many, "more than 8"));
}

static void keys_parse_keeps_config_on_error(void **state)
{
	struct auth_config cfg;
	char err[160];

	(void)state;
	config_one(&cfg);
	assert_int_equal(auth_keys_parse(&cfg, "k2:00", err, sizeof(err)), -1);
	assert_int_equal(cfg.n_keys, 1);
	assert_string_equal(cfg.keys[0].kid, "k1");
	cfg.default_kid = "k9";
	assert_int_equal(auth_keys_parse(&cfg, "k2:" HEX2, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "k9"));
	assert_string_equal(cfg.keys[0].kid, "k1");
}

static void mint_refuses_what_verify_would_refuse(void **state)
{
	struct auth_config cfg;
	struct auth_claims c;

	(void)state;
	config_one(&cfg);
	fill_agent(&c);
	assert_null(auth_mint(&cfg, &c, NOW, 0));
	c.capacity = 0;
	assert_null(auth_mint(&cfg, &c, NOW, 60));
	fill_agent(&c);
	c.sub[0] = '\0';
	assert_null(auth_mint(&cfg, &c, NOW, 60));
	fill_agent(&c);
	c.tier = (enum auth_tier)9;
	assert_null(auth_mint(&cfg, &c, NOW, 60));
	fill_agent(&c);
	cfg.default_kid = "nope";
	assert_null(auth_mint(&cfg, &c, NOW, 60));
	cfg.n_keys = 0;
	cfg.default_kid = NULL;
	assert_null(auth_mint(&cfg, &c, NOW, 60));
}

static void names_round_trip(void **state)
{
	enum auth_tier t;
	enum auth_org_role r;

	(void)state;
	for (int i = AUTH_TIER_SILVER; i <= AUTH_TIER_DIAMOND; i++) {
		assert_int_equal(auth_tier_parse(auth_tier_str(i), &t), 0);
		assert_int_equal(t, i);
	}
	for (int i = AUTH_ORG_MEMBER; i <= AUTH_ORG_ADMIN; i++) {
		assert_int_equal(auth_org_role_parse(auth_org_role_str(i), &r),
				 0);
		assert_int_equal(r, i);
	}
	assert_int_equal(auth_tier_parse("Gold", &t), -1);
	assert_int_equal(auth_tier_parse(NULL, &t), -1);
	assert_int_equal(auth_org_role_parse("", &r), -1);
	assert_string_equal(auth_tier_str((enum auth_tier)42), "unknown");
	for (int i = AUTH_ERR_TIME_RANGE; i <= AUTH_OK; i++)
		assert_string_not_equal(auth_result_str(i),
					"unknown auth error");
	assert_string_equal(auth_result_str(-99), "unknown auth error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(minted_token_verifies_with_all_claims),
		cmocka_unit_test(
			minted_customer_gets_defaults_and_no_agent_claims),
		cmocka_unit_test(omitted_optional_claims_take_defaults),
		cmocka_unit_test(wrong_secret_is_signature_error),
		cmocka_unit_test(tampered_payload_is_signature_error),
		cmocka_unit_test(alg_none_is_refused),
		cmocka_unit_test(hs512_with_right_secret_is_refused),
		cmocka_unit_test(hs384_with_right_secret_is_refused),
		cmocka_unit_test(hs512_header_with_hs256_sized_mac_is_refused),
		cmocka_unit_test(rs256_header_is_refused),
		cmocka_unit_test(typ_other_than_jwt_or_crit_is_refused),
		cmocka_unit_test(expired_is_refused),
		cmocka_unit_test(missing_exp_is_refused),
		cmocka_unit_test(future_nbf_is_refused),
		cmocka_unit_test(leeway_is_honoured),
		cmocka_unit_test(unknown_kid_is_refused),
		cmocka_unit_test(missing_kid_is_refused),
		cmocka_unit_test(out_of_range_times_are_refused),
		cmocka_unit_test(rotated_keys_both_verify),
		cmocka_unit_test(issuer_and_audience_mismatch_refused),
		cmocka_unit_test(audience_string_or_array_accepted),
		cmocka_unit_test(missing_sub_or_role_is_malformed),
		cmocka_unit_test(bad_sub_refused),
		cmocka_unit_test(bad_role_refused),
		cmocka_unit_test(bad_tier_and_org_role_refused),
		cmocka_unit_test(bad_capacity_refused),
		cmocka_unit_test(bad_skills_refused),
		cmocka_unit_test(bad_strings_refused),
		cmocka_unit_test(duplicate_claim_is_malformed),
		cmocka_unit_test(garbage_tokens_refused_without_crashing),
		cmocka_unit_test(oversized_but_well_signed_token_is_malformed),
		cmocka_unit_test(failure_leaves_out_untouched),
		cmocka_unit_test(keys_parse_accepts_several_keys),
		cmocka_unit_test(keys_parse_refuses_bad_specs),
		cmocka_unit_test(keys_parse_keeps_config_on_error),
		cmocka_unit_test(mint_refuses_what_verify_would_refuse),
		cmocka_unit_test(names_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
