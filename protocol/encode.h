/*
 * encode.h: what encode.c shares with encode_lists.c (the frame opening
 * every encoder writes). Private to protocol/.
 */
#ifndef CHAT_ENCODE_H
#define CHAT_ENCODE_H

#include "jsonw.h"

/* Returns s, or NULL when s is NULL or "": an absent id or conv. */
const char *encode_nonempty(const char *s);
/* Starts {"type":type,"id":id,"conv":conv (id and conv when not ""). */
void encode_frame_head(struct jw *w, const char *type, const char *id,
		       const char *conv);

/* Closes the frame's object; returns the heap string or NULL on
 * failure. */
char *encode_frame_end(struct jw *w);

#endif
