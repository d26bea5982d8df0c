/*
 * inbound_http: POST /mail/inbound; see inbound_http.h. One request is a
 * struct inbound_req that lives in three states: collecting the body,
 * waiting for the ingest, waiting for the connection to be writeable to
 * answer. Refusals that need no body (off, method, secret, length) are
 * answered at once from the request callback.
 */
#include "inbound_http.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "chat/cmd/cmd.h"
#include "chat/common/log.h"
#include "chat/common/util.h"
#include "chat/inbound/ingest.h"
#include "bearer.h"
#include "chunked.h"
#include "http_answer.h"

#define METHOD_POST 1 /* lws_http_get_uri_and_method() */
#define AUTH_MAX 1024 /* a longer Authorization header is wrong anyway */

struct inbound_http {
	struct cmd_ctx *cmd; /* borrowed */
	const char *secret;  /* borrowed from the config; NULL = off */
	struct reply_keys keys;
	struct ingest_config ingest;
	size_t in_flight; /* ingests that have not called back */
	bool destroyed;	  /* freed when the last one has */
};

enum req_state { REQ_BODY, REQ_INGEST, REQ_ANSWER };

/* One request. Held by its connection (the opaque pointer) until that
 * closes or the answer is written, and by the ingest while it runs; freed
 * by whichever lets go last. */
struct inbound_req {
	struct inbound_http *ih; /* borrowed */
	struct lws *wsi;	 /* NULL once the connection has closed */
	enum req_state state;
	bool is_chunked;
	struct chunked dec;
	char *body; /* owned; what has arrived, decoded */
	size_t len, cap;
	int status;
	char *answer; /* owned JSON, once the outcome is known */
};

/* What the request says of its body. */
enum body_kind {
	BODY_NONE,    /* no length, no chunks: nothing (or until close) */
	BODY_LENGTH,  /* Content-Length */
	BODY_CHUNKED, /* Transfer-Encoding: chunked */
	BODY_BAD,     /* unreadable length, both, or another coding */
};

struct inbound_http *inbound_http_create(struct cmd_ctx *ctx,
					 const struct config *cfg)
{
	struct inbound_http *ih = xcalloc(1, sizeof(*ih));
	char err[200];

	ih->cmd = ctx;
	ih->secret = cfg->inbound_secret;
	ih->ingest.keys = &ih->keys;
	ih->ingest.reply_domain = cfg->reply_domain ? cfg->reply_domain : "";
	ih->ingest.max_bytes = (size_t)cfg->mail_max_bytes;
	ih->ingest.mail_from = cfg->mail_from;
	if (!ih->secret)
		return ih;
	if (!cfg->reply_keys || !*cfg->reply_keys) {
		log_warn("POST %s without reply-keys: no reply token can be "
			 "checked",
			 INBOUND_HTTP_PATH);
		return ih;
	}
	if (reply_keys_parse(&ih->keys, cfg->reply_keys, err, sizeof(err))) {
		log_error("invalid reply-keys: %s", err);
		free(ih);
		return NULL;
	}
	return ih;
}

void inbound_http_destroy(struct inbound_http *ih)
{
	if (!ih)
		return;
	ih->destroyed = true;
	if (ih->in_flight == 0)
		free(ih);
}

bool inbound_http_is_path(struct lws *wsi)
{
	char *uri = NULL;
	int len = 0;

	if (lws_http_get_uri_and_method(wsi, &uri, &len) < 0 || !uri)
		return false;
	return (size_t)len == strlen(INBOUND_HTTP_PATH) &&
	       memcmp(uri, INBOUND_HTTP_PATH, (size_t)len) == 0;
}

bool inbound_http_owns(struct lws *wsi)
{
	return lws_get_opaque_user_data(wsi) != NULL;
}

/* Copies header token tok into buf; returns its length, 0 when absent,
 * -1 when it does not fit. */
static int header(struct lws *wsi, enum lws_token_indexes tok, char *buf,
		  int cap)
{
	int n = lws_hdr_total_length(wsi, tok);

	if (n <= 0)
		return 0;
	if (n >= cap || lws_hdr_copy(wsi, buf, cap, tok) < 0)
		return -1;
	return n;
}

static enum body_kind body_kind(struct lws *wsi, uint64_t *declared)
{
	char cl[32], te[32];
	int n_cl = header(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, cl, sizeof(cl));
	int n_te =
		header(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING, te, sizeof(te));
	char *end;

	if (n_cl < 0 || n_te < 0 || (n_cl && n_te))
		return BODY_BAD;
	if (n_te)
		return strcasecmp(te, "chunked") == 0 ? BODY_CHUNKED : BODY_BAD;
	if (!n_cl)
		return BODY_NONE;
	if (cl[0] < '0' || cl[0] > '9')
		return BODY_BAD;
	*declared = strtoull(cl, &end, 10);
	return *end || n_cl > 19 ? BODY_BAD : BODY_LENGTH;
}

static bool authorized(const struct inbound_http *ih, struct lws *wsi)
{
	char auth[AUTH_MAX];

	if (header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION, auth, sizeof(auth)) <= 0)
		return false;
	return bearer_matches(auth, ih->secret);
}

static int write_answer(struct lws *wsi, int status, const char *json,
			const char *const *extra, bool close)
{
	return http_answer(wsi, status, "application/json", json, extra, close,
			   false);
}

/* Ends the transaction after an answer: keeps the connection for the
 * next request (lws reads and drops a body still on its way), or closes
 * it when the rest of the body is unbounded. */
static int finish(struct lws *wsi, bool close)
{
	if (close)
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* A refusal answered before any body is read. */
static int refuse(struct lws *wsi, int status, const char *error,
		  const char *const *extra, bool close)
{
	char json[128];

	snprintf(json, sizeof(json), "{\"error\":\"%s\"}", error);
	log_info("POST %s refused: %d %s", INBOUND_HTTP_PATH, status, error);
	if (write_answer(wsi, status, json, extra, close))
		return -1;
	return finish(wsi, close);
}

static int refuse_early(struct inbound_http *ih, struct lws *wsi,
			enum body_kind kind, uint64_t declared)
{
	static const char *const allow[] = {"allow:", "POST"};
	static const char *const bearer[] = {"www-authenticate:", "Bearer"};
	bool over = kind == BODY_LENGTH && declared > ih->ingest.max_bytes;
	/* lws expects up to 100 MB after a POST, PUT or PATCH that states no
	 * length. */
	bool unbounded = kind == BODY_NONE &&
			 (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) ||
			  lws_hdr_total_length(wsi, WSI_TOKEN_PUT_URI) ||
			  lws_hdr_total_length(wsi, WSI_TOKEN_PATCH_URI));
	/* A body lws would have to drop past our bound: close instead. */
	bool close =
		over || unbounded || kind == BODY_CHUNKED || kind == BODY_BAD;
	char *uri;
	int len;

	if (!ih->secret)
		return refuse(wsi, HTTP_STATUS_NOT_FOUND, "not_found", NULL,
			      close);
	if (lws_http_get_uri_and_method(wsi, &uri, &len) != METHOD_POST)
		return refuse(wsi, HTTP_STATUS_METHOD_NOT_ALLOWED,
			      "method_not_allowed", allow, close);
	if (!authorized(ih, wsi))
		return refuse(wsi, HTTP_STATUS_UNAUTHORIZED, "unauthorized",
			      bearer, close);
	if (kind == BODY_BAD)
		return refuse(wsi, HTTP_STATUS_BAD_REQUEST, "bad_body", NULL,
			      true);
	if (kind == BODY_NONE)
		return refuse(wsi, HTTP_STATUS_LENGTH_REQUIRED,
			      "length_required", NULL, true);
	if (over)
		return refuse(wsi, HTTP_STATUS_REQ_ENTITY_TOO_LARGE,
			      "too_large", NULL, true);
	return 1; /* not refused */
}

int inbound_http_on_request(struct inbound_http *ih, struct lws *wsi)
{
	uint64_t declared = 0;
	enum body_kind kind = body_kind(wsi, &declared);
	struct inbound_req *req;
	int rc = refuse_early(ih, wsi, kind, declared);

	if (rc != 1)
		return rc;
	req = xcalloc(1, sizeof(*req));
	req->ih = ih;
	req->wsi = wsi;
	req->is_chunked = kind == BODY_CHUNKED;
	chunked_init(&req->dec);
	lws_set_opaque_user_data(wsi, req);
	return 0;
}

static void req_free(struct inbound_req *req)
{
	free(req->body);
	free(req->answer);
	free(req);
}

/* Lets go of the connection's hold on the request. */
static void detach(struct inbound_req *req)
{
	lws_set_opaque_user_data(req->wsi, NULL);
	req->wsi = NULL;
	if (req->state != REQ_INGEST)
		req_free(req);
}

/* Refuses a request whose body is under way; the connection closes, so
 * the rest of the body is never read. */
static int refuse_body(struct inbound_req *req, int status, const char *error)
{
	struct lws *wsi = req->wsi;

	detach(req);
	return refuse(wsi, status, error, NULL, true);
}

/* Room for n more bytes. False when out of memory (a client's data: the
 * request fails, the server goes on). */
static bool reserve(struct inbound_req *req, size_t n)
{
	size_t want = req->len + n + 1, cap = req->cap ? req->cap : 16384;
	char *p;

	if (want <= req->cap)
		return true;
	while (cap < want)
		cap *= 2;
	p = realloc(req->body, cap);
	if (!p)
		return false;
	req->body = p;
	req->cap = cap;
	return true;
}

static void start_ingest(struct inbound_req *req);

int inbound_http_on_body(struct lws *wsi, const void *in, size_t len)
{
	struct inbound_req *req = lws_get_opaque_user_data(wsi);
	enum chunked_result r = CHUNKED_MORE;
	size_t n = len;

	if (!req || req->state != REQ_BODY || !len)
		return 0;
	if (!reserve(req, len))
		return refuse_body(req, HTTP_STATUS_SERVICE_UNAVAILABLE,
				   "out_of_memory");
	if (req->is_chunked)
		r = chunked_feed(&req->dec, in, len, req->body + req->len, &n);
	else
		memcpy(req->body + req->len, in, len);
	req->len += n;
	if (r == CHUNKED_ERROR)
		return refuse_body(req, HTTP_STATUS_BAD_REQUEST, "bad_chunks");
	if (req->len > req->ih->ingest.max_bytes)
		return refuse_body(req, HTTP_STATUS_REQ_ENTITY_TOO_LARGE,
				   "too_large");
	if (r == CHUNKED_DONE) {
		/* lws still waits for a body it cannot measure: no timeout
		 * while the ingest runs; the answer closes the connection. */
		lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
		start_ingest(req);
	}
	return 0;
}

int inbound_http_on_body_done(struct lws *wsi)
{
	struct inbound_req *req = lws_get_opaque_user_data(wsi);

	if (!req)
		return 0;
	/* Bytes after the body while the ingest runs: a pipelined request.
	 * lws 4.1 reports them as this body's end again and again, without
	 * reading them, until the answer is written; a client should not
	 * pipeline after a POST (RFC 9112 9.3.2): close the connection (the
	 * ingest still finishes; the client sends the mail again and gets
	 * "duplicate"). */
	if (req->state != REQ_BODY)
		return -1;
	if (req->is_chunked) /* the connection ended the chunks */
		return refuse_body(req, HTTP_STATUS_BAD_REQUEST, "bad_chunks");
	start_ingest(req);
	return 0;
}

/* {"outcome", "conv", "seq", "reopened", "detail"}; NULL on OOM. */
static char *answer_json(const struct ingest_result *r)
{
	json_t *o = json_object(); /* owned */
	char *s;

	if (!o)
		return NULL;
	json_object_set_new(o, "outcome",
			    json_string(ingest_outcome_name(r->outcome)));
	json_object_set_new(o, "conv", json_string(r->conv ? r->conv : ""));
	json_object_set_new(o, "seq", json_integer((json_int_t)r->seq));
	json_object_set_new(o, "reopened", json_boolean(r->reopened));
	json_object_set_new(o, "detail",
			    json_string(r->detail ? r->detail : ""));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

static void on_ingested(const struct ingest_result *r, void *arg)
{
	struct inbound_req *req = arg;
	struct inbound_http *ih = req->ih;
	const char *conv = r->conv ? r->conv : "";

	log_info("POST %s: %s%s%s (%s)", INBOUND_HTTP_PATH,
		 ingest_outcome_name(r->outcome), *conv ? " in " : "", conv,
		 r->detail ? r->detail : "");
	if (--ih->in_flight == 0 && ih->destroyed)
		free(ih);
	req->state = REQ_ANSWER;
	if (!req->wsi) { /* the client went away meanwhile */
		req_free(req);
		return;
	}
	req->status = ingest_http_status(r->outcome);
	req->answer = answer_json(r);
	lws_callback_on_writable(req->wsi);
}

static void start_ingest(struct inbound_req *req)
{
	struct inbound_http *ih = req->ih;

	req->state = REQ_INGEST;
	ih->in_flight++;
	inbound_ingest(ih->cmd, &ih->ingest, req->body ? req->body : "",
		       req->len, on_ingested, req);
	/* The mail was borrowed for the call only. The request is still
	 * alive: its connection holds it until the answer is written. */
	free(req->body);
	req->body = NULL;
	req->len = req->cap = 0;
}

int inbound_http_on_writeable(struct lws *wsi)
{
	struct inbound_req *req = lws_get_opaque_user_data(wsi);
	bool close;
	int rc;

	if (!req || req->state != REQ_ANSWER)
		return 0;	 /* spurious */
	close = req->is_chunked; /* lws would wait for more of the body */
	if (req->answer)
		rc = write_answer(wsi, req->status, req->answer, NULL, close);
	else
		rc = write_answer(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE,
				  "{\"error\":\"out_of_memory\"}", NULL, true);
	close |= !req->answer;
	detach(req);
	return rc ? -1 : finish(wsi, close);
}

void inbound_http_on_closed(struct lws *wsi)
{
	struct inbound_req *req = lws_get_opaque_user_data(wsi);

	if (req)
		detach(req);
}
