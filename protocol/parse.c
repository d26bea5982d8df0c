/* parse: JSON text to a jansson object, and the error for text that is not
 * one, with the request id salvaged when it is readable. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "flatjson.h"
#include "jscan.h"
#include "parse.h"

int parse_fail(struct proto_error *err, enum proto_error_code code,
	       const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

/* What scanning a frame jansson refused tells. */
struct salvage {
	const char *buf;
	size_t err_pos; /* jansson's error position: just past the token */
	int n_ids;	/* top-level members named "id" */
	struct jscan_member id;
	char member[PROTO_CANNED_KEY_MAX + 1]; /* holds err_pos; "" unknown */
	bool member_is_scalar;
};

/* Returns a new reference to the JSON value written in text, or NULL. */
static json_t *load_token(const char *text, size_t len)
{
	return json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
}

/* Member names are client text: one is named in a message only when it
 * looks like a protocol name, so messages stay short ASCII. */
static void note_member(struct salvage *sv, const json_t *name,
			const struct jscan_member *m)
{
	size_t n = json_string_length(name);
	const char *s = json_string_value(name);

	if (n == 0 || n >= sizeof(sv->member) ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyz_") != n)
		return;
	memcpy(sv->member, s, n + 1);
	sv->member_is_scalar = m->value[0] != '{' && m->value[0] != '[';
}

static bool on_member(const struct jscan_member *m, void *arg)
{
	struct salvage *sv = arg;
	size_t start = (size_t)(m->value - sv->buf);
	json_t *name = load_token(m->name, m->name_len); /* owned */

	if (!json_is_string(name))
		goto out;
	if (json_string_length(name) == 2 &&
	    memcmp(json_string_value(name), "id", 2) == 0) {
		sv->n_ids++;
		sv->id = *m;
	}
	if (start < sv->err_pos && sv->err_pos <= start + m->value_len)
		note_member(sv, name, m);
out:
	json_decref(name);
	return true;
}

/* Copies the id into err->id when the frame has exactly one top-level
 * "id" and it is a valid id (what get_id() would accept). */
static void salvage_id(const struct salvage *sv, struct proto_error *err)
{
	json_t *v;

	if (sv->n_ids != 1)
		return;
	v = load_token(sv->id.value, sv->id.value_len); /* owned */
	if (json_is_string(v) && json_string_length(v) >= 1 &&
	    json_string_length(v) <= PROTO_ID_MAX &&
	    strlen(json_string_value(v)) == json_string_length(v))
		memcpy(err->id, json_string_value(v),
		       json_string_length(v) + 1);
	json_decref(v);
}

static void number_out_of_range(const struct salvage *sv,
				struct proto_error *err)
{
	if (!sv->member[0])
		parse_fail(err, PROTO_E_BAD_FRAME, "a number is out of range");
	else if (sv->member_is_scalar)
		parse_fail(err, PROTO_E_BAD_FRAME, "%s is out of range",
			   sv->member);
	else
		parse_fail(err, PROTO_E_BAD_FRAME,
			   "a number in %s is out of range", sv->member);
}

/*
 * Sets *err for a frame jansson refused. A frame that is JSON but holds
 * what jansson cannot represent (a NUL in a member name, a number beyond
 * 64 bits or a double) is bad_frame, not bad_json. Whenever the frame is
 * shaped like an object with one readable id, the error echoes that id,
 * as it would for any later failure.
 */
static void parse_failed(const char *buf, size_t len, const json_error_t *jerr,
			 struct proto_error *err)
{
	struct salvage sv = {.buf = buf, .err_pos = (size_t)jerr->position};

	if (jerr->position < 0)
		sv.err_pos = SIZE_MAX;
	if (jscan_object(buf, len, on_member, &sv) == 0)
		salvage_id(&sv, err);
	switch (json_error_code(jerr)) {
	case json_error_out_of_memory:
		parse_fail(err, PROTO_E_INTERNAL, "out of memory");
		break;
	case json_error_duplicate_key:
		parse_fail(err, PROTO_E_BAD_JSON, "frame has a duplicate key");
		break;
	case json_error_null_byte_in_key:
		parse_fail(err, PROTO_E_BAD_FRAME,
			   "member names must not contain NUL");
		break;
	case json_error_numeric_overflow:
		number_out_of_range(&sv, err);
		break;
	default:
		parse_fail(err, PROTO_E_BAD_JSON,
			   "frame is not valid JSON (at byte %d)",
			   jerr->position);
	}
}

/* Fast path first; jansson judges whatever flatjson leaves to it. */
json_t *parse_frame(const char *buf, size_t len, struct proto_error *err)
{
	json_error_t jerr;
	json_t *root = flatjson_parse(buf, len);

	if (root)
		return root;
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
			  &jerr);
	if (!root) {
		parse_failed(buf, len, &jerr, err);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		parse_fail(err, PROTO_E_BAD_JSON,
			   "frame must be a JSON object");
		return NULL;
	}
	return root;
}
