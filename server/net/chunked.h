/*
 * chunked: a request body sent with Transfer-Encoding: chunked (RFC 9112
 * section 7.1), decoded as it arrives in pieces of any size. lws 4.1 hands
 * such a body over still encoded. Chunk extensions and trailer fields are
 * skipped. Pure, no allocation: the caller keeps the decoded bytes.
 */
#ifndef CHAT_CHUNKED_H
#define CHAT_CHUNKED_H

#include <stddef.h>
#include <stdint.h>

enum chunked_result {
	CHUNKED_MORE = 0,  /* the body goes on */
	CHUNKED_DONE = 1,  /* the last chunk and the trailer are in */
	CHUNKED_ERROR = -1 /* not chunked encoding */
};

struct chunked {
	int state;
	uint64_t left; /* bytes of the current chunk still to come */
	unsigned digits;
};

void chunked_init(struct chunked *c);

/*
 * Decodes len bytes of the encoded body into out (which must hold len
 * bytes: decoding never grows) and sets *out_len to the bytes written.
 * Returns CHUNKED_MORE, CHUNKED_DONE (what follows the body is not read:
 * *out_len covers the body only) or CHUNKED_ERROR; after DONE or ERROR it
 * returns the same and writes nothing.
 */
enum chunked_result chunked_feed(struct chunked *c, const char *in, size_t len,
				 char *out, size_t *out_len);

#endif
