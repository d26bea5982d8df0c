/* sink: the helpers every command uses to answer through a sink. */
#include "chat/cmd/sink.h"

#include <stdlib.h>

int sink_send_owned(struct sink *k, char *json)
{
	struct frame *f = frame_from_string(json);
	int rc;

	if (!f)
		return -1;
	rc = k->ops->send(k, f);
	frame_unref(f);
	return rc;
}

int sink_send_text(struct sink *k, const char *json, size_t len)
{
	struct frame *f = frame_create(json, len);
	int rc;

	if (!f)
		return -1;
	rc = k->ops->send(k, f);
	frame_unref(f);
	return rc;
}

void sink_send_error(struct sink *k, const char *id, const char *conv,
		     enum proto_error_code code, const char *message)
{
	sink_send_owned(k, proto_encode_error(id && *id ? id : NULL,
					      conv && *conv ? conv : NULL, code,
					      message));
}
