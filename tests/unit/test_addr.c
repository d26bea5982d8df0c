/* Unit tests for addr: --redis forms, one Redis, a cluster's seeds or
 * the sentinels of a primary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "chat/store/store.h"

static void test_one_redis_forms(void **state)
{
	struct redis_config c;
	const char *why;

	(void)state;
	assert_int_equal(redis_config_parse("redis://10.1.2.3:6380", &c, &why),
			 0);
	assert_false(c.cluster);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.addrs[0].host, "10.1.2.3");
	assert_int_equal(c.addrs[0].port, 6380);
	assert_int_equal(redis_config_parse("redis://localhost", &c, &why), 0);
	assert_int_equal(c.addrs[0].port, 6379);
	assert_int_equal(redis_config_parse("unix:/run/redis.sock", &c, &why),
			 0);
	assert_string_equal(c.addrs[0].path, "/run/redis.sock");
}

static void test_cluster_seeds(void **state)
{
	struct redis_config c;
	const char *why;

	(void)state;
	assert_int_equal(
		redis_config_parse("redis-cluster://a:7000,b:7001,c", &c, &why),
		0);
	assert_true(c.cluster);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.addrs[1].host, "b");
	assert_int_equal(c.addrs[1].port, 7001);
	assert_int_equal(c.addrs[2].port, 6379);
}

static void test_sentinels_and_master_name(void **state)
{
	struct redis_config c;
	const char *why;

	(void)state;
	assert_int_equal(redis_config_parse("redis-sentinel://a:26380,b,"
					    "10.0.0.3:5000/chat-main_1.x",
					    &c, &why),
			 0);
	assert_true(c.sentinel);
	assert_false(c.cluster);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.addrs[0].host, "a");
	assert_int_equal(c.addrs[0].port, 26380);
	assert_string_equal(c.addrs[1].host, "b");
	assert_int_equal(c.addrs[1].port, 26379); /* Sentinel's own default */
	assert_string_equal(c.addrs[2].host, "10.0.0.3");
	assert_int_equal(c.addrs[2].port, 5000);
	assert_string_equal(c.master, "chat-main_1.x");
	assert_int_equal(redis_config_parse("redis-sentinel://s:1/m", &c, &why),
			 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.master, "m");
}

static void test_bad_sentinel_forms_say_what_is_wrong(void **state)
{
	static const struct {
		const char *url, *why_has;
	} bad[] = {
		{"redis-sentinel://a:1", "name is missing"},
		{"redis-sentinel://a:1,b:2", "name is missing"},
		{"redis-sentinel://a:1/", "master name"},
		{"redis-sentinel://a:1/x/y", "master name"},
		{"redis-sentinel://a:1/with space", "master name"},
		{"redis-sentinel:///m", "sentinel is host:port"},
		{"redis-sentinel://a:1,/m", "sentinel is host:port"},
		{"redis-sentinel://a:0/m", "sentinel is host:port"},
		{"redis-sentinel://a:x/m", "sentinel is host:port"},
		{"redis-sentinel://a:1,b:2,c:3,d:4,e:5,f:6,g:7,h:8,i:9,j:10,"
		 "k:11,l:12,m:13,n:14,o:15,p:16,q:17/m",
		 "at most 16"},
	};
	char longname[200];
	struct redis_config c;
	const char *why;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_equal(redis_config_parse(bad[i].url, &c, &why), -1);
		assert_non_null(why);
		assert_non_null(strstr(why, bad[i].why_has));
	}
	memset(longname, 'n', sizeof(longname));
	memcpy(longname, "redis-sentinel://a:1/", 21);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(redis_config_parse(longname, &c, &why), -1);
	assert_non_null(strstr(why, "master name"));
}

static void test_bad_forms_are_refused_with_a_reason(void **state)
{
	static const char *bad[] = {
		"",
		"redis:/x",
		"http://h:1",
		"redis://",
		"redis://h:0",
		"redis://h:70000",
		"redis://h:12x",
		"unix:",
		"redis-cluster://",
		"redis-cluster://a:1,",
		"redis-cluster://a:1,,b:2",
		"redis-cluster://a:x",
		"redis-cluster://a:1,b:2,c:3,d:4,e:5,f:6,g:7,h:8,i:9,j:10,"
		"k:11,l:12,m:13,n:14,o:15,p:16,q:17",
	};
	struct redis_config c;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *why = NULL;

		assert_int_equal(redis_config_parse(bad[i], &c, &why), -1);
		assert_non_null(why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_redis_forms),
		cmocka_unit_test(test_cluster_seeds),
		cmocka_unit_test(test_sentinels_and_master_name),
		cmocka_unit_test(test_bad_sentinel_forms_say_what_is_wrong),
		cmocka_unit_test(test_bad_forms_are_refused_with_a_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
