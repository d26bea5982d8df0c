/*
 * config: one table lists every setting with its flag, environment
 * variable, type and limits; file, environment and flags all go through
 * set_option(). Not the place for what the settings mean at run time.
 */
#include "chat/common/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/util.h"

enum opt_kind { OPT_STR, OPT_LONG };

struct option_def {
	const char *name; /* flag without "--", file key */
	const char *env;
	enum opt_kind kind;
	size_t offset;
	long min, max;
	const char *def;
	const char *help;
};

#define OFF(f) offsetof(struct config, f)

static const struct option_def options[] = {
	{"host", "CHAT_HOST", OPT_STR, OFF(host), 0, 0, "127.0.0.1",
	 "listen address"},
	{"port", "CHAT_PORT", OPT_LONG, OFF(port), 0, 65535, "8080",
	 "listen port; 0 binds a free port"},
	{"port-file", "CHAT_PORT_FILE", OPT_STR, OFF(port_file), 0, 0, NULL,
	 "write the bound port to this file"},
	{"redis", "CHAT_REDIS", OPT_STR, OFF(redis), 0, 0,
	 "redis://127.0.0.1:6379",
	 "redis://host:port, unix:/path, a cluster's seed nodes: "
	 "redis-cluster://host:port[,host:port...], or the sentinels of a "
	 "primary: redis-sentinel://host:port[,host:port...]/MASTER-NAME"},
	{"jwt-keys", "CHAT_JWT_KEYS", OPT_STR, OFF(jwt_keys), 0, 0, NULL,
	 "token keys kid:hexsecret[,kid:hexsecret] (required)"},
	{"jwt-issuer", "CHAT_JWT_ISSUER", OPT_STR, OFF(jwt_issuer), 0, 0, NULL,
	 "required iss claim"},
	{"jwt-audience", "CHAT_JWT_AUDIENCE", OPT_STR, OFF(jwt_audience), 0, 0,
	 NULL, "required aud claim"},
	{"id-secret", "CHAT_ID_SECRET", OPT_STR, OFF(id_secret), 0, 0, NULL,
	 "hex secret for conversation ids, same on all nodes (required)"},
	{"origins", "CHAT_ORIGINS", OPT_STR, OFF(origins), 0, 0, "",
	 "allowed browser Origins, comma-separated; * allows any"},
	{"web-root", "CHAT_WEB_ROOT", OPT_STR, OFF(web_root), 0, 0, "build/web",
	 "folder of static files served over HTTP; empty for none"},
	{"max-frame", "CHAT_MAX_FRAME", OPT_LONG, OFF(max_frame), 1024,
	 16 << 20, "65536", "largest inbound frame, bytes"},
	{"rx-buffer", "CHAT_RX_BUFFER", OPT_LONG, OFF(rx_buffer), 128, 65536,
	 "512", "receive buffer per connection, bytes"},
	{"out-queue", "CHAT_OUT_QUEUE", OPT_LONG, OFF(out_queue), 8, 1 << 20,
	 "1024", "outbound frames queued per connection before close 4008"},
	{"out-soft-bytes", "CHAT_OUT_SOFT_BYTES", OPT_LONG, OFF(out_soft_bytes),
	 4096, 1L << 30, "1048576",
	 "outbound bytes a connection may hold for out-soft-seconds"},
	{"out-soft-seconds", "CHAT_OUT_SOFT_SECONDS", OPT_LONG,
	 OFF(out_soft_seconds), 0, 3600, "10",
	 "how long a connection may stay over out-soft-bytes before 4008"},
	{"out-hard-bytes", "CHAT_OUT_HARD_BYTES", OPT_LONG, OFF(out_hard_bytes),
	 4096, 1L << 30, "4194304",
	 "outbound bytes queued per connection before close 4008 at once"},
	{"rate", "CHAT_RATE", OPT_LONG, OFF(rate), 1, 1000000, "20",
	 "request cost units per second per connection"},
	{"burst", "CHAT_BURST", OPT_LONG, OFF(burst), 1, 1000000, "60",
	 "request cost units a connection may spend at once"},
	{"auth-timeout-ms", "CHAT_AUTH_TIMEOUT_MS", OPT_LONG,
	 OFF(auth_timeout_ms), 100, 600000, "5000",
	 "time allowed for the auth frame"},
	{"page", "CHAT_PAGE", OPT_LONG, OFF(page), 1, 1000, "100",
	 "events per replay page"},
	{"history-bytes", "CHAT_HISTORY_BYTES", OPT_LONG, OFF(history_bytes),
	 1024, 16 << 20, "262144", "bytes of events in one history page"},
	{"idem-ttl", "CHAT_IDEM_TTL", OPT_LONG, OFF(idem_ttl_s), 3600,
	 365L * 86400, "86400",
	 "seconds client ids are remembered after a conversation's last "
	 "activity"},
	{"retention", "CHAT_RETENTION", OPT_LONG, OFF(retention_s), 0,
	 100L * 365 * 86400, "0",
	 "seconds a closed conversation is kept; 0 keeps it forever"},
	{"waiting-timeout", "CHAT_WAITING_TIMEOUT", OPT_LONG,
	 OFF(waiting_timeout_s), 0, 365L * 86400, "86400",
	 "close a conversation nobody claimed for this many seconds; 0: never"},
	{"idle-timeout", "CHAT_IDLE_TIMEOUT", OPT_LONG, OFF(idle_timeout_s), 0,
	 365L * 86400, "86400",
	 "close an assigned conversation idle for this many seconds; 0: never"},
	{"replica-acks", "CHAT_REPLICA_ACKS", OPT_LONG, OFF(replica_acks), 0,
	 16, "0",
	 "replicas a write must reach before it is acked (WAIT); 0: off"},
	{"replica-timeout-ms", "CHAT_REPLICA_TIMEOUT_MS", OPT_LONG,
	 OFF(replica_timeout_ms), 1, 5000, "1000",
	 "how long a write waits for those replicas before answering "
	 "unavailable"},
	{"outbox-scan-ms", "CHAT_OUTBOX_SCAN_MS", OPT_LONG, OFF(outbox_scan_ms),
	 10, 600000, "1000",
	 "look for outbox entries no node has applied this often"},
	{"outbox-lease-ms", "CHAT_OUTBOX_LEASE_MS", OPT_LONG,
	 OFF(outbox_lease_ms), 100, 3600000, "5000",
	 "a node's hold on a shard's outbox; another takes over after it"},
	{"bus-ping-ms", "CHAT_BUS_PING_MS", OPT_LONG, OFF(bus_ping_ms), 10,
	 600000, "1000", "probe the pub/sub connection this often"},
	{"bus-deadline-ms", "CHAT_BUS_DEADLINE_MS", OPT_LONG,
	 OFF(bus_deadline_ms), 20, 3600000, "3000",
	 "reconnect the pub/sub connection after this long without an answer"},
	{"policy", "CHAT_POLICY", OPT_STR, OFF(policy), 0, 0, NULL,
	 "support policy file (JSON); without one the built-in policy "
	 "applies, the values of deploy/support-policy.json"},
	{"smtp-url", "CHAT_SMTP_URL", OPT_STR, OFF(smtp_url), 0, 0, NULL,
	 "SMTP relay for outgoing mail, smtp://host:port (STARTTLS when "
	 "offered) or smtps://host:port; unset: no mail is sent"},
	{"smtp-user", "CHAT_SMTP_USER", OPT_STR, OFF(smtp_user), 0, 0, NULL,
	 "SMTP AUTH user; unset: no AUTH"},
	{"smtp-password", "CHAT_SMTP_PASSWORD", OPT_STR, OFF(smtp_password), 0,
	 0, NULL, "SMTP AUTH password (prefer the environment or the file)"},
	{"smtp-starttls", "CHAT_SMTP_STARTTLS", OPT_LONG, OFF(smtp_starttls), 0,
	 1, "0", "1: refuse to send unless the relay does STARTTLS"},
	{"smtp-ca-file", "CHAT_SMTP_CA_FILE", OPT_STR, OFF(smtp_ca_file), 0, 0,
	 NULL, "CA certificates for the relay; unset: the system's"},
	{"smtp-timeout-ms", "CHAT_SMTP_TIMEOUT_MS", OPT_LONG,
	 OFF(smtp_timeout_ms), 100, 600000, "30000",
	 "longest one send may take; shorter than mail-retry-ms"},
	{"mail-from", "CHAT_MAIL_FROM", OPT_STR, OFF(mail_from), 0, 0, NULL,
	 "From address of every mail; unset: chat@REPLY-DOMAIN"},
	{"mail-from-name", "CHAT_MAIL_FROM_NAME", OPT_STR, OFF(mail_from_name),
	 0, 0, "Support", "display name of the From address"},
	{"reply-domain", "CHAT_REPLY_DOMAIN", OPT_STR, OFF(reply_domain), 0, 0,
	 NULL,
	 "domain whose reply+TOKEN addresses reach chatd mail-ingest "
	 "(required with smtp-url)"},
	{"reply-keys", "CHAT_REPLY_KEYS", OPT_STR, OFF(reply_keys), 0, 0, NULL,
	 "reply token keys id:hexsecret[,id:hexsecret], the first signs "
	 "(required with smtp-url and for mail-ingest)"},
	{"reply-days", "CHAT_REPLY_DAYS", OPT_LONG, OFF(reply_days), 1, 3650,
	 "90", "days a mail can be answered"},
	{"mail-tries", "CHAT_MAIL_TRIES", OPT_LONG, OFF(mail_tries), 1, 100,
	 "8", "sends of one mail before it goes to the dead letters"},
	{"mail-retry-ms", "CHAT_MAIL_RETRY_MS", OPT_LONG, OFF(mail_retry_ms),
	 200, 86400000, "60000",
	 "wait before the first retry of a failed send; doubles each try"},
	{"mail-retry-max-ms", "CHAT_MAIL_RETRY_MAX_MS", OPT_LONG,
	 OFF(mail_retry_max_ms), 200, 86400000, "3600000",
	 "longest wait between two tries"},
	{"notify-delay-s", "CHAT_NOTIFY_DELAY_S", OPT_LONG, OFF(notify_delay_s),
	 0, 86400, "120",
	 "agent replies the customer has not read after this are mailed"},
	{"notify-gap-s", "CHAT_NOTIFY_GAP_S", OPT_LONG, OFF(notify_gap_s), 0,
	 86400, "900", "at least this between two notifications"},
	{"mail-max-bytes", "CHAT_MAIL_MAX_BYTES", OPT_LONG, OFF(mail_max_bytes),
	 4096, 100 << 20, "10485760", "largest inbound mail accepted"},
	{"inbound-secret", "CHAT_INBOUND_SECRET", OPT_STR, OFF(inbound_secret),
	 0, 0, NULL,
	 "shared secret of POST /mail/inbound (at least 16 characters); "
	 "unset: the endpoint is off"},
	{"dashboard-url", "CHAT_DASHBOARD_URL", OPT_STR, OFF(dashboard_url), 0,
	 0, "", "where customers start a chat, named in the auto-reply"},
	{"node", "CHAT_NODE", OPT_STR, OFF(node), 0, 0, NULL,
	 "node name in logs"},
	{"log-level", "CHAT_LOG_LEVEL", OPT_STR, OFF(log_level), 0, 0, "info",
	 "debug, info, warn or error"},
};

#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

static const struct option_def *find_option(const char *name)
{
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (strcmp(options[i].name, name) == 0)
			return &options[i];
	return NULL;
}

static int set_option(struct config *cfg, const struct option_def *o,
		      const char *value, const char *source)
{
	char *base = (char *)cfg;

	if (o->kind == OPT_LONG) {
		char *end;
		long v;

		errno = 0;
		v = strtol(value, &end, 10);
		if (errno || end == value || *end || v < o->min || v > o->max) {
			fprintf(stderr,
				"chatd: invalid %s '%s' (%s): want an integer "
				"from %ld to %ld\n",
				o->name, value, source, o->min, o->max);
			return -1;
		}
		*(long *)(base + o->offset) = v;
		return 0;
	}
	free(*(char **)(base + o->offset));
	*(char **)(base + o->offset) = xstrdup(value);
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int load_file_line(struct config *cfg, char *line, const char *path,
			  int lineno)
{
	char *eq, *key, source[300];
	const struct option_def *o;

	line = trim(line);
	if (!*line || *line == '#')
		return 0;
	snprintf(source, sizeof(source), "%s:%d", path, lineno);
	eq = strchr(line, '=');
	if (!eq) {
		fprintf(stderr, "chatd: %s: expected 'name = value'\n", source);
		return -1;
	}
	*eq = '\0';
	key = trim(line);
	o = find_option(key);
	if (!o) {
		fprintf(stderr, "chatd: %s: unknown setting '%s'\n", source,
			key);
		return -1;
	}
	return set_option(cfg, o, trim(eq + 1), source);
}

static int load_file(struct config *cfg, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int lineno = 0, rc = 0;

	if (!f) {
		fprintf(stderr, "chatd: cannot read config file %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f))
		rc = load_file_line(cfg, line, path, ++lineno);
	fclose(f);
	return rc;
}

static const char *find_config_path(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			return argv[i + 1];
		if (strncmp(argv[i], "--config=", 9) == 0)
			return argv[i] + 9;
	}
	return getenv("CHAT_CONFIG");
}

static int load_defaults_and_env(struct config *cfg)
{
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (options[i].def &&
		    set_option(cfg, &options[i], options[i].def, "default"))
			return -1;
	return 0;
}

static int load_env(struct config *cfg)
{
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const char *v = getenv(options[i].env);

		if (v && set_option(cfg, &options[i], v, options[i].env))
			return -1;
	}
	return 0;
}

static int load_flag(struct config *cfg, int argc, char **argv, int *i)
{
	char name[64];
	const char *arg = argv[*i], *value, *eq;
	const struct option_def *o;

	if (strncmp(arg, "--", 2) != 0) {
		fprintf(stderr, "chatd: unexpected argument '%s'\n", arg);
		return -1;
	}
	eq = strchr(arg, '=');
	snprintf(name, sizeof(name), "%.*s",
		 (int)(eq ? (size_t)(eq - arg - 2) : strlen(arg + 2)), arg + 2);
	if (strcmp(name, "config") == 0) {
		*i += eq ? 0 : 1;
		return 0;
	}
	o = find_option(name);
	if (!o) {
		fprintf(stderr, "chatd: unknown option '--%s' (see --help)\n",
			name);
		return -1;
	}
	if (eq) {
		value = eq + 1;
	} else if (*i + 1 < argc) {
		value = argv[++*i];
	} else {
		fprintf(stderr, "chatd: option '--%s' needs a value\n", name);
		return -1;
	}
	return set_option(cfg, o, value, "flag");
}

/* smtp:// or smtps://, a host, and a port of digits when one is given. */
static bool smtp_url_ok(const char *url)
{
	const char *rest = strncmp(url, "smtp://", 7) == 0    ? url + 7
			   : strncmp(url, "smtps://", 8) == 0 ? url + 8
							      : NULL;
	size_t host, end;

	if (!rest)
		return false;
	end = strcspn(rest, "/");
	host = strcspn(rest, ":/");
	if (host == 0)
		return false;
	if (host == end)
		return true;
	if (end == host + 1)
		return false;
	for (size_t i = host + 1; i < end; i++)
		if (!isdigit((unsigned char)rest[i]))
			return false;
	return true;
}

/* Mail needs where replies go and how they are signed; the relay must
 * give up on a send before a retry could start it again elsewhere. */
static int check_mail(const struct config *cfg)
{
	if (cfg->inbound_secret && strlen(cfg->inbound_secret) < 16) {
		fprintf(stderr, "chatd: --inbound-secret must be at least 16 "
				"characters\n");
		return -1;
	}
	if (!cfg->smtp_url)
		return 0;
	if (!smtp_url_ok(cfg->smtp_url)) {
		fprintf(stderr,
			"chatd: invalid smtp-url '%s': want smtp://host:port "
			"or "
			"smtps://host:port\n",
			cfg->smtp_url);
		return -1;
	}
	if (!cfg->reply_domain || !*cfg->reply_domain || !cfg->reply_keys ||
	    !*cfg->reply_keys) {
		fprintf(stderr, "chatd: --smtp-url needs --reply-domain and "
				"--reply-keys (CHAT_REPLY_KEYS)\n");
		return -1;
	}
	if (cfg->smtp_timeout_ms >= cfg->mail_retry_ms) {
		fprintf(stderr,
			"chatd: --smtp-timeout-ms (%ld) must be shorter than "
			"--mail-retry-ms (%ld)\n",
			cfg->smtp_timeout_ms, cfg->mail_retry_ms);
		return -1;
	}
	if (cfg->mail_retry_max_ms < cfg->mail_retry_ms) {
		fprintf(stderr, "chatd: --mail-retry-max-ms must be at least "
				"--mail-retry-ms\n");
		return -1;
	}
	return 0;
}

static int validate(struct config *cfg)
{
	static const char *levels[] = {"debug", "info", "warn", "error"};
	bool level_ok = false;

	for (size_t i = 0; i < 4; i++)
		level_ok |= strcmp(cfg->log_level, levels[i]) == 0;
	if (!level_ok) {
		fprintf(stderr, "chatd: invalid log-level '%s'\n",
			cfg->log_level);
		return -1;
	}
	if (!cfg->jwt_keys || !*cfg->jwt_keys) {
		fprintf(stderr, "chatd: no token keys: set --jwt-keys or "
				"CHAT_JWT_KEYS (kid:hexsecret)\n");
		return -1;
	}
	if (!cfg->id_secret || strlen(cfg->id_secret) < 64) {
		fprintf(stderr, "chatd: --id-secret / CHAT_ID_SECRET must be "
				"at least 64 hex digits\n");
		return -1;
	}
	if (cfg->outbox_lease_ms <= cfg->outbox_scan_ms) {
		fprintf(stderr,
			"chatd: --outbox-lease-ms (%ld) must be longer than "
			"--outbox-scan-ms (%ld)\n",
			cfg->outbox_lease_ms, cfg->outbox_scan_ms);
		return -1;
	}
	if (check_mail(cfg))
		return -1;
	if (cfg->bus_deadline_ms <= cfg->bus_ping_ms) {
		fprintf(stderr,
			"chatd: --bus-deadline-ms (%ld) must be longer than "
			"--bus-ping-ms (%ld)\n",
			cfg->bus_deadline_ms, cfg->bus_ping_ms);
		return -1;
	}
	if (strncmp(cfg->redis, "redis://", 8) != 0 &&
	    strncmp(cfg->redis, "unix:", 5) != 0 &&
	    strncmp(cfg->redis, "redis-cluster://", 16) != 0 &&
	    strncmp(cfg->redis, "redis-sentinel://", 17) != 0) {
		fprintf(stderr,
			"chatd: invalid redis '%s': want redis://host:port, "
			"unix:/path, redis-cluster://host:port[,host:port...] "
			"or redis-sentinel://host:port[,host:port...]/NAME\n",
			cfg->redis);
		return -1;
	}
	return 0;
}

void config_usage(void)
{
	printf("usage: chatd serve [--config FILE] [--NAME VALUE ...]\n\n"
	       "Settings (flag / environment / default):\n");
	for (size_t i = 0; i < N_OPTIONS; i++)
		printf("  --%-16s %-22s %s%s%s%s\n", options[i].name,
		       options[i].env, options[i].help,
		       options[i].def ? " [" : "",
		       options[i].def ? options[i].def : "",
		       options[i].def ? "]" : "");
	printf("\nA config file holds lines 'name = value' using the flag "
	       "names.\n");
}

int config_load(struct config *cfg, int argc, char **argv)
{
	const char *path;

	memset(cfg, 0, sizeof(*cfg));
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			config_usage();
			return 1;
		}
	path = find_config_path(argc, argv);
	if (load_defaults_and_env(cfg) || (path && load_file(cfg, path)) ||
	    load_env(cfg))
		return -1;
	for (int i = 1; i < argc; i++)
		if (load_flag(cfg, argc, argv, &i))
			return -1;
	return validate(cfg);
}

void config_cleanup(struct config *cfg)
{
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (options[i].kind == OPT_STR) {
			char **p = (char **)((char *)cfg + options[i].offset);

			free(*p);
			*p = NULL;
		}
}
