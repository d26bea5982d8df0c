/*
 * static_files: the web root over HTTP; see static_files.h. One answer is
 * its headers, written from the request callback as lws's examples do,
 * then (GET of a 200) the body in pieces of PIECE bytes, each on its own
 * WRITEABLE; the last one ends the transaction so the connection can
 * carry the next request.
 */
#include "static_files.h"

#include <stdio.h>
#include <string.h>

#include "chat/common/static_table.h"
#include "http_answer.h"

#define PIECE 16384
#define KEY_MAX 512
#define HEADER_MAX 1024 /* Accept-Encoding, If-None-Match: longer = absent */
#define HEADERS_ROOM 2048

/* The console and the demo render untrusted text: a strict policy keeps
 * any slip inert. Sent with HTML only: it governs documents. */
#define PAGE_CSP                                                               \
	"default-src 'self'; script-src 'self'; connect-src 'self' ws: wss:; " \
	"img-src 'self' data:; style-src 'self' 'unsafe-inline'; "             \
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

/* Header token tok into buf; NULL when absent or longer than buf. */
static const char *header(struct lws *wsi, enum lws_token_indexes tok,
			  char *buf, int cap)
{
	int n = lws_hdr_total_length(wsi, tok);

	if (n <= 0 || n >= cap || lws_hdr_copy(wsi, buf, cap, tok) < 0)
		return NULL;
	return buf;
}

static int add(struct lws *wsi, const char *name, const char *value,
	       unsigned char **p, unsigned char *end)
{
	return lws_add_http_header_by_name(wsi, (const unsigned char *)name,
					   (const unsigned char *)value,
					   (int)strlen(value), p, end);
}

/* A short text answer (no body for HEAD) that ends the transaction. */
static int answer_short(struct lws *wsi, int status, const char *text,
			const char *const *extra, bool head)
{
	if (http_answer(wsi, status, "text/plain; charset=utf-8", text, extra,
			false, head))
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* "/demo" when "/demo/index.html" exists: 301 to "/demo/", so that the
 * page's relative URLs resolve in its folder. */
static int redirect_to_dir(const struct static_table *web, struct lws *wsi,
			   const char *key, bool head)
{
	char index[KEY_MAX + 16], to[KEY_MAX + 2];
	const char *location[] = {"location:", to};

	snprintf(index, sizeof(index), "%s/index.html", key);
	if (!static_table_find(web, index))
		return answer_short(wsi, HTTP_STATUS_NOT_FOUND, "not found\n",
				    NULL, head);
	snprintf(to, sizeof(to), "%s/", key);
	return answer_short(wsi, HTTP_STATUS_MOVED_PERMANENTLY, "moved\n",
			    location, head);
}

/* The headers of a 200 or 304 of body b of f. Content-Length is given as
 * a header by name, so that lws expects no body after a HEAD or a 304. */
static int write_headers(struct lws *wsi, int status,
			 const struct static_file *f, enum static_encoding enc)
{
	const struct static_body *b = &f->body[enc];
	const char *coding = static_http_encoding_name(enc);
	unsigned char buf[LWS_PRE + HEADERS_ROOM];
	unsigned char *start = buf + LWS_PRE, *p = start;
	unsigned char *end = buf + sizeof(buf) - 1;
	char n[24];

	snprintf(n, sizeof(n), "%zu", b->len);
	if (lws_add_http_header_status(wsi, (unsigned)status, &p, end) ||
	    add(wsi, "etag:", b->etag, &p, end) ||
	    add(wsi, "cache-control:", f->cache_control, &p, end) ||
	    add(wsi, "vary:", "Accept-Encoding", &p, end))
		return -1;
	if (strncmp(f->content_type, "text/html", 9) == 0 &&
	    (add(wsi, "content-security-policy:", PAGE_CSP, &p, end) ||
	     add(wsi, "referrer-policy:", "no-referrer", &p, end)))
		return -1;
	if (status == HTTP_STATUS_OK &&
	    (add(wsi, "content-type:", f->content_type, &p, end) ||
	     add(wsi, "content-length:", n, &p, end) ||
	     (coding && add(wsi, "content-encoding:", coding, &p, end))))
		return -1;
	return lws_finalize_write_http_header(wsi, start, &p, end);
}

static unsigned available(const struct static_file *f)
{
	unsigned mask = 0;

	for (int e = 0; e < STATIC_ENCODINGS; e++)
		if (f->body[e].data)
			mask |= STATIC_HAS(e);
	return mask;
}

static int answer_file(struct lws *wsi, const struct static_file *f,
		       struct static_req *req, bool head)
{
	char ae[HEADER_MAX], inm[HEADER_MAX];
	enum static_encoding enc = static_http_choose(
		header(wsi, WSI_TOKEN_HTTP_ACCEPT_ENCODING, ae, sizeof(ae)),
		available(f));
	const char *match =
		header(wsi, WSI_TOKEN_HTTP_IF_NONE_MATCH, inm, sizeof(inm));
	bool fresh =
		match && static_http_etag_matches(match, f->body[enc].etag);

	if (write_headers(wsi,
			  fresh ? HTTP_STATUS_NOT_MODIFIED : HTTP_STATUS_OK, f,
			  enc))
		return -1;
	if (fresh || head || !f->body[enc].len)
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	req->data = f->body[enc].data;
	req->len = f->body[enc].len;
	req->sent = 0;
	lws_callback_on_writable(wsi);
	return 0;
}

int static_files_on_request(const struct static_table *web, struct lws *wsi,
			    struct static_req *req)
{
	static const char *const allow[] = {"allow:", "GET, HEAD"};
	char *uri = NULL, key[KEY_MAX];
	int len = 0;
	int method = lws_http_get_uri_and_method(wsi, &uri, &len);
	bool head = method == LWSHUMETH_HEAD;
	const struct static_file *f;

	if (method != LWSHUMETH_GET && !head)
		return answer_short(wsi, HTTP_STATUS_METHOD_NOT_ALLOWED,
				    "method not allowed\n", allow, false);
	if (!req || !uri || len <= 0 ||
	    static_http_key(uri, (size_t)len, key, sizeof(key)) < 0)
		return answer_short(wsi, HTTP_STATUS_NOT_FOUND, "not found\n",
				    NULL, head);
	f = static_table_find(web, key);
	if (!f)
		return redirect_to_dir(web, wsi, key, head);
	return answer_file(wsi, f, req, head);
}

int static_files_on_writeable(struct lws *wsi, struct static_req *req)
{
	unsigned char buf[LWS_PRE + PIECE];
	size_t n;
	bool last;

	if (!req || !req->data)
		return 0;
	n = req->len - req->sent < PIECE ? req->len - req->sent : PIECE;
	last = req->sent + n == req->len;
	memcpy(buf + LWS_PRE, req->data + req->sent, n);
	if (lws_write(wsi, buf + LWS_PRE, n,
		      last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
		return -1;
	req->sent += n;
	if (!last) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	req->data = NULL;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}
