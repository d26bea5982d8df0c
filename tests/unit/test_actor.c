/* Tests for cmd/actor.c: the per-connection copy of a verified identity. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "chat/cmd/actor.h"

static void test_an_agent_keeps_every_claim_and_skill(void **state)
{
	struct auth_claims c = {.role = PROTO_ROLE_AGENT,
				.org_role = AUTH_ORG_ADMIN,
				.tier = AUTH_TIER_DIAMOND,
				.capacity = 100,
				.n_skills = 2,
				.exp = 4102444800};
	struct actor *a;

	(void)state;
	strcpy(c.sub, "agent|1");
	strcpy(c.name, "Bo \"B\"");
	strcpy(c.email, "bo@example.com");
	strcpy(c.org, "org-1");
	strcpy(c.skills[0], "php");
	strcpy(c.skills[1], "dns");
	a = actor_from_claims(&c);
	assert_string_equal(a->id, "agent|1");
	assert_string_equal(a->name, "Bo \"B\"");
	assert_string_equal(a->email, "bo@example.com");
	assert_string_equal(a->org, "org-1");
	assert_string_equal(a->site, "");
	assert_int_equal(a->role, PROTO_ROLE_AGENT);
	assert_int_equal(a->org_role, AUTH_ORG_ADMIN);
	assert_int_equal(a->tier, AUTH_TIER_DIAMOND);
	assert_int_equal(a->capacity, 100);
	assert_int_equal(a->n_skills, 2);
	assert_string_equal(actor_skills(a)[0], "php");
	assert_string_equal(actor_skills(a)[1], "dns");
	assert_true(a->exp == 4102444800);
	assert_true(actor_is_agent(a));
	assert_string_equal(actor_context(a), "personal");
	free(a);
}

static void test_a_customer_in_a_site_context(void **state)
{
	struct auth_claims c = {.role = PROTO_ROLE_CUSTOMER};
	struct actor *a;

	(void)state;
	strcpy(c.sub, "c1");
	strcpy(c.name, "c1");
	strcpy(c.site, "site-9");
	a = actor_from_claims(&c);
	assert_false(actor_is_agent(a));
	assert_string_equal(actor_context(a), "site");
	assert_string_equal(a->email, "");
	assert_int_equal(a->n_skills, 0);
	free(a);
}

static void test_the_server_acts_as_an_admin_of_its_own(void **state)
{
	const struct actor *s = actor_system();

	(void)state;
	assert_true(s->system);
	assert_int_equal(s->role, PROTO_ROLE_ADMIN);
	assert_string_equal(s->id, "chatd");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_agent_keeps_every_claim_and_skill),
		cmocka_unit_test(test_a_customer_in_a_site_context),
		cmocka_unit_test(test_the_server_acts_as_an_admin_of_its_own),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
