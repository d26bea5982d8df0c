/*
 * slot: key -> hash slot, by the rules of Redis Cluster's specification
 * (the table-free bitwise CRC16 is fast enough: it runs once per command,
 * and only in cluster mode).
 */
#include "slot.h"

#include <string.h>

uint16_t slot_crc16(const char *p, size_t len)
{
	uint16_t crc = 0;

	for (size_t i = 0; i < len; i++) {
		crc ^= (uint16_t)((uint8_t)p[i] << 8);
		for (int b = 0; b < 8; b++)
			crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021)
					     : (uint16_t)(crc << 1);
	}
	return crc;
}

unsigned slot_of(const char *key, size_t len)
{
	const char *open = memchr(key, '{', len), *close;

	if (open) {
		size_t rest = len - (size_t)(open - key) - 1;

		close = memchr(open + 1, '}', rest);
		if (close && close > open + 1)
			return slot_crc16(open + 1,
					  (size_t)(close - open - 1)) &
			       (SLOT_COUNT - 1);
	}
	return slot_crc16(key, len) & (SLOT_COUNT - 1);
}
