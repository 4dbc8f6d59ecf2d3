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

static uint64_t step_timeout(const struct rpl_live *l)
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
		if (net_addr_family(&local[i]) == AF_INET6) {
			char t[64];

			snprintf(t, sizeof(t), "[%s]", l->lhost[i]);
			snprintf(l->lhost[i], sizeof(l->lhost[i]), "%s", t);
		}
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
		    l->now - l->wait_since < step_timeout(l))
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

/* Run the current dialog as far as the messages received allow. */
static void advance(struct rpl_live *l)
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
		if (l->now - l->wait_since < step_timeout(l))
			return;
		first_unused(&l->role[e], got, sizeof(got));
		snprintf(why, sizeof(why), "frame %u: %s expected %s, got %s "
			 "within %.1f s", st->frame, role_name(e), exp, got,
			 (double)step_timeout(l) / 1e6);
		dialog_end(l, RPL_V_DIVERGED, st->frame, why);
	}
}

/* The far side's RTP address from an SDP it sent, if on loopback. */
static void learn_media(struct rpl_role *ro, const struct sip_msg *m)
{
	struct rpl_ep ep;
	struct net_addr a;

	if (!m->body.len || !rpl_sdp_ep(&m->body, &ep))
		return;
	memset(&a, 0, sizeof(a));
	if (ep.af == 4) {
		if (ep.addr[0] != 127)
			return;
		a.u.in.sin_family = AF_INET;
		memcpy(&a.u.in.sin_addr, ep.addr, 4);
		a.u.in.sin_port = htons(ep.port);
	} else {
		static const uint8_t lo6[16] = { [15] = 1 };

		if (memcmp(ep.addr, lo6, 16))
			return;
		a.u.in6.sin6_family = AF_INET6;
		memcpy(&a.u.in6.sin6_addr, ep.addr, 16);
		a.u.in6.sin6_port = htons(ep.port);
	}
	a.tp = NET_UDP;
	ro->rmedia = a;
	ro->has_rmedia = true;
}

static int rx_add(struct rpl_role *ro, const struct sip_msg *m,
		  const struct net_addr *from, uint64_t conn)
{
	struct rpl_rx *x = mem_realloc(ro->rx, (ro->nrx + 1) * sizeof(*x));

	if (!x)
		return ENOMEM;
	ro->rx = x;
	x += ro->nrx;
	memset(x, 0, sizeof(*x));
	buf_init(&x->rsp);
	x->raw = mem_alloc(m->raw.len ? m->raw.len : 1);
	if (!x->raw)
		return ENOMEM;
	memcpy(x->raw, m->raw.p, m->raw.len);
	x->len = m->raw.len;
	x->from = *from;
	x->conn = conn;
	x->is_req = m->is_req;
	x->mid = m->is_req ? m->mid : m->cseq.mid;
	pl_strcpy(m->is_req ? &m->method : &m->cseq.method, x->method,
		  sizeof(x->method));
	x->scode = m->scode;
	x->cseq = m->cseq.num;
	pl_strcpy(&m->via1.branch, x->branch, sizeof(x->branch));
	ro->nrx++;
	learn_media(ro, m);
	return 0;
}

/* Record-Route as our Route set: reversed for the caller (RFC 3261
 * 12.1.2), in order for the callee (12.1.1). */
static void route_set(struct rpl_role *ro, const struct sip_msg *m,
		      bool reverse)
{
	struct sip_list_it it;
	struct pl el[16];
	size_t n = 0, i;

	buf_reset(&ro->route);
	sip_list_begin(&it, m, SIP_HDR_RECORD_ROUTE);
	while (n < 16 && !sip_list_next(&it, &el[n]))
		n++;
	for (i = 0; i < n; i++)
		buf_printf(&ro->route, "Route: %.*s\r\n",
			   PL_ARG(el[reverse ? n - 1 - i : i]));
}

static void learn_target(struct rpl_role *ro, const struct sip_msg *m)
{
	if (!m->ncontact || m->contact1.star)
		return;
	pl_strcpy(&m->contact1.addr.uri.raw, ro->rtarget,
		  sizeof(ro->rtarget));
	ro->dialog = true;
}

/* To for requests in the dialog: the first To with the far side's tag. */
static void set_to(struct rpl_role *ro, const char *tag)
{
	char t[128];

	snprintf(t, sizeof(t), "%s", tag);
	memcpy(ro->to, ro->to0, sizeof(ro->to0));
	strncat(ro->to, ";tag=", sizeof(ro->to) - strlen(ro->to) - 1);
	strncat(ro->to, t, sizeof(ro->to) - strlen(ro->to) - 1);
}

static int find_tx(struct rpl_live *l, const struct sip_msg *m,
		   struct rpl_tx **txp)
{
	int r;
	size_t i;

	for (r = 0; r < 2; r++)
		for (i = 0; i < l->role[r].ntx; i++) {
			struct rpl_tx *t = &l->role[r].tx[i];

			if (pl_eq_str(&m->via1.branch, t->branch) &&
			    pl_caseeq_str(&m->cseq.method, t->method)) {
				*txp = t;
				return r;
			}
		}
	return -1;
}

static int on_response(struct rpl_live *l, const struct sip_msg *m,
		       const struct net_addr *from, uint64_t conn)
{
	struct rpl_tx *t = NULL;
	int r = find_tx(l, m, &t);
	struct rpl_role *ro;

	if (r < 0)
		return 0;	/* stale: an earlier dialog */
	ro = &l->role[r];
	t->got_rsp = true;
	if (m->scode == 100)
		return 0;
	if ((m->scode == 401 || m->scode == 407) && !t->authed &&
	    t->mid != SIP_M_CANCEL && !rpl_tx_auth(l, r, t, m))
		return 0;
	if (m->scode >= 200 && t->final) {
		/* retransmitted final: our ACK was lost */
		size_t i;

		if (t->mid == SIP_M_INVITE && m->scode >= 300)
			return rpl_send_ack_non2xx(l, r, t);
		for (i = ro->ntx; t->mid == SIP_M_INVITE && i-- > 0;)
			if (ro->tx[i].mid == SIP_M_ACK &&
			    ro->tx[i].cseq == t->cseq)
				return rpl_queue(l, r, &ro->tx[i].dst, 0,
						 &ro->tx[i].msg);
		return 0;
	}
	if (m->scode >= 200)
		t->final = m->scode;
	if ((t->mid == SIP_M_INVITE || t->mid == SIP_M_SUBSCRIBE) &&
	    m->to.tag.len && m->scode > 100 && m->scode < 300 && !r) {
		pl_strcpy(&m->to.tag, ro->rtag, sizeof(ro->rtag));
		set_to(ro, ro->rtag);
		learn_target(ro, m);
		route_set(ro, m, true);
	}
	if (t->mid == SIP_M_INVITE && m->scode >= 300) {
		if (m->to.tag.len) {
			char tag[128];

			pl_strcpy(&m->to.tag, tag, sizeof(tag));
			set_to(ro, tag);
		}
		rpl_send_ack_non2xx(l, r, t);
	}
	return rx_add(ro, m, from, conn);
}

static int on_request(struct rpl_live *l, const struct sip_msg *m,
		      const struct net_addr *from, uint64_t conn)
{
	/* ours to the caller carry its tag in To; the rest is the callee's */
	int r = pl_eq_str(&m->to.tag, l->role[0].ltag) ? 0 : 1;
	struct rpl_role *ro = &l->role[r];
	char tag[24];
	size_t i;

	for (i = 0; i < ro->nrx; i++) {
		struct rpl_rx *x = &ro->rx[i];

		if (x->is_req && pl_eq_str(&m->via1.branch, x->branch) &&
		    pl_caseeq_str(&m->method, x->method)) {
			if (x->rsp.len)	/* retransmission */
				return rpl_queue(l, r, from, conn, &x->rsp);
			return 0;
		}
	}
	if (ro->call_id[0] && pl_eq_str(&m->call_id, ro->call_id)) {
		/* this dialog */
	} else if (r == 1 && !ro->call_id[0] && l->ph == RPL_PH_DLG &&
		   l->started && !m->to.tag.len && m->mid != SIP_M_ACK &&
		   m->mid != SIP_M_CANCEL) {
		pl_strcpy(&m->call_id, ro->call_id, sizeof(ro->call_id));
		pl_strcpy(&m->from.tag, ro->rtag, sizeof(ro->rtag));
		snprintf(ro->to, sizeof(ro->to), "%.*s",
			 (int)(sip_msg_hdr(m, SIP_HDR_FROM)->val.len > 500 ?
			       500 : sip_msg_hdr(m, SIP_HDR_FROM)->val.len),
			 sip_msg_hdr(m, SIP_HDR_FROM)->val.p);
		memcpy(tag, ro->ltag, sizeof(tag));
		snprintf(ro->from, sizeof(ro->from), "%.*s;tag=%s",
			 (int)(sip_msg_hdr(m, SIP_HDR_TO)->val.len > 500 ? 500 :
			       sip_msg_hdr(m, SIP_HDR_TO)->val.len),
			 sip_msg_hdr(m, SIP_HDR_TO)->val.p, tag);
		ro->cseq = m->cseq.num + 100;
		learn_target(ro, m);
		route_set(ro, m, false);
	} else {
		if (m->mid == SIP_M_ACK)
			return 0;
		return rpl_reply_plain(l, r, m, from, conn,
				       m->mid == SIP_M_OPTIONS ? 200 : 481);
	}
	if (m->mid == SIP_M_ACK)
		for (i = 0; i < ro->nrx; i++)
			if (ro->rx[i].is_req && ro->rx[i].mid ==
			    SIP_M_INVITE && ro->rx[i].cseq == m->cseq.num) {
				ro->rx[i].acked = true;
				ro->rx[i].rt_next = 0;
			}
	if (m->mid == SIP_M_INVITE && r == 1 && !rx_add(ro, m, from, conn)) {
		/* as UAs do: a proxy forwards a CANCEL only once the
		 * branch had a provisional (RFC 3261 9.1), and the
		 * capture's 100 was dropped as hop by hop */
		struct buf *rsp = &ro->rx[ro->nrx - 1].rsp;
		size_t q = l->nq;
		int e = rpl_reply_plain(l, r, m, from, conn, 100);

		if (!e && l->nq > q)
			e = buf_put(rsp, l->q[l->nq - 1].data.data,
				    l->q[l->nq - 1].data.len);
		return e;
	}
	return rx_add(ro, m, from, conn);
}

static int on_msg(struct rpl_live *l, const uint8_t *p, size_t len,
		  const struct net_addr *from, uint64_t conn)
{
	if (sip_msg_decode(l->m, p, len))
		return 0;	/* not for us to judge: the step times out */
	return l->m->is_req ? on_request(l, l->m, from, conn)
			    : on_response(l, l->m, from, conn);
}

static struct rpl_conn *conn_of(struct rpl_live *l, uint64_t id, bool add)
{
	struct rpl_conn *c;
	size_t i;

	for (i = 0; i < l->nconns; i++)
		if (l->conns[i].id == id)
			return &l->conns[i];
	if (!add)
		return NULL;
	c = mem_realloc(l->conns, (l->nconns + 1) * sizeof(*c));
	if (!c)
		return NULL;
	l->conns = c;
	c += l->nconns++;
	memset(c, 0, sizeof(*c));
	c->id = id;
	buf_init(&c->in);
	return c;
}

static int l_input(void *core, uint64_t now_us, const struct net_pkt *in)
{
	struct rpl_live *l = core;
	struct rpl_conn *c;
	size_t skip, mlen, off = 0;
	int e = 0;

	l->now = now_us;
	if (!in->conn_id && in->to.tp == NET_UDP &&
	    (net_addr_port(&in->to) == l->cfg.media_port[0] ||
	     net_addr_port(&in->to) == l->cfg.media_port[1]) &&
	    in->len >= 12 && (in->data[0] >> 6) == 2) {
		l->rtp_recv++;	/* RTP that crossed the target's relay */
		if (l->drain_until && l->rtp_recv >= l->rtp_sent)
			advance(l);
		return 0;
	}
	if (!in->conn_id) {
		e = on_msg(l, in->data, in->len, &in->from, 0);
		goto out;
	}
	c = conn_of(l, in->conn_id, in->data != NULL);
	if (!c)
		goto out;
	if (!in->data) {	/* closed */
		buf_fini(&c->in);
		*c = l->conns[--l->nconns];
		goto out;
	}
	if ((e = buf_put(&c->in, in->data, in->len)))
		goto out;
	while (!e && !sip_frame(c->in.data + off, c->in.len - off, 0, &skip,
				&mlen)) {
		e = on_msg(l, c->in.data + off + skip, mlen, &in->from,
			   in->conn_id);
		c = conn_of(l, in->conn_id, false);
		if (!c)
			goto out;
		off += skip + mlen;
	}
	memmove(c->in.data, c->in.data + off, c->in.len - off);
	c->in.len -= off;
out:
	if (!e)
		advance(l);
	return e;
}

static void retransmit(struct rpl_live *l)
{
	int r;
	size_t i;

	for (r = 0; r < 2; r++) {
		struct rpl_role *ro = &l->role[r];

		for (i = 0; i < ro->ntx; i++) {
			struct rpl_tx *t = &ro->tx[i];

			if (!t->next_us || t->got_rsp || l->now < t->next_us)
				continue;
			if (l->now >= t->end_us) {
				t->next_us = 0;
				continue;
			}
			rpl_queue(l, r, &t->dst, 0, &t->msg);
			t->ival_us *= 2;
			if (t->mid != SIP_M_INVITE && t->ival_us > RPL_T2_US)
				t->ival_us = RPL_T2_US;
			t->next_us = l->now + t->ival_us;
		}
		for (i = 0; i < ro->nrx; i++) {
			struct rpl_rx *x = &ro->rx[i];

			if (!x->rt_next || x->acked || l->now < x->rt_next)
				continue;
			if (l->now >= x->rt_end) {
				x->rt_next = 0;
				continue;
			}
			rpl_queue(l, r, &x->from, x->conn, &x->rsp);
			x->rt_ival = x->rt_ival * 2 > RPL_T2_US ? RPL_T2_US :
				     x->rt_ival * 2;
			x->rt_next = l->now + x->rt_ival;
		}
	}
}

static int l_timeout(void *core, uint64_t now_us)
{
	struct rpl_live *l = core;

	l->now = now_us;
	retransmit(l);
	advance(l);
	return 0;
}

static int l_output(void *core, struct net_out *out)
{
	struct rpl_live *l = core;
	struct rpl_pkt *p;

	if (l->qhead >= l->nq) {
		l->qhead = l->nq = 0;
		return ENOENT;
	}
	p = &l->q[l->qhead++];
	buf_fini(&l->last);
	l->last = p->data;	/* ours until the next call */
	memset(out, 0, sizeof(*out));
	out->kind = NET_OUT_SEND;
	out->src = p->src;
	out->dst = p->dst;
	out->conn_id = p->conn;
	out->data = l->last.data;
	out->len = l->last.len;
	return 0;
}

static uint64_t l_deadline(void *core)
{
	struct rpl_live *l = core;
	uint64_t d = UINT64_MAX;
	int r;
	size_t i;

	if (l->ph == RPL_PH_DONE)
		return d;
	for (r = 0; r < 2; r++) {
		for (i = 0; i < l->role[r].ntx; i++) {
			const struct rpl_tx *t = &l->role[r].tx[i];

			if (t->next_us && !t->got_rsp && t->next_us < d)
				d = t->next_us;
		}
		for (i = 0; i < l->role[r].nrx; i++) {
			const struct rpl_rx *x = &l->role[r].rx[i];

			if (x->rt_next && !x->acked && x->rt_next < d)
				d = x->rt_next;
		}
	}
	if (l->wait_since && l->wait_since + step_timeout(l) < d)
		d = l->wait_since + step_timeout(l);
	if (l->wake > l->now && l->wake < d)
		d = l->wake;
	if (l->ph == RPL_PH_REG && l->sent &&
	    l->wait_since + step_timeout(l) < d)
		d = l->wait_since + step_timeout(l);
	return d;
}

const struct core_ops rpl_live_core_ops = {
	.name = "replay-live",
	.input = l_input,
	.timeout = l_timeout,
	.output = l_output,
	.deadline = l_deadline,
};

/* Kick off (the driver calls this once, then flushes): registrations. */
int rpl_live_start(struct rpl_live *l, uint64_t now_us)
{
	l->now = now_us;
	advance(l);
	return 0;
}
