/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The live re-drive engine (rpl_live.h): a sans-IO core that plays both
 * ends of each captured dialog against a SIP target. First every AOR that
 * is called in the capture registers its account with the callee socket
 * as Contact; then the dialogs run one at a time. A step (one captured
 * message on the first leg) is sent by the role that sent it in the
 * capture - after the captured gap divided by --speed - and awaited where
 * it should arrive: the caller gets what the far side sent, the callee
 * what the caller sent, through the target. When the target answers
 * itself (REGISTER, PUBLISH) only the caller plays. Retransmissions are
 * absorbed (requests get our last response again, a 2xx the ACK again),
 * 100 Trying is ignored, digest challenges are answered once per request,
 * a provisional response the target swallowed is passed over when the
 * final one came. The first message that cannot be matched within the
 * step timeout ends the dialog as diverged, naming the capture's frame.
 * What arrives (and the core_ops around it) is handled in rpl_lin.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "replay/rpl_live_int.h"

static const char *role_name(int r)
{
	return r ? "callee" : "caller";
}

uint64_t rpl_step_timeout(const struct rpl_live *l)
{
	return l->cfg.step_timeout_us ? l->cfg.step_timeout_us : 8000000;
}

static void add_reg(struct rpl_live *l, const char *aor, bool callee)
{
	const struct rpl_acct *a = rpl_acct_find(l->cfg.accts, l->cfg.nacct,
						 aor);
	size_t k;

	for (k = 0; k < l->nregs; k++)
		if (rpl_acct_find(l->cfg.accts, l->cfg.nacct,
				  l->regs[k].aor) == a)
			break;
	if (k == l->nregs) {
		l->regs[k].aor = aor;
		l->nregs++;
	}
	if (callee && !l->regs[k].callee) {
		l->regs[k].callee = true;
		l->ncallees++;
	}
}

int rpl_live_new(struct rpl_live **lp, const struct rpl_live_cfg *cfg,
		 uint64_t now_us)
{
	struct rpl_live *l = mem_zalloc(sizeof(*l));
	size_t i;

	if (!l)
		return ENOMEM;
	l->cfg = *cfg;
	rng_seed(&l->rng, cfg->seed ? cfg->seed : 1);
	buf_init(&l->last);
	l->m = mem_alloc(sizeof(*l->m));
	l->m2 = mem_alloc(sizeof(*l->m2));
	l->res = mem_zalloc((cfg->n ? cfg->n : 1) * sizeof(*l->res));
	l->regs = mem_zalloc((2 * cfg->n + 1) * sizeof(*l->regs));
	if (!l->m || !l->m2 || !l->res || !l->regs) {
		rpl_live_free(l);
		return ENOMEM;
	}
	for (i = 0; i < 2; i++) {
		buf_init(&l->role[i].route);
		l->role[i].inv = -1;
	}
	rpl_live_bind(l, cfg->local, cfg->media_port);
	for (i = 0; i < cfg->n; i++) {
		const struct rpl_dlg *d = &cfg->dlgs[i];
		struct rpl_live_res *r = &l->res[i];

		r->steps = d->n;
		if (d->skip[0]) {
			r->v = RPL_V_SKIPPED;
			snprintf(r->why, sizeof(r->why), "%s", d->skip);
		} else if (!rpl_acct_find(cfg->accts, cfg->nacct, d->caller)) {
			r->v = RPL_V_SKIPPED;
			snprintf(r->why, sizeof(r->why), "no account for the "
				 "caller %s", d->caller);
		} else if (d->callee_role &&
			   !rpl_acct_find(cfg->accts, cfg->nacct, d->callee)) {
			r->v = RPL_V_SKIPPED;
			snprintf(r->why, sizeof(r->why), "no account for the "
				 "callee %s", d->callee);
		}
		if (r->v)
			continue;
		add_reg(l, d->caller, false);
		if (d->callee_role)
			add_reg(l, d->callee, true);
	}
	l->now = now_us;
	l->ph = RPL_PH_REG;
	l->cur = 0;
	l->wait_since = 0;
	*lp = l;
	return 0;
}

void rpl_live_bind(struct rpl_live *l, const struct net_addr local[2],
		   const uint16_t media_port[2])
{
	int i;

	for (i = 0; i < 2; i++) {
		l->cfg.local[i] = local[i];
		l->cfg.media_port[i] = media_port[i];
		net_addr_host(&local[i], l->lhost[i], sizeof(l->lhost[i]));
		rpl_hostport(l->lhost[i], sizeof(l->lhost[i]),
			     net_addr_family(&local[i]) == AF_INET6,
			     l->lhost[i], strlen(l->lhost[i]), 0);
	}
}

void rpl_live_free(struct rpl_live *l)
{
	size_t i;

	if (!l)
		return;
	rpl_role_reset(l, 0);
	rpl_role_reset(l, 1);
	buf_fini(&l->role[0].route);
	buf_fini(&l->role[1].route);
	for (i = l->qhead; i < l->nq; i++)
		buf_fini(&l->q[i].data);
	for (i = 0; i < l->nconns; i++)
		buf_fini(&l->conns[i].in);
	mem_free(l->conns);
	mem_free(l->q);
	buf_fini(&l->last);
	mem_free(l->m);
	mem_free(l->m2);
	mem_free(l->res);
	mem_free(l->regs);
	mem_free(l);
}

bool rpl_live_done(const struct rpl_live *l)
{
	return l->ph == RPL_PH_DONE;
}

const struct rpl_live_res *rpl_live_result(const struct rpl_live *l,
					   size_t i)
{
	return i < l->cfg.n ? &l->res[i] : NULL;
}

void rpl_live_regs(const struct rpl_live *l, size_t *ok, size_t *sent)
{
	*ok = l->regs_ok;
	*sent = l->ncallees;
}

/* One line describing a received message, for divergences. */
static void describe(const struct rpl_rx *x, char *out, size_t sz)
{
	if (x->is_req)
		snprintf(out, sz, "%s", x->method);
	else
		snprintf(out, sz, "%u (%s)", x->scode, x->method);
}

static void step_name(const struct rpl_step *st, char *out, size_t sz)
{
	if (st->is_req)
		snprintf(out, sz, "%s", st->method);
	else
		snprintf(out, sz, "%u (%s)", st->scode, st->method);
}

enum { M_WAIT, M_OK, M_PASS, M_BAD };

/* Look for step st in role r's inbox. */
static int match(struct rpl_live *l, int r, const struct rpl_step *st,
		 char *got, size_t gotsz)
{
	struct rpl_role *ro = &l->role[r];
	size_t i;

	for (i = 0; i < ro->nrx; i++) {
		struct rpl_rx *x = &ro->rx[i];

		if (x->used)
			continue;
		if (st->is_req) {
			if (x->is_req && !strcasecmp(x->method, st->method)) {
				x->used = true;
				return M_OK;
			}
			continue;
		}
		if (x->is_req || strcasecmp(x->method, st->method))
			continue;
		if (st->scode < 200) {
			if (x->scode < 200) {
				x->used = true;
				return M_OK;
			}
			return M_PASS;	/* final came: provisional lost */
		}
		if (x->scode < 200) {
			x->used = true;	/* a provisional not captured */
			continue;
		}
		x->used = true;
		if (x->scode / 100 == st->scode / 100)
			return M_OK;
		describe(x, got, gotsz);
		return M_BAD;
	}
	return M_WAIT;
}

static void first_unused(const struct rpl_role *ro, char *out, size_t sz)
{
	size_t i;

	for (i = 0; i < ro->nrx; i++)
		if (!ro->rx[i].used) {
			describe(&ro->rx[i], out, sz);
			return;
		}
	snprintf(out, sz, "nothing");
}

static void dialog_start(struct rpl_live *l)
{
	struct rpl_dlg *d = &l->cfg.dlgs[l->cur];
	struct rpl_role *a = &l->role[0];
	const struct rpl_acct *ca, *ea;

	rpl_role_reset(l, 0);
	rpl_role_reset(l, 1);
	ca = rpl_acct_find(l->cfg.accts, l->cfg.nacct, d->caller);
	ea = rpl_acct_find(l->cfg.accts, l->cfg.nacct, d->callee);
	a->acct = ca;
	l->role[1].acct = ea ? ea : ca;
	snprintf(a->call_id, sizeof(a->call_id), "rpl%zu-%s@%s", l->cur,
		 a->ltag, l->lhost[0]);
	snprintf(a->from, sizeof(a->from), "<sip:%s@%s>;tag=%s", ca->user,
		 ca->domain, a->ltag);
	if (d->n && d->steps[0].mid == SIP_M_REGISTER)
		snprintf(a->to0, sizeof(a->to0), "<sip:%s@%s>", ca->user,
			 ca->domain);
	else
		snprintf(a->to0, sizeof(a->to0), "<sip:%s@%s>",
			 l->role[1].acct->user, l->role[1].acct->domain);
	snprintf(a->to, sizeof(a->to), "%s", a->to0);
	a->cseq = d->n && d->steps[0].cseq ? d->steps[0].cseq - 1 : 0;
	l->k = 0;
	l->sent = false;
	l->wait_since = 0;
	l->t0 = l->now;
	l->ts0 = d->n ? d->steps[0].ts_us : 0;
	l->res[l->cur].v = RPL_V_PENDING;
	l->rtp_sent = l->rtp_recv = l->rtp_unsent = 0;
	l->drain_until = 0;
	l->closing = 0;
}

static void dialog_end(struct rpl_live *l, enum rpl_verdict v,
		       uint32_t frame, const char *why)
{
	struct rpl_live_res *r = &l->res[l->cur];

	if (v != RPL_V_MATCH)
		rpl_abandon(l);
	r->v = v;
	r->frame = frame;
	r->done = l->k;
	r->us = l->now - l->t0;
	r->rtp_sent = l->rtp_sent;
	r->rtp_recv = l->rtp_recv;
	r->rtp_unsent = l->rtp_unsent;
	snprintf(r->why, sizeof(r->why), "%s", why);
	l->cur++;
	l->started = false;
}

/*
 * Registration phase, one account at a time: its bindings cleared
 * (Contact: *, so an earlier run's sockets get no forks), then the called
 * ones registered with the callee socket as Contact.
 */
static void registrations(struct rpl_live *l)
{
	struct rpl_role *ro = &l->role[1];

	while (l->cur < l->nregs) {
		const struct rpl_reg *g = &l->regs[l->cur];

		if (l->sub && !g->callee) {
			l->sub = 0;
			l->cur++;
			continue;
		}
		if (!l->sent) {
			rpl_role_reset(l, 1);
			ro->acct = rpl_acct_find(l->cfg.accts, l->cfg.nacct,
						 g->aor);
			if (rpl_send_register(l, 1, l->sub ? 3600 : 0)) {
				l->cur++;
				continue;
			}
			l->sent = true;
			l->wait_since = l->now;
			return;
		}
		if (!(ro->ntx && ro->tx[0].final) &&
		    l->now - l->wait_since < rpl_step_timeout(l))
			return;
		l->regs_ok += l->sub && ro->ntx && ro->tx[0].final / 100 == 2;
		l->sent = false;
		if (!l->sub++)
			continue;
		l->sub = 0;
		l->cur++;
	}
	rpl_role_reset(l, 1);
	l->ph = RPL_PH_DLG;
	l->cur = 0;
	l->sent = false;
	l->wait_since = 0;
}

/* An RTP packet of the capture, at its time, from the role's media
 * socket to the address the far side's SDP gave; false: not yet. */
static bool media_step(struct rpl_live *l, const struct rpl_dlg *d,
		       const struct rpl_step *st)
{
	struct rpl_role *ro = &l->role[st->dir];
	struct net_addr src;
	uint64_t at = l->t0;

	if (l->cfg.speed > 0 && st->ts_us > l->ts0)
		at += (uint64_t)((double)(st->ts_us - l->ts0) / l->cfg.speed);
	if (at > l->now) {
		l->wake = at;
		return false;
	}
	(void)d;
	if (ro->has_rmedia) {
		src = l->cfg.local[st->dir];
		src.tp = NET_UDP;
		net_addr_set_port(&src, l->cfg.media_port[st->dir]);
		if (!rpl_queue_from(l, &src, &ro->rmedia, 0, st->raw,
				    st->len))
			l->rtp_sent++;
	} else {
		l->rtp_unsent++;
	}
	l->k++;
	return true;
}

/*
 * Every step matched: a dialog the capture left open is closed by its
 * caller now (rpl_close_open), awaited for one step timeout, its outcome
 * kept apart from the verdict. True when the dialog may end.
 */
static bool closed(struct rpl_live *l)
{
	struct rpl_live_res *r = &l->res[l->cur];
	const char *what = NULL;

	if (!l->closing) {
		l->closing = 1;
		if (rpl_close_open(l, &what) || !what)
			return true;
		snprintf(r->closed, sizeof(r->closed), "%s", what);
		l->closing = 2;
		l->close_since = l->now;
	}
	if (l->closing == 1)
		return true;
	rpl_close_answer(l);
	r->close_status = rpl_close_status(l);
	if (r->close_status >= 200 ||
	    l->now - l->close_since >= rpl_step_timeout(l)) {
		l->closing = 1;
		return true;
	}
	l->wake = l->close_since + rpl_step_timeout(l);
	return false;
}

/* Run the current dialog as far as the messages received allow. */
void rpl_advance(struct rpl_live *l)
{
	char why[160], got[48], exp[48];

	if (l->ph == RPL_PH_REG)
		registrations(l);
	while (l->ph == RPL_PH_DLG) {
		struct rpl_dlg *d;
		const struct rpl_step *st;
		int s, e = -1, m, rc;

		while (l->cur < l->cfg.n && l->res[l->cur].v == RPL_V_SKIPPED)
			l->cur++;
		if (l->cur >= l->cfg.n) {
			l->ph = RPL_PH_DONE;
			return;
		}
		d = &l->cfg.dlgs[l->cur];
		if (!l->started) {
			dialog_start(l);
			l->started = true;
		}
		if (l->k >= d->n) {
			/* RTP still crossing the relay belongs to this
			 * dialog: wait for it, briefly */
			if (l->rtp_recv < l->rtp_sent) {
				if (!l->drain_until)
					l->drain_until = l->now + 300000;
				if (l->now < l->drain_until) {
					l->wake = l->drain_until;
					return;
				}
			}
			if (!closed(l))
				return;
			dialog_end(l, RPL_V_MATCH, 0, "every step matched");
			continue;
		}
		st = &d->steps[l->k];
		s = st->dir;
		if (st->media) {
			if (!media_step(l, d, st))
				return;
			continue;
		}
		/* who awaits it: the other role, or the caller when the
		 * target itself answers */
		if (d->callee_role)
			e = !s;
		else if (s == 1)
			e = 0;
		if (!l->sent && (s == 0 || d->callee_role)) {
			uint64_t at = l->t0;

			if (l->cfg.speed > 0 && st->ts_us > l->ts0)
				at += (uint64_t)((double)(st->ts_us - l->ts0) /
						 l->cfg.speed);
			if (at > l->now) {
				l->wake = at;
				return;
			}
			why[0] = 0;
			rc = st->is_req ? rpl_send_req(l, s, st, why,
							 sizeof(why))
					: rpl_send_rsp(l, s, st, why,
						       sizeof(why));
			if (rc) {
				char msg[260];

				step_name(st, exp, sizeof(exp));
				snprintf(msg, sizeof(msg), "frame %u: %s "
					 "cannot send %s: %s", st->frame,
					 role_name(s), exp,
					 why[0] ? why : strerror(rc));
				dialog_end(l, RPL_V_DIVERGED, st->frame, msg);
				continue;
			}
		}
		l->sent = true;
		if (e < 0) {
			l->k++;
			l->sent = false;
			continue;
		}
		m = match(l, e, st, got, sizeof(got));
		if (m == M_OK || m == M_PASS) {
			l->k++;
			l->sent = false;
			l->wait_since = 0;
			continue;
		}
		step_name(st, exp, sizeof(exp));
		if (m == M_BAD) {
			snprintf(why, sizeof(why), "frame %u: %s expected %s, "
				 "got %s", st->frame, role_name(e), exp, got);
			dialog_end(l, RPL_V_DIVERGED, st->frame, why);
			continue;
		}
		if (!l->wait_since)
			l->wait_since = l->now;
		if (l->now - l->wait_since < rpl_step_timeout(l))
			return;
		first_unused(&l->role[e], got, sizeof(got));
		snprintf(why, sizeof(why), "frame %u: %s expected %s, got %s "
			 "within %.1f s", st->frame, role_name(e), exp, got,
			 (double)rpl_step_timeout(l) / 1e6);
		dialog_end(l, RPL_V_DIVERGED, st->frame, why);
	}
}

/* Kick off (the driver calls this once, then flushes): registrations. */
int rpl_live_start(struct rpl_live *l, uint64_t now_us)
{
	l->now = now_us;
	rpl_advance(l);
	return 0;
}
