/*
 * commit: runs a state-changing step (open, send, note, claim, close) and
 * acks it once it is as durable as configured: accepted by Redis, and,
 * with replica acks on, copied to that many replicas (WAIT) so that a
 * failover loses nothing acked.
 */
#ifndef CHAT_COMMIT_H
#define CHAT_COMMIT_H

#include "chat/cmd/cmd.h"
#include "chat/store/scripts.h"

/* Runs script with nkeys keys then the rest of argv (argc in all) and
 * answers the request through k: an ack, or the error. */
void commit_step(struct cmd_ctx *ctx, const struct actor *a, struct sink *k,
		 const struct proto_request *req, const char *conv,
		 enum script_id script, int nkeys, int argc, const char **argv);

#endif
