/*
 * fuzz_extract: libFuzzer target for the reply extraction of inbound mail
 * (server/mail/extract*.c, html_text.c): both entry points on the same
 * bytes, and the text of the HTML through extract_reply as the inbound
 * path does. Whatever they return must be NUL-ended within what was
 * allocated (ASan checks every byte read) and, for text with something in
 * it, never empty: a reply is never lost.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chat/mail/extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Something visible: a byte that is neither a control character, a
 * space nor DEL (UTF-8 sequences count). */
static int has_text(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] > 0x20 && s[i] != 0x7f)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	char *reply = extract_reply(in, size);
	char *html = extract_html_text(in, size);
	char *again = html ? extract_reply(html, strlen(html)) : NULL;

	if (!reply || !html || !again)
		abort(); /* out of memory is not expected here */
	if (has_text(in, size) && !has_text(reply, strlen(reply)))
		abort();
	free(again);
	free(html);
	free(reply);
	return 0;
}
