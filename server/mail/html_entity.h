/*
 * html_entity: character references for html_text.c, inside server/mail
 * only.
 */
#ifndef HTML_ENTITY_H
#define HTML_ENTITY_H

#include <stddef.h>
#include <stdint.h>

/* At s[0] == '&': the bytes of the reference (its ';' included when
 * there) and the code point in *cp; 0 when it is not one we know.
 * "&nbsp;" gives a plain space. */
size_t html_entity_decode(const char *s, size_t len, uint32_t *cp);

/* Writes cp as UTF-8 (U+FFFD for NUL, surrogates and out of range) and
 * returns how many bytes. */
size_t html_utf8_encode(uint32_t cp, char out[4]);

#endif
