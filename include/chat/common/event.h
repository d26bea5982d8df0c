/*
 * event: facts about a stored event read straight from its JSON text.
 */
#ifndef CHAT_EVENT_H
#define CHAT_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Sequence number of a stored event (its last "seq" member), or 0. */
uint64_t event_seq(const char *payload, size_t len);
/* True when a stored event is an internal note ("kind":"note" among the
 * leading members, where the encoder puts it). */
bool event_is_note(const char *payload, size_t len);

#endif
