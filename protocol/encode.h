/*
 * encode.h: what encode.c shares with encode_lists.c and encode_route.c
 * (the frame opening every encoder writes, a person as {id, name}). Private to
 * protocol/.
 */
#ifndef CHAT_ENCODE_H
#define CHAT_ENCODE_H

#include "chat/protocol.h"
#include "jsonw.h"

/* Returns s, or NULL when s is NULL or "": an absent id or conv. */
const char *encode_nonempty(const char *s);
/* Starts {"type":type,"id":id,"conv":conv (id and conv when not ""). */
void encode_frame_head(struct jw *w, const char *type, const char *id,
		       const char *conv);

/* Writes "key":{"id":..,"name":..} for u (borrowed); NULL writes
 * nothing. */
void encode_person(struct jw *w, const char *key, const struct proto_user *u);

/* Closes the frame's object; returns the heap string or NULL on
 * failure. */
char *encode_frame_end(struct jw *w);

#endif
