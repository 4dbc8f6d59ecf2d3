/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench replay: the storage audit rows (sim/replay/rpl_audit.h) as
 * summary.json checks named "audit P12" ... "audit P10", one per canary
 * (passes shown up to a few per policy, failures always), plus the
 * audit_* metrics. Without a data_dir every row is a skip saying why.
 */
#ifndef APP_REPLAY_AUDIT_H
#define APP_REPLAY_AUDIT_H

#include "replay/rpl_audit.h"
#include "report/summary.h"

/* dir NULL: skipped, with why as the reason. Every verdict also goes
 * into summary.json's "audit" array. */
void raud_report(struct rep_summary *sum, struct rpl_canaries *c,
		 const char *dir, const char *why);
/* A new empty directory under $TMPDIR (or /tmp) into buf; 0 or -1 with
 * errno. */
int raud_tmpdir(char *buf, size_t sz);
/* rm -r dir; 0 or -1 with errno. */
int raud_rmdir(const char *dir);

#endif
