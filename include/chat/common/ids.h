/*
 * ids: conversation ids and idempotency record names. A conversation id is
 * HMAC-SHA256(id secret, customer "\n" client_id) cut to 128 bits,
 * base64url: unguessable without the secret, and the same for a retried
 * open on any node, so open needs no key outside the conversation's slot.
 */
#ifndef CHAT_IDS_H
#define CHAT_IDS_H

#include <stddef.h>

#include "chat/protocol.h"

void ids_conv_derive(const unsigned char *secret, size_t secret_len,
		     const char *customer, const char *client_id,
		     char out[PROTO_CONV_LEN + 1]);
/* Writes the field that remembers (sender, client_id) in a
 * conversation's idempotency hash {c:ID}:i into out. The sender is
 * length-prefixed so ("a:b","c") and ("a","b:c") differ. Returns 0, or -1
 * when it does not fit. */
int ids_idem_field(char *out, size_t n, const char *sender,
		   const char *client_id);

/* A request's fingerprint: 64 bits (IDS_FP_LEN hex digits) of FNV-1a over
 * its content (the event it would store). A retry with a used client_id
 * must carry the same fingerprint. */
#define IDS_FP_LEN 16
void ids_fingerprint(const char *data, size_t len, char out[IDS_FP_LEN + 1]);

#endif
