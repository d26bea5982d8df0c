/* sink: the helpers every command uses to answer through a sink. */
#include "chat/cmd/sink.h"

#include <stdlib.h>

/* Sends a new frame (NULL: out of memory) and drops our reference. */
static int send_new(struct sink *k, struct frame *f)
{
	int rc = f ? k->ops->send(k, f) : -1;

	frame_unref(f);
	return rc;
}

int sink_send_owned(struct sink *k, char *json)
{
	return send_new(k, frame_from_string(json));
}

int sink_send_text(struct sink *k, const char *json, size_t len)
{
	return send_new(k, frame_create(json, len));
}

void sink_send_error(struct sink *k, const char *id, const char *conv,
		     enum proto_error_code code, const char *message)
{
	sink_send_owned(k, proto_encode_error(id && *id ? id : NULL,
					      conv && *conv ? conv : NULL, code,
					      message));
}
