/*
 * extract_private: the line kinds extract_lines.c gives and extract.c
 * and html_text.c use, inside server/mail only.
 */
#ifndef EXTRACT_PRIVATE_H
#define EXTRACT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

enum extract_kind {
	K_BLANK,
	K_QUOTE,
	K_HEADER,      /* first line of a quoted-history header */
	K_HEADER_CONT, /* further lines of the same header */
	K_SIG,	       /* a signature starts here */
	K_DELIM,       /* a line of rules or dots only */
	K_TEXT,
};

struct extract_line {
	const char *s;
	size_t len;
	enum extract_kind kind;
	bool keep;
};

/* Gives each of the n lines its kind. */
void extract_classify(struct extract_line *l, size_t n);

/* Narrows [*s, *s + *len) to its text without surrounding white space. */
void extract_trim(const char **s, size_t *len);

/* Is this line the From field that opens an Outlook-style header block
 * ("From: Name", "*From:* Name", "Von: ...", "От: ...")? */
bool extract_is_from_field(const char *s, size_t len);

#endif
