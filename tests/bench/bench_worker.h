/*
 * bench_worker: the parent's side of a worker process: fork with a
 * command pipe and a report pipe, commands, blocking report reads. The
 * child runs bench_client_run and dies with its parent.
 */
#ifndef BENCH_WORKER_H
#define BENCH_WORKER_H

#include <sys/types.h>

#include "bench.h"

struct bench_worker {
	pid_t pid;
	int cmd_fd;    /* parent writes commands */
	int report_fd; /* parent reads reports */
};

/* Forks a worker for share s. Returns 0, or -1 (nothing started). */
int bench_worker_spawn(struct bench_worker *w, const struct bench_opts *o,
		       const struct bench_share *s);
/* Returns 0, or -1 when the worker is gone. */
int bench_worker_command(struct bench_worker *w, enum bench_cmd cmd);
/* Waits for the next report into *r. Returns 0, or -1 when the worker
 * exited first (a line on stderr says how). */
int bench_worker_read(struct bench_worker *w, struct bench_report *r);
/* Tells the worker to quit, waits for it and closes the pipes. */
void bench_worker_stop(struct bench_worker *w);

#endif
