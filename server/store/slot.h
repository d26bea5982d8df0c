/*
 * slot: the Redis Cluster hash slot of a key (CRC16/XMODEM of the key, or
 * of its first non-empty {hash tag}, modulo 16384). Pure: no I/O.
 */
#ifndef CHAT_SLOT_H
#define CHAT_SLOT_H

#include <stddef.h>
#include <stdint.h>

#define SLOT_COUNT 16384

/* CRC16/XMODEM (polynomial 0x1021, initial 0) of len bytes at p. */
uint16_t slot_crc16(const char *p, size_t len);
/* The slot of the key of len bytes at key: hashes only what lies between
 * the first '{' and the next '}' when that is not empty. */
unsigned slot_of(const char *key, size_t len);

#endif
