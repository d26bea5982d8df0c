/*
 * migrate_cmd: the `chatd migrate-keys` subcommand, for an upgrade from a
 * release that named a conversation's keys {c:ID}:m, :e, :i and :r, before
 * conversations were spread over virtual shards.
 */
#ifndef CHAT_MIGRATE_CMD_H
#define CHAT_MIGRATE_CMD_H

/*
 * Runs `chatd migrate-keys` with argv[0] == "migrate-keys". Returns 0
 * after printing what it moved, 2 for invalid flags, 1 when Redis fails.
 */
int migrate_cmd_main(int argc, char **argv);

#endif
