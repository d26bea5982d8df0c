/*
 * Redis addresses as chatd's --redis gives them: one server
 * (redis://host:port, unix:/path), a cluster's seed nodes
 * (redis-cluster://host:port,host:port...) or the sentinels that know a
 * primary (redis-sentinel://host:port,host:port.../MASTER-NAME).
 */
#include "chat/store/store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REDIS_PORT 6379
#define SENTINEL_PORT 26379

/* Parses "host[:port]" of len bytes. */
static int parse_host_port(const char *hp, size_t len, long port,
			   struct redis_addr *out)
{
	const char *colon = memrchr(hp, ':', len);
	size_t hlen = colon ? (size_t)(colon - hp) : len;

	if (colon) {
		char digits[8], *end;
		size_t dlen = len - hlen - 1;

		if (dlen == 0 || dlen >= sizeof(digits))
			return -1;
		memcpy(digits, colon + 1, dlen);
		digits[dlen] = '\0';
		port = strtol(digits, &end, 10);
		if (*end || port < 1 || port > 65535)
			return -1;
	}
	if (!hlen || hlen >= sizeof(out->host))
		return -1;
	memset(out, 0, sizeof(*out));
	memcpy(out->host, hp, hlen);
	out->port = (int)port;
	return 0;
}

int redis_addr_parse(const char *url, struct redis_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (strncmp(url, "unix:", 5) == 0) {
		const char *p = url + 5;

		if (!*p || strlen(p) >= sizeof(out->path))
			return -1;
		snprintf(out->path, sizeof(out->path), "%s", p);
		return 0;
	}
	if (strncmp(url, "redis://", 8) == 0)
		return parse_host_port(url + 8, strlen(url + 8), REDIS_PORT,
				       out);
	return -1;
}

/* Parses the len bytes at list: host:port[,host:port...]. */
static int parse_seeds(const char *list, size_t len, long port,
		       struct redis_config *out, const char **why)
{
	const char *p = list, *end = list + len;

	for (;;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t n = (size_t)((comma ? comma : end) - p);

		if (out->n == REDIS_SEEDS_MAX) {
			*why = "too many seed nodes or sentinels (at most 16)";
			return -1;
		}
		if (parse_host_port(p, n, port, &out->addrs[out->n])) {
			*why = out->sentinel ? "each sentinel is host:port"
					     : "each seed node is host:port";
			return -1;
		}
		out->n++;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

/* The master name as the sentinels' configuration gives it: letters,
 * digits and . - _ (what "sentinel monitor" accepts in practice). */
static bool valid_master_name(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= sizeof(((struct redis_config *)0)->master))
		return false;
	for (const char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr(".-_", *c))
			return false;
	return true;
}

static int parse_sentinel(const char *rest, struct redis_config *out,
			  const char **why)
{
	const char *slash = strchr(rest, '/');

	out->sentinel = true;
	if (!slash) {
		*why = "want redis-sentinel://host:port[,host:port...]/"
		       "MASTER-NAME (the name is missing)";
		return -1;
	}
	if (!valid_master_name(slash + 1)) {
		*why = "the master name is 1 to 127 letters, digits, '.', "
		       "'-' or '_'";
		return -1;
	}
	snprintf(out->master, sizeof(out->master), "%s", slash + 1);
	return parse_seeds(rest, (size_t)(slash - rest), SENTINEL_PORT, out,
			   why);
}

int redis_config_parse(const char *url, struct redis_config *out,
		       const char **why)
{
	memset(out, 0, sizeof(*out));
	*why = "want redis://host:port, unix:/path, "
	       "redis-cluster://host:port[,host:port...] or "
	       "redis-sentinel://host:port[,host:port...]/MASTER-NAME";
	if (strncmp(url, "redis-cluster://", 16) == 0) {
		out->cluster = true;
		return parse_seeds(url + 16, strlen(url + 16), REDIS_PORT, out,
				   why);
	}
	if (strncmp(url, "redis-sentinel://", 17) == 0)
		return parse_sentinel(url + 17, out, why);
	if (redis_addr_parse(url, &out->addrs[0]))
		return -1;
	out->n = 1;
	return 0;
}
