/*
 * policy: reads and validates the support policy file (JSON) into struct
 * policy, and answers the questions asked of it (a topic by key, scope of
 * support, dedicated engineers). Every member is checked for type and
 * range; the first problem is reported as one line naming the member
 * ("tiers.gold.chat.class: no class named \"x\""). Unknown members are
 * refused too, so a misspelt setting does not silently keep its default.
 * The checked reads of single members are member.c's; the built-in
 * defaults are policy_defaults.c's. Not the place for what
 * the policy means in time (hours.c) or in the queue (queue.c).
 */
#include "chat/support/policy.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/support/hours.h"
#include "member.h"

#define POLICY_FILE_MAX (1 << 20)

static int read_hours(struct member_err *e, json_t *obj, const char *path,
		      enum policy_hours *out)
{
	char name[MEMBER_PATH_CAP], q[64];
	json_t *v;
	const char *s;

	if (member_get(e, obj, path, "hours", JSON_STRING, true, &v))
		return -1;
	s = json_string_value(v);
	if (strcmp(s, "24x7") == 0) {
		*out = POLICY_HOURS_24X7;
	} else if (strcmp(s, "24x5") == 0) {
		*out = POLICY_HOURS_24X5;
	} else {
		member_join(name, path, "hours");
		return member_fail(e, name, "want \"24x7\" or \"24x5\", not %s",
				   member_quoted(s, q, sizeof(q)));
	}
	return 0;
}

static int parse_version(struct member_err *e, json_t *root)
{
	json_t *v;

	if (member_get(e, root, "", "version", JSON_INTEGER, true, &v))
		return -1;
	if (json_integer_value(v) != 1)
		return member_fail(e, "version", "want 1, not %lld",
				   (long long)json_integer_value(v));
	return 0;
}

static int parse_timezone(struct member_err *e, json_t *root, struct policy *p)
{
	json_t *v;
	char q[64];

	if (member_get(e, root, "", "support_timezone", JSON_STRING, true, &v))
		return -1;
	if (strlen(json_string_value(v)) > POLICY_TZ_MAX ||
	    !hours_tz_valid(json_string_value(v)))
		return member_fail(
			e, "support_timezone", "unknown time zone %s",
			member_quoted(json_string_value(v), q, sizeof(q)));
	snprintf(p->support_tz, sizeof(p->support_tz), "%s",
		 json_string_value(v));
	return 0;
}

static int parse_holidays(struct member_err *e, json_t *root, struct policy *p)
{
	json_t *a, *v;
	size_t i;
	char name[MEMBER_PATH_CAP], q[64];

	if (member_get(e, root, "", "holidays", JSON_ARRAY, false, &a))
		return -1;
	if (!a)
		return 0;
	if (json_array_size(a) > POLICY_MAX_HOLIDAYS)
		return member_fail(e, "holidays", "more than %d days",
				   POLICY_MAX_HOLIDAYS);
	json_array_foreach(a, i, v)
	{
		int32_t day;

		member_join_index(name, "holidays", i);
		if (member_type(e, v, name, JSON_STRING))
			return -1;
		if (hours_parse_date(json_string_value(v), &day))
			return member_fail(e, name,
					   "%s is not a date YYYY-MM-DD",
					   member_quoted(json_string_value(v),
							 q, sizeof(q)));
		for (unsigned j = 0; j < p->n_holidays; j++)
			if (p->holidays[j] == day)
				return member_fail(e, name,
						   "%s is listed twice",
						   json_string_value(v));
		p->holidays[p->n_holidays++] = day;
	}
	return 0;
}

static int parse_routing(struct member_err *e, json_t *root, struct policy *p)
{
	static const char *const keys[] = {
		"aging_bound_s",    "offer_timeout_s",	"dedicated_delay_s",
		"presence_grace_s", "service_window_s", NULL};
	long aging, offer, delay, grace, window;
	json_t *r;

	if (member_get(e, root, "", "routing", JSON_OBJECT, true, &r) ||
	    member_only(e, r, "routing", keys) ||
	    member_seconds(e, r, "routing", "aging_bound_s", 0, &aging) ||
	    member_seconds(e, r, "routing", "offer_timeout_s", 1, &offer) ||
	    member_seconds(e, r, "routing", "dedicated_delay_s", 0, &delay) ||
	    member_seconds(e, r, "routing", "presence_grace_s", 1, &grace) ||
	    member_seconds(e, r, "routing", "service_window_s", 1, &window))
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
static int entries(struct member_err *e, json_t *root, const char *key,
		   size_t max, const char *const *allowed, json_t **out)
{
	json_t *v;
	size_t i;
	char name[MEMBER_PATH_CAP];

	if (member_get(e, root, "", key, JSON_ARRAY, true, out))
		return -1;
	if (json_array_size(*out) < 1 || json_array_size(*out) > max)
		return member_fail(e, key, "want 1 to %zu entries", max);
	json_array_foreach(*out, i, v)
	{
		member_join_index(name, key, i);
		if (member_type(e, v, name, JSON_OBJECT) ||
		    member_only(e, v, name, allowed))
			return -1;
	}
	return 0;
}

static int duplicate_key(struct member_err *e, const char *list, size_t i)
{
	char name[MEMBER_PATH_CAP];

	snprintf(name, sizeof(name), "%s[%zu].key", list, i);
	return member_fail(e, name, "listed twice");
}

static int parse_classes(struct member_err *e, json_t *root, struct policy *p)
{
	static const char *const keys[] = {"key", "label", NULL};
	json_t *a, *v;
	size_t i;
	char path[MEMBER_PATH_CAP];

	if (entries(e, root, "classes", POLICY_MAX_CLASSES, keys, &a))
		return -1;
	json_array_foreach(a, i, v)
	{
		struct policy_class *c = &p->classes[i];

		member_join_index(path, "classes", i);
		if (member_key(e, v, path, "key", c->key) ||
		    member_text(e, v, path, "label", true, c->label,
				sizeof(c->label)))
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->classes[j].key, c->key) == 0)
				return duplicate_key(e, "classes", i);
	}
	p->n_classes = (unsigned)json_array_size(a);
	return 0;
}

static int parse_scopes(struct member_err *e, json_t *root, struct policy *p)
{
	static const char *const keys[] = {"key", "label", "covers", NULL};
	json_t *a, *v;
	size_t i;
	char path[MEMBER_PATH_CAP];

	if (entries(e, root, "scopes", POLICY_MAX_SCOPES, keys, &a))
		return -1;
	json_array_foreach(a, i, v)
	{
		struct policy_scope *s = &p->scopes[i];

		member_join_index(path, "scopes", i);
		if (member_key(e, v, path, "key", s->key) ||
		    member_text(e, v, path, "label", true, s->label,
				sizeof(s->label)) ||
		    member_text(e, v, path, "covers", false, s->covers,
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
static int read_ref(struct member_err *e, json_t *obj, const char *path,
		    const char *key, const struct policy *p, unsigned *out)
{
	bool is_class = strcmp(key, "class") == 0;
	unsigned n = is_class ? p->n_classes : p->n_scopes;
	char name[MEMBER_PATH_CAP], q[64];
	json_t *v;
	const char *s;

	if (member_get(e, obj, path, key, JSON_STRING, true, &v))
		return -1;
	s = json_string_value(v);
	for (unsigned i = 0; i < n; i++)
		if (strcmp(is_class ? p->classes[i].key : p->scopes[i].key,
			   s) == 0) {
			*out = i;
			return 0;
		}
	member_join(name, path, key);
	return member_fail(e, name, "no %s named %s", key,
			   member_quoted(s, q, sizeof(q)));
}

/* tickets or emergency: null (not offered) or {hours, <target>}. */
static int parse_target(struct member_err *e, json_t *tier, const char *path,
			const char *key, const char *target_key,
			struct policy_target *t)
{
	const char *const keys[] = {"hours", target_key, NULL};
	char name[MEMBER_PATH_CAP];
	json_t *v = json_object_get(tier, key);

	member_join(name, path, key);
	memset(t, 0, sizeof(*t));
	if (!v)
		return member_fail(e, name, "missing (null when not offered)");
	if (json_is_null(v))
		return 0;
	if (member_type(e, v, name, JSON_OBJECT) ||
	    member_only(e, v, name, keys) || read_hours(e, v, name, &t->hours))
		return -1;
	t->offered = true;
	return member_seconds(e, v, name, target_key, 1, &t->response_s);
}

static int parse_tier(struct member_err *e, json_t *v, const char *path,
		      struct policy *p, struct policy_tier *t)
{
	static const char *const keys[] = {"chat",
					   "tickets",
					   "emergency",
					   "scope",
					   "professional_services",
					   NULL};
	static const char *const chat_keys[] = {"hours", "class", NULL};
	char name[MEMBER_PATH_CAP];
	json_t *chat;

	if (member_type(e, v, path, JSON_OBJECT) ||
	    member_only(e, v, path, keys) ||
	    member_get(e, v, path, "chat", JSON_OBJECT, true, &chat))
		return -1;
	member_join(name, path, "chat");
	if (member_only(e, chat, name, chat_keys) ||
	    read_hours(e, chat, name, &t->chat_hours) ||
	    read_ref(e, chat, name, "class", p, &t->class_rank) ||
	    parse_target(e, v, path, "tickets", "first_response_s",
			 &t->tickets) ||
	    parse_target(e, v, path, "emergency", "response_s",
			 &t->emergency) ||
	    read_ref(e, v, path, "scope", p, &t->scope))
		return -1;
	return member_text(e, v, path, "professional_services", true,
			   t->professional_services,
			   sizeof(t->professional_services));
}

static int parse_tiers(struct member_err *e, json_t *root, struct policy *p)
{
	json_t *tiers, *v;
	const char *key;
	char name[MEMBER_PATH_CAP];
	enum auth_tier tier;

	if (member_get(e, root, "", "tiers", JSON_OBJECT, true, &tiers))
		return -1;
	json_object_foreach(tiers, key, v)
	{
		if (auth_tier_parse(key, &tier)) {
			member_join(name, "tiers", key);
			return member_fail(e, name,
					   "no such tier (want silver, gold, "
					   "platinum and diamond)");
		}
	}
	for (unsigned i = 0; i < AUTH_TIER__COUNT; i++) {
		key = auth_tier_str((enum auth_tier)i);
		member_join(name, "tiers", key);
		v = json_object_get(tiers, key);
		if (!v)
			return member_fail(e, name, "missing");
		if (parse_tier(e, v, name, p, &p->tiers[i]))
			return -1;
	}
	return 0;
}

static int parse_topics(struct member_err *e, json_t *root, struct policy *p)
{
	static const char *const keys[] = {"key", "label", "scope", "skill",
					   NULL};
	json_t *a, *v, *skill;
	size_t i;
	char path[MEMBER_PATH_CAP], name[MEMBER_PATH_CAP];

	if (entries(e, root, "topics", POLICY_MAX_TOPICS, keys, &a))
		return -1;
	json_array_foreach(a, i, v)
	{
		struct policy_topic *t = &p->topics[i];

		member_join_index(path, "topics", i);
		if (member_key(e, v, path, "key", t->key) ||
		    member_text(e, v, path, "label", true, t->label,
				sizeof(t->label)) ||
		    read_ref(e, v, path, "scope", p, &t->scope) ||
		    member_get(e, v, path, "skill", JSON_STRING, false, &skill))
			return -1;
		member_join(name, path, "skill");
		if (skill && *json_string_value(skill) &&
		    !member_id_ok(json_string_value(skill), POLICY_KEY_MAX))
			return member_fail(e, name,
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

static int parse_engineers(struct member_err *e, json_t *a, const char *path,
			   struct policy_dedicated *d)
{
	json_t *v;
	size_t i;
	char name[MEMBER_PATH_CAP];

	if (member_type(e, a, path, JSON_ARRAY))
		return -1;
	if (json_array_size(a) < 1 || json_array_size(a) > POLICY_MAX_ENGINEERS)
		return member_fail(e, path, "want 1 to %d agent ids",
				   POLICY_MAX_ENGINEERS);
	json_array_foreach(a, i, v)
	{
		member_join_index(name, path, i);
		if (member_type(e, v, name, JSON_STRING))
			return -1;
		if (!member_id_ok(json_string_value(v), PROTO_USER_ID_MAX))
			return member_fail(e, name,
					   "want an agent id of 1 to %d bytes "
					   "without control characters or ','",
					   PROTO_USER_ID_MAX);
		for (size_t j = 0; j < i; j++)
			if (strcmp(d->engineers[j], json_string_value(v)) == 0)
				return member_fail(e, name, "listed twice");
		snprintf(d->engineers[i], sizeof(d->engineers[i]), "%s",
			 json_string_value(v));
	}
	d->n_engineers = (unsigned)json_array_size(a);
	return 0;
}

static int parse_dedicated(struct member_err *e, json_t *root, struct policy *p)
{
	json_t *obj, *v;
	const char *org;
	char name[MEMBER_PATH_CAP];

	if (member_get(e, root, "", "dedicated", JSON_OBJECT, false, &obj))
		return -1;
	if (!obj)
		return 0;
	if (json_object_size(obj) > POLICY_MAX_DEDICATED)
		return member_fail(e, "dedicated", "more than %d organizations",
				   POLICY_MAX_DEDICATED);
	json_object_foreach(obj, org, v)
	{
		struct policy_dedicated *d = &p->dedicated[p->n_dedicated];

		member_join(name, "dedicated", org);
		if (!member_id_ok(org, PROTO_USER_ID_MAX))
			return member_fail(
				e, name,
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

static int parse_root(struct member_err *e, json_t *root, struct policy *p)
{
	static const char *const keys[] = {"version",	"support_timezone",
					   "holidays",	"routing",
					   "classes",	"scopes",
					   "tiers",	"topics",
					   "dedicated", NULL};

	memset(p, 0, sizeof(*p));
	if (member_type(e, root, NULL, JSON_OBJECT) ||
	    member_only(e, root, "", keys) || parse_version(e, root) ||
	    parse_timezone(e, root, p) || parse_holidays(e, root, p) ||
	    parse_routing(e, root, p) || parse_classes(e, root, p) ||
	    parse_scopes(e, root, p) || parse_tiers(e, root, p) ||
	    parse_topics(e, root, p))
		return -1;
	return parse_dedicated(e, root, p);
}

static int parse_text(struct policy *p, const char *json, size_t len,
		      struct member_err *e)
{
	json_error_t jerr;
	json_t *root; /* owned */
	int rc;

	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return member_fail(e, NULL, "line %d column %d: %s", jerr.line,
				   jerr.column, jerr.text);
	rc = parse_root(e, root, p);
	json_decref(root);
	return rc;
}

int policy_parse(struct policy *p, const char *json, size_t len, char *err,
		 size_t cap)
{
	struct member_err e = {err, cap, NULL};

	if (cap)
		*err = '\0';
	return parse_text(p, json, len, &e);
}

int policy_load(struct policy *p, const char *path, char *err, size_t cap)
{
	struct member_err e = {err, cap, path};
	FILE *f;
	char *buf;
	size_t len;
	int rc;

	if (cap)
		*err = '\0';
	f = fopen(path, "rb");
	if (!f)
		return member_fail(&e, NULL, "cannot read: %s",
				   strerror(errno));
	buf = malloc(POLICY_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		return member_fail(&e, NULL, "out of memory");
	}
	len = fread(buf, 1, POLICY_FILE_MAX + 1, f);
	if (ferror(f))
		rc = member_fail(&e, NULL, "cannot read: %s", strerror(errno));
	else if (len > POLICY_FILE_MAX)
		rc = member_fail(&e, NULL, "larger than %d bytes",
				 POLICY_FILE_MAX);
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
	if (!t)
		return true;
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
