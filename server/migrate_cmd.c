/*
 * migrate_cmd: moves every conversation stored under the names of the
 * layout before virtual shards ({c:ID}:m, :e, :i, :r) to its shard's
 * names ({T}:c:ID:...), with RENAMENX: a conversation already under its
 * new name is never overwritten, so running it again is safe. Then gives
 * the open conversations of a release before routing their routing state
 * (migrate_route.c). Indexes,
 * canned responses and channels kept their names. Run it with every chatd
 * node stopped, against the one Redis they used (the old layout predates
 * Redis Cluster support; on a cluster a key cannot be renamed into
 * another slot).
 */
#include "migrate_cmd.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "chat/common/util.h"
#include "chat/store/keys.h"
#include "chat/store/store.h"
#include "chat/support/policy.h"
#include "migrate_route.h"

#define SCAN_COUNT "1000"

struct tally {
	unsigned long convs, keys, kept;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: chatd migrate-keys [--redis URL] [--policy FILE] "
		"[--dry-run]\n"
		"  Moves conversations stored by a release before virtual "
		"shards\n"
		"  ({c:ID}:*) to their shard's key names, and puts open "
		"conversations\n"
		"  of a release before routing in the queue (or with their "
		"agent).\n"
		"  Stop every chatd node first.\n"
		"  --redis URL    redis://host:port or unix:/path "
		"[$CHAT_REDIS or redis://127.0.0.1:6379]\n"
		"  --policy FILE  the support policy (queue classes) "
		"[$CHAT_POLICY or built in]\n"
		"  --dry-run      count what would change; change nothing\n");
}

static redisContext *connect_to(const struct redis_addr *addr, const char *url)
{
	redisContext *c = addr->path[0] ? redisConnectUnix(addr->path)
					: redisConnect(addr->host, addr->port);

	if (!c || c->err) {
		fprintf(stderr, "chatd migrate-keys: cannot reach %s: %s\n",
			url, c ? c->errstr : "out of memory");
		redisFree(c);
		return NULL;
	}
	return c;
}

/* The id in "{c:ID}:m", or NULL for another name. */
static const char *old_id(const char *key, char *id, size_t cap)
{
	size_t n = strlen(key);

	if (n < 7 || strncmp(key, "{c:", 3) != 0 ||
	    strcmp(key + n - 3, "}:m") != 0 || n - 6 >= cap)
		return NULL;
	memcpy(id, key + 3, n - 6);
	id[n - 6] = '\0';
	return id;
}

/* Moves one conversation's keys; returns -1 when Redis fails. */
static int move_conv(redisContext *c, const char *id, bool dry, struct tally *t)
{
	static const char parts[] = "meir";
	struct key (*const names[])(const char *) = {
		key_conv_meta, key_conv_events, key_conv_idem, key_conv_reads};

	for (int i = 0; i < 4; i++) {
		char from[KEY_MAX + 8];
		struct key to = names[i](id);
		redisReply *r;

		snprintf(from, sizeof(from), "{c:%s}:%c", id, parts[i]);
		r = redisCommand(c, dry ? "EXISTS %s" : "RENAMENX %s %s", from,
				 to.s);
		if (!r) {
			fprintf(stderr, "chatd migrate-keys: %s\n", c->errstr);
			return -1;
		}
		if (r->type == REDIS_REPLY_INTEGER && (dry || r->integer == 1))
			t->keys += r->integer == 1;
		else if (r->type == REDIS_REPLY_INTEGER)
			t->kept++; /* the new name exists: never overwritten */
		/* an error: the old key is not there (no reads yet, ...) */
		freeReplyObject(r);
	}
	t->convs++;
	return 0;
}

static int migrate(redisContext *c, bool dry, struct tally *t)
{
	char cursor[32] = "0", id[KEY_MAX];

	do {
		redisReply *r =
			redisCommand(c, "SCAN %s MATCH {c:*}:m COUNT %s",
				     cursor, SCAN_COUNT);

		if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
			fprintf(stderr, "chatd migrate-keys: SCAN failed: %s\n",
				r && r->type == REDIS_REPLY_ERROR ? r->str
								  : c->errstr);
			freeReplyObject(r);
			return -1;
		}
		snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
		for (size_t i = 0; i < r->element[1]->elements; i++) {
			const redisReply *k = r->element[1]->element[i];

			if (k->type == REDIS_REPLY_STRING &&
			    old_id(k->str, id, sizeof(id)) &&
			    move_conv(c, id, dry, t)) {
				freeReplyObject(r);
				return -1;
			}
		}
		freeReplyObject(r);
	} while (strcmp(cursor, "0") != 0);
	return 0;
}

int migrate_cmd_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"redis", required_argument, NULL, 'r'},
		{"dry-run", no_argument, NULL, 'd'},
		{"policy", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *url = getenv("CHAT_REDIS"), *policy = getenv("CHAT_POLICY");
	struct policy *p = xmalloc(sizeof(*p));
	unsigned long routed = 0;
	char err[256];
	struct redis_addr addr;
	struct tally t = {0, 0, 0};
	bool dry = false;
	redisContext *c;
	int o, rc;

	if (!url || !*url)
		url = "redis://127.0.0.1:6379";
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'r') {
			url = optarg;
		} else if (o == 'd') {
			dry = true;
		} else if (o == 'p') {
			policy = optarg;
		} else if (o == 'h') {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	policy_defaults(p);
	if (optind < argc) {
		usage(stderr);
		free(p);
		return 2;
	}
	if (policy && *policy && policy_load(p, policy, err, sizeof(err))) {
		fprintf(stderr, "chatd migrate-keys: %s\n", err);
		free(p);
		return 2;
	}
	if (redis_addr_parse(url, &addr)) {
		fprintf(stderr,
			"chatd migrate-keys: invalid --redis '%s': want "
			"redis://host:port or unix:/path\n",
			url);
		free(p);
		return 2;
	}
	c = connect_to(&addr, url);
	if (!c) {
		free(p);
		return 1;
	}
	rc = migrate(c, dry, &t);
	if (rc == 0)
		rc = migrate_route(c, p, dry, &routed);
	redisFree(c);
	free(p);
	printf("%s %lu conversations (%lu keys)%s",
	       dry ? "would move" : "moved", t.convs, t.keys,
	       t.kept ? "" : "\n");
	if (t.kept)
		printf("; %lu keys left where a new one exists\n", t.kept);
	printf("%s %lu open conversations in the queue or with their agent\n",
	       dry ? "would put" : "put", routed);
	return rc ? 1 : 0;
}
