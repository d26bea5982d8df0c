/* mail_token_cmd: `chatd mail-token`, the reply address the mails of a
 * conversation to one recipient carry, for operators checking a reply. */
#ifndef CHAT_MAIL_TOKEN_CMD_H
#define CHAT_MAIL_TOKEN_CMD_H

/* Returns 0 (the address printed), or 2 (usage, bad keys or arguments). */
int mail_token_cmd_main(int argc, char **argv);

#endif
