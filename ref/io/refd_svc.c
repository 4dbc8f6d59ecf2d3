/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The retention engine inside refd (refd_svc.h): a core with no sockets
 * whose only event is its timer. The first run, before anything is
 * served, is on the loop (it commits the daemon's open batch first); once
 * the worker is up, the timer only wakes it, and the worker purges as of
 * the wall clock on its own connection and logs what went and how long
 * it took. Measured (tests/integration/t_purge_stall.sh, 200k expired
 * CDRs): on the loop, INVITE -> 407 waited up to 2.4 s; in the worker,
 * the loop waits at most for one delete chunk or the final VACUUM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "io/io.h"
#include "io/refd_svc.h"

#define CKPT_US 1000000ull	/* the worker's WAL checkpoint cadence */

int refd_retention_init(struct refd_retention *r, const char *path,
			char *err, size_t errsz)
{
	int e;

	memset(r, 0, sizeof(*r));
	policy_init(&r->pol);
	if (path && (e = policy_load(&r->pol, path, err, errsz))) {
		policy_fini(&r->pol);
		return e;
	}
	r->period_us = r->pol.purge_within_s * 1000000ull;
	if (!r->period_us)
		r->period_us = 3600ull * 1000000ull;
	r->due_us = UINT64_MAX;
	r->ckpt_due_us = UINT64_MAX;
	return 0;
}

/* One purge on connection st as of the wall clock; logged. */
static int purge(struct refd_retention *r, struct store *st,
		 uint64_t now_us)
{
	struct store_purge_report rep;
	uint64_t t0 = io_now_us();
	int64_t wall = (int64_t)now_us + r->wall_off_us;
	int e;

	r->runs++;
	memset(&rep, 0, sizeof(rep));	/* early refusals fill nothing */
	if ((e = store_purge(st, &r->pol, wall, &rep))) {
		r->failures++;
		LOG_W(r->log, "retention: purge failed: %s",
		      store_errmsg(st));
		/* chunks committed before the failure are gone: count and
		 * log them like any purge */
	}
	r->total.traces += rep.traces;
	r->total.cdrs += rep.cdrs;
	r->total.push += rep.push;
	r->total.messages += rep.messages;
	r->total.files += rep.files + rep.files_quota;
	r->total.billing += rep.billing;
	r->total.audit += rep.audit;
	r->total.tokens += rep.tokens;
	if (r->runs > 1 && !rep.traces && !rep.cdrs && !rep.push &&
	    !rep.messages && !rep.files && !rep.files_quota && !rep.billing &&
	    !rep.audit && !rep.tokens)
		return e;	/* only the first run says so when idle */
	LOG_I(r->log, "retention: purged traces %llu, cdrs %llu, push %llu, "
	      "messages %llu, files %llu (%llu bytes), billing %llu, audit "
	      "%llu, tokens %llu%s%s in %llu ms; next in %llu s",
	      (unsigned long long)rep.traces, (unsigned long long)rep.cdrs,
	      (unsigned long long)rep.push, (unsigned long long)rep.messages,
	      (unsigned long long)(rep.files + rep.files_quota),
	      (unsigned long long)rep.file_bytes,
	      (unsigned long long)rep.billing, (unsigned long long)rep.audit,
	      (unsigned long long)rep.tokens,
	      rep.vacuumed ? ", vacuumed" : "",
	      rep.scrub_pending ? ", scrub pending" : "",
	      (unsigned long long)((io_now_us() - t0) / 1000),
	      (unsigned long long)(r->period_us / 1000000));
	return e;
}

int refd_retention_run(struct refd_retention *r, uint64_t now_us)
{
	if (r->before)
		r->before(r->arg);
	r->due_us = now_us + r->period_us;
	if (r->ckpt_due_us == UINT64_MAX)
		r->ckpt_due_us = now_us + CKPT_US;
	return purge(r, r->store, now_us);
}

/* Between purge chunks: let the loop's pending commit in (it polls
 * every 0.5 ms while waiting for the lock). */
static void yield(void *arg)
{
	struct timespec ts = { 0, 2000000 };

	(void)arg;
	nanosleep(&ts, NULL);
}

static void *worker(void *arg)
{
	struct refd_retention *r = arg;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		while (!r->kick && !r->ckpt && !r->stop)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->stop)
			break;
		if (r->kick) {
			r->kick = false;
			pthread_mutex_unlock(&r->mu);
			(void)purge(r, r->wst, io_now_us());	/* logged */
		} else {
			r->ckpt = false;
			pthread_mutex_unlock(&r->mu);
			if (store_checkpoint(r->wst))
				LOG_W(r->log, "retention: checkpoint: %s",
				      store_errmsg(r->wst));
		}
		pthread_mutex_lock(&r->mu);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

int refd_retention_thread(struct refd_retention *r, const char *data_dir,
			  char *err, size_t errsz)
{
	sigset_t all, old;
	int e;

	if ((e = store_open(&r->wst, data_dir, NULL, err, errsz)))
		return e;
	store_set_yield(r->wst, yield, r);
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	/* SIGTERM is for the loop's signalfd, never this thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	e = pthread_create(&r->th, NULL, worker, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		snprintf(err, errsz, "retention worker: %s", strerror(e));
		pthread_mutex_destroy(&r->mu);
		pthread_cond_destroy(&r->cv);
		store_close(r->wst);
		r->wst = NULL;
		return e;
	}
	r->th_up = true;
	return 0;
}

void refd_retention_fini(struct refd_retention *r)
{
	if (r->th_up) {
		pthread_mutex_lock(&r->mu);
		r->stop = true;
		pthread_cond_signal(&r->cv);
		pthread_mutex_unlock(&r->mu);
		pthread_join(r->th, NULL);
		pthread_mutex_destroy(&r->mu);
		pthread_cond_destroy(&r->cv);
		r->th_up = false;
	}
	store_close(r->wst);
	r->wst = NULL;
	policy_fini(&r->pol);
}

static int rt_input(void *c, uint64_t now, const struct net_pkt *in)
{
	(void)c;
	(void)now;
	(void)in;
	return 0;
}

static int rt_timeout(void *c, uint64_t now)
{
	struct refd_retention *r = c;

	bool run = now >= r->due_us, ck = now >= r->ckpt_due_us;

	if (!run && !ck)
		return 0;
	if (ck)
		r->ckpt_due_us = now + CKPT_US;
	if (!r->th_up) {
		if (run)
			(void)refd_retention_run(r, now);	/* logged */
		else
			(void)store_checkpoint(r->store);
		return 0;
	}
	if (run)
		r->due_us = now + r->period_us;
	pthread_mutex_lock(&r->mu);
	r->kick = r->kick || run;	/* one pending run is enough */
	r->ckpt = r->ckpt || ck;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return 0;
}

static int rt_output(void *c, struct net_out *out)
{
	(void)c;
	(void)out;
	return ENOENT;
}

static uint64_t rt_deadline(void *c)
{
	struct refd_retention *r = c;

	return r->due_us < r->ckpt_due_us ? r->due_us : r->ckpt_due_us;
}

const struct core_ops refd_retention_ops = {
	.name = "retention",
	.input = rt_input,
	.timeout = rt_timeout,
	.output = rt_output,
	.deadline = rt_deadline,
};
