/*
 * static_table: a folder of static files read into memory once, at
 * start, each under the key of its URL path ("/widget/widget.js"), with
 * its precompressed siblings (FILE.br, FILE.gz, when smaller than FILE),
 * a strong ETag per encoding, its Content-Type and Cache-Control. Lookups
 * are by exact key: nothing a request says ever reaches the file system.
 * Not here: HTTP (static_http, net/static_files).
 */
#ifndef CHAT_STATIC_TABLE_H
#define CHAT_STATIC_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "chat/common/static_http.h"

/* Everything a folder may hold, all encodings counted. */
#define STATIC_TABLE_MAX_BYTES (64u * 1024 * 1024)
#define STATIC_TABLE_MAX_FILES 4096

/* One encoding of a file; data NULL when the file has none. */
struct static_body {
	const unsigned char *data;
	size_t len;
	char etag[48]; /* quoted: "<32 hex of SHA-256 of FILE>[-br|-gz]" */
};

struct static_file {
	struct static_body body[STATIC_ENCODINGS];
	const char *content_type;  /* static */
	const char *cache_control; /* static */
};

struct static_table;

/* Reads every file under dir (names starting with "." are skipped, and
 * so are FILE.br / FILE.gz, which become FILE's encodings). Returns the
 * table, or NULL with a one-line reason in err (cap bytes) when dir
 * cannot be read or holds more than STATIC_TABLE_MAX_BYTES or
 * STATIC_TABLE_MAX_FILES. Free with static_table_destroy(). */
struct static_table *static_table_load(const char *dir, char *err, size_t cap);
/* An empty table: every lookup misses. */
struct static_table *static_table_empty(void);
void static_table_destroy(struct static_table *t);

/* The file at key, borrowed from t; NULL when there is none. */
const struct static_file *static_table_find(const struct static_table *t,
					    const char *key);
/* Files in the table and the bytes they hold, all encodings counted. */
size_t static_table_count(const struct static_table *t);
size_t static_table_bytes(const struct static_table *t);

#endif
