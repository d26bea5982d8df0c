/*
 * auth_keys: the signing-key list beside auth.c (auth_keys_parse() is
 * declared in chat/auth.h).
 */
#ifndef CHAT_AUTH_KEYS_H
#define CHAT_AUTH_KEYS_H

#include <stddef.h>

#include "chat/common/auth.h"

/* Index of the key named kid among keys[0..n), or -1. */
int auth_keys_index(const struct auth_key *keys, size_t n, const char *kid);

#endif
