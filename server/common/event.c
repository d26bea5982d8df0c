/*
 * event: reading the two facts delivery needs from a stored event's JSON
 * without parsing it: its sequence number (the trailing "seq" the store
 * appended) and whether it is an internal note.
 */
#include "chat/common/event.h"

#include <string.h>

uint64_t event_seq(const char *p, size_t len)
{
	static const char key[] = "\"seq\":";
	size_t k = sizeof(key) - 1;
	uint64_t v = 0;

	for (size_t i = len >= k ? len - k + 1 : 0; i-- > 0;) {
		if (memcmp(p + i, key, k) != 0)
			continue;
		for (size_t j = i + k; j < len && p[j] >= '0' && p[j] <= '9';
		     j++)
			v = v * 10 + (uint64_t)(p[j] - '0');
		return v;
	}
	return 0;
}

bool event_is_note(const char *p, size_t len)
{
	static const char key[] = "\"kind\":\"note\"";
	size_t n = len < 100 ? len : 100; /* kind follows type and conv */

	return memmem(p, n, key, sizeof(key) - 1) != NULL;
}
