/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * refd's services beside the SIP core: the retention engine as a
 * one-timer loop core. It owns the policy ([platform] policy, or
 * POLICY.md's defaults without one), runs store_purge once at start and
 * then every [purge] within, as of the wall clock (monotonic now plus the
 * loop's wall offset), so expired rows are gone within that period.
 */
#ifndef IO_REFD_SVC_H
#define IO_REFD_SVC_H

#include <stdint.h>
#include "base/core.h"
#include "base/log.h"
#include "policy/policy.h"
#include "store/store.h"

struct refd_retention {
	struct store *store;	/* borrowed; the daemon's connection */
	struct policy pol;
	int64_t wall_off_us;	/* wall = monotonic + this */
	uint64_t period_us;	/* [purge] within */
	uint64_t due_us;	/* next run, monotonic */
	struct log *log;
	/* Called before each purge: store_purge refuses an open batch, so
	 * the daemon commits its own first. May be NULL. */
	void (*before)(void *arg);
	void *arg;
	uint64_t runs, failures;
	struct store_purge_report total;	/* summed over runs */
};

/*
 * Load the policy file (path NULL: the defaults). EINVAL/ENOENT with
 * "file:line: [section] key: reason" in err.
 */
int refd_retention_init(struct refd_retention *r, const char *path,
			char *err, size_t errsz);
/* One purge as of now_us (monotonic) and the next one scheduled. */
int refd_retention_run(struct refd_retention *r, uint64_t now_us);
void refd_retention_fini(struct refd_retention *r);

/* The loop core: its deadline is due_us; arg is the struct refd_retention. */
extern const struct core_ops refd_retention_ops;

#endif
