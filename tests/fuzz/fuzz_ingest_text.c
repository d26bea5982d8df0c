/*
 * fuzz_ingest_text: libFuzzer target for the text of an inbound mail made
 * a message (server/inbound/ingest_text.c): whatever the bytes, the
 * result is valid UTF-8 with no control character but LF and TAB, at most
 * the limit given (the first input byte picks a small one, so cuts are
 * exercised), and a cut one ends with the note.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* True when s is valid UTF-8 (no overlong forms, no surrogates). */
static bool valid_utf8(const unsigned char *s)
{
	while (*s) {
		size_t n = *s < 0x80		 ? 1
			   : (*s & 0xe0) == 0xc0 ? 2
			   : (*s & 0xf0) == 0xe0 ? 3
			   : (*s & 0xf8) == 0xf0 ? 4
						 : 0;
		uint32_t cp = n == 1 ? *s : *s & (0x7f >> n);

		if (!n || (n == 2 && *s < 0xc2))
			return false;
		for (size_t i = 1; i < n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((n == 3 &&
		     (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		s += n;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t note = strlen(INGEST_CUT_NOTE);
	size_t max = size ? note + 1 + data[0] : PROTO_TEXT_MAX;
	char *in = malloc(size + 1), *out;
	bool cut;

	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	out = ingest_text(in, max, &cut);
	if (strlen(out) > max || !valid_utf8((const unsigned char *)out))
		abort();
	for (const unsigned char *p = (const unsigned char *)out; *p; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			abort();
	if (cut && (strlen(out) < note ||
		    strcmp(out + strlen(out) - note, INGEST_CUT_NOTE) != 0))
		abort();
	free(out);
	free(in);
	return 0;
}
