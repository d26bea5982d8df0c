/*
 * bench_worker: fork and pipes for worker processes (see bench_worker.h).
 */
#include "bench_worker.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_client.h"

static void run_child(const struct bench_opts *o, const struct bench_share *s,
		      int cmd_fd, int report_fd)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGPIPE, SIG_IGN);
	_exit(bench_client_run(o, s, cmd_fd, report_fd));
}

int bench_worker_spawn(struct bench_worker *w, const struct bench_opts *o,
		       const struct bench_share *s)
{
	int cmd[2], rep[2];

	if (pipe(cmd))
		return -1;
	if (pipe(rep)) {
		close(cmd[0]);
		close(cmd[1]);
		return -1;
	}
	fflush(NULL);
	w->pid = fork();
	if (w->pid == 0) {
		close(cmd[1]);
		close(rep[0]);
		run_child(o, s, cmd[0], rep[1]);
	}
	close(cmd[0]);
	close(rep[1]);
	if (w->pid < 0) {
		close(cmd[1]);
		close(rep[0]);
		return -1;
	}
	w->cmd_fd = cmd[1];
	w->report_fd = rep[0];
	return 0;
}

int bench_worker_command(struct bench_worker *w, enum bench_cmd cmd)
{
	int c = (int)cmd;

	return write(w->cmd_fd, &c, sizeof(c)) == (ssize_t)sizeof(c) ? 0 : -1;
}

static void explain_exit(const struct bench_worker *w)
{
	int status = 0;

	if (waitpid(w->pid, &status, 0) != w->pid)
		fprintf(stderr, "chatd-bench: worker %d vanished\n", w->pid);
	else if (WIFSIGNALED(status))
		fprintf(stderr, "chatd-bench: worker %d killed by signal %d\n",
			w->pid, WTERMSIG(status));
	else
		fprintf(stderr, "chatd-bench: worker %d exited with %d\n",
			w->pid, WEXITSTATUS(status));
}

int bench_worker_read(struct bench_worker *w, struct bench_report *r)
{
	char *p = (char *)r;
	size_t left = sizeof(*r);

	while (left) {
		ssize_t n = read(w->report_fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			explain_exit(w);
			w->pid = -1;
			return -1;
		}
		p += n;
		left -= (size_t)n;
	}
	return 0;
}

void bench_worker_stop(struct bench_worker *w)
{
	if (w->pid > 0) {
		bench_worker_command(w, BENCH_CMD_QUIT);
		waitpid(w->pid, NULL, 0);
	}
	close(w->cmd_fd);
	close(w->report_fd);
	w->pid = -1;
}
