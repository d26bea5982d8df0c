/*
 * decode: turns one client frame (JSON text) into a validated struct
 * proto_request.
 *
 * Every shape rule and size limit of PROTOCOL.md is checked here, so the
 * server can trust a decoded request. It does not check anything that needs
 * state: who may do what, whether a conversation exists, rate limits.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "chat/protocol.h"
#include "parse.h"

#define TOKEN_MAX 8192
#define UNBOUNDED INT64_MAX /* jansson integers are signed 64-bit */

enum presence { OPTIONAL, REQUIRED };

/* Members are read from obj (borrowed); path names obj in error messages:
 * "" at the top level, "details." inside details, "convs[2]." in resume. */
struct reader {
	const json_t *obj;
	const char *path;
	struct proto_error *err;
};

/* The members a frame type needs beyond id and type. */
struct frame_rule {
	bool needs_id;
	bool needs_client_id;
	bool needs_conv;
	int (*decode)(const struct reader *rd, struct proto_request *out);
};

static const char *const environments[] = {"multidev", "dev", "test", "live"};

static int fail_oom(struct proto_error *err)
{
	return parse_fail(err, PROTO_E_INTERNAL, "out of memory");
}

/* Sets *out to the member (borrowed), NULL when absent and optional. */
static int get_member(const struct reader *rd, const char *key,
		      enum presence presence, json_t **out)
{
	*out = json_object_get(rd->obj, key);
	if (*out || presence == OPTIONAL)
		return 0;
	return parse_fail(rd->err, PROTO_E_BAD_FRAME, "%s%s is required",
			  rd->path, key);
}

/* Checks that v is a string of min..max bytes without NUL; key names it. */
static int check_string(const struct reader *rd, const char *key,
			const json_t *v, size_t min, size_t max)
{
	size_t len;

	if (!json_is_string(v))
		return parse_fail(rd->err, PROTO_E_BAD_FRAME,
				  "%s%s must be a string", rd->path, key);
	len = json_string_length(v);
	if (strlen(json_string_value(v)) != len)
		return parse_fail(rd->err, PROTO_E_BAD_FRAME,
				  "%s%s must not contain NUL", rd->path, key);
	if (len < min)
		return parse_fail(rd->err, PROTO_E_BAD_FRAME,
				  "%s%s must not be empty", rd->path, key);
	if (len > max)
		return parse_fail(rd->err, PROTO_E_TOO_LARGE,
				  "%s%s is over %zu bytes", rd->path, key, max);
	return 0;
}

/* Borrows a string member of min..max bytes; *out is NULL when absent. */
static int get_string(const struct reader *rd, const char *key, size_t min,
		      size_t max, enum presence presence, const char **out)
{
	json_t *v;

	*out = NULL;
	if (get_member(rd, key, presence, &v) < 0)
		return -1;
	if (!v)
		return 0;
	if (check_string(rd, key, v, min, max) < 0)
		return -1;
	*out = json_string_value(v);
	return 0;
}

/* Like get_string() but stores a heap copy in *out (the request owns it).
 * An empty string is stored as NULL: absent and empty mean the same. */
static int dup_string(const struct reader *rd, const char *key, size_t min,
		      size_t max, enum presence presence, char **out)
{
	const char *s;

	if (get_string(rd, key, min, max, presence, &s) < 0)
		return -1;
	if (!s || !*s)
		return 0;
	*out = strdup(s);
	return *out ? 0 : fail_oom(rd->err);
}

static int dup_optional(const struct reader *rd, const char *key, size_t max,
			char **out)
{
	return dup_string(rd, key, 0, max, OPTIONAL, out);
}

/* Like get_string() but copies into buf, which holds max + 1 bytes; buf
 * is left "" when the member is absent. */
static int copy_string(const struct reader *rd, const char *key, size_t max,
		       enum presence presence, char *buf)
{
	const char *s;

	if (get_string(rd, key, 1, max, presence, &s) < 0)
		return -1;
	if (s)
		memcpy(buf, s, strlen(s) + 1);
	return 0;
}

static int copy_conv(const struct reader *rd, const char *key,
		     char buf[PROTO_CONV_LEN + 1])
{
	const char *s;

	if (get_string(rd, key, 1, SIZE_MAX, REQUIRED, &s) < 0)
		return -1;
	if (!proto_conv_id_valid(s))
		return parse_fail(rd->err, PROTO_E_BAD_FRAME,
				  "%s%s is not a conversation id", rd->path,
				  key);
	memcpy(buf, s, PROTO_CONV_LEN + 1);
	return 0;
}

/* Reads an integer member in min..max; *out is left as is when absent, so
 * callers set the default first. Reals, strings and booleans are refused
 * even when they hold a whole number. */
static int get_uint(const struct reader *rd, const char *key, uint64_t min,
		    uint64_t max, enum presence presence, uint64_t *out)
{
	json_t *v;
	json_int_t n;

	if (get_member(rd, key, presence, &v) < 0)
		return -1;
	if (!v)
		return 0;
	n = json_is_integer(v) ? json_integer_value(v) : -1;
	if (n < 0 || (uint64_t)n < min || (uint64_t)n > max) {
		if (max == UNBOUNDED)
			return parse_fail(rd->err, PROTO_E_BAD_FRAME,
					  "%s%s must be an integer >= %" PRIu64,
					  rd->path, key, min);
		return parse_fail(rd->err, PROTO_E_BAD_FRAME,
				  "%s%s must be an integer from %" PRIu64
				  " to %" PRIu64,
				  rd->path, key, min, max);
	}
	*out = (uint64_t)n;
	return 0;
}

static int get_bool(const struct reader *rd, const char *key,
		    enum presence presence, bool *out)
{
	json_t *v;

	if (get_member(rd, key, presence, &v) < 0)
		return -1;
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return parse_fail(rd->err, PROTO_E_BAD_FRAME,
				  "%s%s must be true or false", rd->path, key);
	*out = json_is_true(v);
	return 0;
}

/* Reads an object (or array, when want is JSON_ARRAY) member; *out is
 * borrowed, NULL when absent. */
static int get_container(const struct reader *rd, const char *key,
			 json_type want, enum presence presence, json_t **out)
{
	if (get_member(rd, key, presence, out) < 0)
		return -1;
	if (!*out || json_typeof(*out) == want)
		return 0;
	return parse_fail(rd->err, PROTO_E_BAD_FRAME, "%s%s must be %s",
			  rd->path, key,
			  want == JSON_ARRAY ? "an array" : "an object");
}

/* Page sizes: absent means the server default (0); 0 itself is refused. */
static int get_limit(const struct reader *rd, unsigned *out)
{
	uint64_t limit = 0;

	if (get_uint(rd, "limit", 1, PROTO_PAGE_MAX, OPTIONAL, &limit) < 0)
		return -1;
	*out = (unsigned)limit;
	return 0;
}

static bool is_blank(const char *s)
{
	return s[strspn(s, " \t\n\r\v\f")] == '\0';
}

/* Text a person reads (messages, notes, summaries): required, and not just
 * whitespace. */
static int dup_text(const struct reader *rd, const char *key, size_t max,
		    char **out)
{
	if (dup_string(rd, key, 1, max, REQUIRED, out) < 0)
		return -1;
	if (is_blank(*out))
		return parse_fail(rd->err, PROTO_E_BAD_FRAME,
				  "%s%s must not be blank", rd->path, key);
	return 0;
}

/* Screenshots end up as links in agents' browsers: only absolute http(s)
 * URLs with a host, and none of the characters a URL must escape anyway
 * (controls, space, quotes, angle brackets, backslash, backtick). */
static bool url_valid(const char *s)
{
	const char *p;

	if (strncasecmp(s, "https://", 8) == 0)
		p = s + 8;
	else if (strncasecmp(s, "http://", 7) == 0)
		p = s + 7;
	else
		return false;
	if (*p == '\0' || strchr("/?#", *p))
		return false;
	for (p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c == 0x7f || strchr("\"<>\\`", c))
			return false;
	}
	return true;
}

static int dup_screenshot(const struct reader *rd, const json_t *v, size_t i,
			  char **out)
{
	struct reader item = {NULL, "details.screenshots", rd->err};
	char key[24];

	snprintf(key, sizeof(key), "[%zu]", i);
	if (check_string(&item, key, v, 1, PROTO_URL_MAX) < 0)
		return -1;
	if (!url_valid(json_string_value(v)))
		return parse_fail(
			rd->err, PROTO_E_BAD_FRAME,
			"details.screenshots%s must be an http(s) URL", key);
	*out = strdup(json_string_value(v));
	return *out ? 0 : fail_oom(rd->err);
}

static int get_screenshots(const struct reader *rd, struct proto_details *d)
{
	json_t *arr;
	size_t n;

	if (get_container(rd, "screenshots", JSON_ARRAY, OPTIONAL, &arr) < 0)
		return -1;
	n = arr ? json_array_size(arr) : 0;
	if (n == 0)
		return 0;
	if (n > PROTO_SCREENSHOTS_MAX)
		return parse_fail(rd->err, PROTO_E_TOO_LARGE,
				  "details.screenshots has over %d URLs",
				  PROTO_SCREENSHOTS_MAX);
	d->screenshots = calloc(n, sizeof(*d->screenshots));
	if (!d->screenshots)
		return fail_oom(rd->err);
	for (; d->n_screenshots < n; d->n_screenshots++) {
		size_t i = d->n_screenshots;

		if (dup_screenshot(rd, json_array_get(arr, i), i,
				   &d->screenshots[i]) < 0)
			return -1;
	}
	return 0;
}

/* Stores the canonical (lowercase) name; any case is accepted. */
static int get_environment(const struct reader *rd, char **out)
{
	const char *s;
	size_t i;

	if (get_string(rd, "environment", 0, SIZE_MAX, OPTIONAL, &s) < 0)
		return -1;
	if (!s)
		return 0;
	for (i = 0; i < sizeof(environments) / sizeof(environments[0]); i++) {
		if (strcasecmp(s, environments[i]) == 0) {
			*out = strdup(environments[i]);
			return *out ? 0 : fail_oom(rd->err);
		}
	}
	return parse_fail(
		rd->err, PROTO_E_BAD_FRAME,
		"details.environment must be multidev, dev, test or live");
}

static int decode_details(const struct reader *rd, struct proto_details *d)
{
	struct reader dr = {NULL, "details.", rd->err};
	json_t *obj;

	if (get_container(rd, "details", JSON_OBJECT, REQUIRED, &obj) < 0)
		return -1;
	dr.obj = obj;
	if (dup_text(&dr, "summary", PROTO_SUMMARY_MAX, &d->summary) < 0 ||
	    dup_optional(&dr, "steps", PROTO_TEXT_MAX, &d->steps) < 0 ||
	    get_environment(&dr, &d->environment) < 0 ||
	    dup_optional(&dr, "began", PROTO_FIELD_MAX, &d->began) < 0 ||
	    dup_optional(&dr, "errors", PROTO_FIELD_MAX, &d->errors) < 0)
		return -1;
	return get_screenshots(&dr, d);
}

static int decode_auth(const struct reader *rd, struct proto_request *out)
{
	return dup_string(rd, "token", 1, TOKEN_MAX, REQUIRED, &out->token);
}

/* Topic keys and canned keys share one alphabet, so they can be used in
 * Redis keys and HTML attributes without escaping. */
static bool is_key_chars(const char *s)
{
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '-'))
			return false;
	return true;
}

static int get_topic(const struct reader *rd, struct proto_request *out)
{
	if (copy_string(rd, "topic", PROTO_TOPIC_MAX, OPTIONAL, out->topic) < 0)
		return -1;
	if (!is_key_chars(out->topic))
		return parse_fail(rd->err, PROTO_E_BAD_FRAME,
				  "topic must be a-z, 0-9, _ or -");
	return 0;
}

/* An IANA zone name ("Europe/Paris", "Etc/GMT+5"). The server resolves it
 * to a zone file, so a name that could leave the zone directory (an
 * absolute path, "..") is refused here already. */
static int get_tz(const struct reader *rd, struct proto_request *out)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "abcdefghijklmnopqrstuvwxyz"
				       "0123456789_+-/";
	const char *tz = out->tz;

	if (copy_string(rd, "tz", PROTO_TZ_MAX, OPTIONAL, out->tz) < 0)
		return -1;
	if (tz[strspn(tz, alphabet)] != '\0' || tz[0] == '/' ||
	    strstr(tz, ".."))
		return parse_fail(rd->err, PROTO_E_BAD_FRAME,
				  "tz must be a time zone name such as "
				  "Europe/Paris");
	return 0;
}

static int decode_open(const struct reader *rd, struct proto_request *out)
{
	if (decode_details(rd, &out->details) < 0 || get_topic(rd, out) < 0 ||
	    get_tz(rd, out) < 0)
		return -1;
	return get_bool(rd, "leave_message", OPTIONAL, &out->leave_message);
}

static int decode_text(const struct reader *rd, struct proto_request *out)
{
	return dup_text(rd, "text", PROTO_TEXT_MAX, &out->text);
}

static int decode_close(const struct reader *rd, struct proto_request *out)
{
	return dup_optional(rd, "reason", PROTO_REASON_MAX, &out->reason);
}

static int decode_typing(const struct reader *rd, struct proto_request *out)
{
	return get_bool(rd, "typing", REQUIRED, &out->typing);
}

static int decode_read(const struct reader *rd, struct proto_request *out)
{
	return get_uint(rd, "seq", 1, UNBOUNDED, REQUIRED, &out->seq);
}

static int decode_resume_item(const struct reader *rd, const json_t *v,
			      size_t i, struct proto_resume_item *item)
{
	char path[32];
	struct reader ir = {v, path, rd->err};

	if (!json_is_object(v))
		return parse_fail(rd->err, PROTO_E_BAD_FRAME,
				  "convs[%zu] must be an object", i);
	snprintf(path, sizeof(path), "convs[%zu].", i);
	if (copy_conv(&ir, "conv", item->conv) < 0)
		return -1;
	return get_uint(&ir, "after", 0, UNBOUNDED, OPTIONAL, &item->after);
}

static int decode_resume(const struct reader *rd, struct proto_request *out)
{
	json_t *arr;
	size_t n;

	if (get_container(rd, "convs", JSON_ARRAY, REQUIRED, &arr) < 0)
		return -1;
	n = json_array_size(arr);
	if (n == 0)
		return parse_fail(rd->err, PROTO_E_BAD_FRAME,
				  "convs must not be empty");
	if (n > PROTO_RESUME_MAX)
		return parse_fail(rd->err, PROTO_E_TOO_LARGE,
				  "convs has over %d conversations",
				  PROTO_RESUME_MAX);
	out->resume = calloc(n, sizeof(*out->resume));
	if (!out->resume)
		return fail_oom(rd->err);
	out->n_resume = n;
	for (size_t i = 0; i < n; i++)
		if (decode_resume_item(rd, json_array_get(arr, i), i,
				       &out->resume[i]) < 0)
			return -1;
	return 0;
}

static int decode_history(const struct reader *rd, struct proto_request *out)
{
	if (get_uint(rd, "after", 0, UNBOUNDED, OPTIONAL, &out->seq) < 0)
		return -1;
	return get_limit(rd, &out->limit);
}

/* Reads scope, one of the names in allowed (NULL-terminated, indexed
 * like enum proto_list_scope; NULL entries are not allowed here). */
static int get_scope(const struct reader *rd, const char *const *allowed,
		     const char *what, enum proto_list_scope *out)
{
	const char *s;

	if (get_string(rd, "scope", 0, SIZE_MAX, OPTIONAL, &s) < 0)
		return -1;
	*out = PROTO_SCOPE_MINE;
	if (!s)
		return 0;
	for (int i = 0; i <= PROTO_SCOPE_TEAM; i++) {
		if (allowed[i] && strcmp(s, allowed[i]) == 0) {
			*out = (enum proto_list_scope)i;
			return 0;
		}
	}
	return parse_fail(rd->err, PROTO_E_BAD_FRAME, "scope must be %s", what);
}

/* Reads "<score>:<conv>" (score in decimal digits, no sign) as the
 * conversations frame's next gives it. Returns false when s is not one. */
static bool parse_cursor(const char *s, uint64_t *score, char *conv)
{
	size_t digits = strspn(s, "0123456789");
	uint64_t v = 0;

	if (digits == 0 || digits > 20 || s[digits] != ':' ||
	    !proto_conv_id_valid(s + digits + 1))
		return false;
	for (size_t i = 0; i < digits; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*score = v;
	memcpy(conv, s + digits + 1, PROTO_CONV_LEN + 1);
	return true;
}

/* The list cursor: a string from next, or (older clients) a bare score. */
static int get_cursor(const struct reader *rd, struct proto_request *out)
{
	json_t *v = json_object_get(rd->obj, "before");

	if (!v || json_is_integer(v))
		return get_uint(rd, "before", 0, UNBOUNDED, OPTIONAL,
				&out->before_score);
	if (!json_is_string(v))
		return parse_fail(
			rd->err, PROTO_E_BAD_FRAME,
			"before must be a cursor string or an integer");
	if (strlen(json_string_value(v)) != json_string_length(v) ||
	    !parse_cursor(json_string_value(v), &out->before_score,
			  out->before_conv))
		return parse_fail(rd->err, PROTO_E_BAD_FRAME,
				  "before is not a cursor from next");
	return 0;
}

static int decode_list(const struct reader *rd, struct proto_request *out)
{
	static const char *const scopes[] = {"mine", "open", "customer", NULL};

	if (get_scope(rd, scopes, "mine, open or customer", &out->scope) < 0 ||
	    get_cursor(rd, out) < 0)
		return -1;
	if (out->scope == PROTO_SCOPE_CUSTOMER &&
	    copy_string(rd, "customer", PROTO_USER_ID_MAX, REQUIRED,
			out->customer) < 0)
		return -1;
	return get_limit(rd, &out->limit);
}

static int get_canned_key(const struct reader *rd, struct proto_request *out)
{
	if (copy_string(rd, "key", PROTO_CANNED_KEY_MAX, REQUIRED, out->key) <
	    0)
		return -1;
	if (!is_key_chars(out->key))
		return parse_fail(rd->err, PROTO_E_BAD_FRAME,
				  "key must be a-z, 0-9, _ or -");
	return 0;
}

static int decode_canned_change(const struct reader *rd,
				struct proto_request *out)
{
	static const char *const scopes[] = {"mine", NULL, NULL, "team", NULL};

	if (get_scope(rd, scopes, "mine or team", &out->scope) < 0 ||
	    get_canned_key(rd, out) < 0)
		return -1;
	if (out->type == PROTO_CANNED_DELETE)
		return 0;
	if (dup_string(rd, "title", 0, PROTO_CANNED_TITLE_MAX, OPTIONAL,
		       &out->title) < 0)
		return -1;
	return dup_text(rd, "text", PROTO_CANNED_TEXT_MAX, &out->text);
}

static int decode_presence(const struct reader *rd, struct proto_request *out)
{
	const char *s;

	if (get_string(rd, "status", 0, SIZE_MAX, REQUIRED, &s) < 0)
		return -1;
	for (int i = PROTO_PRESENCE_ONLINE; i <= PROTO_PRESENCE_OFFLINE; i++) {
		if (strcmp(s, proto_presence_str((enum proto_presence)i)) ==
		    0) {
			out->status = (enum proto_presence)i;
			return 0;
		}
	}
	return parse_fail(rd->err, PROTO_E_BAD_FRAME,
			  "status must be online, away or offline");
}

/* A handover note: optional, and blank counts as absent (a note nobody
 * wrote must not become an empty note event). */
static int get_note(const struct reader *rd, struct proto_request *out)
{
	if (dup_optional(rd, "note", PROTO_NOTE_MAX, &out->note) < 0)
		return -1;
	if (out->note && is_blank(out->note)) {
		free(out->note);
		out->note = NULL;
	}
	return 0;
}

/* decline carries a client_id only when the client has one to give. */
static int decode_decline(const struct reader *rd, struct proto_request *out)
{
	return copy_string(rd, "client_id", PROTO_ID_MAX, OPTIONAL,
			   out->client_id);
}

static int decode_transfer(const struct reader *rd, struct proto_request *out)
{
	if (copy_string(rd, "to", PROTO_USER_ID_MAX, OPTIONAL, out->to) < 0)
		return -1;
	return get_note(rd, out);
}

static const struct frame_rule rules[] = {
	[PROTO_AUTH] = {true, false, false, decode_auth},
	[PROTO_OPEN] = {true, true, false, decode_open},
	[PROTO_SEND] = {true, true, true, decode_text},
	[PROTO_NOTE] = {true, true, true, decode_text},
	[PROTO_CLAIM] = {true, true, true, NULL},
	[PROTO_CLOSE] = {true, true, true, decode_close},
	[PROTO_TYPING] = {false, false, true, decode_typing},
	[PROTO_READ] = {true, false, true, decode_read},
	[PROTO_RESUME] = {true, false, false, decode_resume},
	[PROTO_HISTORY] = {true, false, true, decode_history},
	[PROTO_LIST] = {true, false, false, decode_list},
	[PROTO_PING] = {true, false, false, NULL},
	[PROTO_CANNED_LIST] = {true, false, false, NULL},
	[PROTO_CANNED_SAVE] = {true, false, false, decode_canned_change},
	[PROTO_CANNED_DELETE] = {true, false, false, decode_canned_change},
	[PROTO_UNWATCH] = {true, false, true, NULL},
	[PROTO_AVAILABILITY] = {true, false, false, NULL},
	[PROTO_PRESENCE] = {true, false, false, decode_presence},
	[PROTO_AGENTS] = {true, false, false, NULL},
	[PROTO_ACCEPT] = {true, true, true, NULL},
	[PROTO_DECLINE] = {true, false, true, decode_decline},
	[PROTO_TRANSFER] = {true, true, true, decode_transfer},
	[PROTO_TAKEOVER] = {true, true, true, get_note},
};

/* Only the client types have rules: the types the server makes itself
 * (PROTO_EMAIL_REPLY) are never decoded, so a frame naming one is
 * unknown_type. */
#define N_TYPES (sizeof(rules) / sizeof(rules[0]))
_Static_assert(N_TYPES == PROTO_CLIENT_TYPES, "a frame type has no rule");

static int get_type(const struct reader *rd, enum proto_type *out)
{
	const char *s;
	size_t t;

	if (get_string(rd, "type", 0, SIZE_MAX, REQUIRED, &s) < 0)
		return -1;
	for (t = 0; t < N_TYPES; t++) {
		if (strcmp(s, proto_type_str((enum proto_type)t)) == 0) {
			*out = (enum proto_type)t;
			return 0;
		}
	}
	return parse_fail(rd->err, PROTO_E_UNKNOWN_TYPE,
			  "type is not a frame type");
}

/* The id comes first so every later error can echo it. */
static int get_id(const struct reader *rd, char *id)
{
	if (copy_string(rd, "id", PROTO_ID_MAX, OPTIONAL, id) < 0)
		return -1;
	memcpy(rd->err->id, id, PROTO_ID_MAX + 1);
	return 0;
}

static int decode_object(const json_t *root, struct proto_request *out,
			 struct proto_error *err)
{
	struct reader rd = {root, "", err};
	const struct frame_rule *rule;

	if (get_id(&rd, out->id) < 0 || get_type(&rd, &out->type) < 0)
		return -1;
	rule = &rules[out->type];
	if (rule->needs_id && out->id[0] == '\0')
		return parse_fail(err, PROTO_E_BAD_FRAME, "id is required");
	if (rule->needs_client_id && copy_string(&rd, "client_id", PROTO_ID_MAX,
						 REQUIRED, out->client_id) < 0)
		return -1;
	if (rule->needs_conv && copy_conv(&rd, "conv", out->conv) < 0)
		return -1;
	return rule->decode ? rule->decode(&rd, out) : 0;
}

int proto_decode(const char *buf, size_t len, struct proto_request *out,
		 struct proto_error *err)
{
	json_t *root; /* owned */
	int rc;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	root = parse_frame(buf, len, err);
	if (!root)
		return -1;
	rc = decode_object(root, out, err);
	json_decref(root);
	if (rc < 0)
		proto_request_cleanup(out);
	return rc;
}

/* Frees what the request owns and leaves it as proto_decode() found it
 * (all zero), so a second call is harmless. NULL is a no-op. */
void proto_request_cleanup(struct proto_request *req)
{
	struct proto_details *d;

	if (!req)
		return;
	d = &req->details;
	free(req->token);
	free(req->text);
	free(req->reason);
	free(req->title);
	free(req->note);
	free(d->summary);
	free(d->steps);
	free(d->environment);
	free(d->began);
	free(d->errors);
	for (size_t i = 0; i < d->n_screenshots; i++)
		free(d->screenshots[i]);
	free(d->screenshots);
	free(req->resume);
	memset(req, 0, sizeof(*req));
}

bool proto_conv_id_valid(const char *conv)
{
	static const char base64url[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"abcdefghijklmnopqrstuvwxyz0123456789-_";

	return conv && strlen(conv) == PROTO_CONV_LEN &&
	       strspn(conv, base64url) == PROTO_CONV_LEN;
}
