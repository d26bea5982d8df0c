/* mail_ingest_cmd: `chatd mail-ingest`, the MTA pipe: one email from
 * stdin into its conversation (inbound/ingest.c). */
#ifndef CHAT_MAIL_INGEST_CMD_H
#define CHAT_MAIL_INGEST_CMD_H

/* Returns the sysexits code of the outcome (ingest_exit_code), 0 after
 * --help, 78 (EX_CONFIG) for settings that are missing or invalid, 74
 * (EX_IOERR) when stdin cannot be read. */
int mail_ingest_cmd_main(int argc, char **argv);

#endif
