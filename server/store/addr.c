/*
 * Redis addresses as chatd's --redis gives them: one server
 * (redis://host:port, unix:/path) or a cluster's seed nodes
 * (redis-cluster://host:port,host:port...).
 */
#include "chat/store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses "host[:port]" of len bytes. */
static int parse_host_port(const char *hp, size_t len, struct redis_addr *out)
{
	const char *colon = memrchr(hp, ':', len);
	size_t hlen = colon ? (size_t)(colon - hp) : len;
	long port = 6379;

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
		return parse_host_port(url + 8, strlen(url + 8), out);
	return -1;
}

static int parse_seeds(const char *list, struct redis_config *out,
		       const char **why)
{
	const char *p = list;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (out->n == REDIS_SEEDS_MAX) {
			*why = "too many seed nodes (at most 16)";
			return -1;
		}
		if (parse_host_port(p, len, &out->addrs[out->n])) {
			*why = "each seed node is host:port";
			return -1;
		}
		out->n++;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

int redis_config_parse(const char *url, struct redis_config *out,
		       const char **why)
{
	memset(out, 0, sizeof(*out));
	*why = "want redis://host:port, unix:/path or "
	       "redis-cluster://host:port[,host:port...]";
	if (strncmp(url, "redis-cluster://", 16) == 0) {
		out->cluster = true;
		return parse_seeds(url + 16, out, why);
	}
	if (redis_addr_parse(url, &out->addrs[0]))
		return -1;
	out->n = 1;
	return 0;
}
