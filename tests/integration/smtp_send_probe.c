/*
 * smtp_send_probe: sends one message file through the smtp module and
 * prints each outcome as one JSON line, for tests/integration/smtp.test.mjs.
 *   smtp_send_probe [-t timeout_ms] [-c cancel_after_ms] [-n copies] [-s]
 *                   [-a ca_file] URL FROM RCPT[,RCPT...] FILE
 * -n sends that many copies at once; -s requires STARTTLS. Exit status 0
 * when every copy was sent, 1 otherwise, 2 when a send could not start.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chat/mailer/smtp.h"

struct probe {
	struct smtp *smtp;
	uv_timer_t cancel;
	int reports;
	int unsent;
	int pending;
	int status;
};

static void print_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void on_sent(void *arg, const struct smtp_outcome *out)
{
	struct probe *p = arg;

	p->reports++;
	printf("{\"result\":\"%s\",\"code\":%d,\"response\":",
	       smtp_result_name(out->result), out->code);
	print_json_string(out->response);
	printf(",\"error\":");
	print_json_string(out->error);
	printf(",\"reports\":%d}\n", p->reports);
	fflush(stdout);
	if (out->result != SMTP_SENT)
		p->unsent++;
	if (--p->pending == 0)
		uv_timer_stop(&p->cancel);
}

static void on_cancel(uv_timer_t *t)
{
	struct probe *p = t->data;

	smtp_destroy(p->smtp);
	p->smtp = NULL;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	*len = n;
	return buf;
}

static size_t split_rcpts(char *list, const char **out, size_t cap)
{
	size_t n = 0;

	for (char *tok = strtok(list, ","); tok && n < cap;
	     tok = strtok(NULL, ","))
		out[n++] = tok;
	return n;
}

int main(int argc, char **argv)
{
	struct smtp_config cfg = {0};
	struct probe p = {0};
	const char *rcpts[16];
	long cancel_ms = -1;
	long copies = 1;
	size_t n_rcpts, len;
	char *msg;
	int opt;
	uv_loop_t loop;

	while ((opt = getopt(argc, argv, "t:c:n:a:s")) != -1) {
		if (opt == 't')
			cfg.timeout_ms = cfg.connect_timeout_ms = atol(optarg);
		else if (opt == 'c')
			cancel_ms = atol(optarg);
		else if (opt == 'n')
			copies = atol(optarg);
		else if (opt == 'a')
			cfg.ca_file = optarg;
		else if (opt == 's')
			cfg.starttls_required = true;
		else
			return 2;
	}
	if (argc - optind != 4) {
		fprintf(stderr,
			"usage: %s [-t ms] [-c ms] [-n copies] [-s] [-a ca] "
			"URL FROM "
			"RCPT[,RCPT] FILE\n",
			argv[0]);
		return 2;
	}
	cfg.url = argv[optind];
	n_rcpts = split_rcpts(argv[optind + 2], rcpts, 16);
	msg = read_file(argv[optind + 3], &len);
	if (!msg) {
		perror(argv[optind + 3]);
		return 2;
	}
	uv_loop_init(&loop);
	uv_timer_init(&loop, &p.cancel);
	p.cancel.data = &p;
	p.smtp = smtp_create(&loop, &cfg);
	for (long i = 0; p.smtp && i < copies; i++) {
		if (smtp_send(p.smtp, argv[optind + 1], rcpts, n_rcpts, msg,
			      len, on_sent, &p) != 0) {
			fprintf(stderr, "smtp: cannot start the send\n");
			p.status = 2;
			break;
		}
		p.pending++;
	}
	if (!p.smtp)
		p.status = 2;
	if (p.pending && cancel_ms >= 0)
		uv_timer_start(&p.cancel, on_cancel, (uint64_t)cancel_ms, 0);
	free(msg);
	uv_run(&loop, UV_RUN_DEFAULT);
	smtp_destroy(p.smtp);
	uv_close((uv_handle_t *)&p.cancel, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	if (p.status == 0 && (p.unsent || p.pending))
		p.status = 1;
	return p.status;
}
