/*
 * Tests of protocol/: decoding and validating client frames, encoding server
 * frames, and the wire names of codes, roles and types.
 *
 * The example frames in protocol/examples/ are tested here too (the JS tests
 * read the same files). Examples are found relative to the working
 * directory (the repo root) or at $CHAT_EXAMPLES. Run under ASan to prove
 * that decode failures and proto_request_cleanup() leak nothing.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "chat/protocol.h"

#define UNUSED __attribute__((unused))
#define CONV "Q2hhdGRDb252ZXJzYXRpbw"
#define DECODED -1 /* sized_result() when the frame decodes */

static const char *examples_dir(void)
{
	const char *dir = getenv("CHAT_EXAMPLES");

	return dir && *dir ? dir : "protocol/examples";
}

/* Returns the file's bytes in a buffer of exactly *len bytes (no NUL), so
 * ASan catches a decoder reading past len. */
static char *read_example(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long size;

	snprintf(path, sizeof(path), "%s/%s", examples_dir(), name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (run from the repo root)", path);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = malloc(size > 0 ? (size_t)size : 1);
	assert_non_null(buf);
	*len = fread(buf, 1, (size_t)size, f);
	assert_int_equal(*len, (size_t)size);
	fclose(f);
	return buf;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Returns the sorted names in the examples directory that start with
 * prefix and end with ".json", NULL-terminated; free with free_names(). */
static char **list_examples(const char *prefix, size_t *n)
{
	DIR *dir = opendir(examples_dir());
	struct dirent *ent;
	char **names = NULL;
	size_t len;

	if (!dir)
		fail_msg("cannot open %s (run from the repo root)",
			 examples_dir());
	*n = 0;
	while ((ent = readdir(dir))) {
		len = strlen(ent->d_name);
		if (strncmp(ent->d_name, prefix, strlen(prefix)) != 0 ||
		    len < 5 || strcmp(ent->d_name + len - 5, ".json") != 0)
			continue;
		names = realloc(names, (*n + 2) * sizeof(*names));
		assert_non_null(names);
		names[(*n)++] = strdup(ent->d_name);
		names[*n] = NULL;
	}
	closedir(dir);
	if (names)
		qsort(names, *n, sizeof(*names), cmp_names);
	return names;
}

static void free_names(char **names)
{
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

/* "c2s-open-minimal.json" -> "open": the frame type a file is named for. */
static void type_of_name(const char *name, char *out, size_t size)
{
	const char *start = strchr(name, '-') + 1;
	size_t len = strcspn(start, "-.");

	assert_true(len < size);
	memcpy(out, start, len);
	out[len] = '\0';
}

static int decode_str(const char *frame, struct proto_request *req,
		      struct proto_error *err)
{
	return proto_decode(frame, strlen(frame), req, err);
}

/* Decodes frame, which must fail; returns the error code. */
static enum proto_error_code refusal(const char *frame)
{
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(decode_str(frame, &req, &err), -1);
	assert_true(err.message[0] != '\0');
	return err.code;
}

static void assert_decodes(const char *frame)
{
	struct proto_request req;
	struct proto_error err;

	if (decode_str(frame, &req, &err) != 0)
		fail_msg("%s: %s", frame, err.message);
	proto_request_cleanup(&req);
}

/* Decodes fmt with its one %s replaced by n bytes of 'a'. Returns DECODED
 * or the error code. */
static int sized_result(const char *fmt, size_t n)
{
	struct proto_request req;
	struct proto_error err;
	char *fill = malloc(n + 1), *frame;
	int len, rc;

	assert_non_null(fill);
	memset(fill, 'a', n);
	fill[n] = '\0';
	len = asprintf(&frame, fmt, fill);
	assert_true(len > 0);
	rc = proto_decode(frame, (size_t)len, &req, &err);
	proto_request_cleanup(&req);
	free(frame);
	free(fill);
	return rc == 0 ? DECODED : (int)err.code;
}

/* max bytes decode; max + 1 bytes are refused with over_code. */
static void assert_limit(const char *fmt, size_t max, int over_code)
{
	assert_int_equal(sized_result(fmt, max), DECODED);
	assert_int_equal(sized_result(fmt, max + 1), over_code);
}

/* ---- examples ---------------------------------------------------------- */

static void test_every_c2s_example_decodes_as_its_type(void **state UNUSED)
{
	size_t n, len;
	char **names = list_examples("c2s-", &n);
	bool seen[PROTO_TAKEOVER + 1] = {false};
	char type[32];

	assert_true(n >= PROTO_TAKEOVER + 1);
	for (size_t i = 0; i < n; i++) {
		struct proto_request req;
		struct proto_error err;
		char *buf = read_example(names[i], &len);

		if (proto_decode(buf, len, &req, &err) != 0)
			fail_msg("%s: %s", names[i], err.message);
		type_of_name(names[i], type, sizeof(type));
		assert_string_equal(proto_type_str(req.type), type);
		seen[req.type] = true;
		proto_request_cleanup(&req);
		free(buf);
	}
	for (int t = 0; t <= PROTO_TAKEOVER; t++)
		if (!seen[t])
			fail_msg("no c2s example of %s", proto_type_str(t));
	free_names(names);
}

/* Returns the expected code for name from bad.tsv, or NULL. */
static char *expected_code(const char *tsv, const char *name, char *code,
			   size_t size)
{
	size_t name_len = strlen(name);

	for (const char *line = tsv; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t line_len = end ? (size_t)(end - line) : strlen(line);

		if (line_len > name_len + 1 &&
		    strncmp(line, name, name_len) == 0 &&
		    line[name_len] == '\t') {
			snprintf(code, size, "%.*s",
				 (int)(line_len - name_len - 1),
				 line + name_len + 1);
			return code;
		}
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

static char *read_tsv(void)
{
	size_t len;
	char *raw = read_example("bad.tsv", &len), *tsv;

	tsv = malloc(len + 1);
	assert_non_null(tsv);
	memcpy(tsv, raw, len);
	tsv[len] = '\0';
	free(raw);
	return tsv;
}

static void test_every_bad_example_is_refused_with_its_code(void **state UNUSED)
{
	size_t n, len;
	char **names = list_examples("bad-", &n);
	char *tsv = read_tsv(), code[32];
	int wrong = 0;

	assert_true(n >= 50);
	for (size_t i = 0; i < n; i++) {
		struct proto_request req;
		struct proto_error err;
		char *buf = read_example(names[i], &len);

		if (!expected_code(tsv, names[i], code, sizeof(code)))
			fail_msg("%s is not in bad.tsv", names[i]);
		if (proto_decode(buf, len, &req, &err) == 0) {
			print_error("%s: decoded\n", names[i]);
			proto_request_cleanup(&req);
			wrong++;
		} else if (strcmp(proto_error_code_str(err.code), code)) {
			print_error("%s: %s (%s), expected %s\n", names[i],
				    proto_error_code_str(err.code), err.message,
				    code);
			wrong++;
		}
		free(buf);
	}
	assert_int_equal(wrong, 0);
	free(tsv);
	free_names(names);
}

static void test_every_bad_tsv_line_names_an_example(void **state UNUSED)
{
	char *tsv = read_tsv(), name[128];
	size_t len;
	int lines = 0;

	for (char *line = strtok(tsv, "\n"); line; line = strtok(NULL, "\n")) {
		char *tab = strchr(line, '\t');

		assert_non_null(tab);
		snprintf(name, sizeof(name), "%.*s", (int)(tab - line), line);
		free(read_example(name, &len));
		assert_true(strcmp(tab + 1, "bad_json") == 0 ||
			    strcmp(tab + 1, "bad_frame") == 0 ||
			    strcmp(tab + 1, "unknown_type") == 0 ||
			    strcmp(tab + 1, "too_large") == 0);
		lines++;
	}
	assert_true(lines > 0);
	free(tsv);
}

static void test_every_s2c_example_is_an_object_of_its_type(void **state UNUSED)
{
	static const char *const types[] = {
		"hello",   "ack",	    "error",  "event",
		"synced",  "typing",	    "read",   "feed",
		"history", "conversations", "pong",   "availability",
		"queue",   "offer",	    "agents", "agent"};
	size_t n, len;
	char **names = list_examples("s2c-", &n), type[32];
	json_error_t jerr;

	for (size_t i = 0; i < n; i++) {
		char *buf = read_example(names[i], &len);
		json_t *root =
			json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);

		if (!json_is_object(root))
			fail_msg("%s: %s", names[i], jerr.text);
		type_of_name(names[i], type, sizeof(type));
		assert_string_equal(
			json_string_value(json_object_get(root, "type")), type);
		json_decref(root);
		free(buf);
	}
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		bool found = false;

		for (size_t i = 0; i < n; i++) {
			type_of_name(names[i], type, sizeof(type));
			found = found || strcmp(type, types[t]) == 0;
		}
		if (!found)
			fail_msg("no s2c example of %s", types[t]);
	}
	free_names(names);
}

/* ---- decode: envelope -------------------------------------------------- */

static void test_decode_reads_only_len_bytes(void **state UNUSED)
{
	const char buf[] = "{\"type\":\"ping\",\"id\":\"r11\"}GARBAGE";
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(proto_decode(buf, sizeof(buf) - 8, &req, &err), 0);
	assert_int_equal(req.type, PROTO_PING);
	assert_string_equal(req.id, "r11");
	proto_request_cleanup(&req);
}

static void test_non_objects_and_syntax_errors_are_bad_json(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(refusal("[]"), PROTO_E_BAD_JSON);
	assert_int_equal(refusal("true"), PROTO_E_BAD_JSON);
	assert_int_equal(refusal("{\"type\":\"ping\",\"id\":\"r\""),
			 PROTO_E_BAD_JSON);
	assert_int_equal(refusal("{\"type\":\"ping\",\"id\":\"\xff\"}"),
			 PROTO_E_BAD_JSON);
	assert_int_equal(proto_decode("", 0, &req, &err), -1);
	assert_int_equal(err.code, PROTO_E_BAD_JSON);
	assert_string_equal(err.id, "");
}

static void test_duplicate_key_is_bad_json(void **state UNUSED)
{
	assert_int_equal(
		refusal("{\"type\":\"ping\",\"id\":\"a\",\"id\":\"b\"}"),
		PROTO_E_BAD_JSON);
}

static void test_type_must_be_a_known_string(void **state UNUSED)
{
	assert_int_equal(refusal("{\"id\":\"r\"}"), PROTO_E_BAD_FRAME);
	assert_int_equal(refusal("{\"type\":true,\"id\":\"r\"}"),
			 PROTO_E_BAD_FRAME);
	assert_int_equal(refusal("{\"type\":\"Send\",\"id\":\"r\"}"),
			 PROTO_E_UNKNOWN_TYPE);
	assert_int_equal(refusal("{\"type\":\"pingx\",\"id\":\"r\"}"),
			 PROTO_E_UNKNOWN_TYPE);
	/* a type only the server makes (an email reply) */
	assert_int_equal(refusal("{\"type\":\"email_reply\",\"id\":\"r\","
				 "\"client_id\":\"c\",\"conv\":"
				 "\"Q2hhdGRDb252ZXJzYXRpbw\",\"text\":\"hi\"}"),
			 PROTO_E_UNKNOWN_TYPE);
}

static void test_error_echoes_a_readable_request_id(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(
		decode_str("{\"type\":\"nope\",\"id\":\"r42\"}", &req, &err),
		-1);
	assert_string_equal(err.id, "r42");
	assert_int_equal(
		decode_str("{\"type\":\"typing\",\"id\":\"t1\"}", &req, &err),
		-1);
	assert_string_equal(err.id, "t1");
	assert_string_equal(err.message, "conv is required");
}

static void test_error_has_no_id_when_the_id_is_unreadable(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(decode_str("{\"type\":\"ping\",\"id\":7}", &req, &err),
			 -1);
	assert_string_equal(err.id, "");
	assert_string_equal(err.message, "id must be a string");
	assert_int_equal(sized_result("{\"type\":\"ping\",\"id\":\"%s\"}",
				      PROTO_ID_MAX + 1),
			 PROTO_E_TOO_LARGE);
}

/* Decodes frame, which must fail with code; checks the echoed id ("" for
 * none) and, when message is not NULL, the message. */
static void assert_refused(const char *frame, enum proto_error_code code,
			   const char *id, const char *message)
{
	struct proto_request req;
	struct proto_error err;

	if (decode_str(frame, &req, &err) != -1)
		fail_msg("decoded: %s", frame);
	if (err.code != code || strcmp(err.id, id) != 0)
		fail_msg("%s: got %s id \"%s\" (%s)", frame,
			 proto_error_code_str(err.code), err.id, err.message);
	if (message)
		assert_string_equal(err.message, message);
}

#define HISTORY_AFTER(n)                                                       \
	"{\"type\":\"history\",\"id\":\"r1\",\"conv\":\"" CONV                 \
	"\",\"after\":" n "}"

static void test_out_of_range_numbers_echo_the_id(void **state UNUSED)
{
	assert_refused(HISTORY_AFTER("1e400"), PROTO_E_BAD_FRAME, "r1",
		       "after is out of range");
	assert_refused(HISTORY_AFTER("-1e400"), PROTO_E_BAD_FRAME, "r1",
		       "after is out of range");
	assert_refused(HISTORY_AFTER("99999999999999999999"), PROTO_E_BAD_FRAME,
		       "r1", "after is out of range");
	assert_refused(HISTORY_AFTER("-99999999999999999999"),
		       PROTO_E_BAD_FRAME, "r1", "after is out of range");
	/* One past INT64_MAX: flatjson leaves it to jansson, which refuses. */
	assert_refused(HISTORY_AFTER("9223372036854775808"), PROTO_E_BAD_FRAME,
		       "r1", "after is out of range");
	/* The id may come after the number jansson stopped at. */
	assert_refused("{\"after\":1e400,\"type\":\"history\",\"id\":\"r2\"}",
		       PROTO_E_BAD_FRAME, "r2", "after is out of range");
	assert_refused("{\"type\":\"open\",\"id\":\"r3\",\"client_id\":\"c\","
		       "\"details\":{\"summary\":\"s\",\"x\":[1e999]}}",
		       PROTO_E_BAD_FRAME, "r3",
		       "a number in details is out of range");
}

static void test_numbers_read_as_jansson_reads_them(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;

	/* 18 digits stay on the fast path; 19 go through jansson. */
	assert_int_equal(
		decode_str(HISTORY_AFTER("999999999999999999"), &req, &err), 0);
	assert_true(req.seq == 999999999999999999ULL);
	proto_request_cleanup(&req);
	assert_int_equal(
		decode_str(HISTORY_AFTER("9223372036854775807"), &req, &err),
		0);
	assert_true(req.seq == INT64_MAX);
	proto_request_cleanup(&req);
	/* -0 is the integer 0 to jansson. */
	assert_int_equal(decode_str(HISTORY_AFTER("-0"), &req, &err), 0);
	assert_true(req.seq == 0);
	proto_request_cleanup(&req);
	/* Reals, even whole or underflowing ones, are not integers. */
	assert_refused(HISTORY_AFTER("1.0"), PROTO_E_BAD_FRAME, "r1",
		       "after must be an integer >= 0");
	assert_refused(HISTORY_AFTER("1e-400"), PROTO_E_BAD_FRAME, "r1",
		       "after must be an integer >= 0");
	assert_refused(HISTORY_AFTER("-0.0"), PROTO_E_BAD_FRAME, "r1", NULL);
}

static void test_frames_jansson_cannot_hold_echo_the_id(void **state UNUSED)
{
	assert_refused("{\"type\":\"ping\",\"id\":\"r1\",\"a\\u0000b\":1}",
		       PROTO_E_BAD_FRAME, "r1",
		       "member names must not contain NUL");
	assert_refused("{\"type\":\"ping\",\"id\":\"r1\",\"a\":1,\"a\":2}",
		       PROTO_E_BAD_JSON, "r1", "frame has a duplicate key");
	assert_refused("{\"type\":\"send\",\"id\":\"r1\",\"text\":\"\\ud800\"}",
		       PROTO_E_BAD_JSON, "r1", NULL);
	/* The id as jansson decodes it, escapes and all. */
	assert_refused(
		"{\"type\":\"ping\",\"id\":\"r\\u0031\\\"\",\"n\":1e400}",
		PROTO_E_BAD_FRAME, "r1\"", "n is out of range");
	/* A member name that is not a protocol name is not quoted back. */
	assert_refused("{\"type\":\"ping\",\"id\":\"r1\",\"<b>\":1e400}",
		       PROTO_E_BAD_FRAME, "r1", "a number is out of range");
}

static void test_unreadable_ids_are_not_salvaged(void **state UNUSED)
{
	/* Syntax errors: the frame is not JSON, so nothing in it is read. */
	assert_refused("{\"type\":\"ping\",\"id\":\"r1\",}", PROTO_E_BAD_JSON,
		       "", NULL);
	assert_refused("{\"type\":\"ping\",\"id\":\"r1\",\"n\":1e400",
		       PROTO_E_BAD_FRAME, "", NULL);
	assert_refused("{\"id\":\"r1\",\"n\":1e400} x", PROTO_E_BAD_FRAME, "",
		       NULL);
	assert_refused("[{\"id\":\"r1\",\"n\":1e400}]", PROTO_E_BAD_FRAME, "",
		       NULL);
	/* Two ids, an id that is no id, one too long, one with NUL. */
	assert_refused("{\"id\":\"r1\",\"id\":\"r2\"}", PROTO_E_BAD_JSON, "",
		       NULL);
	assert_refused("{\"id\":7,\"n\":1e400}", PROTO_E_BAD_FRAME, "", NULL);
	assert_refused("{\"id\":\"\",\"n\":1e400}", PROTO_E_BAD_FRAME, "",
		       NULL);
	assert_refused("{\"id\":\"r\\u0000\",\"n\":1e400}", PROTO_E_BAD_FRAME,
		       "", NULL);
	assert_int_equal(
		sized_result("{\"id\":\"%s\",\"n\":1e400}", PROTO_ID_MAX),
		PROTO_E_BAD_FRAME);
	assert_refused(
		"{\"id\":\"rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr"
		"rrrrrrrrrrrrrrrrr\",\"n\":1e400}",
		PROTO_E_BAD_FRAME, "", NULL);
}

static void test_id_is_required_except_for_typing(void **state UNUSED)
{
	assert_int_equal(refusal("{\"type\":\"ping\"}"), PROTO_E_BAD_FRAME);
	assert_decodes("{\"type\":\"typing\",\"conv\":\"" CONV
		       "\",\"typing\":true}");
}

static void test_send_without_client_id_is_bad_frame(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(decode_str("{\"type\":\"send\",\"id\":\"r3\",\"conv\":"
				    "\"" CONV "\",\"text\":\"hi\"}",
				    &req, &err),
			 -1);
	assert_int_equal(err.code, PROTO_E_BAD_FRAME);
	assert_string_equal(err.message, "client_id is required");
	assert_string_equal(err.id, "r3");
}

static void test_unknown_members_are_ignored(void **state UNUSED)
{
	assert_decodes("{\"type\":\"ping\",\"id\":\"r\",\"x\":{\"y\":[1,2.5]},"
		       "\"z\":null}");
}

static void test_null_is_not_an_absent_member(void **state UNUSED)
{
	assert_int_equal(refusal("{\"type\":\"close\",\"id\":\"r\","
				 "\"client_id\":\"c\",\"conv\":\"" CONV
				 "\",\"reason\":null}"),
			 PROTO_E_BAD_FRAME);
}

static void test_nul_in_any_string_member_is_bad_frame(void **state UNUSED)
{
	static const char *const frames[] = {
		"{\"type\":\"ping\\u0000\",\"id\":\"r\"}",
		"{\"type\":\"ping\",\"id\":\"r\\u0000\"}",
		"{\"type\":\"auth\",\"id\":\"r\",\"token\":\"a\\u0000b\"}",
		"{\"type\":\"claim\",\"id\":\"r\",\"client_id\":\"\\u0000\","
		"\"conv\":\"" CONV "\"}",
		"{\"type\":\"send\",\"id\":\"r\",\"client_id\":\"c\",\"conv\":"
		"\"" CONV "\",\"text\":\"hi\\u0000\"}",
		"{\"type\":\"list\",\"id\":\"r\",\"scope\":\"open\\u0000\"}",
		"{\"type\":\"open\",\"id\":\"r\",\"client_id\":\"c\","
		"\"details\":{\"summary\":\"s\",\"began\":\"\\u0000\"}}",
	};

	for (size_t i = 0; i < sizeof(frames) / sizeof(frames[0]); i++)
		assert_int_equal(refusal(frames[i]), PROTO_E_BAD_FRAME);
}

static void test_failed_decode_leaves_the_request_empty(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(
		decode_str(
			"{\"type\":\"open\",\"id\":\"r\",\"client_id\":\"c\","
			"\"details\":{\"summary\":\"s\",\"steps\":\"t\","
			"\"environment\":\"dev\",\"screenshots\":["
			"\"https://a.example/1\",\"https://a.example/2\","
			"\"ftp://a.example/3\"]}}",
			&req, &err),
		-1);
	assert_string_equal(err.message,
			    "details.screenshots[2] must be an http(s) URL");
	assert_null(req.details.summary);
	assert_null(req.details.screenshots);
	assert_int_equal(req.details.n_screenshots, 0);
	assert_string_equal(req.client_id, "");
	proto_request_cleanup(&req); /* harmless, not needed */
}

/* ---- decode: per type -------------------------------------------------- */

static void test_auth_token_is_copied(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(
		decode_str(
			"{\"type\":\"auth\",\"id\":\"r1\",\"token\":\"t.k.n\"}",
			&req, &err),
		0);
	assert_int_equal(req.type, PROTO_AUTH);
	assert_string_equal(req.token, "t.k.n");
	proto_request_cleanup(&req);
	assert_null(req.token);
}

static void test_open_decodes_every_detail(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;
	size_t len;
	char *buf = read_example("c2s-open.json", &len);

	assert_int_equal(proto_decode(buf, len, &req, &err), 0);
	assert_string_equal(req.client_id, "c-1");
	assert_string_equal(req.details.summary,
			    "Live site returns 502 after deploy");
	assert_string_equal(req.details.steps,
			    "1. Deploy to Live\n2. Visit /checkout");
	assert_string_equal(req.details.environment, "live");
	assert_string_equal(req.details.began, "2026-11-26T08:00:00Z");
	assert_string_equal(req.details.errors, "502 Bad Gateway");
	assert_int_equal(req.details.n_screenshots, 1);
	assert_string_equal(req.details.screenshots[0],
			    "https://example.com/s.png");
	proto_request_cleanup(&req);
	proto_request_cleanup(&req); /* idempotent */
	free(buf);
}

static void test_open_leaves_absent_and_empty_details_null(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(
		decode_str(
			"{\"type\":\"open\",\"id\":\"r\",\"client_id\":\"c\","
			"\"details\":{\"summary\":\"s\",\"steps\":\"\","
			"\"screenshots\":[]}}",
			&req, &err),
		0);
	assert_null(req.details.steps);
	assert_null(req.details.environment);
	assert_null(req.details.began);
	assert_null(req.details.errors);
	assert_null(req.details.screenshots);
	assert_int_equal(req.details.n_screenshots, 0);
	proto_request_cleanup(&req);
}

static void test_environment_is_stored_lowercase(void **state UNUSED)
{
	static const char *const spellings[] = {"MultiDev", "DEV", "Test",
						"lIvE"};
	static const char *const canonical[] = {"multidev", "dev", "test",
						"live"};
	struct proto_request req;
	struct proto_error err;
	char frame[256];

	for (size_t i = 0; i < 4; i++) {
		snprintf(frame, sizeof(frame),
			 "{\"type\":\"open\",\"id\":\"r\",\"client_id\":\"c\","
			 "\"details\":{\"summary\":\"s\",\"environment\":\"%"
			 "s\"}}",
			 spellings[i]);
		assert_int_equal(decode_str(frame, &req, &err), 0);
		assert_string_equal(req.details.environment, canonical[i]);
		proto_request_cleanup(&req);
	}
	assert_int_equal(
		refusal("{\"type\":\"open\",\"id\":\"r\",\"client_id\":"
			"\"c\",\"details\":{\"summary\":\"s\","
			"\"environment\":\"prod\"}}"),
		PROTO_E_BAD_FRAME);
}

static void test_open_without_summary_names_the_field(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(decode_str("{\"type\":\"open\",\"id\":\"r2\","
				    "\"client_id\":\"c\",\"details\":{}}",
				    &req, &err),
			 -1);
	assert_int_equal(err.code, PROTO_E_BAD_FRAME);
	assert_string_equal(err.message, "details.summary is required");
	assert_string_equal(err.id, "r2");
}

static void test_screenshots_must_be_http_urls_with_a_host(void **state UNUSED)
{
	static const char *const bad[] = {
		"javascript:alert(1)", "data:image/png;base64,AAAA",
		"//example.com/s.png", "https://",
		"https:///s.png",      "http://exa mple.com/",
		"https://e.com/\\\"",  "ftp://example.com/s.png",
	};
	char frame[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(frame, sizeof(frame),
			 "{\"type\":\"open\",\"id\":\"r\",\"client_id\":\"c\","
			 "\"details\":{\"summary\":\"s\",\"screenshots\":"
			 "[\"%s\"]}}",
			 bad[i]);
		assert_int_equal(refusal(frame), PROTO_E_BAD_FRAME);
	}
}

static void test_send_copies_conv_and_text(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(
		decode_str("{\"type\":\"send\",\"id\":\"r3\",\"client_id\":"
			   "\"c-2\",\"conv\":\"" CONV "\",\"text\":\" hi \"}",
			   &req, &err),
		0);
	assert_int_equal(req.type, PROTO_SEND);
	assert_string_equal(req.id, "r3");
	assert_string_equal(req.client_id, "c-2");
	assert_string_equal(req.conv, CONV);
	assert_string_equal(req.text, " hi ");
	proto_request_cleanup(&req);
}

static void test_empty_or_blank_text_is_bad_frame(void **state UNUSED)
{
	static const char *const texts[] = {"", " ", "\\t\\n\\r  "};
	char frame[256];

	for (size_t i = 0; i < 3; i++) {
		snprintf(frame, sizeof(frame),
			 "{\"type\":\"note\",\"id\":\"r\",\"client_id\":\"c\","
			 "\"conv\":\"" CONV "\",\"text\":\"%s\"}",
			 texts[i]);
		assert_int_equal(refusal(frame), PROTO_E_BAD_FRAME);
	}
}

static void test_malformed_conv_is_bad_frame(void **state UNUSED)
{
	static const char *const convs[] = {"",
					    "Q2hhdGRDb252ZXJzYXRpb",
					    "Q2hhdGRDb252ZXJzYXRpbwA",
					    "Q2hhdGRDb252ZXJzYXRp+w",
					    "Q2hhdGRDb252ZXJzYXRp==",
					    "Q2hhdGRDb252ZXJzYXRp/w"};
	char frame[256];

	for (size_t i = 0; i < sizeof(convs) / sizeof(convs[0]); i++) {
		snprintf(frame, sizeof(frame),
			 "{\"type\":\"claim\",\"id\":\"r\",\"client_id\":\"c\","
			 "\"conv\":\"%s\"}",
			 convs[i]);
		assert_int_equal(refusal(frame), PROTO_E_BAD_FRAME);
	}
}

static void test_conv_id_validity(void **state UNUSED)
{
	assert_true(proto_conv_id_valid(CONV));
	assert_true(proto_conv_id_valid("abcdefghijklmnopqrs-_9"));
	assert_false(proto_conv_id_valid(NULL));
	assert_false(proto_conv_id_valid(""));
	assert_false(proto_conv_id_valid("abcdefghijklmnopqrs-_"));
	assert_false(proto_conv_id_valid("abcdefghijklmnopqrs-_99"));
	assert_false(proto_conv_id_valid("abcdefghijklmnopqrs-.9"));
}

static void test_close_reason_is_optional(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(decode_str("{\"type\":\"close\",\"id\":\"r\","
				    "\"client_id\":\"c\",\"conv\":\"" CONV
				    "\"}",
				    &req, &err),
			 0);
	assert_null(req.reason);
	proto_request_cleanup(&req);
}

static void test_typing_needs_a_boolean(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(decode_str("{\"type\":\"typing\",\"conv\":\"" CONV
				    "\",\"typing\":true}",
				    &req, &err),
			 0);
	assert_true(req.typing);
	assert_string_equal(req.id, "");
	proto_request_cleanup(&req);
	assert_int_equal(refusal("{\"type\":\"typing\",\"conv\":\"" CONV
				 "\",\"typing\":0}"),
			 PROTO_E_BAD_FRAME);
	assert_int_equal(refusal("{\"type\":\"typing\",\"conv\":\"" CONV "\"}"),
			 PROTO_E_BAD_FRAME);
}

static void test_read_seq_must_be_a_positive_integer(void **state UNUSED)
{
	static const char *const seqs[] = {"0",	    "-1",   "1.0",  "1e3",
					   "\"5\"", "true", "null", "[5]"};
	struct proto_request req;
	struct proto_error err;
	char frame[256];

	assert_int_equal(
		decode_str("{\"type\":\"read\",\"id\":\"r\",\"conv\":\"" CONV
			   "\",\"seq\":9007199254740993}",
			   &req, &err),
		0);
	assert_true(req.seq == 9007199254740993ULL);
	proto_request_cleanup(&req);
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		snprintf(frame, sizeof(frame),
			 "{\"type\":\"read\",\"id\":\"r\",\"conv\":\"" CONV
			 "\",\"seq\":%s}",
			 seqs[i]);
		assert_int_equal(refusal(frame), PROTO_E_BAD_FRAME);
	}
}

static void test_resume_reads_each_conv_and_defaults_after(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;
	size_t len;
	char *buf = read_example("c2s-resume-several.json", &len);

	assert_int_equal(proto_decode(buf, len, &req, &err), 0);
	assert_int_equal(req.n_resume, 3);
	assert_string_equal(req.resume[0].conv, CONV);
	assert_true(req.resume[0].after == 4);
	assert_true(req.resume[1].after == 0);
	assert_true(req.resume[2].after == 0);
	proto_request_cleanup(&req);
	assert_null(req.resume);
	assert_int_equal(req.n_resume, 0);
	free(buf);
}

static void test_resume_error_names_the_item(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(decode_str("{\"type\":\"resume\",\"id\":\"r\","
				    "\"convs\":[{\"conv\":\"" CONV
				    "\"},{\"conv\":\"x\"}]}",
				    &req, &err),
			 -1);
	assert_string_equal(err.message,
			    "convs[1].conv is not a conversation id");
	assert_null(req.resume);
}

static void test_history_and_list_defaults(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(decode_str("{\"type\":\"history\",\"id\":\"r\","
				    "\"conv\":\"" CONV "\"}",
				    &req, &err),
			 0);
	assert_true(req.seq == 0);
	assert_int_equal(req.limit, 0);
	proto_request_cleanup(&req);
	assert_int_equal(
		decode_str("{\"type\":\"list\",\"id\":\"r\"}", &req, &err), 0);
	assert_int_equal(req.scope, PROTO_SCOPE_MINE);
	assert_true(req.before_score == 0);
	assert_string_equal(req.before_conv, "");
	assert_int_equal(req.limit, 0);
	proto_request_cleanup(&req);
}

#define LIST_BEFORE(c) "{\"type\":\"list\",\"id\":\"r7\",\"before\":" c "}"

static void test_list_cursor_string_carries_score_and_conv(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(decode_str(LIST_BEFORE("\"1764145200000:" CONV "\""),
				    &req, &err),
			 0);
	assert_true(req.before_score == 1764145200000ULL);
	assert_string_equal(req.before_conv, CONV);
	proto_request_cleanup(&req);
	assert_int_equal(decode_str(LIST_BEFORE("0"), &req, &err), 0);
	assert_true(req.before_score == 0);
	assert_string_equal(req.before_conv, "");
}

static void test_malformed_list_cursor_names_before(void **state UNUSED)
{
	static const char *const bad[] = {
		LIST_BEFORE("\"\""),
		LIST_BEFORE("\"1764145200000\""),
		LIST_BEFORE("\":" CONV "\""),
		LIST_BEFORE("\"1764145200000:\""),
		LIST_BEFORE("\"1764145200000:" CONV "x\""),
		LIST_BEFORE("\"1764145200000;" CONV "\""),
		LIST_BEFORE("\"+1:" CONV "\""),
		LIST_BEFORE("\" 1:" CONV "\""),
		LIST_BEFORE("\"18446744073709551616:" CONV "\""),
		LIST_BEFORE("\"1:Q2hhdGRDb252ZXJzYXRp/w\""),
		LIST_BEFORE("\"1:" CONV "\\u0000\""),
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused(bad[i], PROTO_E_BAD_FRAME, "r7",
			       "before is not a cursor from next");
	assert_refused(LIST_BEFORE("true"), PROTO_E_BAD_FRAME, "r7",
		       "before must be a cursor string or an integer");
	assert_refused(LIST_BEFORE("null"), PROTO_E_BAD_FRAME, "r7", NULL);
	assert_refused(LIST_BEFORE("-1"), PROTO_E_BAD_FRAME, "r7", NULL);
	assert_refused(LIST_BEFORE("1.5"), PROTO_E_BAD_FRAME, "r7", NULL);
}

static void test_list_reads_scope_cursor_and_limit(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(decode_str("{\"type\":\"list\",\"id\":\"r\",\"scope\":"
				    "\"open\",\"before\":1764145100000,"
				    "\"limit\":200}",
				    &req, &err),
			 0);
	assert_int_equal(req.scope, PROTO_SCOPE_OPEN);
	assert_true(req.before_score == 1764145100000ULL);
	assert_string_equal(req.before_conv, "");
	assert_int_equal(req.limit, 200);
	assert_int_equal(refusal("{\"type\":\"list\",\"id\":\"r\",\"scope\":"
				 "\"all\"}"),
			 PROTO_E_BAD_FRAME);
}

/* ---- decode: limits ---------------------------------------------------- */

static void test_id_and_client_id_limit_is_64_bytes(void **state UNUSED)
{
	assert_limit("{\"type\":\"ping\",\"id\":\"%s\"}", PROTO_ID_MAX,
		     PROTO_E_TOO_LARGE);
	assert_limit("{\"type\":\"claim\",\"id\":\"r\",\"client_id\":\"%s\","
		     "\"conv\":\"" CONV "\"}",
		     PROTO_ID_MAX, PROTO_E_TOO_LARGE);
}

static void test_text_limit_is_16_kib(void **state UNUSED)
{
	assert_limit("{\"type\":\"send\",\"id\":\"r\",\"client_id\":\"c\","
		     "\"conv\":\"" CONV "\",\"text\":\"%s\"}",
		     PROTO_TEXT_MAX, PROTO_E_TOO_LARGE);
}

static void test_text_limit_counts_utf8_bytes(void **state UNUSED)
{
	/* 5461 * 3 bytes = 16383; one more U+20AC is 16386 bytes. */
	char *text = malloc(5462 * 3 + 1), *frame;

	assert_non_null(text);
	for (int i = 0; i < 5462; i++)
		memcpy(text + i * 3, "\xe2\x82\xac", 3);
	text[5461 * 3] = '\0';
	assert_true(asprintf(&frame,
			     "{\"type\":\"send\",\"id\":\"r\",\"client_id\":"
			     "\"c\",\"conv\":\"" CONV "\",\"text\":\"%s\"}",
			     text) > 0);
	assert_decodes(frame);
	free(frame);
	memcpy(text + 5461 * 3, "\xe2\x82\xac", 3);
	text[5462 * 3] = '\0';
	assert_true(asprintf(&frame,
			     "{\"type\":\"send\",\"id\":\"r\",\"client_id\":"
			     "\"c\",\"conv\":\"" CONV "\",\"text\":\"%s\"}",
			     text) > 0);
	assert_int_equal(refusal(frame), PROTO_E_TOO_LARGE);
	free(frame);
	free(text);
}

#define OPEN_WITH(member)                                                      \
	"{\"type\":\"open\",\"id\":\"r\",\"client_id\":\"c\",\"details\":{"    \
	"\"summary\":\"s\"," member "}}"

static void test_details_limits(void **state UNUSED)
{
	assert_limit("{\"type\":\"open\",\"id\":\"r\",\"client_id\":\"c\","
		     "\"details\":{\"summary\":\"%s\"}}",
		     PROTO_SUMMARY_MAX, PROTO_E_TOO_LARGE);
	assert_limit(OPEN_WITH("\"steps\":\"%s\""), PROTO_TEXT_MAX,
		     PROTO_E_TOO_LARGE);
	assert_limit(OPEN_WITH("\"began\":\"%s\""), PROTO_FIELD_MAX,
		     PROTO_E_TOO_LARGE);
	assert_limit(OPEN_WITH("\"errors\":\"%s\""), PROTO_FIELD_MAX,
		     PROTO_E_TOO_LARGE);
	assert_limit(OPEN_WITH("\"screenshots\":[\"https://%s\"]"),
		     PROTO_URL_MAX - 8, PROTO_E_TOO_LARGE);
}

/* Returns an open frame with n screenshots, or a resume frame with n
 * convs; the caller frees it. */
static char *frame_with_items(bool resume, size_t n)
{
	char *buf;
	size_t size;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	fputs(resume ? "{\"type\":\"resume\",\"id\":\"r\",\"convs\":["
		     : "{\"type\":\"open\",\"id\":\"r\",\"client_id\":\"c\","
		       "\"details\":{\"summary\":\"s\",\"screenshots\":[",
	      f);
	for (size_t i = 0; i < n; i++)
		fprintf(f,
			resume ? "%s{\"conv\":\"" CONV "\",\"after\":%zu}"
			       : "%s\"https://example.com/%zu.png\"",
			i ? "," : "", i);
	fputs(resume ? "]}" : "]}}", f);
	fclose(f);
	return buf;
}

static void test_screenshots_and_resume_count_limits(void **state UNUSED)
{
	char *frame;

	frame = frame_with_items(false, PROTO_SCREENSHOTS_MAX);
	assert_decodes(frame);
	free(frame);
	frame = frame_with_items(false, PROTO_SCREENSHOTS_MAX + 1);
	assert_int_equal(refusal(frame), PROTO_E_TOO_LARGE);
	free(frame);
	frame = frame_with_items(true, PROTO_RESUME_MAX);
	assert_decodes(frame);
	free(frame);
	frame = frame_with_items(true, PROTO_RESUME_MAX + 1);
	assert_int_equal(refusal(frame), PROTO_E_TOO_LARGE);
	free(frame);
}

static void test_token_and_reason_limits(void **state UNUSED)
{
	assert_limit("{\"type\":\"auth\",\"id\":\"r\",\"token\":\"%s\"}", 8192,
		     PROTO_E_TOO_LARGE);
	assert_limit("{\"type\":\"close\",\"id\":\"r\",\"client_id\":\"c\","
		     "\"conv\":\"" CONV "\",\"reason\":\"%s\"}",
		     PROTO_REASON_MAX, PROTO_E_TOO_LARGE);
}

static void test_page_limit_is_1_to_200(void **state UNUSED)
{
	assert_decodes("{\"type\":\"history\",\"id\":\"r\",\"conv\":\"" CONV
		       "\",\"limit\":1}");
	assert_decodes("{\"type\":\"history\",\"id\":\"r\",\"conv\":\"" CONV
		       "\",\"limit\":200}");
	assert_int_equal(refusal("{\"type\":\"history\",\"id\":\"r\",\"conv\":"
				 "\"" CONV "\",\"limit\":201}"),
			 PROTO_E_BAD_FRAME);
	assert_int_equal(
		refusal("{\"type\":\"list\",\"id\":\"r\",\"limit\":0}"),
		PROTO_E_BAD_FRAME);
}

/* ---- encode ------------------------------------------------------------ */

static const struct proto_user ann = {"cust-1", "Ann", PROTO_ROLE_CUSTOMER};
static const struct proto_user bo = {"agent-1", "Bo", PROTO_ROLE_AGENT};

/* Checks that s equals the example file's one line of JSON; frees s. */
static void assert_matches_example(char *s, const char *name)
{
	size_t len;
	char *buf = read_example(name, &len);

	assert_non_null(s);
	while (len && buf[len - 1] == '\n')
		len--;
	if (strlen(s) != len || memcmp(s, buf, len) != 0)
		fail_msg("%s differs:\n%s\n%.*s", name, s, (int)len, buf);
	free(s);
	free(buf);
}

/* Closes an event prefix as the store does; frees prefix. */
static char *close_event(char *prefix, uint64_t seq, int64_t ts)
{
	char *s;

	assert_non_null(prefix);
	assert_true(asprintf(&s, "%s,\"seq\":%llu,\"ts\":%lld}", prefix,
			     (unsigned long long)seq, (long long)ts) > 0);
	free(prefix);
	return s;
}

static void test_frame_encoders_reproduce_the_examples(void **state UNUSED)
{
	assert_matches_example(
		proto_encode_ack("r3", CONV, 7, 1764145201000, false),
		"s2c-ack.json");
	assert_matches_example(
		proto_encode_ack("r3", CONV, 7, 1764145201000, true),
		"s2c-ack-duplicate.json");
	assert_matches_example(proto_encode_error("r3", CONV, PROTO_E_FORBIDDEN,
						  "not your conversation"),
			       "s2c-error.json");
	assert_matches_example(
		proto_encode_error("r3", NULL, PROTO_E_UNAVAILABLE, NULL),
		"s2c-error-unavailable.json");
	assert_matches_example(proto_encode_synced("r8", CONV, 7),
			       "s2c-synced.json");
	assert_matches_example(proto_encode_pong("r11", 1764145200000),
			       "s2c-pong.json");
	assert_matches_example(proto_encode_typing(CONV, &ann, true),
			       "s2c-typing.json");
	assert_matches_example(proto_encode_read(CONV, &ann, 7),
			       "s2c-read.json");
}

static void test_event_encoders_reproduce_the_examples(void **state UNUSED)
{
	char *body = proto_string_member("text", "Looking now");

	assert_matches_example(close_event(proto_event_prefix(CONV, "message",
							      &bo, "c-9", body),
					   7, 1764145201000),
			       "s2c-event.json");
	free(body);
	body = proto_string_member("reason", "resolved");
	assert_matches_example(
		close_event(
			proto_event_prefix(CONV, "closed", &ann, "c-5", body),
			8, 1764145202000),
		"s2c-event-closed.json");
	free(body);
	assert_matches_example(
		close_event(proto_event_prefix(CONV, "joined", &bo, "c-4", ""),
			    2, 1764145200500),
		"s2c-event-joined.json");
}

static void test_opened_event_reproduces_the_example(void **state UNUSED)
{
	char *shot = "https://example.com/s.png";
	struct proto_details d = {
		.summary = "Live site returns 502 after deploy",
		.steps = "1. Deploy to Live\n2. Visit /checkout",
		.environment = "live",
		.began = "2026-11-26T08:00:00Z",
		.errors = "502 Bad Gateway",
		.screenshots = &shot,
		.n_screenshots = 1,
	};
	char *body = proto_opened_members(&d, "site", "org-1", "site-1", "gold",
					  NULL);

	assert_matches_example(
		close_event(
			proto_event_prefix(CONV, "opened", &ann, "c-1", body),
			1, 1764145200000),
		"s2c-event-opened.json");
	free(body);
}

static void test_event_prefix_is_an_unterminated_object(void **state UNUSED)
{
	struct proto_user a = {"a", "Bo", PROTO_ROLE_AGENT};
	char *s = proto_event_prefix("X", "message", &a, "c-9",
				     "\"text\":\"hi\"");

	assert_string_equal(s, "{\"type\":\"event\",\"conv\":\"X\",\"kind\":"
			       "\"message\",\"channel\":\"chat\",\"from\":{"
			       "\"id\":\"a\",\"role\":\"agent\",\"name\":"
			       "\"Bo\"},\"client_id\":\"c-9\",\"text\":\"hi\"");
	free(s);
	s = proto_event_prefix("X", "joined", &a, NULL, NULL);
	assert_string_equal(s, "{\"type\":\"event\",\"conv\":\"X\",\"kind\":"
			       "\"joined\",\"channel\":\"chat\",\"from\":{"
			       "\"id\":\"a\",\"role\":\"agent\",\"name\":"
			       "\"Bo\"}");
	free(s);
}

static void test_opened_members_leave_out_what_is_absent(void **state UNUSED)
{
	struct proto_details d = {.summary = "s"};
	char *s =
		proto_opened_members(&d, "personal", "", NULL, "silver", NULL);

	assert_string_equal(s, "\"details\":{\"summary\":\"s\"},\"context\":"
			       "\"personal\",\"tier\":\"silver\"");
	free(s);
}

static void test_error_frame_omits_empty_id_and_conv(void **state UNUSED)
{
	char *s = proto_encode_error("", NULL, PROTO_E_BAD_JSON,
				     "frame is not valid JSON (at byte 3)");

	assert_string_equal(s, "{\"type\":\"error\",\"code\":\"bad_json\","
			       "\"message\":\"frame is not valid JSON (at "
			       "byte 3)\",\"retryable\":false}");
	free(s);
}

static void test_string_member_escapes_its_value(void **state UNUSED)
{
	char *s = proto_string_member("text", "a\"b\\c\n\x01");

	assert_string_equal(s, "\"text\":\"a\\\"b\\\\c\\n\\u0001\"");
	free(s);
	s = proto_string_member("reason", NULL);
	assert_string_equal(s, "");
	free(s);
}

/* Text survives decode -> event -> JSON parse byte for byte. */
static void test_text_round_trips_through_an_event(void **state UNUSED)
{
	const char *text = "quote\" backslash\\ tab\t nl\n ctl\x01\x1f del\x7f"
			   " caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8 </b>";
	json_t *in =
		json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", "send", "id", "r",
			  "client_id", "c", "conv", CONV, "text", text);
	char *frame = json_dumps(in, JSON_COMPACT), *body, *event;
	struct proto_request req;
	struct proto_error err;
	json_t *out;

	assert_int_equal(decode_str(frame, &req, &err), 0);
	assert_string_equal(req.text, text);
	body = proto_string_member("text", req.text);
	event = close_event(
		proto_event_prefix(CONV, "message", &ann, "c", body), 1, 2);
	for (const char *p = event; *p; p++)
		assert_false((unsigned char)*p < 0x20);
	out = json_loads(event, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(out);
	assert_string_equal(json_string_value(json_object_get(out, "text")),
			    text);
	assert_int_equal(json_integer_value(json_object_get(out, "seq")), 1);
	json_decref(out);
	json_decref(in);
	free(event);
	free(body);
	free(frame);
	proto_request_cleanup(&req);
}

static void test_hello_reproduces_the_examples(void **state UNUSED)
{
	struct proto_hello_user cust = {"cust-1", "Ann",    "gold",
					"org-1",  "site-1", PROTO_ROLE_CUSTOMER,
					9},
				agent = {"agent-1", "Bo", "gold",
					 "",	    NULL, PROTO_ROLE_AGENT,
					 5};

	assert_matches_example(
		proto_encode_hello("r1", 1764145200000, &cust, 65536),
		"s2c-hello.json");
	assert_matches_example(
		proto_encode_hello("r1", 1764145200000, &agent, 65536),
		"s2c-hello-agent.json");
}

static void test_hello_escapes_the_user(void **state UNUSED)
{
	struct proto_hello_user u = {"a\"b", "x\n\x01",	       "gold", "o\\",
				     "",     PROTO_ROLE_ADMIN, 0};
	char *s = proto_encode_hello("r\"", 5, &u, 100);

	assert_string_equal(
		s, "{\"type\":\"hello\",\"id\":\"r\\\"\",\"server_time\":5,"
		   "\"protocol\":\"chat.v1\",\"user\":{\"id\":\"a\\\"b\","
		   "\"name\":\"x\\n\\u0001\",\"role\":\"admin\",\"tier\":"
		   "\"gold\",\"org\":\"o\\\\\",\"capacity\":0},\"limits\":{"
		   "\"max_frame\":100,\"text_max\":16384}}");
	free(s);
	u.name = "\xe2\x82";
	assert_null(proto_encode_hello("r", 5, &u, 100));
}

static void test_feed_prefixes_reproduce_the_examples(void **state UNUSED)
{
	assert_matches_example(
		close_event(proto_feed_opened_prefix(
				    CONV, "Live site returns 502", "live", &ann,
				    "gold", "org-1", "site-1"),
			    1, 1764145200000),
		"s2c-feed.json");
	assert_matches_example(
		close_event(proto_feed_assigned_prefix(CONV, &bo), 2,
			    1764145200500),
		"s2c-feed-assigned.json");
	assert_matches_example(
		close_event(proto_feed_closed_prefix(CONV, "resolved"), 8,
			    1764145202000),
		"s2c-feed-closed.json");
}

static void test_feed_prefixes_omit_absent_members(void **state UNUSED)
{
	struct proto_user hostile = {"c\"1", "A\tB", PROTO_ROLE_CUSTOMER};
	char *s = proto_feed_opened_prefix("X", "s\"}", NULL, &hostile,
					   "silver", "", NULL);

	assert_string_equal(s,
			    "{\"type\":\"feed\",\"kind\":\"opened\",\"conv\":"
			    "\"X\",\"status\":\"waiting\",\"summary\":"
			    "\"s\\\"}\",\"customer\":{\"id\":\"c\\\"1\","
			    "\"name\":\"A\\tB\"},\"tier\":\"silver\"");
	free(s);
	s = proto_feed_closed_prefix("X", NULL);
	assert_string_equal(s,
			    "{\"type\":\"feed\",\"kind\":\"closed\",\"conv\":"
			    "\"X\",\"status\":\"closed\"");
	free(s);
	assert_null(proto_feed_closed_prefix("X", "\xff"));
	assert_null(proto_feed_opened_prefix("X", "\xc3", NULL, &ann, "gold",
					     NULL, NULL));
}

static void test_seqless_ack_has_no_seq(void **state UNUSED)
{
	assert_matches_example(
		proto_encode_ack_noseq("r16", CONV, 1764145201000, false),
		"s2c-ack-noseq.json");
	assert_matches_example(
		proto_encode_ack_noseq("r14", NULL, 1764145201000, false),
		"s2c-ack-canned.json");
	assert_null(proto_encode_ack_noseq("r\xff", NULL, 1, false));
}

static void test_rate_limited_carries_retry_after(void **state UNUSED)
{
	assert_matches_example(proto_encode_rate_limited(250),
			       "s2c-error-rate-limited.json");
	assert_matches_example(
		proto_encode_error("r3", CONV, PROTO_E_CLIENT_ID_REUSED, NULL),
		"s2c-error-client-id-reused.json");
}

static void test_cursor_format_is_what_list_reads(void **state UNUSED)
{
	char buf[PROTO_CURSOR_MAX + 1];
	struct proto_request req;
	struct proto_error err;
	char *frame;

	assert_int_equal(
		proto_cursor_format(buf, sizeof(buf), UINT64_MAX, CONV),
		PROTO_CURSOR_MAX);
	assert_string_equal(buf, "18446744073709551615:" CONV);
	assert_true(asprintf(&frame,
			     "{\"type\":\"list\",\"id\":\"r\","
			     "\"before\":\"%s\"}",
			     buf) > 0);
	assert_int_equal(decode_str(frame, &req, &err), 0);
	assert_true(req.before_score == UINT64_MAX);
	assert_string_equal(req.before_conv, CONV);
	free(frame);
	assert_int_equal(proto_cursor_format(buf, sizeof(buf), 0, "short"), -1);
	assert_int_equal(proto_cursor_format(buf, 10, 5, CONV), -1);
	assert_int_equal(proto_cursor_format(buf, 25, 5, CONV), 24);
}

static void test_encoders_refuse_invalid_utf8(void **state UNUSED)
{
	struct proto_user bad = {"\xff", "x", PROTO_ROLE_CUSTOMER};

	assert_null(proto_string_member("text", "\xc3"));
	assert_null(proto_encode_error("r\xff", NULL, PROTO_E_INTERNAL, NULL));
	assert_null(proto_event_prefix(CONV, "message", &ann, "c\xff", ""));
	assert_null(proto_encode_typing(CONV, &bad, true));
}

/* ---- errors, roles, types ---------------------------------------------- */

static void test_error_codes_have_distinct_wire_names(void **state UNUSED)
{
	for (int i = 0; i < PROTO_E__COUNT; i++) {
		assert_true(proto_error_code_str(i)[0] != '\0');
		assert_true(proto_error_message(i)[0] != '\0');
		for (int j = 0; j < i; j++)
			assert_string_not_equal(proto_error_code_str(i),
						proto_error_code_str(j));
	}
	assert_string_equal(proto_error_code_str(PROTO_E_CONV_CLOSED),
			    "conversation_closed");
}

static void test_only_transient_errors_are_retryable(void **state UNUSED)
{
	for (int i = 0; i < PROTO_E__COUNT; i++)
		assert_int_equal(proto_error_retryable(i),
				 i == PROTO_E_RATE_LIMITED ||
					 i == PROTO_E_UNAVAILABLE ||
					 i == PROTO_E_INTERNAL);
}

static void test_out_of_range_error_code_reads_as_internal(void **state UNUSED)
{
	assert_string_equal(proto_error_code_str(PROTO_E__COUNT), "internal");
	assert_string_equal(proto_error_code_str((enum proto_error_code) - 1),
			    "internal");
}

static void test_roles_round_trip(void **state UNUSED)
{
	enum proto_role role;

	for (int r = PROTO_ROLE_CUSTOMER; r <= PROTO_ROLE_ADMIN; r++) {
		assert_int_equal(proto_role_parse(proto_role_str(r), &role), 0);
		assert_int_equal(role, r);
	}
	assert_string_equal(proto_role_str(PROTO_ROLE_AGENT), "agent");
	assert_int_equal(proto_role_parse("Agent", &role), -1);
	assert_int_equal(proto_role_parse("", &role), -1);
	assert_int_equal(proto_role_parse(NULL, &role), -1);
}

static void test_type_names_are_the_wire_names(void **state UNUSED)
{
	assert_string_equal(proto_type_str(PROTO_AUTH), "auth");
	assert_string_equal(proto_type_str(PROTO_HISTORY), "history");
	assert_string_equal(proto_type_str(PROTO_PING), "ping");
	assert_string_equal(proto_type_str(PROTO_CANNED_SAVE), "canned_save");
	assert_string_equal(proto_type_str(PROTO_UNWATCH), "unwatch");
	assert_string_equal(proto_type_str(PROTO_AVAILABILITY), "availability");
	assert_string_equal(proto_type_str(PROTO_PRESENCE), "presence");
	assert_string_equal(proto_type_str(PROTO_AGENTS), "agents");
	assert_string_equal(proto_type_str(PROTO_ACCEPT), "accept");
	assert_string_equal(proto_type_str(PROTO_DECLINE), "decline");
	assert_string_equal(proto_type_str(PROTO_TRANSFER), "transfer");
	assert_string_equal(proto_type_str(PROTO_TAKEOVER), "takeover");
	assert_string_equal(proto_type_str(PROTO_EMAIL_REPLY), "email_reply");
	assert_string_equal(proto_type_str(PROTO_EMAIL_REPLY + 1), "unknown");
}

static void test_every_type_has_a_distinct_name(void **state UNUSED)
{
	for (int a = 0; a <= PROTO_EMAIL_REPLY; a++) {
		const char *name = proto_type_str((enum proto_type)a);

		assert_non_null(name);
		assert_string_not_equal(name, "unknown");
		for (int b = 0; b < a; b++)
			assert_string_not_equal(
				name, proto_type_str((enum proto_type)b));
	}
}

static void test_presence_names_are_the_wire_names(void **state UNUSED)
{
	assert_string_equal(proto_presence_str(PROTO_PRESENCE_ONLINE),
			    "online");
	assert_string_equal(proto_presence_str(PROTO_PRESENCE_AWAY), "away");
	assert_string_equal(proto_presence_str(PROTO_PRESENCE_OFFLINE),
			    "offline");
	assert_string_equal(proto_presence_str(PROTO_PRESENCE_OFFLINE + 1),
			    "unknown");
}

/* ---- decode: routing frames -------------------------------------------- */

#define OPEN_TOP(members)                                                      \
	"{\"type\":\"open\",\"id\":\"r1\",\"client_id\":\"c1\","               \
	"\"details\":{\"summary\":\"s\"}," members "}"

static void test_open_reads_topic_tz_and_leave_message(void **state UNUSED)
{
	static const char f[] = OPEN_TOP(
		"\"topic\":\"word_press-2\",\"tz\":\"America/Port-au-Prince\","
		"\"leave_message\":true");
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(proto_decode(f, sizeof(f) - 1, &req, &err), 0);
	assert_string_equal(req.topic, "word_press-2");
	assert_string_equal(req.tz, "America/Port-au-Prince");
	assert_true(req.leave_message);
	proto_request_cleanup(&req);
	assert_int_equal(decode_str(OPEN_TOP("\"x\":1"), &req, &err), 0);
	assert_string_equal(req.topic, "");
	assert_string_equal(req.tz, "");
	assert_false(req.leave_message);
	proto_request_cleanup(&req);
	assert_decodes(OPEN_TOP("\"tz\":\"Etc/GMT+5\""));
	assert_decodes(OPEN_TOP("\"tz\":\"UTC\",\"leave_message\":false"));
}

static void test_open_topic_is_a_key(void **state UNUSED)
{
	assert_refused(OPEN_TOP("\"topic\":\"DNS\""), PROTO_E_BAD_FRAME, "r1",
		       "topic must be a-z, 0-9, _ or -");
	assert_refused(OPEN_TOP("\"topic\":\"d.ns\""), PROTO_E_BAD_FRAME, "r1",
		       "topic must be a-z, 0-9, _ or -");
	assert_refused(OPEN_TOP("\"topic\":\"\""), PROTO_E_BAD_FRAME, "r1",
		       "topic must not be empty");
	assert_refused(OPEN_TOP("\"topic\":[\"dns\"]"), PROTO_E_BAD_FRAME, "r1",
		       "topic must be a string");
	assert_limit(OPEN_TOP("\"topic\":\"%s\""), PROTO_TOPIC_MAX,
		     PROTO_E_TOO_LARGE);
}

static void test_open_tz_is_a_zone_name(void **state UNUSED)
{
	static const char *const bad[] = {
		"../etc/passwd", "Europe/../../x",  "/etc/localtime",
		"Europe/Paris ", "Europe\\\\Paris", "Europe.Paris",
		"Zürich",
	};
	char frame[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(frame, sizeof(frame), OPEN_TOP("\"tz\":\"%s\""),
			 bad[i]);
		assert_refused(frame, PROTO_E_BAD_FRAME, "r1",
			       "tz must be a time zone name such as "
			       "Europe/Paris");
	}
	assert_refused(OPEN_TOP("\"tz\":\"\""), PROTO_E_BAD_FRAME, "r1",
		       "tz must not be empty");
	assert_refused(OPEN_TOP("\"tz\":0"), PROTO_E_BAD_FRAME, "r1",
		       "tz must be a string");
	assert_limit(OPEN_TOP("\"tz\":\"%s\""), PROTO_TZ_MAX,
		     PROTO_E_TOO_LARGE);
}

static void test_open_leave_message_is_a_boolean(void **state UNUSED)
{
	assert_refused(OPEN_TOP("\"leave_message\":\"true\""),
		       PROTO_E_BAD_FRAME, "r1",
		       "leave_message must be true or false");
	assert_refused(OPEN_TOP("\"leave_message\":null"), PROTO_E_BAD_FRAME,
		       "r1", "leave_message must be true or false");
}

static void test_availability_and_agents_need_only_an_id(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(decode_str("{\"type\":\"availability\",\"id\":\"a\"}",
				    &req, &err),
			 0);
	assert_int_equal(req.type, PROTO_AVAILABILITY);
	proto_request_cleanup(&req);
	assert_int_equal(
		decode_str("{\"type\":\"agents\",\"id\":\"b\"}", &req, &err),
		0);
	assert_int_equal(req.type, PROTO_AGENTS);
	assert_string_equal(req.id, "b");
	proto_request_cleanup(&req);
	assert_refused("{\"type\":\"availability\"}", PROTO_E_BAD_FRAME, "",
		       "id is required");
	assert_refused("{\"type\":\"agents\"}", PROTO_E_BAD_FRAME, "",
		       "id is required");
}

static void test_presence_reads_each_status(void **state UNUSED)
{
	static const char *const names[] = {"online", "away", "offline"};
	struct proto_request req;
	struct proto_error err;
	char frame[128];

	for (int i = 0; i < 3; i++) {
		snprintf(frame, sizeof(frame),
			 "{\"type\":\"presence\",\"id\":\"p\",\"status\":"
			 "\"%s\"}",
			 names[i]);
		assert_int_equal(decode_str(frame, &req, &err), 0);
		assert_int_equal(req.type, PROTO_PRESENCE);
		assert_int_equal(req.status, (enum proto_presence)i);
		proto_request_cleanup(&req);
	}
}

static void test_presence_refuses_other_statuses(void **state UNUSED)
{
	static const char *const bad[] = {"\"busy\"", "\"Away\"", "\"\"",
					  "\"online \""};
	char frame[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(frame, sizeof(frame),
			 "{\"type\":\"presence\",\"id\":\"p\",\"status\":%s}",
			 bad[i]);
		assert_refused(frame, PROTO_E_BAD_FRAME, "p",
			       "status must be online, away or offline");
	}
	assert_refused("{\"type\":\"presence\",\"id\":\"p\",\"status\":1}",
		       PROTO_E_BAD_FRAME, "p", "status must be a string");
	assert_refused("{\"type\":\"presence\",\"id\":\"p\"}",
		       PROTO_E_BAD_FRAME, "p", "status is required");
}

#define ROUTE(type, members)                                                   \
	"{\"type\":\"" type "\",\"id\":\"r9\",\"conv\":\"" CONV "\"" members "}"

static void test_accept_needs_client_id_and_conv(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(
		decode_str(ROUTE("accept", ",\"client_id\":\"k\""), &req, &err),
		0);
	assert_int_equal(req.type, PROTO_ACCEPT);
	assert_string_equal(req.client_id, "k");
	assert_string_equal(req.conv, CONV);
	proto_request_cleanup(&req);
	assert_refused(ROUTE("accept", ""), PROTO_E_BAD_FRAME, "r9",
		       "client_id is required");
	assert_refused(
		"{\"type\":\"accept\",\"id\":\"r9\",\"client_id\":\"k\"}",
		PROTO_E_BAD_FRAME, "r9", "conv is required");
}

static void test_decline_client_id_is_optional(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(decode_str(ROUTE("decline", ""), &req, &err), 0);
	assert_int_equal(req.type, PROTO_DECLINE);
	assert_string_equal(req.client_id, "");
	assert_string_equal(req.conv, CONV);
	proto_request_cleanup(&req);
	assert_int_equal(decode_str(ROUTE("decline", ",\"client_id\":\"k\""),
				    &req, &err),
			 0);
	assert_string_equal(req.client_id, "k");
	proto_request_cleanup(&req);
	assert_refused(ROUTE("decline", ",\"client_id\":true"),
		       PROTO_E_BAD_FRAME, "r9", "client_id must be a string");
	assert_refused("{\"type\":\"decline\",\"id\":\"r9\"}",
		       PROTO_E_BAD_FRAME, "r9", "conv is required");
	assert_limit(ROUTE("decline", ",\"client_id\":\"%s\""), PROTO_ID_MAX,
		     PROTO_E_TOO_LARGE);
}

static void test_transfer_reads_to_and_note(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(
		decode_str(ROUTE("transfer",
				 ",\"client_id\":\"k\",\"to\":"
				 "\"agent|2\",\"note\":\"over to you\""),
			   &req, &err),
		0);
	assert_int_equal(req.type, PROTO_TRANSFER);
	assert_string_equal(req.to, "agent|2");
	assert_string_equal(req.note, "over to you");
	proto_request_cleanup(&req);
	assert_null(req.note);
	assert_int_equal(decode_str(ROUTE("transfer", ",\"client_id\":\"k\""),
				    &req, &err),
			 0);
	assert_string_equal(req.to, "");
	assert_null(req.note);
	proto_request_cleanup(&req);
}

static void test_empty_or_blank_note_counts_as_absent(void **state UNUSED)
{
	static const char *const notes[] = {"\"\"", "\" \"", "\"\\n\\t \""};
	struct proto_request req;
	struct proto_error err;
	char frame[256];

	for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++) {
		snprintf(frame, sizeof(frame),
			 ROUTE("takeover", ",\"client_id\":\"k\",\"note\":%s"),
			 notes[i]);
		assert_int_equal(decode_str(frame, &req, &err), 0);
		assert_null(req.note);
		proto_request_cleanup(&req);
	}
}

static void test_transfer_refuses_bad_to_and_note(void **state UNUSED)
{
	assert_refused(ROUTE("transfer", ",\"client_id\":\"k\",\"to\":2"),
		       PROTO_E_BAD_FRAME, "r9", "to must be a string");
	assert_refused(ROUTE("transfer", ",\"client_id\":\"k\",\"to\":\"\""),
		       PROTO_E_BAD_FRAME, "r9", "to must not be empty");
	assert_refused(ROUTE("transfer", ",\"client_id\":\"k\",\"note\":{}"),
		       PROTO_E_BAD_FRAME, "r9", "note must be a string");
	assert_refused(ROUTE("transfer", ",\"to\":\"a\""), PROTO_E_BAD_FRAME,
		       "r9", "client_id is required");
	assert_limit(ROUTE("transfer", ",\"client_id\":\"k\",\"to\":\"%s\""),
		     PROTO_USER_ID_MAX, PROTO_E_TOO_LARGE);
	assert_limit(ROUTE("transfer", ",\"client_id\":\"k\",\"note\":\"%s\""),
		     PROTO_NOTE_MAX, PROTO_E_TOO_LARGE);
}

static void test_takeover_reads_the_note(void **state UNUSED)
{
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(
		decode_str(ROUTE("takeover", ",\"client_id\":\"k\",\"note\":"
					     "\" mine now \""),
			   &req, &err),
		0);
	assert_int_equal(req.type, PROTO_TAKEOVER);
	assert_string_equal(req.note, " mine now ");
	proto_request_cleanup(&req);
	assert_refused(ROUTE("takeover", ""), PROTO_E_BAD_FRAME, "r9",
		       "client_id is required");
	assert_limit(ROUTE("takeover", ",\"client_id\":\"k\",\"note\":\"%s\""),
		     PROTO_NOTE_MAX, PROTO_E_TOO_LARGE);
}

static void test_canned_save_decodes_scope_key_title_text(void **state UNUSED)
{
	static const char f[] =
		"{\"type\":\"canned_save\",\"id\":\"r\",\"scope\":\"team\","
		"\"key\":\"php-8\",\"title\":\"PHP\",\"text\":\"Use 8.2\"}";
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(proto_decode(f, sizeof(f) - 1, &req, &err), 0);
	assert_int_equal(req.scope, PROTO_SCOPE_TEAM);
	assert_string_equal(req.key, "php-8");
	assert_string_equal(req.title, "PHP");
	assert_string_equal(req.text, "Use 8.2");
	proto_request_cleanup(&req);
}

static void test_list_scope_customer_needs_the_customer(void **state UNUSED)
{
	static const char ok[] = "{\"type\":\"list\",\"id\":\"r\",\"scope\":"
				 "\"customer\",\"customer\":\"cust-1\"}";
	static const char bad[] = "{\"type\":\"list\",\"id\":\"r\",\"scope\":"
				  "\"customer\"}";
	struct proto_request req;
	struct proto_error err;

	assert_int_equal(proto_decode(ok, sizeof(ok) - 1, &req, &err), 0);
	assert_int_equal(req.scope, PROTO_SCOPE_CUSTOMER);
	assert_string_equal(req.customer, "cust-1");
	proto_request_cleanup(&req);
	assert_int_equal(proto_decode(bad, sizeof(bad) - 1, &req, &err), -1);
	assert_int_equal(err.code, PROTO_E_BAD_FRAME);
}

static void test_read_prefix_completed_is_the_read_frame(void **state)
{
	struct proto_user from = {"cust|1", "Ann \"A\"", PROTO_ROLE_CUSTOMER};
	char *prefix = proto_encode_read_prefix(CONV, &from);
	char *full = proto_encode_read(CONV, &from, 42);
	char joined[512];

	(void)state;
	assert_non_null(prefix);
	assert_non_null(full);
	snprintf(joined, sizeof(joined), "%s42}", prefix);
	assert_string_equal(joined, full);
	free(prefix);
	free(full);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_prefix_completed_is_the_read_frame),
		cmocka_unit_test(test_every_c2s_example_decodes_as_its_type),
		cmocka_unit_test(test_canned_save_decodes_scope_key_title_text),
		cmocka_unit_test(test_list_scope_customer_needs_the_customer),
		cmocka_unit_test(
			test_every_bad_example_is_refused_with_its_code),
		cmocka_unit_test(test_every_bad_tsv_line_names_an_example),
		cmocka_unit_test(
			test_every_s2c_example_is_an_object_of_its_type),
		cmocka_unit_test(test_decode_reads_only_len_bytes),
		cmocka_unit_test(
			test_non_objects_and_syntax_errors_are_bad_json),
		cmocka_unit_test(test_duplicate_key_is_bad_json),
		cmocka_unit_test(test_type_must_be_a_known_string),
		cmocka_unit_test(test_error_echoes_a_readable_request_id),
		cmocka_unit_test(
			test_error_has_no_id_when_the_id_is_unreadable),
		cmocka_unit_test(test_out_of_range_numbers_echo_the_id),
		cmocka_unit_test(test_numbers_read_as_jansson_reads_them),
		cmocka_unit_test(test_frames_jansson_cannot_hold_echo_the_id),
		cmocka_unit_test(test_unreadable_ids_are_not_salvaged),
		cmocka_unit_test(test_id_is_required_except_for_typing),
		cmocka_unit_test(test_send_without_client_id_is_bad_frame),
		cmocka_unit_test(test_unknown_members_are_ignored),
		cmocka_unit_test(test_null_is_not_an_absent_member),
		cmocka_unit_test(test_nul_in_any_string_member_is_bad_frame),
		cmocka_unit_test(test_failed_decode_leaves_the_request_empty),
		cmocka_unit_test(test_auth_token_is_copied),
		cmocka_unit_test(test_open_decodes_every_detail),
		cmocka_unit_test(
			test_open_leaves_absent_and_empty_details_null),
		cmocka_unit_test(test_environment_is_stored_lowercase),
		cmocka_unit_test(test_open_without_summary_names_the_field),
		cmocka_unit_test(
			test_screenshots_must_be_http_urls_with_a_host),
		cmocka_unit_test(test_send_copies_conv_and_text),
		cmocka_unit_test(test_empty_or_blank_text_is_bad_frame),
		cmocka_unit_test(test_malformed_conv_is_bad_frame),
		cmocka_unit_test(test_conv_id_validity),
		cmocka_unit_test(test_close_reason_is_optional),
		cmocka_unit_test(test_typing_needs_a_boolean),
		cmocka_unit_test(test_read_seq_must_be_a_positive_integer),
		cmocka_unit_test(
			test_resume_reads_each_conv_and_defaults_after),
		cmocka_unit_test(test_resume_error_names_the_item),
		cmocka_unit_test(test_history_and_list_defaults),
		cmocka_unit_test(
			test_list_cursor_string_carries_score_and_conv),
		cmocka_unit_test(test_malformed_list_cursor_names_before),
		cmocka_unit_test(test_list_reads_scope_cursor_and_limit),
		cmocka_unit_test(test_id_and_client_id_limit_is_64_bytes),
		cmocka_unit_test(test_text_limit_is_16_kib),
		cmocka_unit_test(test_text_limit_counts_utf8_bytes),
		cmocka_unit_test(test_details_limits),
		cmocka_unit_test(test_screenshots_and_resume_count_limits),
		cmocka_unit_test(test_token_and_reason_limits),
		cmocka_unit_test(test_page_limit_is_1_to_200),
		cmocka_unit_test(test_frame_encoders_reproduce_the_examples),
		cmocka_unit_test(test_event_encoders_reproduce_the_examples),
		cmocka_unit_test(test_opened_event_reproduces_the_example),
		cmocka_unit_test(test_event_prefix_is_an_unterminated_object),
		cmocka_unit_test(test_opened_members_leave_out_what_is_absent),
		cmocka_unit_test(test_error_frame_omits_empty_id_and_conv),
		cmocka_unit_test(test_string_member_escapes_its_value),
		cmocka_unit_test(test_text_round_trips_through_an_event),
		cmocka_unit_test(test_hello_reproduces_the_examples),
		cmocka_unit_test(test_hello_escapes_the_user),
		cmocka_unit_test(test_feed_prefixes_reproduce_the_examples),
		cmocka_unit_test(test_feed_prefixes_omit_absent_members),
		cmocka_unit_test(test_seqless_ack_has_no_seq),
		cmocka_unit_test(test_rate_limited_carries_retry_after),
		cmocka_unit_test(test_cursor_format_is_what_list_reads),
		cmocka_unit_test(test_encoders_refuse_invalid_utf8),
		cmocka_unit_test(test_error_codes_have_distinct_wire_names),
		cmocka_unit_test(test_only_transient_errors_are_retryable),
		cmocka_unit_test(
			test_out_of_range_error_code_reads_as_internal),
		cmocka_unit_test(test_roles_round_trip),
		cmocka_unit_test(test_type_names_are_the_wire_names),
		cmocka_unit_test(test_every_type_has_a_distinct_name),
		cmocka_unit_test(test_presence_names_are_the_wire_names),
		cmocka_unit_test(test_open_reads_topic_tz_and_leave_message),
		cmocka_unit_test(test_open_topic_is_a_key),
		cmocka_unit_test(test_open_tz_is_a_zone_name),
		cmocka_unit_test(test_open_leave_message_is_a_boolean),
		cmocka_unit_test(test_availability_and_agents_need_only_an_id),
		cmocka_unit_test(test_presence_reads_each_status),
		cmocka_unit_test(test_presence_refuses_other_statuses),
		cmocka_unit_test(test_accept_needs_client_id_and_conv),
		cmocka_unit_test(test_decline_client_id_is_optional),
		cmocka_unit_test(test_transfer_reads_to_and_note),
		cmocka_unit_test(test_empty_or_blank_note_counts_as_absent),
		cmocka_unit_test(test_transfer_refuses_bad_to_and_note),
		cmocka_unit_test(test_takeover_reads_the_note),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
