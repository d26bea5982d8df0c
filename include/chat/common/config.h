/*
 * config: chatd serve's settings from defaults, an optional file
 * (--config FILE, lines "name = value"), CHAT_* environment variables and
 * flags, in that order of precedence (flags win). Validates every value; an
 * invalid setting is one clear error line.
 */
#ifndef CHAT_CONFIG_H
#define CHAT_CONFIG_H

#include <stddef.h>

struct config {
	char *host;	       /* listen address */
	long port;	       /* 0 = any free port */
	char *port_file;       /* write the bound port here; NULL = don't */
	char *redis;	       /* redis://host:port or unix:/path */
	char *jwt_keys;	       /* kid:hex[,kid:hex] */
	char *jwt_issuer;      /* NULL = not checked */
	char *jwt_audience;    /* NULL = not checked */
	char *id_secret;       /* hex, >= 32 bytes; shared by all nodes */
	char *origins;	       /* comma-separated allowed Origins; "*" = any */
	char *web_root;	       /* static files; "" = none */
	long max_frame;	       /* inbound frame cap, bytes */
	long rx_buffer;	       /* lws rx buffer per connection, bytes */
	long out_queue;	       /* outbound frames queued before 4008 */
	long out_soft_bytes;   /* outbound bytes allowed for a while */
	long out_soft_seconds; /* ... this long */
	long out_hard_bytes;   /* outbound bytes: close at once */
	long rate;  /* request cost units per second per connection */
	long burst; /* token bucket size, cost units */
	long auth_timeout_ms;
	long page;		 /* replay page size */
	long history_bytes;	 /* bytes of events in a history page */
	long idem_ttl_s;	 /* client ids kept after the last activity */
	long retention_s;	 /* closed conversations kept; 0 = forever */
	long waiting_timeout_s;	 /* unclaimed conversations closed; 0 = never */
	long idle_timeout_s;	 /* idle assigned ones closed; 0 = never */
	long outbox_scan_ms;	 /* outbox consumer: scan period */
	long outbox_lease_ms;	 /* and a node's lease on a shard */
	long replica_acks;	 /* replicas a write must reach; 0 = off */
	long replica_timeout_ms; /* how long to wait for them */
	long bus_ping_ms;	 /* probe the SUBSCRIBE connection this often */
	long bus_deadline_ms;	 /* drop it after this long without an answer */
	char *policy;		 /* support policy file; NULL = built-in */
	/* email: on when smtp_url is set */
	char *smtp_url;	 /* smtp://host:port or smtps://; NULL = off */
	char *smtp_user; /* NULL = no AUTH */
	char *smtp_password;
	long smtp_starttls;	/* 1: refuse a relay without STARTTLS */
	char *smtp_ca_file;	/* NULL = the system's CAs */
	long smtp_timeout_ms;	/* one whole send */
	char *mail_from;	/* the From address of every mail */
	char *mail_from_name;	/* its display name */
	char *reply_domain;	/* reply+TOKEN@ this; message ids too */
	char *reply_keys;	/* id:hex[,id:hex]: reply token keys */
	long reply_days;	/* how long a mail can be answered */
	long mail_tries;	/* sends before a mail is dead-lettered */
	long mail_retry_ms;	/* first retry after this; doubles */
	long mail_retry_max_ms; /* longest wait between tries */
	long notify_delay_s;	/* unread agent replies mailed after this */
	long notify_gap_s;	/* at least this between two notifications */
	long mail_max_bytes;	/* largest inbound mail accepted */
	char *inbound_secret;	/* HTTP inbound mail; NULL = endpoint off */
	char *dashboard_url;	/* where chats start, for the auto-reply */
	char *node;		/* node name for logs; default host:pid */
	char *log_level;	/* debug|info|warn|error */
};

/*
 * Fills cfg from defaults, file, environment and argv (after the
 * subcommand). Returns 0, 1 when --help was printed, or -1 after printing
 * one error line. Free with config_cleanup().
 */
int config_load(struct config *cfg, int argc, char **argv);
void config_cleanup(struct config *cfg);
void config_usage(void);

#endif
