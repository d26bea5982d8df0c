/*
 * extract_private: what html_text.c borrows from extract.c inside
 * server/mail.
 */
#ifndef EXTRACT_PRIVATE_H
#define EXTRACT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

/* Is this line the From field that opens an Outlook-style header block
 * ("From: Name", "*From:* Name", "Von: ...", "От: ...")? */
bool extract_is_from_field(const char *s, size_t len);

#endif
