/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench subcommands. Each takes the arguments after its name and returns
 * the process exit code: 0 all checks passed, 1 checks failed, 2 bad usage
 * or input (with a one-line error on stderr).
 */
#ifndef APP_CMD_H
#define APP_CMD_H

int cmd_replay(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_perf(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_sipcheck(int argc, char **argv);
/* rtcbench perf msrp (sim/app/perf_msrp.c), dispatched by cmd_perf. */
int perf_msrp(int argc, char **argv);

/* rtcbench perf replay (sim/app/perf_replay.c). */
int perf_replay(int argc, char **argv);

/* rtcbench perf sim (sim/app/perf_sim.c): ns-3 experiments. */
int perf_sim(int argc, char **argv);

#endif
