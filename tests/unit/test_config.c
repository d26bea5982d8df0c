/* Unit tests for config: precedence and validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "chat/common/config.h"

#define HEX64 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static int setup(void **state)
{
	(void)state;
	setenv("CHAT_JWT_KEYS", "k1:" HEX64, 1);
	setenv("CHAT_ID_SECRET", HEX64, 1);
	unsetenv("CHAT_PORT");
	unsetenv("CHAT_CONFIG");
	unsetenv("CHAT_POLICY");
	return 0;
}

static int load(struct config *cfg, char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return config_load(cfg, argc, argv);
}

static void test_defaults_apply(void **state)
{
	struct config cfg;
	char *argv[] = {"serve", NULL};

	(void)state;
	assert_int_equal(load(&cfg, argv), 0);
	assert_int_equal(cfg.port, 8080);
	assert_string_equal(cfg.host, "127.0.0.1");
	assert_int_equal(cfg.max_frame, 65536);
	config_cleanup(&cfg);
}

static void test_flag_beats_environment(void **state)
{
	struct config cfg;
	char *argv[] = {"serve", "--port", "0", "--rx-buffer=1024", NULL};

	(void)state;
	setenv("CHAT_PORT", "9000", 1);
	assert_int_equal(load(&cfg, argv), 0);
	assert_int_equal(cfg.port, 0);
	assert_int_equal(cfg.rx_buffer, 1024);
	config_cleanup(&cfg);
	unsetenv("CHAT_PORT");
}

static void test_environment_beats_file(void **state)
{
	struct config cfg;
	char path[] = "/tmp/chatd-config-XXXXXX";
	int fd = mkstemp(path);
	char *argv[] = {"serve", "--config", path, NULL};

	(void)state;
	assert_true(fd >= 0);
	assert_true(write(fd, "# comment\nport = 7000\nrate = 3\n", 31) == 31);
	close(fd);
	setenv("CHAT_RATE", "4", 1);
	assert_int_equal(load(&cfg, argv), 0);
	assert_int_equal(cfg.port, 7000);
	assert_int_equal(cfg.rate, 4);
	config_cleanup(&cfg);
	unsetenv("CHAT_RATE");
	unlink(path);
}

static void test_policy_defaults_to_none(void **state)
{
	struct config cfg;
	char *argv[] = {"serve", NULL};

	(void)state;
	assert_int_equal(load(&cfg, argv), 0);
	assert_null(cfg.policy);
	config_cleanup(&cfg);
}

static void test_policy_from_file_environment_and_flag(void **state)
{
	struct config cfg;
	char path[] = "/tmp/chatd-config-XXXXXX";
	int fd = mkstemp(path);
	char *from_file[] = {"serve", "--config", path, NULL};
	char *from_flag[] = {"serve",	 "--config",  path,
			     "--policy", "flag.json", NULL};
	const char *text = "policy = deploy/support-policy.json\n";

	(void)state;
	assert_true(fd >= 0);
	assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(load(&cfg, from_file), 0);
	assert_string_equal(cfg.policy, "deploy/support-policy.json");
	config_cleanup(&cfg);
	setenv("CHAT_POLICY", "env.json", 1);
	assert_int_equal(load(&cfg, from_file), 0);
	assert_string_equal(cfg.policy, "env.json");
	config_cleanup(&cfg);
	assert_int_equal(load(&cfg, from_flag), 0);
	assert_string_equal(cfg.policy, "flag.json");
	config_cleanup(&cfg);
	unsetenv("CHAT_POLICY");
	unlink(path);
}

static void test_invalid_values_are_refused(void **state)
{
	struct config cfg;
	char *bad_port[] = {"serve", "--port", "70000", NULL};
	char *bad_num[] = {"serve", "--rate", "fast", NULL};
	char *unknown[] = {"serve", "--colour", "blue", NULL};
	char *missing[] = {"serve", "--port", NULL};
	char *bad_redis[] = {"serve", "--redis", "http://x", NULL};

	(void)state;
	assert_int_equal(load(&cfg, bad_port), -1);
	config_cleanup(&cfg);
	assert_int_equal(load(&cfg, bad_num), -1);
	config_cleanup(&cfg);
	assert_int_equal(load(&cfg, unknown), -1);
	config_cleanup(&cfg);
	assert_int_equal(load(&cfg, missing), -1);
	config_cleanup(&cfg);
	assert_int_equal(load(&cfg, bad_redis), -1);
	config_cleanup(&cfg);
}

/* Mail settings hold together: a relay URL that can work, where replies
 * go and their keys, and a send that ends before its retry starts. */
static void test_mail_settings_are_checked(void **state)
{
#define MAIL "--reply-domain", "r.test", "--reply-keys", "1:" HEX64
	struct config cfg;
	char *ok[] = {"serve", "--smtp-url", "smtp://relay.test:587", MAIL,
		      NULL};
	char *tls[] = {"serve", "--smtp-url", "smtps://relay.test", MAIL, NULL};
	char *bad_port[] = {"serve", "--smtp-url", "smtp://127.0.0.1:undefined",
			    MAIL, NULL};
	char *bad_scheme[] = {"serve", "--smtp-url", "http://x", MAIL, NULL};
	char *no_host[] = {"serve", "--smtp-url", "smtp://:25", MAIL, NULL};
	char *no_keys[] = {"serve",	     "--smtp-url", "smtp://relay.test",
			   "--reply-domain", "r.test",	   NULL};
	char *slow[] = {"serve",
			"--smtp-url",
			"smtp://relay.test",
			MAIL,
			"--smtp-timeout-ms",
			"60000",
			"--mail-retry-ms",
			"60000",
			NULL};
	char *short_secret[] = {"serve", "--inbound-secret", "short", NULL};
	char **bad[] = {bad_port, bad_scheme, no_host,
			no_keys,  slow,	      short_secret};
#undef MAIL

	(void)state;
	assert_int_equal(load(&cfg, ok), 0);
	assert_int_equal(cfg.mail_tries, 8);
	config_cleanup(&cfg);
	assert_int_equal(load(&cfg, tls), 0);
	config_cleanup(&cfg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(load(&cfg, bad[i]), -1);
		config_cleanup(&cfg);
	}
}

static void test_missing_secrets_are_refused(void **state)
{
	struct config cfg;
	char *argv[] = {"serve", NULL};

	(void)state;
	unsetenv("CHAT_JWT_KEYS");
	assert_int_equal(load(&cfg, argv), -1);
	config_cleanup(&cfg);
	setenv("CHAT_JWT_KEYS", "k1:" HEX64, 1);
	setenv("CHAT_ID_SECRET", "abcd", 1);
	assert_int_equal(load(&cfg, argv), -1);
	config_cleanup(&cfg);
	setenv("CHAT_ID_SECRET", HEX64, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults_apply, setup),
		cmocka_unit_test_setup(test_flag_beats_environment, setup),
		cmocka_unit_test_setup(test_environment_beats_file, setup),
		cmocka_unit_test_setup(test_policy_defaults_to_none, setup),
		cmocka_unit_test_setup(
			test_policy_from_file_environment_and_flag, setup),
		cmocka_unit_test_setup(test_invalid_values_are_refused, setup),
		cmocka_unit_test_setup(test_missing_secrets_are_refused, setup),
		cmocka_unit_test_setup(test_mail_settings_are_checked, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
