/*
 * cmd: the command layer's entry: the node context, dispatch by request
 * type and the cost of each request. Not here: what each command does
 * (conv.c, watch.c, query.c, canned.c) and who may do it (access.c).
 */
#include "chat/cmd/cmd.h"

#include <stdio.h>
#include <string.h>

#include "canned.h"
#include "chat/common/ids.h"
#include "chat/common/util.h"
#include "conv.h"
#include "email_reply.h"
#include "query.h"
#include "route.h"
#include "watch.h"

#define DEFAULT_LIST 20

int cmd_ctx_init(struct cmd_ctx *ctx, struct store *store, struct bus *bus,
		 const char *id_secret_hex)
{
	int n = hex_decode(id_secret_hex, ctx->id_secret,
			   sizeof(ctx->id_secret));
	char warm[PROTO_CONV_LEN + 1];

	if (n < 32)
		return -1;
	ctx->id_secret_len = (size_t)n;
	/* One derivation now: OpenSSL sets up its providers (about 2 MB) at
	 * start rather than during the first client's open. */
	ids_conv_derive(ctx->id_secret, ctx->id_secret_len, "", "", warm);
	ctx->store = store;
	ctx->bus = bus;
	cmd_ctx_limits(ctx, 100, 256 * 1024, 86400, 0);
	return 0;
}

void cmd_ctx_limits(struct cmd_ctx *ctx, unsigned page, size_t history_bytes,
		    long idem_ttl_s, long retention_s)
{
	ctx->page = page;
	ctx->history_bytes = history_bytes;
	ctx->idem_ttl_s = idem_ttl_s;
	snprintf(ctx->expiry_arg, sizeof(ctx->expiry_arg), "%ld %ld",
		 idem_ttl_s, retention_s);
}

void cmd_run(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
	     const struct proto_request *req)
{
	switch (req->type) {
	case PROTO_AUTH:
		sink_send_error(k, req->id, NULL, PROTO_E_ALREADY_AUTHENTICATED,
				NULL);
		break;
	case PROTO_OPEN:
		conv_open(ctx, a, k, req);
		break;
	case PROTO_SEND:
	case PROTO_NOTE:
	case PROTO_CLOSE:
		conv_append(ctx, a, k, req);
		break;
	case PROTO_TYPING:
		conv_typing(ctx, a, k, req);
		break;
	case PROTO_READ:
		conv_read(ctx, a, k, req);
		break;
	case PROTO_RESUME:
		watch_resume(ctx, a, k, req);
		break;
	case PROTO_UNWATCH:
		watch_unwatch(ctx, a, k, req);
		break;
	case PROTO_HISTORY:
		query_history(ctx, a, k, req);
		break;
	case PROTO_LIST:
		query_list(ctx, a, k, req);
		break;
	case PROTO_PING:
		sink_send_owned(k, proto_encode_pong(req->id, now_ms()));
		break;
	case PROTO_CANNED_LIST:
		canned_list(ctx, a, k, req);
		break;
	case PROTO_CANNED_SAVE:
		canned_save(ctx, a, k, req);
		break;
	case PROTO_CANNED_DELETE:
		canned_delete(ctx, a, k, req);
		break;
	case PROTO_CLAIM:
	case PROTO_ACCEPT:
	case PROTO_TRANSFER:
	case PROTO_TAKEOVER:
		route_assign(ctx, a, k, req);
		break;
	case PROTO_DECLINE:
		route_decline(ctx, a, k, req);
		break;
	case PROTO_PRESENCE:
		route_presence(ctx, a, k, req);
		break;
	case PROTO_AGENTS:
		route_agents(ctx, a, k, req);
		break;
	case PROTO_AVAILABILITY:
		route_availability(ctx, a, k, req);
		break;
	case PROTO_EMAIL_REPLY:
		email_reply_run(ctx, a, k, req);
		break;
	}
}

/* A simple request costs one unit; those that make Redis do more cost
 * more: a resume one unit per 8 conversations (an access check and a
 * replay each), a list one per 10 conversations read. */
unsigned cmd_cost(const struct proto_request *req)
{
	switch (req->type) {
	case PROTO_RESUME:
		return 1 + (unsigned)req->n_resume / 8;
	case PROTO_LIST:
		return 1 + (req->limit ? req->limit : DEFAULT_LIST) / 10;
	case PROTO_HISTORY:
	case PROTO_CANNED_LIST:
	case PROTO_AGENTS:
	case PROTO_AVAILABILITY:
		return 2;
	default:
		return 1;
	}
}

void cmd_sink_closed(struct cmd_ctx *ctx, struct sink *k)
{
	(void)ctx;
	watch_remove_all(k);
}

void cmd_sink_drained(struct cmd_ctx *ctx, struct sink *k)
{
	(void)ctx;
	watch_on_drain(k);
}
