/* mail_parse_cmd: `chatd mail-parse`, what the inbound parser understood
 * of one email, as JSON, for operators debugging a mail. */
#ifndef CHAT_MAIL_PARSE_CMD_H
#define CHAT_MAIL_PARSE_CMD_H

/* Returns the exit code: 0, 2 (usage), 65 (not an email), 66 (no input),
 * 74 (a read error). */
int mail_parse_cmd_main(int argc, char **argv);

#endif
