/*
 * static_table: a folder's files in memory; see static_table.h. Loaded
 * once at start, depth first; every byte is counted against the bound
 * before it is read.
 */
#include "chat/common/static_table.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "chat/common/hmap.h"
#include "chat/common/util.h"

#define MAX_DEPTH 16
#define PATH_CAP 1024

struct static_table {
	struct hmap *files; /* key -> struct static_file, owned */
	size_t bytes;
};

/* What a load carries down the walk. */
struct loader {
	struct static_table *t;
	const char *root;
	size_t root_len;
	char *err;
	size_t cap;
};

struct static_table *static_table_empty(void)
{
	struct static_table *t = xcalloc(1, sizeof(*t));

	t->files = hmap_create();
	return t;
}

static void free_file(const char *key, void *value, void *arg)
{
	struct static_file *f = value;

	(void)key;
	(void)arg;
	for (int e = 0; e < STATIC_ENCODINGS; e++)
		free((void *)f->body[e].data);
	free(f);
}

void static_table_destroy(struct static_table *t)
{
	if (!t)
		return;
	hmap_each(t->files, free_file, NULL);
	hmap_destroy(t->files);
	free(t);
}

const struct static_file *static_table_find(const struct static_table *t,
					    const char *key)
{
	return hmap_get(t->files, key);
}

size_t static_table_count(const struct static_table *t)
{
	return hmap_count(t->files);
}

size_t static_table_bytes(const struct static_table *t)
{
	return t->bytes;
}

static int fail(struct loader *l, const char *path, const char *why)
{
	if (strcmp(path, l->root) == 0)
		snprintf(l->err, l->cap, "web root %s: %s", path, why);
	else
		snprintf(l->err, l->cap, "web root %s: %s: %s", l->root, path,
			 why);
	return -1;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Reads the regular file at path into *out (owned by the caller);
 * returns 0, 1 when there is no such file, or -1 (err set). The bytes
 * count against the table's bound. */
static int read_file(struct loader *l, const char *path, unsigned char **out,
		     size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t got = 0;

	if (fd < 0)
		return errno == ENOENT ? 1 : fail(l, path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return 1;
	}
	if ((size_t)st.st_size > STATIC_TABLE_MAX_BYTES - l->t->bytes) {
		close(fd);
		snprintf(l->err, l->cap,
			 "web root %s holds more than %u MiB of files (the "
			 "limit; %s is one too many)",
			 l->root, STATIC_TABLE_MAX_BYTES >> 20, path);
		return -1;
	}
	*out = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, *out + got, (size_t)st.st_size - got);

		if (n <= 0) {
			close(fd);
			free(*out);
			return fail(l, path, n ? strerror(errno) : "changed");
		}
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	l->t->bytes += got;
	return 0;
}

static void set_etag(struct static_body *b, const unsigned char *md,
		     const char *suffix)
{
	char *p = b->etag;

	*p++ = '"';
	for (int i = 0; i < 16; i++, p += 2)
		snprintf(p, 3, "%02x", md[i]);
	snprintf(p, sizeof(b->etag) - 33, "%s\"", suffix);
}

/* FILE.br or FILE.gz as enc of f, when there is one and it is smaller. */
static int load_encoding(struct loader *l, const char *path,
			 struct static_file *f, enum static_encoding enc,
			 const unsigned char *md)
{
	static const char *const ext[] = {".br", ".gz"};
	static const char *const tag[] = {"-br", "-gz"};
	char p[PATH_CAP + 4];
	unsigned char *data;
	size_t len;
	int rc;

	snprintf(p, sizeof(p), "%s%s", path, ext[enc]);
	rc = read_file(l, p, &data, &len);
	if (rc)
		return rc < 0 ? -1 : 0;
	if (len >= f->body[STATIC_IDENTITY].len) {
		l->t->bytes -= len;
		free(data);
		return 0;
	}
	f->body[enc].data = data;
	f->body[enc].len = len;
	set_etag(&f->body[enc], md, tag[enc]);
	return 0;
}

static int load_file(struct loader *l, const char *path)
{
	const char *key = path + l->root_len;
	struct static_file *f;
	unsigned char md[EVP_MAX_MD_SIZE], *data;
	size_t len;
	int rc;

	if (has_suffix(path, ".br") || has_suffix(path, ".gz"))
		return 0;
	if (hmap_count(l->t->files) >= STATIC_TABLE_MAX_FILES)
		return fail(l, path, "too many files");
	rc = read_file(l, path, &data, &len);
	if (rc)
		return rc < 0 ? -1 : 0;
	f = xcalloc(1, sizeof(*f));
	f->body[STATIC_IDENTITY].data = data;
	f->body[STATIC_IDENTITY].len = len;
	if (!EVP_Digest(data, len, md, NULL, EVP_sha256(), NULL))
		abort(); /* OpenSSL without SHA-256 */
	set_etag(&f->body[STATIC_IDENTITY], md, "");
	f->content_type = static_http_content_type(key);
	f->cache_control = static_http_cache_control(key);
	hmap_put(l->t->files, key, f);
	if (load_encoding(l, path, f, STATIC_BR, md) ||
	    load_encoding(l, path, f, STATIC_GZIP, md))
		return -1;
	return 0;
}

static int load_dir(struct loader *l, const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return fail(l, dir, strerror(errno));
	while (!rc && (e = readdir(d))) {
		char path[PATH_CAP];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
				     e->d_name) >= sizeof(path))
			rc = fail(l, dir, "a name too long");
		else if (lstat(path, &st))
			rc = fail(l, path, strerror(errno));
		else if (S_ISDIR(st.st_mode))
			rc = depth < MAX_DEPTH ? load_dir(l, path, depth + 1)
					       : fail(l, path, "too deep");
		else
			rc = load_file(l, path); /* regular files only */
	}
	closedir(d);
	return rc;
}

struct static_table *static_table_load(const char *dir, char *err, size_t cap)
{
	struct static_table *t = static_table_empty();
	char root[PATH_CAP];
	size_t n = strlen(dir);
	struct loader l = {t, root, 0, err, cap};

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n >= sizeof(root) / 2) {
		snprintf(err, cap, "web root %s: path too long", dir);
		static_table_destroy(t);
		return NULL;
	}
	memcpy(root, dir, n);
	root[n] = '\0';
	l.root_len = n;
	if (load_dir(&l, root, 0)) {
		static_table_destroy(t);
		return NULL;
	}
	return t;
}
