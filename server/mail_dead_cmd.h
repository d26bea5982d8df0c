/* mail_dead_cmd: `chatd mail-dead`, the operator's view of the mail that
 * could not be sent (the dead letters): list, requeue, drop. */
#ifndef CHAT_MAIL_DEAD_CMD_H
#define CHAT_MAIL_DEAD_CMD_H

/* Returns 0 (done, or --help), 64 (EX_USAGE) for arguments that make no
 * sense, 65 (EX_DATAERR) for a malformed entry id (nothing changed), 69
 * (EX_UNAVAILABLE) when Redis answered with an error, 75 (EX_TEMPFAIL)
 * when Redis could not be reached in time or did not answer, 78
 * (EX_CONFIG) for settings that are missing or invalid. */
int mail_dead_cmd_main(int argc, char **argv);

#endif
