/* utf8: the one UTF-8 well-formedness rule protocol/ applies everywhere
 * (as jansson does). Private to protocol/. */
#ifndef CHAT_UTF8_H
#define CHAT_UTF8_H

#include <stddef.h>

/* Length of the UTF-8 sequence starting at p (n bytes available), or 0
 * when it is not well-formed: stray continuation bytes, overlong forms,
 * surrogates and values past U+10FFFF are refused. */
size_t utf8_seq_len(const unsigned char *p, size_t n);

#endif
