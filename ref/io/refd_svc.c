/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The retention engine inside refd (refd_svc.h): a core with no sockets
 * whose only event is its timer. Each run commits the daemon's open batch,
 * purges as of the wall clock and logs what went, so an operator can see
 * that the engine runs and what it costs (a purge ends with a scrub, which
 * VACUUMs when rows went: it blocks the loop for that long).
 */
#include <errno.h>
#include <string.h>
#include "io/io.h"
#include "io/refd_svc.h"

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
	return 0;
}

int refd_retention_run(struct refd_retention *r, uint64_t now_us)
{
	struct store_purge_report rep;
	uint64_t t0 = io_now_us();
	int64_t wall = (int64_t)now_us + r->wall_off_us;
	int e;

	if (r->before)
		r->before(r->arg);
	r->due_us = now_us + r->period_us;
	r->runs++;
	if ((e = store_purge(r->store, &r->pol, wall, &rep))) {
		r->failures++;
		LOG_W(r->log, "retention: purge failed: %s",
		      store_errmsg(r->store));
		return e;
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
		return 0;	/* only the first run says so when idle */
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
	return 0;
}

void refd_retention_fini(struct refd_retention *r)
{
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

	if (now >= r->due_us)
		(void)refd_retention_run(r, now);	/* logged; retried */
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
	return ((struct refd_retention *)c)->due_us;
}

const struct core_ops refd_retention_ops = {
	.name = "retention",
	.input = rt_input,
	.timeout = rt_timeout,
	.output = rt_output,
	.deadline = rt_deadline,
};
