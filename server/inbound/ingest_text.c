/*
 * ingest_text: the text of a mail made fit to be a message (see
 * ingest_private.h). GMime already gives UTF-8; this still checks every
 * sequence, because a message that is not valid UTF-8 could not be sent
 * to any client.
 */
#include <stdlib.h>
#include <string.h>

#include "chat/common/util.h"
#include "chat/protocol.h"
#include "ingest_private.h"

static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

/* Valid UTF-8, LF line breaks, controls but LF and TAB dropped. */
static char *clean(const char *in, size_t *out_len)
{
	size_t n = strlen(in), o = 0;
	char *out = xmalloc(n * 3 + 1);
	const unsigned char *p = (const unsigned char *)in;

	for (size_t i = 0; i < n;) {
		size_t len = utf8_seq_len(p + i, n - i);

		if (!len) {
			memcpy(out + o, replacement, 3);
			o += 3;
			i++;
		} else if (len == 1 && p[i] == '\r') {
			if (i + 1 >= n || p[i + 1] != '\n')
				out[o++] = '\n';
			i++;
		} else if (len == 1 && p[i] < 0x20 && p[i] != '\n' &&
			   p[i] != '\t') {
			i++;
		} else if (len == 1 && p[i] == 0x7f) {
			i++;
		} else {
			memcpy(out + o, p + i, len);
			o += len;
			i += len;
		}
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Drops leading blank lines and trailing whitespace, in place. */
static size_t trim(char *s, size_t n)
{
	size_t start = 0, line = 0;

	while (start < n && blank(s[start])) {
		if (s[start] == '\n')
			line = start + 1;
		start++;
	}
	if (start == n)
		line = n;
	memmove(s, s + line, n - line);
	n -= line;
	while (n > 0 && blank(s[n - 1]))
		n--;
	s[n] = '\0';
	return n;
}

char *ingest_text(const char *in, size_t max, bool *cut)
{
	size_t n, keep, note = sizeof(INGEST_CUT_NOTE) - 1;
	char *s = clean(in ? in : "", &n);

	n = trim(s, n);
	*cut = n > max;
	if (!*cut)
		return s;
	keep = max - note;
	/* back to the start of a character */
	while (keep > 0 && ((unsigned char)s[keep] & 0xc0) == 0x80)
		keep--;
	keep = trim(s, keep);
	memcpy(s + keep, INGEST_CUT_NOTE, note + 1);
	return s;
}
