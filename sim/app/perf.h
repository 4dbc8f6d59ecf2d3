/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench perf subcommands, one file each (sim/app/perf_<name>.c), all
 * dispatched by cmd_perf.c. Each takes the arguments after its name and
 * returns the process exit code (0 checks passed, 1 failed, 2 bad usage).
 */
#ifndef APP_PERF_H
#define APP_PERF_H

int perf_parse(int argc, char **argv);
int perf_conf(int argc, char **argv);
int perf_proxy(int argc, char **argv);
int perf_redrive(int argc, char **argv);
int perf_load(int argc, char **argv);

#endif
