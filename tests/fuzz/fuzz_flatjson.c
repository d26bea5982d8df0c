/*
 * fuzz_flatjson: differential libFuzzer target for protocol/flatjson.c
 * against jansson, parsed with the flags the decoder uses. Whatever the
 * fast path accepts, jansson must accept too and build an equal tree;
 * whatever it declines is jansson's to judge, so a NULL is never wrong.
 * Aborts on any disagreement. Not a test of jansson itself.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "flatjson.h"

#define DECODER_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* json_equal already tells an integer from a real and compares string
 * bytes with their length, so embedded NULs count. */
static void must_agree(const char *buf, size_t len, json_t *fast)
{
	json_error_t jerr;
	json_t *ref = json_loadb(buf, len, DECODER_FLAGS, &jerr); /* owned */

	if (!ref) {
		fprintf(stderr, "fast path took what jansson refuses (%s)\n",
			jerr.text);
		abort();
	}
	if (!json_is_object(ref) || !json_equal(fast, ref)) {
		fprintf(stderr,
			"fast path and jansson built different trees\n");
		abort();
	}
	json_decref(ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *fast = flatjson_parse((const char *)data, size); /* owned */

	if (fast) {
		if (!json_is_object(fast))
			abort();
		must_agree((const char *)data, size, fast);
		json_decref(fast);
	}
	return 0;
}
