/*
 * fuzz_decode: libFuzzer target for proto_decode(), the decoder every
 * client frame goes through. Any input must give either a request that
 * cleans up without leaks or one well-formed error; sanitizers catch the
 * rest. Not a check of which error a frame deserves (tests/unit does that).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chat/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(const struct proto_error *err)
{
	if ((unsigned)err->code >= PROTO_E__COUNT ||
	    !memchr(err->message, '\0', sizeof(err->message)) ||
	    !memchr(err->id, '\0', sizeof(err->id)) || !err->message[0] ||
	    !proto_error_code_str(err->code))
		abort();
}

static void check_request(const struct proto_request *req)
{
	if (!memchr(req->id, '\0', sizeof(req->id)) ||
	    !memchr(req->client_id, '\0', sizeof(req->client_id)) ||
	    !memchr(req->conv, '\0', sizeof(req->conv)) ||
	    !memchr(req->customer, '\0', sizeof(req->customer)) ||
	    !memchr(req->key, '\0', sizeof(req->key)) ||
	    !proto_type_str(req->type) ||
	    req->details.n_screenshots > PROTO_SCREENSHOTS_MAX ||
	    req->n_resume > PROTO_RESUME_MAX)
		abort();
	if (req->conv[0] && !proto_conv_id_valid(req->conv))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_request req;
	struct proto_error err;

	if (proto_decode((const char *)data, size, &req, &err) == 0) {
		check_request(&req);
		proto_request_cleanup(&req);
		proto_request_cleanup(&req); /* documented as harmless */
	} else {
		check_error(&err);
	}
	return 0;
}
