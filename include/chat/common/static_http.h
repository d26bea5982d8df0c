/*
 * static_http: what HTTP says about serving a static file, without the
 * network: which stored encoding answers an Accept-Encoding, whether an
 * If-None-Match names an ETag, the lookup key of a request path, and the
 * Content-Type and Cache-Control of a file by its name. Not here: the
 * files (static_table) or the connection (net/static_files).
 */
#ifndef CHAT_STATIC_HTTP_H
#define CHAT_STATIC_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* The stored encodings of a file, in the order they are preferred on a
 * tie of q-values: Brotli, gzip, the file itself. */
enum static_encoding {
	STATIC_BR,
	STATIC_GZIP,
	STATIC_IDENTITY,
	STATIC_ENCODINGS
};

#define STATIC_HAS(enc) (1u << (enc))

/* The encoding to send for an Accept-Encoding header value (NULL when
 * the request has none) among those a file has (a mask of STATIC_HAS(),
 * identity always assumed): the highest q-value wins, br before gzip
 * before identity on a tie; q=0 refuses a coding, "*" stands for every
 * coding not named. Identity is the answer when nothing else is
 * acceptable, even if the header refused it too (the file must go out
 * in some form). */
enum static_encoding static_http_choose(const char *accept_encoding,
					unsigned available);

/* The Content-Encoding token of enc, or NULL for identity. */
const char *static_http_encoding_name(enum static_encoding enc);

/* True when the If-None-Match header value (a list of entity tags, or
 * "*") names etag, compared weakly (a W/ prefix on either side is
 * ignored, RFC 9110 13.1.2). */
bool static_http_etag_matches(const char *if_none_match, const char *etag);

/* The table key of request path uri (len bytes, no query string) into out
 * (cap bytes): "/" and any path ending in "/" get "index.html" appended.
 * Returns the key length, or -1 when the path is empty, does not start
 * with "/", holds a NUL byte or does not fit. Keys are compared exactly:
 * no path is ever resolved against the file system. */
int static_http_key(const char *uri, size_t len, char *out, size_t cap);

/* True when path's file name carries a content hash, as the web build
 * names them: "<name>-<8 of A-Z 0-9>.<ext>" (widget-J5ICA2IN.js). */
bool static_http_is_hashed(const char *path);

/* The Content-Type of path by its extension; application/octet-stream
 * for one not known. A static string. */
const char *static_http_content_type(const char *path);

/* The Cache-Control of path: a year and immutable for hashed names,
 * "no-cache" (revalidate every time) for HTML, STATIC_HTTP_SHORT_CACHE
 * for the rest (the widget's loader). A static string. */
#define STATIC_HTTP_SHORT_CACHE "public, max-age=300"
const char *static_http_cache_control(const char *path);

#endif
