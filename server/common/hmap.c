/* hmap: chained string hash map (FNV-1a), values borrowed. The table
 * doubles at load 1 and halves below load 1/4 (never under 16 buckets), so
 * a burst of keys does not pin a big table once they are gone. */
#include "chat/common/hmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/util.h"

#define HMAP_MIN_BUCKETS 16

struct hmap_entry {
	struct hmap_entry *next;
	void *value;
	char key[]; /* NUL-terminated copy */
};

struct hmap {
	struct hmap_entry **buckets;
	size_t n_buckets; /* power of two */
	size_t count;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

struct hmap *hmap_create(void)
{
	struct hmap *m = xcalloc(1, sizeof(*m));

	m->n_buckets = HMAP_MIN_BUCKETS;
	m->buckets = xcalloc(m->n_buckets, sizeof(*m->buckets));
	return m;
}

void hmap_destroy(struct hmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_buckets; i++) {
		struct hmap_entry *e = m->buckets[i];

		while (e) {
			struct hmap_entry *next = e->next;

			free(e);
			e = next;
		}
	}
	free(m->buckets);
	free(m);
}

static struct hmap_entry **find_slot(const struct hmap *m, const char *key)
{
	struct hmap_entry **pp =
		&m->buckets[hash_str(key) & (m->n_buckets - 1)];

	while (*pp && strcmp((*pp)->key, key) != 0)
		pp = &(*pp)->next;
	return pp;
}

/* Moves every entry into a table of n buckets (a power of two). */
static void resize(struct hmap *m, size_t n)
{
	struct hmap_entry **b = xcalloc(n, sizeof(*b));

	for (size_t i = 0; i < m->n_buckets; i++) {
		struct hmap_entry *e = m->buckets[i];

		while (e) {
			struct hmap_entry *next = e->next;
			size_t j = hash_str(e->key) & (n - 1);

			e->next = b[j];
			b[j] = e;
			e = next;
		}
	}
	free(m->buckets);
	m->buckets = b;
	m->n_buckets = n;
}

void *hmap_get(const struct hmap *m, const char *key)
{
	struct hmap_entry *e = *find_slot(m, key);

	return e ? e->value : NULL;
}

void *hmap_put(struct hmap *m, const char *key, void *value)
{
	struct hmap_entry **pp = find_slot(m, key);
	size_t len;

	if (*pp) {
		void *old = (*pp)->value;

		(*pp)->value = value;
		return old;
	}
	len = strlen(key) + 1;
	*pp = xmalloc(sizeof(**pp) + len);
	(*pp)->next = NULL;
	(*pp)->value = value;
	memcpy((*pp)->key, key, len);
	if (++m->count > m->n_buckets)
		resize(m, m->n_buckets * 2);
	return NULL;
}

void *hmap_remove(struct hmap *m, const char *key)
{
	struct hmap_entry **pp = find_slot(m, key);
	struct hmap_entry *e = *pp;
	void *value;

	if (!e)
		return NULL;
	*pp = e->next;
	value = e->value;
	free(e);
	/* Shrinking at load 1/4 to load 1/2 leaves a factor of two before
	 * the next growth, so adds and removes at a boundary cannot make
	 * every call rehash. */
	if (--m->count < m->n_buckets / 4 && m->n_buckets > HMAP_MIN_BUCKETS)
		resize(m, m->n_buckets / 2);
	return value;
}

size_t hmap_count(const struct hmap *m)
{
	return m->count;
}

size_t hmap_capacity(const struct hmap *m)
{
	return m->n_buckets;
}

void hmap_each(const struct hmap *m, hmap_each_cb cb, void *arg)
{
	for (size_t i = 0; i < m->n_buckets; i++)
		for (struct hmap_entry *e = m->buckets[i]; e; e = e->next)
			cb(e->key, e->value, arg);
}
