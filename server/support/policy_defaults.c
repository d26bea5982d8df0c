/*
 * policy_defaults: the built-in support policy, the values shipped in
 * deploy/support-policy.json (a unit test holds the two equal). Used when
 * no policy file is given.
 */
#include <stdio.h>
#include <string.h>

#include "chat/support/hours.h"
#include "chat/support/policy.h"

enum { CLASS_TOP, CLASS_PRIORITY, CLASS_NORMAL };
enum { SCOPE_PLATFORM, SCOPE_TECHNICAL, SCOPE_PERFORMANCE, SCOPE_DEDICATED };

static const char *const holidays[] = {"2026-12-25", "2027-01-01", "2027-12-24",
				       "2027-12-31"};

static const struct policy_class classes[] = {
	{"top_priority", "Top Priority"},
	{"priority", "Priority"},
	{"normal", "Normal"},
};

static const struct policy_scope scopes[] = {
	{"platform", "Platform",
	 "Dashboard, Dev/Test/Live Workflow, Git/SFTP Mode, Docs"},
	{"technical", "Technical",
	 "Drupal & WordPress, Modules & Plugins, Application/Site, DNS, "
	 "Multidev, Basic CDN, Basic Terminus"},
	{"performance", "Performance",
	 "New Relic, Caching, Cloud Integrations, Custom Upstreams, Advanced "
	 "workflows, Advanced CDN, Advanced Terminus"},
	{"dedicated", "Dedicated", "Bespoke site debugging"},
};

#define NONE                                                                   \
	{                                                                      \
		false, POLICY_HOURS_24X7, 0                                    \
	}
#define TARGET(h, s)                                                           \
	{                                                                      \
		true, POLICY_HOURS_##h, s                                      \
	}

static const struct policy_tier tiers[AUTH_TIER__COUNT] = {
	[AUTH_TIER_SILVER] = {POLICY_HOURS_24X5, CLASS_NORMAL, SCOPE_PLATFORM,
			      NONE, NONE, "none"},
	[AUTH_TIER_GOLD] = {POLICY_HOURS_24X7, CLASS_NORMAL, SCOPE_TECHNICAL,
			    TARGET(24X5, 28800), NONE,
			    "available for purchase"},
	[AUTH_TIER_PLATINUM] = {POLICY_HOURS_24X7, CLASS_PRIORITY,
				SCOPE_PERFORMANCE, TARGET(24X7, 7200),
				TARGET(24X7, 3600), "available for purchase"},
	[AUTH_TIER_DIAMOND] = {POLICY_HOURS_24X7, CLASS_TOP, SCOPE_DEDICATED,
			       TARGET(24X7, 3600), TARGET(24X7, 900),
			       "bundle included"},
};

static const struct policy_topic topics[] = {
	{"dashboard", "Dashboard and workflow", SCOPE_PLATFORM, "platform"},
	{"git", "Git, SFTP and deploys", SCOPE_PLATFORM, "platform"},
	{"wordpress", "WordPress", SCOPE_TECHNICAL, "wordpress"},
	{"drupal", "Drupal", SCOPE_TECHNICAL, "drupal"},
	{"dns", "Domains, DNS and HTTPS", SCOPE_TECHNICAL, "dns"},
	{"performance", "Performance and caching", SCOPE_PERFORMANCE,
	 "performance"},
	{"debugging", "Site debugging", SCOPE_DEDICATED, "debugging"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

void policy_defaults(struct policy *p)
{
	struct policy_dedicated *d;

	memset(p, 0, sizeof(*p));
	snprintf(p->support_tz, sizeof(p->support_tz), "America/New_York");
	for (size_t i = 0; i < COUNT(holidays); i++)
		hours_parse_date(holidays[i], &p->holidays[p->n_holidays++]);
	p->aging_bound_ms = 600 * 1000;
	p->offer_timeout_ms = 30 * 1000;
	p->dedicated_delay_ms = 120 * 1000;
	p->presence_grace_ms = 60 * 1000;
	p->service_window_ms = 900 * 1000;
	memcpy(p->classes, classes, sizeof(classes));
	p->n_classes = COUNT(classes);
	memcpy(p->scopes, scopes, sizeof(scopes));
	p->n_scopes = COUNT(scopes);
	memcpy(p->tiers, tiers, sizeof(tiers));
	memcpy(p->topics, topics, sizeof(topics));
	p->n_topics = COUNT(topics);
	d = &p->dedicated[p->n_dedicated++];
	snprintf(d->org, sizeof(d->org), "org-diamond");
	snprintf(d->engineers[d->n_engineers++], sizeof(d->engineers[0]),
		 "agent-ded-1");
	snprintf(d->engineers[d->n_engineers++], sizeof(d->engineers[0]),
		 "agent-ded-2");
}
