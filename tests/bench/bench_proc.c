/*
 * bench_proc: /proc readers (see bench_proc.h).
 */
#include "bench_proc.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

long bench_proc_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Reads /proc/pid/stat; the fields after the command's ')' into rest. */
static int read_stat(pid_t pid, char *buf, size_t cap, const char **rest)
{
	char path[64];
	FILE *f;
	size_t n;
	char *paren;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, cap - 1, f);
	fclose(f);
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	if (!paren)
		return -1;
	*rest = paren + 2;
	return 0;
}

double bench_proc_cpu_s(pid_t pid)
{
	char buf[1024], state;
	const char *rest;
	unsigned long utime, stime;

	if (pid <= 0 || read_stat(pid, buf, sizeof(buf), &rest))
		return -1;
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt
	 * cmajflt utime stime */
	if (sscanf(rest, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
		   &state, &utime, &stime) != 3)
		return -1;
	return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

double bench_proc_machine_busy_s(void)
{
	unsigned long long user, nice, sys, idle, iowait, irq, softirq, steal;
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user,
		   &nice, &sys, &idle, &iowait, &irq, &softirq, &steal);
	fclose(f);
	if (n != 8)
		return -1;
	return (double)(user + nice + sys + irq + softirq + steal) /
	       (double)sysconf(_SC_CLK_TCK);
}

int bench_proc_alive(pid_t pid)
{
	char buf[1024], state = 'X';
	const char *rest;

	if (pid <= 0 || read_stat(pid, buf, sizeof(buf), &rest))
		return 0;
	sscanf(rest, "%c", &state);
	return state != 'Z' && state != 'X';
}
