/*
 * hmap: a string-keyed hash map of borrowed values (chained, power-of-two
 * buckets, grows at load 1, shrinks below load 1/4). Keys are copied;
 * values are the caller's.
 * Not thread-safe; nothing here is.
 */
#ifndef CHAT_HMAP_H
#define CHAT_HMAP_H

#include <stddef.h>

struct hmap;

/* Returns a new empty map; aborts on out-of-memory. Free with
 * hmap_destroy(), which frees keys, never values. */
struct hmap *hmap_create(void);
void hmap_destroy(struct hmap *m);

void *hmap_get(const struct hmap *m, const char *key);
/* Sets key to value (replacing any previous value, which is returned). */
void *hmap_put(struct hmap *m, const char *key, void *value);
/* Removes key; returns its value or NULL. */
void *hmap_remove(struct hmap *m, const char *key);
size_t hmap_count(const struct hmap *m);
/* Number of buckets: follows the count up and back down. */
size_t hmap_capacity(const struct hmap *m);

typedef void (*hmap_each_cb)(const char *key, void *value, void *arg);
/* Calls cb for every entry; cb must not change the map (a removal may
 * rehash the table under the walk). To remove while walking, collect the
 * keys first. */
void hmap_each(const struct hmap *m, hmap_each_cb cb, void *arg);

#endif
