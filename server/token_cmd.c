/*
 * token_cmd: `chatd token` turns flags (and CHAT_JWT_* environment
 * variables) into struct auth_claims and a key set, then prints
 * auth_mint()'s token. Every check of a claim's value is auth's
 * (auth_claims_check, auth_keys_parse); this file only reads flags.
 */
#include "token_cmd.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/auth.h"
#include "chat/common/util.h"

#define TTL_DEFAULT_S 3600
#define TTL_MAX_S (3650LL * 86400)
#define CAPACITY_DEFAULT 3

struct token_opts {
	struct auth_claims claims;
	const char *keys;     /* borrowed from argv or the environment */
	const char *kid;      /* NULL = first key */
	const char *issuer;   /* NULL = none */
	const char *audience; /* NULL = none */
	int64_t ttl_s;
	bool agent_flags; /* --skills or --capacity given */
};

static const struct option long_opts[] = {
	{"sub", required_argument, NULL, 's'},
	{"name", required_argument, NULL, 'n'},
	{"email", required_argument, NULL, 'e'},
	{"role", required_argument, NULL, 'r'},
	{"org", required_argument, NULL, 'o'},
	{"org-role", required_argument, NULL, 'O'},
	{"site", required_argument, NULL, 'S'},
	{"tier", required_argument, NULL, 't'},
	{"skills", required_argument, NULL, 'k'},
	{"capacity", required_argument, NULL, 'c'},
	{"ttl", required_argument, NULL, 'T'},
	{"kid", required_argument, NULL, 'K'},
	{"keys", required_argument, NULL, 'y'},
	{"iss", required_argument, NULL, 'i'},
	{"aud", required_argument, NULL, 'a'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static void usage(void)
{
	fputs("usage: chatd token --sub ID [options]\n"
	      "Prints a signed development token (HS256) on stdout.\n"
	      "  --sub ID            user id (required)\n"
	      "  --name NAME         display name (default: the id)\n"
	      "  --email ADDR        email address\n"
	      "  --role ROLE         customer (default), agent or admin\n"
	      "  --org ID            organization\n"
	      "  --org-role ROLE     member (default), unprivileged or admin\n"
	      "  --site ID           site context (default: personal)\n"
	      "  --tier TIER         silver (default), gold, platinum, "
	      "diamond\n"
	      "  --skills A,B        agent skills (agents and admins)\n"
	      "  --capacity N        concurrent chats, 1..100 (default 3)\n"
	      "  --ttl DURATION      lifetime, N[s|m|h|d] (default 3600)\n"
	      "  --kid KID           signing key id (default: the first key)\n"
	      "  --keys SPEC         kid:hexsecret[,...] (default "
	      "$CHAT_JWT_KEYS)\n"
	      "  --iss ISSUER        iss claim (default $CHAT_JWT_ISSUER)\n"
	      "  --aud AUDIENCE      aud claim (default $CHAT_JWT_AUDIENCE)\n"
	      "  --help              show this help\n",
	      stdout);
}

__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("chatd token: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

static int copy_flag(const char *flag, const char *val, char *buf, size_t cap)
{
	size_t len = strlen(val);

	if (len >= cap)
		return fail("--%s is longer than %zu bytes", flag, cap - 1);
	memcpy(buf, val, len + 1);
	return 0;
}

/* Digits only: strtoll alone would take signs, spaces and hex. */
static int parse_count(const char *s, long long max, long long *out)
{
	long long n = 0;
	size_t i = 0;

	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		n = n * 10 + (s[i] - '0');
		if (n > max)
			return -1;
	}
	*out = n;
	return i == 0 ? -1 : (int)i;
}

static int parse_ttl(const char *s, int64_t *out)
{
	static const char units[] = "smhd";
	static const long long mult[] = {1, 60, 3600, 86400};
	const char *unit;
	long long n;
	int len = parse_count(s, 1000000000000LL, &n);

	if (len < 0)
		return fail("--ttl wants N, Ns, Nm, Nh or Nd, got \"%s\"", s);
	unit = s[len] ? strchr(units, s[len]) : units;
	if (!unit || (s[len] && s[len + 1]))
		return fail("--ttl wants N, Ns, Nm, Nh or Nd, got \"%s\"", s);
	n *= mult[unit - units];
	if (n < 1 || n > TTL_MAX_S)
		return fail("--ttl must be 1s..3650d");
	*out = n;
	return 0;
}

static int parse_capacity(const char *s, unsigned *out)
{
	long long n;
	int len = parse_count(s, 100, &n);

	if (len < 0 || s[len] || n < 1)
		return fail("--capacity must be a number 1..100, got \"%s\"",
			    s);
	*out = (unsigned)n;
	return 0;
}

static int parse_skills(const char *s, struct auth_claims *c)
{
	c->n_skills = 0;
	while (*s) {
		size_t len = strcspn(s, ",");

		if (c->n_skills == AUTH_SKILLS_MAX)
			return fail("--skills takes at most %d names",
				    AUTH_SKILLS_MAX);
		if (len == 0 || len >= sizeof(c->skills[0]))
			return fail("--skills names must be 1..%zu bytes",
				    sizeof(c->skills[0]) - 1);
		memcpy(c->skills[c->n_skills], s, len);
		c->skills[c->n_skills++][len] = '\0';
		s += len;
		if (*s == ',' && !*++s)
			return fail("--skills ends with a comma");
	}
	return 0;
}

static int parse_enum_flag(int opt, const char *arg, struct auth_claims *c)
{
	if (opt == 'r' && proto_role_parse(arg, &c->role) < 0)
		return fail("--role must be customer, agent or admin");
	if (opt == 'O' && auth_org_role_parse(arg, &c->org_role) < 0)
		return fail("--org-role must be member, unprivileged or admin");
	if (opt == 't' && auth_tier_parse(arg, &c->tier) < 0)
		return fail("--tier must be silver, gold, platinum or diamond");
	return 0;
}

static int apply_option(int opt, const char *arg, struct token_opts *o)
{
	struct auth_claims *c = &o->claims;

	switch (opt) {
	case 's':
		return copy_flag("sub", arg, c->sub, sizeof(c->sub));
	case 'n':
		return copy_flag("name", arg, c->name, sizeof(c->name));
	case 'e':
		return copy_flag("email", arg, c->email, sizeof(c->email));
	case 'o':
		return copy_flag("org", arg, c->org, sizeof(c->org));
	case 'S':
		return copy_flag("site", arg, c->site, sizeof(c->site));
	case 'r':
	case 'O':
	case 't':
		return parse_enum_flag(opt, arg, c);
	case 'k':
		o->agent_flags = true;
		return parse_skills(arg, c);
	case 'c':
		o->agent_flags = true;
		return parse_capacity(arg, &c->capacity);
	case 'T':
		return parse_ttl(arg, &o->ttl_s);
	case 'K':
		o->kid = arg;
		return 0;
	case 'y':
		o->keys = arg;
		return 0;
	case 'i':
		o->issuer = arg;
		return 0;
	case 'a':
		o->audience = arg;
		return 0;
	}
	return 2;
}

/* getopt has already stepped past the offending word. */
static int bad_option(int opt, char **argv)
{
	const char *word = argv[optind - 1];

	if (opt == ':')
		return fail("%s needs a value", word);
	if (strncmp(word, "--", 2) == 0 && strchr(word, '='))
		return fail("%.*s takes no value", (int)strcspn(word, "="),
			    word);
	return fail("unknown option %s (see chatd token --help)", word);
}

/* Returns 0, 1 after --help, or 2 after an error line. */
static int parse_args(int argc, char **argv, struct token_opts *o)
{
	int opt, rc;

	optind = 0; /* glibc: full reset, argv[0] is "token" */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		if (opt == 'h') {
			usage();
			return 1;
		}
		if (opt == '?' || opt == ':')
			return bad_option(opt, argv);
		if ((rc = apply_option(opt, optarg, o)) != 0)
			return rc;
	}
	if (optind < argc)
		return fail("unexpected argument \"%s\"", argv[optind]);
	return 0;
}

/* An empty variable counts as unset. */
static const char *env_default(const char *flag_value, const char *name)
{
	const char *v = flag_value ? flag_value : getenv(name);

	return v && *v ? v : NULL;
}

/* Cross-flag rules and the key set; cfg borrows from o. */
static int finish_opts(struct token_opts *o, struct auth_config *cfg)
{
	char err[160];

	if (!o->claims.sub[0])
		return fail("--sub is required");
	if (o->agent_flags && o->claims.role == PROTO_ROLE_CUSTOMER)
		return fail(
			"--skills and --capacity need --role agent or admin");
	if (auth_claims_check(&o->claims, err, sizeof(err)) < 0)
		return fail("%s", err);
	o->keys = env_default(o->keys, "CHAT_JWT_KEYS");
	if (!o->keys)
		return fail(
			"no signing keys: pass --keys or set CHAT_JWT_KEYS");
	cfg->default_kid = o->kid;
	if (auth_keys_parse(cfg, o->keys, err, sizeof(err)) < 0)
		return fail("keys: %s", err);
	cfg->issuer = env_default(o->issuer, "CHAT_JWT_ISSUER");
	cfg->audience = env_default(o->audience, "CHAT_JWT_AUDIENCE");
	return 0;
}

static int mint_and_print(const struct auth_config *cfg,
			  const struct token_opts *o)
{
	char *token = auth_mint(cfg, &o->claims, now_s(), o->ttl_s);
	int rc = 0;

	if (!token) {
		fputs("chatd token: could not sign the token\n", stderr);
		return 1;
	}
	if (printf("%s\n", token) < 0 || fflush(stdout) != 0) {
		perror("chatd token: stdout");
		rc = 1;
	}
	free(token);
	return rc;
}

int token_cmd_main(int argc, char **argv)
{
	struct token_opts o;
	struct auth_config cfg;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&cfg, 0, sizeof(cfg));
	o.claims.capacity = CAPACITY_DEFAULT;
	o.ttl_s = TTL_DEFAULT_S;
	rc = parse_args(argc, argv, &o);
	if (rc == 1)
		return 0; /* --help */
	if (rc == 0)
		rc = finish_opts(&o, &cfg);
	if (rc == 0)
		rc = mint_and_print(&cfg, &o);
	explicit_bzero(cfg.keys, sizeof(cfg.keys));
	return rc;
}
