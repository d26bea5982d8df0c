/* utf8: the one UTF-8 well-formedness rule protocol/ applies everywhere
 * (as jansson does). */
#ifndef CHAT_UTF8_H
#define CHAT_UTF8_H

/* utf8_seq_len() is declared in chat/protocol.h: inbound mail holds
 * its text to the same rule. */
#include "chat/protocol.h"

#endif
