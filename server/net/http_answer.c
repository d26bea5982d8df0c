/*
 * http_answer: see http_answer.h.
 */
#include "http_answer.h"

#include <stdio.h>
#include <string.h>

static int add(struct lws *wsi, const char *name, const char *value,
	       unsigned char **p, unsigned char *end)
{
	return lws_add_http_header_by_name(wsi, (const unsigned char *)name,
					   (const unsigned char *)value,
					   (int)strlen(value), p, end);
}

/* Content-Length goes by name, so lws expects no body after a HEAD. */
int http_answer(struct lws *wsi, int status, const char *type, const char *body,
		const char *const *extra, bool close, bool head)
{
	unsigned char buf[LWS_PRE + HTTP_ANSWER_BODY_MAX + 1024];
	unsigned char *start = buf + LWS_PRE, *p = start;
	unsigned char *end = buf + sizeof(buf) - 1;
	size_t len = strlen(body);
	char length[24];
	int n;

	snprintf(length, sizeof(length), "%zu", len);
	if (len > HTTP_ANSWER_BODY_MAX ||
	    lws_add_http_header_status(wsi, (unsigned)status, &p, end) ||
	    add(wsi, "content-type:", type, &p, end) ||
	    add(wsi, "content-length:", length, &p, end) ||
	    (extra && add(wsi, extra[0], extra[1], &p, end)) ||
	    (close && add(wsi, "connection:", "close", &p, end)) ||
	    lws_finalize_http_header(wsi, &p, end) || (size_t)(end - p) < len)
		return -1;
	if (!head) {
		memcpy(p, body, len);
		p += len;
	}
	n = lws_ptr_diff(p, start);
	return lws_write(wsi, start, (size_t)n, LWS_WRITE_HTTP_FINAL) == n ? 0
									   : -1;
}
