/* Unit tests for cluster_map: CLUSTER SLOTS replies (built by hand in the
 * shape Redis 7.0 sends) and MOVED/ASK errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cluster_map.h"

static redisReply *integer(long long v)
{
	redisReply *r = calloc(1, sizeof(*r));

	r->type = REDIS_REPLY_INTEGER;
	r->integer = v;
	return r;
}

static redisReply *string(const char *s)
{
	redisReply *r = calloc(1, sizeof(*r));

	r->type = REDIS_REPLY_STRING;
	r->str = strdup(s);
	r->len = strlen(s);
	return r;
}

static redisReply *array(size_t n, ...)
{
	redisReply *r = calloc(1, sizeof(*r));
	va_list ap;

	r->type = REDIS_REPLY_ARRAY;
	r->elements = n;
	r->element = calloc(n, sizeof(*r->element));
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		r->element[i] = va_arg(ap, redisReply *);
	va_end(ap);
	return r;
}

/* [host, port, id, {hostname...}] as Redis 7.0 answers. */
static redisReply *node(const char *host, int port)
{
	return array(4, string(host), integer(port), string("0123abcd"),
		     array(0));
}

static redisReply *three_primaries(void)
{
	return array(3,
		     array(4, integer(0), integer(5460),
			   node("127.0.0.1", 7000), node("127.0.0.1", 7003)),
		     array(4, integer(5461), integer(10922),
			   node("127.0.0.1", 7001), node("127.0.0.1", 7004)),
		     array(4, integer(10923), integer(16383),
			   node("127.0.0.1", 7002), node("127.0.0.1", 7005)));
}

static struct cluster_map *seeded(void)
{
	struct cluster_map *m = malloc(sizeof(*m));
	struct redis_addr seed = {.host = "127.0.0.1", .port = 7001};

	cluster_map_init(m, &seed, 1);
	return m;
}

static void test_slots_reply_sets_owners_and_learns_every_node(void **state)
{
	struct cluster_map *m = seeded();
	redisReply *r = three_primaries();

	(void)state;
	assert_int_equal(cluster_map_owner(m, 0), -1);
	assert_int_equal(cluster_map_load(m, r), 0);
	assert_true(m->complete);
	assert_int_equal(m->n_nodes, 6);
	/* the seed keeps index 0 */
	assert_int_equal(cluster_map_owner(m, 5461), 0);
	assert_int_equal(m->nodes[cluster_map_owner(m, 0)].port, 7000);
	assert_int_equal(m->nodes[cluster_map_owner(m, 5460)].port, 7000);
	assert_int_equal(m->nodes[cluster_map_owner(m, 12182)].port, 7002);
	assert_true(cluster_map_is_primary(m, cluster_map_owner(m, 0)));
	assert_false(cluster_map_is_primary(
		m, cluster_map_node(m, "127.0.0.1", 7005)));
	freeReplyObject(r);
	free(m);
}

static void test_partial_map_is_not_complete(void **state)
{
	struct cluster_map *m = seeded();
	redisReply *r = array(
		1, array(3, integer(0), integer(100), node("127.0.0.1", 7000)));

	(void)state;
	assert_int_equal(cluster_map_load(m, r), 0);
	assert_false(m->complete);
	assert_int_equal(cluster_map_owner(m, 101), -1);
	freeReplyObject(r);
	free(m);
}

static void test_malformed_reply_leaves_the_map(void **state)
{
	struct cluster_map *m = seeded();
	redisReply *good = three_primaries();
	redisReply *bad = array(
		1, array(3, integer(10), integer(5), node("127.0.0.1", 7009)));
	redisReply *err = string("nope");

	(void)state;
	assert_int_equal(cluster_map_load(m, good), 0);
	assert_int_equal(cluster_map_load(m, bad), -1);
	assert_int_equal(cluster_map_load(m, err), -1);
	assert_int_equal(cluster_map_load(m, NULL), -1);
	assert_true(m->complete);
	assert_int_equal(m->nodes[cluster_map_owner(m, 7)].port, 7000);
	freeReplyObject(good);
	freeReplyObject(bad);
	freeReplyObject(err);
	free(m);
}

static void test_redirections_parse(void **state)
{
	unsigned slot = 0;
	char host[64];
	int port = 0;

	(void)state;
	assert_int_equal(cluster_redirect_parse("MOVED 3999 127.0.0.1:6381",
						&slot, host, sizeof(host),
						&port),
			 REDIRECT_MOVED);
	assert_int_equal(slot, 3999);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 6381);
	assert_int_equal(cluster_redirect_parse("ASK 12182 ::1:7002", &slot,
						host, sizeof(host), &port),
			 REDIRECT_ASK);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 7002);
	/* Redis 7 leaves the host out when it does not know one */
	assert_int_equal(cluster_redirect_parse("MOVED 1 :7000", &slot, host,
						sizeof(host), &port),
			 REDIRECT_MOVED);
	assert_string_equal(host, "");
	assert_int_equal(cluster_redirect_parse("MOVED 16384 h:1", &slot, host,
						sizeof(host), &port),
			 REDIRECT_NONE);
	assert_int_equal(cluster_redirect_parse("MOVED 1 h", &slot, host,
						sizeof(host), &port),
			 REDIRECT_NONE);
	assert_int_equal(cluster_redirect_parse("ERR MOVED 1 h:1", &slot, host,
						sizeof(host), &port),
			 REDIRECT_NONE);
	assert_int_equal(cluster_redirect_parse("TRYAGAIN x", &slot, host,
						sizeof(host), &port),
			 REDIRECT_NONE);
}

static void test_node_table_is_bounded(void **state)
{
	struct cluster_map *m = seeded();

	(void)state;
	for (int p = 1; p < CLUSTER_NODES_MAX; p++)
		assert_int_equal(cluster_map_node(m, "10.0.0.1", p), p);
	assert_int_equal(cluster_map_node(m, "10.0.0.1", 1), 1);
	assert_int_equal(cluster_map_node(m, "10.0.0.2", 1), -1);
	assert_int_equal(cluster_map_node(m, "", 1), -1);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_slots_reply_sets_owners_and_learns_every_node),
		cmocka_unit_test(test_partial_map_is_not_complete),
		cmocka_unit_test(test_malformed_reply_leaves_the_map),
		cmocka_unit_test(test_redirections_parse),
		cmocka_unit_test(test_node_table_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
