/*
 * bench_proc: what /proc says about another process (the server, Redis):
 * resident memory and CPU time; and how busy the whole machine is, to
 * tell when something else competes for the cores. Linux only.
 */
#ifndef BENCH_PROC_H
#define BENCH_PROC_H

#include <sys/types.h>

/* VmRSS of pid in KiB, or -1 when it cannot be read. */
long bench_proc_rss_kb(pid_t pid);
/* User + system CPU seconds pid has used, or -1. */
double bench_proc_cpu_s(pid_t pid);
/* CPU seconds all cores have spent busy (not idle or iowait) since boot,
 * or -1. */
double bench_proc_machine_busy_s(void);
/* False when pid no longer exists (or is a zombie). */
int bench_proc_alive(pid_t pid);

#endif
