/* Unit tests for static_table: a folder read into memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "chat/common/static_table.h"

static char dir[64];

static void put(const char *name, const char *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static int setup(void **state)
{
	char sub[96];

	(void)state;
	strcpy(dir, "/tmp/chatd-static-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(sub, sizeof(sub), "%s/widget", dir);
	mkdir(sub, 0755);
	put("index.html", "<!doctype html>", 15);
	put("widget/widget.js", "0123456789abcdefghij", 20);
	put("widget/widget.js.br", "BR", 2);
	put("widget/widget.js.gz", "a gzip copy that is longer", 26);
	put(".stamp", "x", 1);
	put("orphan.css.gz", "GZ", 2);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void test_loads_files_under_their_url_path(void **state)
{
	char err[256] = "";
	struct static_table *t = static_table_load(dir, err, sizeof(err));
	const struct static_file *f;

	(void)state;
	assert_non_null(t);
	assert_int_equal(static_table_count(t), 2);
	assert_int_equal(static_table_bytes(t), 15 + 20 + 2);
	f = static_table_find(t, "/widget/widget.js");
	assert_non_null(f);
	assert_int_equal(f->body[STATIC_IDENTITY].len, 20);
	assert_memory_equal(f->body[STATIC_IDENTITY].data,
			    "0123456789abcdefghij", 20);
	assert_string_equal(f->content_type, "text/javascript; charset=utf-8");
	assert_string_equal(f->cache_control, STATIC_HTTP_SHORT_CACHE);
	assert_non_null(static_table_find(t, "/index.html"));
	assert_null(static_table_find(t, "/.stamp"));
	assert_null(static_table_find(t, "/orphan.css"));
	assert_null(static_table_find(t, "/widget/widget.js.br"));
	assert_null(static_table_find(t, "widget/widget.js"));
	assert_null(static_table_find(t, "/widget/../index.html"));
	static_table_destroy(t);
}

static void test_smaller_encodings_only_each_with_its_etag(void **state)
{
	char err[256];
	struct static_table *t = static_table_load(dir, err, sizeof(err));
	const struct static_file *f = static_table_find(t, "/widget/widget.js");
	const char *id = f->body[STATIC_IDENTITY].etag;

	(void)state;
	assert_int_equal(f->body[STATIC_BR].len, 2);
	assert_memory_equal(f->body[STATIC_BR].data, "BR", 2);
	assert_null(f->body[STATIC_GZIP].data); /* not smaller */
	/* "<32 hex>" and "<32 hex>-br": the same content, told apart */
	assert_int_equal(strlen(id), 34);
	assert_int_equal(id[0], '"');
	assert_int_equal(id[33], '"');
	assert_int_equal(strlen(f->body[STATIC_BR].etag), 37);
	assert_memory_equal(f->body[STATIC_BR].etag, id, 33);
	assert_string_equal(f->body[STATIC_BR].etag + 33, "-br\"");
	/* SHA-256 of "0123456789abcdefghij", first 16 bytes */
	assert_string_equal(id, "\"6bc14bdc4517a7a682c6910de2e2946e\"");
	static_table_destroy(t);
}

static void test_missing_folder_is_an_error(void **state)
{
	char err[256] = "";

	(void)state;
	assert_null(
		static_table_load("/nonexistent/chatd-web", err, sizeof(err)));
	assert_string_equal(err, "web root /nonexistent/chatd-web: No such "
				 "file or directory");
}

static void test_over_the_bound_is_refused_before_reading(void **state)
{
	char err[256] = "", path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/huge.bin", dir);
	put("huge.bin", "", 0);
	assert_int_equal(truncate(path, STATIC_TABLE_MAX_BYTES), 0);
	assert_null(static_table_load(dir, err, sizeof(err)));
	assert_non_null(strstr(err, "holds more than 64 MiB"));
	unlink(path);
}

static void test_empty_table_finds_nothing(void **state)
{
	struct static_table *t = static_table_empty();

	(void)state;
	assert_null(static_table_find(t, "/index.html"));
	assert_int_equal(static_table_count(t), 0);
	static_table_destroy(t);
	static_table_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loads_files_under_their_url_path),
		cmocka_unit_test(
			test_smaller_encodings_only_each_with_its_etag),
		cmocka_unit_test(test_missing_folder_is_an_error),
		cmocka_unit_test(test_over_the_bound_is_refused_before_reading),
		cmocka_unit_test(test_empty_table_finds_nothing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
