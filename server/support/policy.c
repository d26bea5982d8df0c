/*
 * policy: reads and validates the support policy file (JSON) into struct
 * policy, and answers the questions asked of it (a topic by key, scope of
 * support, dedicated engineers). Every member is checked for type and
 * range; the first problem is reported as one line naming the member
 * ("tiers.gold.chat.class: no class named \"x\""). Unknown members are
 * refused too, so a misspelt setting does not silently keep its default.
 * The built-in defaults are in policy_defaults.c. Not the place for what
 * the policy means in time (hours.c) or in the queue (queue.c).
 */
#include "chat/support/policy.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/support/hours.h"

/* Longest duration accepted, seconds: a year keeps every ms in a long. */
#define POLICY_SECONDS_MAX (366L * 86400)
#define POLICY_FILE_MAX (1 << 20)
#define PATH_CAP 192

/* Where the first problem goes; file is the file's name or NULL. */
struct perr {
	char *buf;
	size_t cap;
	const char *file;
};

static int fail(struct perr *e, const char *member, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct perr *e, const char *member, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!e->cap)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(e->buf, e->cap, "policy%s%s: %s%s%s", e->file ? " " : "",
		 e->file ? e->file : "", member ? member : "",
		 member ? ": " : "", msg);
	/* one line, whatever the file holds */
	for (char *c = e->buf; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return -1;
}

/* A string of the file quoted for a message: at most 40 bytes of it. */
static const char *quoted(const char *s, char *buf, size_t cap)
{
	snprintf(buf, cap, "\"%.40s%s\"", s, strlen(s) > 40 ? "..." : "");
	return buf;
}

static const char *type_name(json_type t)
{
	static const char *const names[] = {
		[JSON_OBJECT] = "an object",   [JSON_ARRAY] = "an array",
		[JSON_STRING] = "a string",    [JSON_INTEGER] = "an integer",
		[JSON_REAL] = "a real number", [JSON_TRUE] = "a boolean",
		[JSON_FALSE] = "a boolean",    [JSON_NULL] = "null",
	};

	return names[t];
}

/* A member's name in a message, cut to PATH_CAP bytes. */
static void path_printf(char *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, PATH_CAP, fmt, ap);
	va_end(ap);
}

static void join(char *out, const char *parent, const char *key)
{
	path_printf(out, "%s%s%s", parent, *parent ? "." : "", key);
}

static void join_index(char *out, const char *parent, size_t i)
{
	path_printf(out, "%s[%zu]", parent, i);
}

static bool key_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= POLICY_KEY_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* Text of 1..max bytes without control characters or ',' (ids and
 * skills are kept comma-joined in Redis). */
static bool id_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n < 1 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == ',')
			return false;
	return true;
}

static bool text_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n < 1 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static int want_type(struct perr *e, json_t *v, const char *path,
		     json_type want)
{
	bool ok = json_typeof(v) == want ||
		  (want == JSON_TRUE && json_is_boolean(v));

	return ok ? 0
		  : fail(e, path, "want %s, not %s", type_name(want),
			 type_name(json_typeof(v)));
}

/* Refuses members of obj not in allowed (NULL-terminated). */
static int only_members(struct perr *e, json_t *obj, const char *path,
			const char *const *allowed)
{
	const char *key;
	json_t *v;
	char name[PATH_CAP];

	json_object_foreach(obj, key, v)
	{
		size_t i = 0;

		while (allowed[i] && strcmp(allowed[i], key) != 0)
			i++;
		if (!allowed[i]) {
			join(name, path, key);
			return fail(e, name, "unknown member");
		}
	}
	return 0;
}

/* The member key of obj (borrowed) in *out, checked to be of type want
 * (null too when nullable). A missing optional member, or a null one, is
 * *out = NULL. */
static int member(struct perr *e, json_t *obj, const char *path,
		  const char *key, json_type want, bool required, json_t **out)
{
	char name[PATH_CAP];
	json_t *v = json_object_get(obj, key);

	join(name, path, key);
	*out = NULL;
	if (!v)
		return required ? fail(e, name, "missing") : 0;
	if (want_type(e, v, name, want))
		return -1;
	*out = v;
	return 0;
}

static int read_seconds(struct perr *e, json_t *obj, const char *path,
			const char *key, long min, long *out)
{
	char name[PATH_CAP];
	json_t *v;
	json_int_t n;

	if (member(e, obj, path, key, JSON_INTEGER, true, &v))
		return -1;
	n = json_integer_value(v);
	if (n < min || n > POLICY_SECONDS_MAX) {
		join(name, path, key);
		return fail(e, name, "want seconds from %ld to %ld, not %lld",
			    min, POLICY_SECONDS_MAX, (long long)n);
	}
	*out = (long)n;
	return 0;
}

/* A key member ([a-z0-9_-]{1,32}) copied to dst. */
static int read_key(struct perr *e, json_t *obj, const char *path,
		    const char *key, char *dst)
{
	char name[PATH_CAP], q[64];
	json_t *v;

	if (member(e, obj, path, key, JSON_STRING, true, &v))
		return -1;
	if (!key_ok(json_string_value(v))) {
		join(name, path, key);
		return fail(e, name, "%s is not 1 to %d of a-z 0-9 _ -",
			    quoted(json_string_value(v), q, sizeof(q)),
			    POLICY_KEY_MAX);
	}
	snprintf(dst, POLICY_KEY_MAX + 1, "%s", json_string_value(v));
	return 0;
}

/* A text member of 1..cap-1 bytes copied to dst; an optional one that is
 * missing leaves dst "". */
static int read_text(struct perr *e, json_t *obj, const char *path,
		     const char *key, bool required, char *dst, size_t cap)
{
	char name[PATH_CAP];
	json_t *v;

	if (member(e, obj, path, key, JSON_STRING, required, &v))
		return -1;
	*dst = '\0';
	if (!v)
		return 0;
	if (!text_ok(json_string_value(v), cap - 1)) {
		join(name, path, key);
		return fail(e, name,
			    "want 1 to %zu bytes of text without control "
			    "characters",
			    cap - 1);
	}
	snprintf(dst, cap, "%s", json_string_value(v));
	return 0;
}

static int read_hours(struct perr *e, json_t *obj, const char *path,
		      enum policy_hours *out)
{
	char name[PATH_CAP], q[64];
	json_t *v;
	const char *s;

	if (member(e, obj, path, "hours", JSON_STRING, true, &v))
		return -1;
	s = json_string_value(v);
	if (strcmp(s, "24x7") == 0) {
		*out = POLICY_HOURS_24X7;
	} else if (strcmp(s, "24x5") == 0) {
		*out = POLICY_HOURS_24X5;
	} else {
		join(name, path, "hours");
		return fail(e, name, "want \"24x7\" or \"24x5\", not %s",
			    quoted(s, q, sizeof(q)));
	}
	return 0;
}

static int parse_version(struct perr *e, json_t *root)
{
	json_t *v;

	if (member(e, root, "", "version", JSON_INTEGER, true, &v))
		return -1;
	if (json_integer_value(v) != 1)
		return fail(e, "version", "want 1, not %lld",
			    (long long)json_integer_value(v));
	return 0;
}

static int parse_timezone(struct perr *e, json_t *root, struct policy *p)
{
	json_t *v;
	char q[64];

	if (member(e, root, "", "support_timezone", JSON_STRING, true, &v))
		return -1;
	if (strlen(json_string_value(v)) > POLICY_TZ_MAX ||
	    !hours_tz_valid(json_string_value(v)))
		return fail(e, "support_timezone", "unknown time zone %s",
			    quoted(json_string_value(v), q, sizeof(q)));
	snprintf(p->support_tz, sizeof(p->support_tz), "%s",
		 json_string_value(v));
	return 0;
}

static int parse_holidays(struct perr *e, json_t *root, struct policy *p)
{
	json_t *a, *v;
	size_t i;
	char name[PATH_CAP], q[64];

	if (member(e, root, "", "holidays", JSON_ARRAY, false, &a))
		return -1;
	if (!a)
		return 0;
	if (json_array_size(a) > POLICY_MAX_HOLIDAYS)
		return fail(e, "holidays", "more than %d days",
			    POLICY_MAX_HOLIDAYS);
	json_array_foreach(a, i, v)
	{
		int32_t day;

		join_index(name, "holidays", i);
		if (want_type(e, v, name, JSON_STRING))
			return -1;
		if (hours_parse_date(json_string_value(v), &day))
			return fail(e, name, "%s is not a date YYYY-MM-DD",
				    quoted(json_string_value(v), q, sizeof(q)));
		for (unsigned j = 0; j < p->n_holidays; j++)
			if (p->holidays[j] == day)
				return fail(e, name, "%s is listed twice",
					    json_string_value(v));
		p->holidays[p->n_holidays++] = day;
	}
	return 0;
}

static int parse_routing(struct perr *e, json_t *root, struct policy *p)
{
	static const char *const keys[] = {
		"aging_bound_s",    "offer_timeout_s",	"dedicated_delay_s",
		"presence_grace_s", "service_window_s", NULL};
	long aging, offer, delay, grace, window;
	json_t *r;

	if (member(e, root, "", "routing", JSON_OBJECT, true, &r) ||
	    only_members(e, r, "routing", keys) ||
	    read_seconds(e, r, "routing", "aging_bound_s", 0, &aging) ||
	    read_seconds(e, r, "routing", "offer_timeout_s", 1, &offer) ||
	    read_seconds(e, r, "routing", "dedicated_delay_s", 0, &delay) ||
	    read_seconds(e, r, "routing", "presence_grace_s", 1, &grace) ||
	    read_seconds(e, r, "routing", "service_window_s", 1, &window))
		return -1;
	p->aging_bound_ms = aging * 1000;
	p->offer_timeout_ms = offer * 1000;
	p->dedicated_delay_ms = delay * 1000;
	p->presence_grace_ms = grace * 1000;
	p->service_window_ms = window * 1000;
	return 0;
}

/* The array member key of root, of 1..max entries, each an object whose
 * members are among allowed. */
static int entries(struct perr *e, json_t *root, const char *key, size_t max,
		   const char *const *allowed, json_t **out)
{
	json_t *v;
	size_t i;
	char name[PATH_CAP];

	if (member(e, root, "", key, JSON_ARRAY, true, out))
		return -1;
	if (json_array_size(*out) < 1 || json_array_size(*out) > max)
		return fail(e, key, "want 1 to %zu entries", max);
	json_array_foreach(*out, i, v)
	{
		join_index(name, key, i);
		if (want_type(e, v, name, JSON_OBJECT) ||
		    only_members(e, v, name, allowed))
			return -1;
	}
	return 0;
}

static int duplicate_key(struct perr *e, const char *list, size_t i)
{
	char name[PATH_CAP];

	snprintf(name, sizeof(name), "%s[%zu].key", list, i);
	return fail(e, name, "listed twice");
}

static int parse_classes(struct perr *e, json_t *root, struct policy *p)
{
	static const char *const keys[] = {"key", "label", NULL};
	json_t *a, *v;
	size_t i;
	char path[PATH_CAP];

	if (entries(e, root, "classes", POLICY_MAX_CLASSES, keys, &a))
		return -1;
	json_array_foreach(a, i, v)
	{
		struct policy_class *c = &p->classes[i];

		join_index(path, "classes", i);
		if (read_key(e, v, path, "key", c->key) ||
		    read_text(e, v, path, "label", true, c->label,
			      sizeof(c->label)))
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->classes[j].key, c->key) == 0)
				return duplicate_key(e, "classes", i);
	}
	p->n_classes = (unsigned)json_array_size(a);
	return 0;
}

static int parse_scopes(struct perr *e, json_t *root, struct policy *p)
{
	static const char *const keys[] = {"key", "label", "covers", NULL};
	json_t *a, *v;
	size_t i;
	char path[PATH_CAP];

	if (entries(e, root, "scopes", POLICY_MAX_SCOPES, keys, &a))
		return -1;
	json_array_foreach(a, i, v)
	{
		struct policy_scope *s = &p->scopes[i];

		join_index(path, "scopes", i);
		if (read_key(e, v, path, "key", s->key) ||
		    read_text(e, v, path, "label", true, s->label,
			      sizeof(s->label)) ||
		    read_text(e, v, path, "covers", false, s->covers,
			      sizeof(s->covers)))
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->scopes[j].key, s->key) == 0)
				return duplicate_key(e, "scopes", i);
	}
	p->n_scopes = (unsigned)json_array_size(a);
	return 0;
}

/* The index of the class or scope named by the member key of obj. */
static int read_ref(struct perr *e, json_t *obj, const char *path,
		    const char *key, const struct policy *p, unsigned *out)
{
	bool is_class = strcmp(key, "class") == 0;
	unsigned n = is_class ? p->n_classes : p->n_scopes;
	char name[PATH_CAP], q[64];
	json_t *v;
	const char *s;

	if (member(e, obj, path, key, JSON_STRING, true, &v))
		return -1;
	s = json_string_value(v);
	for (unsigned i = 0; i < n; i++)
		if (strcmp(is_class ? p->classes[i].key : p->scopes[i].key,
			   s) == 0) {
			*out = i;
			return 0;
		}
	join(name, path, key);
	return fail(e, name, "no %s named %s", key, quoted(s, q, sizeof(q)));
}

/* tickets or emergency: null (not offered) or {hours, <target>}. */
static int parse_target(struct perr *e, json_t *tier, const char *path,
			const char *key, const char *target_key,
			struct policy_target *t)
{
	const char *const keys[] = {"hours", target_key, NULL};
	char name[PATH_CAP];
	json_t *v = json_object_get(tier, key);

	join(name, path, key);
	memset(t, 0, sizeof(*t));
	if (!v)
		return fail(e, name, "missing (null when not offered)");
	if (json_is_null(v))
		return 0;
	if (want_type(e, v, name, JSON_OBJECT) ||
	    only_members(e, v, name, keys) || read_hours(e, v, name, &t->hours))
		return -1;
	t->offered = true;
	return read_seconds(e, v, name, target_key, 1, &t->response_s);
}

static int parse_tier(struct perr *e, json_t *v, const char *path,
		      struct policy *p, struct policy_tier *t)
{
	static const char *const keys[] = {"chat",
					   "tickets",
					   "emergency",
					   "scope",
					   "professional_services",
					   NULL};
	static const char *const chat_keys[] = {"hours", "class", NULL};
	char name[PATH_CAP];
	json_t *chat;

	if (want_type(e, v, path, JSON_OBJECT) ||
	    only_members(e, v, path, keys) ||
	    member(e, v, path, "chat", JSON_OBJECT, true, &chat))
		return -1;
	join(name, path, "chat");
	if (only_members(e, chat, name, chat_keys) ||
	    read_hours(e, chat, name, &t->chat_hours) ||
	    read_ref(e, chat, name, "class", p, &t->class_rank) ||
	    parse_target(e, v, path, "tickets", "first_response_s",
			 &t->tickets) ||
	    parse_target(e, v, path, "emergency", "response_s",
			 &t->emergency) ||
	    read_ref(e, v, path, "scope", p, &t->scope))
		return -1;
	return read_text(e, v, path, "professional_services", true,
			 t->professional_services,
			 sizeof(t->professional_services));
}

static int parse_tiers(struct perr *e, json_t *root, struct policy *p)
{
	json_t *tiers, *v;
	const char *key;
	char name[PATH_CAP];
	enum auth_tier tier;

	if (member(e, root, "", "tiers", JSON_OBJECT, true, &tiers))
		return -1;
	json_object_foreach(tiers, key, v)
	{
		if (auth_tier_parse(key, &tier)) {
			join(name, "tiers", key);
			return fail(e, name,
				    "no such tier (want silver, gold, "
				    "platinum and diamond)");
		}
	}
	for (unsigned i = 0; i < AUTH_TIER__COUNT; i++) {
		key = auth_tier_str((enum auth_tier)i);
		join(name, "tiers", key);
		v = json_object_get(tiers, key);
		if (!v)
			return fail(e, name, "missing");
		if (parse_tier(e, v, name, p, &p->tiers[i]))
			return -1;
	}
	return 0;
}

static int parse_topics(struct perr *e, json_t *root, struct policy *p)
{
	static const char *const keys[] = {"key", "label", "scope", "skill",
					   NULL};
	json_t *a, *v, *skill;
	size_t i;
	char path[PATH_CAP], name[PATH_CAP];

	if (entries(e, root, "topics", POLICY_MAX_TOPICS, keys, &a))
		return -1;
	json_array_foreach(a, i, v)
	{
		struct policy_topic *t = &p->topics[i];

		join_index(path, "topics", i);
		if (read_key(e, v, path, "key", t->key) ||
		    read_text(e, v, path, "label", true, t->label,
			      sizeof(t->label)) ||
		    read_ref(e, v, path, "scope", p, &t->scope) ||
		    member(e, v, path, "skill", JSON_STRING, false, &skill))
			return -1;
		join(name, path, "skill");
		if (skill && *json_string_value(skill) &&
		    !id_ok(json_string_value(skill), POLICY_KEY_MAX))
			return fail(e, name,
				    "want \"\" or 1 to %d bytes without "
				    "control characters or ','",
				    POLICY_KEY_MAX);
		snprintf(t->skill, sizeof(t->skill), "%s",
			 skill ? json_string_value(skill) : "");
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->topics[j].key, t->key) == 0)
				return duplicate_key(e, "topics", i);
	}
	p->n_topics = (unsigned)json_array_size(a);
	return 0;
}

static int parse_engineers(struct perr *e, json_t *a, const char *path,
			   struct policy_dedicated *d)
{
	json_t *v;
	size_t i;
	char name[PATH_CAP];

	if (want_type(e, a, path, JSON_ARRAY))
		return -1;
	if (json_array_size(a) < 1 || json_array_size(a) > POLICY_MAX_ENGINEERS)
		return fail(e, path, "want 1 to %d agent ids",
			    POLICY_MAX_ENGINEERS);
	json_array_foreach(a, i, v)
	{
		join_index(name, path, i);
		if (want_type(e, v, name, JSON_STRING))
			return -1;
		if (!id_ok(json_string_value(v), PROTO_USER_ID_MAX))
			return fail(e, name,
				    "want an agent id of 1 to %d bytes "
				    "without control characters or ','",
				    PROTO_USER_ID_MAX);
		for (size_t j = 0; j < i; j++)
			if (strcmp(d->engineers[j], json_string_value(v)) == 0)
				return fail(e, name, "listed twice");
		snprintf(d->engineers[i], sizeof(d->engineers[i]), "%s",
			 json_string_value(v));
	}
	d->n_engineers = (unsigned)json_array_size(a);
	return 0;
}

static int parse_dedicated(struct perr *e, json_t *root, struct policy *p)
{
	json_t *obj, *v;
	const char *org;
	char name[PATH_CAP];

	if (member(e, root, "", "dedicated", JSON_OBJECT, false, &obj))
		return -1;
	if (!obj)
		return 0;
	if (json_object_size(obj) > POLICY_MAX_DEDICATED)
		return fail(e, "dedicated", "more than %d organizations",
			    POLICY_MAX_DEDICATED);
	json_object_foreach(obj, org, v)
	{
		struct policy_dedicated *d = &p->dedicated[p->n_dedicated];

		join(name, "dedicated", org);
		if (!id_ok(org, PROTO_USER_ID_MAX))
			return fail(e, name,
				    "want an organization id of 1 to %d bytes "
				    "without control characters or ','",
				    PROTO_USER_ID_MAX);
		snprintf(d->org, sizeof(d->org), "%s", org);
		if (parse_engineers(e, v, name, d))
			return -1;
		p->n_dedicated++;
	}
	return 0;
}

static int parse_root(struct perr *e, json_t *root, struct policy *p)
{
	static const char *const keys[] = {"version",	"support_timezone",
					   "holidays",	"routing",
					   "classes",	"scopes",
					   "tiers",	"topics",
					   "dedicated", NULL};

	memset(p, 0, sizeof(*p));
	if (want_type(e, root, NULL, JSON_OBJECT) ||
	    only_members(e, root, "", keys) || parse_version(e, root) ||
	    parse_timezone(e, root, p) || parse_holidays(e, root, p) ||
	    parse_routing(e, root, p) || parse_classes(e, root, p) ||
	    parse_scopes(e, root, p) || parse_tiers(e, root, p) ||
	    parse_topics(e, root, p))
		return -1;
	return parse_dedicated(e, root, p);
}

static int parse_text(struct policy *p, const char *json, size_t len,
		      struct perr *e)
{
	json_error_t jerr;
	json_t *root; /* owned */
	int rc;

	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return fail(e, NULL, "line %d column %d: %s", jerr.line,
			    jerr.column, jerr.text);
	rc = parse_root(e, root, p);
	json_decref(root);
	return rc;
}

int policy_parse(struct policy *p, const char *json, size_t len, char *err,
		 size_t cap)
{
	struct perr e = {err, cap, NULL};

	if (cap)
		*err = '\0';
	return parse_text(p, json, len, &e);
}

int policy_load(struct policy *p, const char *path, char *err, size_t cap)
{
	struct perr e = {err, cap, path};
	FILE *f;
	char *buf;
	size_t len;
	int rc;

	if (cap)
		*err = '\0';
	f = fopen(path, "rb");
	if (!f)
		return fail(&e, NULL, "cannot read: %s", strerror(errno));
	buf = malloc(POLICY_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		return fail(&e, NULL, "out of memory");
	}
	len = fread(buf, 1, POLICY_FILE_MAX + 1, f);
	if (ferror(f))
		rc = fail(&e, NULL, "cannot read: %s", strerror(errno));
	else if (len > POLICY_FILE_MAX)
		rc = fail(&e, NULL, "larger than %d bytes", POLICY_FILE_MAX);
	else
		rc = parse_text(p, buf, len, &e);
	free(buf);
	fclose(f);
	return rc;
}

const struct policy_topic *policy_topic(const struct policy *p, const char *key)
{
	for (unsigned i = 0; i < p->n_topics; i++)
		if (strcmp(p->topics[i].key, key) == 0)
			return &p->topics[i];
	return NULL;
}

bool policy_in_scope(const struct policy *p, enum auth_tier tier,
		     const struct policy_topic *t)
{
	if ((unsigned)tier >= AUTH_TIER__COUNT)
		return false;
	return t->scope <= p->tiers[tier].scope;
}

const struct policy_dedicated *policy_dedicated_of(const struct policy *p,
						   const char *org)
{
	if (!org || !*org)
		return NULL;
	for (unsigned i = 0; i < p->n_dedicated; i++)
		if (strcmp(p->dedicated[i].org, org) == 0)
			return &p->dedicated[i];
	return NULL;
}

const char *policy_hours_str(enum policy_hours h)
{
	return h == POLICY_HOURS_24X5 ? "24x5" : "24x7";
}
