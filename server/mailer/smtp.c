/*
 * smtp: sends to one relay, each a curl easy handle on one multi handle
 * that smtp_loop.c drives from the libuv loop. curl 7.88 cannot list its
 * easy handles, so every send sits on our own list for smtp_destroy().
 * Not here: what the message says or when to retry it.
 */
#include "smtp_loop.h"

#include <stdlib.h>
#include <string.h>

#include "chat/common/util.h"

#define LINE_MAX_LEN 512

struct smtp_job {
	struct smtp *s; /* borrowed */
	CURL *easy;
	struct curl_slist *rcpts;
	char *from;
	char *msg;
	size_t len, off;
	smtp_sent_cb cb;
	void *arg;
	char last[LINE_MAX_LEN]; /* the relay's last reply line */
	char errbuf[CURL_ERROR_SIZE];
	struct smtp_job *prev, *next;
};

const char *smtp_result_name(enum smtp_result r)
{
	switch (r) {
	case SMTP_SENT:
		return "sent";
	case SMTP_TEMPORARY:
		return "temporary";
	case SMTP_PERMANENT:
		return "permanent";
	case SMTP_CANCELLED:
		return "cancelled";
	}
	return "?";
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* ---- one send ---- */

static size_t on_read(char *buf, size_t size, size_t nitems, void *userp)
{
	struct smtp_job *j = userp;
	size_t n = size * nitems;

	if (n > j->len - j->off)
		n = j->len - j->off;
	memcpy(buf, j->msg + j->off, n);
	j->off += n;
	return n;
}

/* Server replies reach the debug callback as CURLINFO_HEADER_IN, one line
 * at a time: keep the last, except the 221 that answers curl's QUIT after a
 * refusal, which would hide the refusal. */
static int on_debug(CURL *easy, curl_infotype type, char *data, size_t size,
		    void *userp)
{
	struct smtp_job *j = userp;

	(void)easy;
	if (type != CURLINFO_HEADER_IN ||
	    (size >= 3 && !memcmp(data, "221", 3)))
		return 0;
	while (size > 0 && (data[size - 1] == '\n' || data[size - 1] == '\r'))
		size--;
	if (size >= sizeof(j->last))
		size = sizeof(j->last) - 1;
	memcpy(j->last, data, size);
	j->last[size] = '\0';
	return 0;
}

static void job_free(struct smtp_job *j)
{
	curl_easy_cleanup(j->easy);
	curl_slist_free_all(j->rcpts);
	free(j->from);
	free(j->msg);
	free(j);
}

static void job_unlink(struct smtp_job *j)
{
	struct smtp *s = j->s;

	if (j->prev)
		j->prev->next = j->next;
	else
		s->jobs = j->next;
	if (j->next)
		j->next->prev = j->prev;
	curl_multi_remove_handle(s->multi, j->easy);
}

static enum smtp_result classify(CURLcode rc, long code)
{
	if (rc == CURLE_OK)
		return SMTP_SENT;
	if (code >= 500 && code <= 599)
		return SMTP_PERMANENT;
	/* 4xx, no connection, timeouts, TLS trouble, a broken relay: the
	 * message is not at fault, so it may succeed later. */
	return SMTP_TEMPORARY;
}

/* Unlinks j, reports to its owner once, frees it. */
static void job_finish(struct smtp_job *j, enum smtp_result result,
		       const char *error)
{
	long code = 0;
	struct smtp_outcome out;

	curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &code);
	job_unlink(j);
	out.result = result;
	out.code = (int)code;
	out.response = j->last;
	out.error = result == SMTP_SENT ? "" : error;
	j->cb(j->arg, &out);
	job_free(j);
}

static void smtp_check_done(struct smtp *s)
{
	CURLMsg *m;
	int left;

	while (!s->closing && (m = curl_multi_info_read(s->multi, &left))) {
		struct smtp_job *j = NULL;
		long code = 0;
		CURLcode rc = m->data.result;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
				  (char **)&j);
		curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &code);
		job_finish(j, classify(rc, code),
			   j->errbuf[0] ? j->errbuf : curl_easy_strerror(rc));
	}
}

static CURL *easy_for(struct smtp *s, struct smtp_job *j)
{
	CURL *e = curl_easy_init();

	if (!e)
		return NULL;
	curl_easy_setopt(e, CURLOPT_URL, s->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(e, CURLOPT_USE_SSL,
			 s->starttls_required ? (long)CURLUSESSL_ALL
					      : (long)CURLUSESSL_TRY);
	if (s->username) {
		curl_easy_setopt(e, CURLOPT_USERNAME, s->username);
		curl_easy_setopt(e, CURLOPT_PASSWORD,
				 s->password ? s->password : "");
	}
	if (s->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, s->ca_file);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, s->connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, s->timeout_ms);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_MAIL_FROM, j->from);
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT, j->rcpts);
	curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(e, CURLOPT_READDATA, j);
	curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)j->len);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, j->errbuf);
	curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(e, CURLOPT_DEBUGDATA, j);
	curl_easy_setopt(e, CURLOPT_PRIVATE, j);
	smtp_loop_track(s, e);
	return e;
}

/* "<addr>", or NULL when addr could smuggle SMTP commands. */
static char *angle(const char *addr)
{
	size_t n = strlen(addr);
	char *out;

	if (n == 0 || strpbrk(addr, "\r\n<>"))
		return NULL;
	out = xmalloc(n + 3);
	out[0] = '<';
	memcpy(out + 1, addr, n);
	out[n + 1] = '>';
	out[n + 2] = '\0';
	return out;
}

static int add_rcpts(struct smtp_job *j, const char *const *rcpts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *a = rcpts[i] ? angle(rcpts[i]) : NULL;
		struct curl_slist *l;

		if (!a)
			return -1;
		l = curl_slist_append(j->rcpts, a);
		free(a);
		if (!l)
			return -1;
		j->rcpts = l;
	}
	return 0;
}

int smtp_send(struct smtp *s, const char *from, const char *const *rcpts,
	      size_t n_rcpts, const char *message, size_t len, smtp_sent_cb cb,
	      void *arg)
{
	struct smtp_job *j;

	if (!s || s->closing || !from || !rcpts || n_rcpts == 0 || !cb ||
	    (!message && len > 0))
		return -1;
	j = xcalloc(1, sizeof(*j));
	j->s = s;
	j->cb = cb;
	j->arg = arg;
	j->len = len;
	j->msg = xmalloc(len ? len : 1);
	if (len)
		memcpy(j->msg, message, len);
	/* The null sender "<>" (bounces) is allowed. */
	j->from = from[0] ? angle(from) : xstrdup("<>");
	if (!j->from || add_rcpts(j, rcpts, n_rcpts) != 0)
		goto fail;
	j->easy = easy_for(s, j);
	if (!j->easy || curl_multi_add_handle(s->multi, j->easy) != CURLM_OK)
		goto fail;
	j->next = s->jobs;
	if (s->jobs)
		s->jobs->prev = j;
	s->jobs = j;
	return 0;
fail:
	job_free(j);
	return -1;
}

/* ---- lifetime ---- */

struct smtp *smtp_create(uv_loop_t *loop, const struct smtp_config *cfg)
{
	struct smtp *s;

	if (!loop || !cfg || !cfg->url)
		return NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->multi = curl_multi_init();
	if (!s->multi)
		goto fail_multi;
	s->loop = loop;
	s->url = xstrdup(cfg->url);
	s->username = dup_or_null(cfg->username);
	s->password = dup_or_null(cfg->password);
	s->ca_file = dup_or_null(cfg->ca_file);
	s->starttls_required = cfg->starttls_required;
	s->connect_timeout_ms =
		cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : 10000;
	s->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 60000;
	s->check_done = smtp_check_done;
	smtp_loop_attach(s);
	return s;
fail_multi:
	free(s);
	curl_global_cleanup();
	return NULL;
}

static void on_timer_closed(uv_handle_t *h)
{
	struct smtp *s = h->data;

	free(s->url);
	free(s->username);
	free(s->password);
	free(s->ca_file);
	free(s->fds);
	free(s);
}

void smtp_destroy(struct smtp *s)
{
	if (!s || s->closing)
		return;
	s->closing = true;
	smtp_loop_shutdown(s);
	while (s->jobs)
		job_finish(s->jobs, SMTP_CANCELLED, "cancelled");
	curl_multi_cleanup(s->multi);
	/* curl may close cached connections without telling on_socket. */
	smtp_loop_close(s);
	uv_timer_stop(&s->timer);
	uv_close((uv_handle_t *)&s->timer, on_timer_closed);
	curl_global_cleanup();
}
