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

#include <pthread.h>
#include <stdbool.h>
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
	/* The worker (refd_retention_thread): periodic purges on its own
	 * connection, so the loop never waits for them. */
	struct store *wst;
	pthread_t th;
	bool th_up, stop, kick, ckpt;
	uint64_t ckpt_due_us;	/* next WAL checkpoint, monotonic */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/*
 * Load the policy file (path NULL: the defaults). EINVAL/ENOENT with
 * "file:line: [section] key: reason" in err.
 */
int refd_retention_init(struct refd_retention *r, const char *path,
			char *err, size_t errsz);
/* One purge as of now_us (monotonic) and the next one scheduled. */
int refd_retention_run(struct refd_retention *r, uint64_t now_us);
/*
 * From now on the periodic purges run in a worker thread with its own
 * store connection on data_dir: the SIP loop keeps answering while rows
 * are deleted (chunked transactions it interleaves with) and only waits
 * for the final VACUUM's write lock, whose time grows with the data
 * kept, not with the data purged. The worker also checkpoints the WAL
 * every second (the loop's connection is opened with no_autocheckpoint).
 * Signals are blocked in the worker.
 * 0, or an errno (the purges then stay on the loop).
 */
int refd_retention_thread(struct refd_retention *r, const char *data_dir,
			  char *err, size_t errsz);
/* Stop the worker (a purge under way finishes first), free. */
void refd_retention_fini(struct refd_retention *r);

/* The loop core: its deadline is due_us; arg is the struct refd_retention. */
extern const struct core_ops refd_retention_ops;

#endif
