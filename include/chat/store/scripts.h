/*
 * scripts: the Lua scripts the store runs (the .lua files in server/store/lua),
 * embedded at build time so the binary is self-contained.
 */
#ifndef CHAT_SCRIPTS_H
#define CHAT_SCRIPTS_H

enum script_id {
	SCRIPT_OPEN,
	SCRIPT_APPEND,
	SCRIPT_READ,
	SCRIPT_PAGE,
	SCRIPT__COUNT
};

extern const char *const script_sources[SCRIPT__COUNT];

#endif
