/*
 * mail_token_cmd: `chatd mail-token --conv ID --to ADDRESS [--days N |
 * --expires SECONDS] [--reply-keys KEYS] [--reply-domain DOMAIN]` prints
 * reply+TOKEN@DOMAIN, the Reply-To address our mails about conversation
 * ID to ADDRESS carry (mail/reply_token.c), signed with the current reply
 * key. For operators reproducing a reply, and for tests.
 */
#include "mail_token_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/common/util.h"
#include "chat/mail/reply_token.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: chatd mail-token --conv ID --to ADDRESS [--days N "
		   "| --expires SECONDS]\n"
		   "                        [--reply-keys KEYS] "
		   "[--reply-domain DOMAIN]\n"
		   "  Prints the reply address of conversation ID's mails to "
		   "ADDRESS.\n"
		   "  --days          valid this many days from now [90]\n"
		   "  --expires       valid up to this second since the epoch\n"
		   "  --reply-keys    id:hexsecret[,...], the first signs "
		   "[$CHAT_REPLY_KEYS]\n"
		   "  --reply-domain  [$CHAT_REPLY_DOMAIN]\n");
}

struct token_args {
	const char *conv, *to, *keys, *domain;
	int64_t expires;
};

/* Returns 0, 1 after --help, or -1 on a usage error. */
static int parse_args(int argc, char **argv, struct token_args *t)
{
	t->keys = getenv("CHAT_REPLY_KEYS");
	t->domain = getenv("CHAT_REPLY_DOMAIN");
	t->expires = now_s() + 90 * 86400;
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(argv[i], "--help") == 0)
			return 1;
		if (!v)
			return -1;
		if (strcmp(argv[i], "--conv") == 0)
			t->conv = v;
		else if (strcmp(argv[i], "--to") == 0)
			t->to = v;
		else if (strcmp(argv[i], "--reply-keys") == 0)
			t->keys = v;
		else if (strcmp(argv[i], "--reply-domain") == 0)
			t->domain = v;
		else if (strcmp(argv[i], "--days") == 0)
			t->expires = now_s() + strtoll(v, NULL, 10) * 86400;
		else if (strcmp(argv[i], "--expires") == 0)
			t->expires = strtoll(v, NULL, 10);
		else
			return -1;
		i++;
	}
	return t->conv && t->to && t->keys && t->domain ? 0 : -1;
}

int mail_token_cmd_main(int argc, char **argv)
{
	struct token_args t = {0};
	struct reply_keys keys;
	char err[160], address[REPLY_ADDRESS_MAX];
	int rc = parse_args(argc, argv, &t);

	if (rc) {
		usage(rc > 0 ? stdout : stderr);
		return rc > 0 ? 0 : 2;
	}
	if (reply_keys_parse(&keys, t.keys, err, sizeof(err))) {
		fprintf(stderr, "chatd mail-token: reply keys: %s\n", err);
		return 2;
	}
	if (reply_address_make(&keys, t.conv, t.to, t.expires, t.domain,
			       address, sizeof(address))) {
		fprintf(stderr, "chatd mail-token: cannot make a reply address "
				"(a conversation id, an address and a domain "
				"are needed)\n");
		return 2;
	}
	puts(address);
	return 0;
}
