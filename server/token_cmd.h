/*
 * token_cmd: the `chatd token` subcommand, a development tool that mints a
 * signed token with auth_mint() and prints it. Not used by the running
 * server and not a way to issue production tokens.
 */
#ifndef CHAT_TOKEN_CMD_H
#define CHAT_TOKEN_CMD_H

/*
 * Runs `chatd token` with argv[0] == "token". Prints the token and a newline
 * on stdout and returns 0 (also after --help, which prints usage). Returns 2
 * after one line "chatd token: ..." on stderr for an invalid flag or value,
 * 1 if signing or writing fails.
 */
int token_cmd_main(int argc, char **argv);

#endif
