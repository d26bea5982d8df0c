/*
 * scripts: the atomic steps the store runs, one Redis Functions library
 * built from the .lua files in server/store/lua and embedded at build
 * time, so the binary is self-contained. The library and its functions
 * carry a version (a hash of the sources) in their names. The enum
 * follows the order of the Makefile's LUA list, preludes (_*.lua) left out.
 */
#ifndef CHAT_SCRIPTS_H
#define CHAT_SCRIPTS_H

enum script_id {
	SCRIPT_OPEN,
	SCRIPT_APPEND,
	SCRIPT_READ,
	SCRIPT_PAGE,
	SCRIPT_OUTBOX_TAKE,
	SCRIPT_OUTBOX_DONE,
	SCRIPT_APPEND_BATCH,
	SCRIPT_PAGE_UP,
	SCRIPT_ROUTE_ENQUEUE,
	SCRIPT_ROUTE_CLOSE,
	SCRIPT_ROUTE_ASSIGN,
	SCRIPT_ROUTE_DECLINE,
	SCRIPT_ROUTE_PRESENCE,
	SCRIPT_ROUTE_SEEN,
	SCRIPT_ROUTE_TICK,
	SCRIPT_ROUTE_SNAPSHOT,
	SCRIPT_ROUTE_AGENTS,
	SCRIPT_ROUTE_APPLY,
	SCRIPT_MAIL_ENQUEUE,
	SCRIPT_MAIL_TAKE,
	SCRIPT_MAIL_FINISH,
	SCRIPT_MAIL_NUDGE,
	SCRIPT_MAIL_NOTIFY,
	SCRIPT_MAIL_DUE,
	SCRIPT_NUDGE_TAKE,
	SCRIPT_EMAIL_REPLY,
	SCRIPT_MAIL_DEAD,
	SCRIPT__COUNT
};

/* The library's source, for FUNCTION LOAD REPLACE. */
extern const char script_library[];
/* The function each step is registered as, for FCALL. */
extern const char *const script_functions[SCRIPT__COUNT];

#endif
