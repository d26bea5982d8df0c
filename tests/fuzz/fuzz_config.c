/*
 * fuzz_config: libFuzzer target for config_load() reading a config file
 * whose text is the input. The file is a memfd reached through
 * /proc/self/fd, so no disk is touched; CHAT_* variables are cleared first
 * so only defaults and the file count. Aborts when an accepted
 * configuration holds a value config.h says cannot be there. Run with
 * -close_fd_mask=2: every refused file prints its one error line.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "chat/common/config.h"

extern char **environ;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int file_fd = -1;
static char file_path[64];

static void clear_chat_env(void)
{
	char name[128];

	for (size_t i = 0; environ[i];) {
		const char *eq = strchr(environ[i], '=');
		size_t n = eq ? (size_t)(eq - environ[i]) : 0;

		if (strncmp(environ[i], "CHAT_", 5) != 0 || n >= sizeof(name)) {
			i++;
			continue;
		}
		memcpy(name, environ[i], n);
		name[n] = '\0';
		unsetenv(name); /* environ shifts down: same i again */
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	clear_chat_env();
	file_fd = memfd_create("chatd-config", 0);
	if (file_fd < 0)
		abort();
	snprintf(file_path, sizeof(file_path), "/proc/self/fd/%d", file_fd);
	return 0;
}

static void check_config(const struct config *cfg)
{
	static const char *const levels[] = {"debug", "info", "warn", "error"};
	bool level_ok = false;

	for (size_t i = 0; i < 4; i++)
		level_ok |= strcmp(cfg->log_level, levels[i]) == 0;
	if (!level_ok || cfg->port < 0 || cfg->port > 65535 ||
	    cfg->max_frame < 1024 || cfg->max_frame > 16 << 20 ||
	    cfg->rx_buffer < 128 || cfg->rx_buffer > 65536 ||
	    cfg->out_queue < 8 || cfg->rate < 1 || cfg->burst < 1 ||
	    cfg->page < 1 || cfg->page > 1000 || !cfg->host || !cfg->jwt_keys ||
	    !*cfg->jwt_keys || !cfg->id_secret || strlen(cfg->id_secret) < 64 ||
	    !cfg->redis)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[] = {"serve", "--config", file_path, NULL};
	struct config cfg;

	if (ftruncate(file_fd, 0) < 0 ||
	    pwrite(file_fd, data, size, 0) != (ssize_t)size)
		abort();
	if (config_load(&cfg, 3, argv) == 0)
		check_config(&cfg);
	config_cleanup(&cfg);
	return 0;
}
