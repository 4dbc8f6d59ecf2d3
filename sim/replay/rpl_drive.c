/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Closed-loop re-drive in process (--target inproc): the calls of a
 * capture placed again through the platform's real SIP core (ref/sip
 * proxy, registrar, digest auth) on the virtual network (sim/inproc), by
 * bench user agents (sim/ua), one per captured user agent. Accounts are
 * provisioned automatically (fixed password, in the domain of the
 * platform); every agent registers; each call starts at its captured
 * offset (divided by speed; back to back with speed 0) once its caller is
 * free; the callee answers as in the capture (2xx: answers and the caller
 * hangs up after the captured duration; 486/600/603: busy; otherwise it
 * rings until the caller gives up). The outcome is compared per call by
 * final response class; the platform's CDRs are counted against the
 * calls placed; media delivery is read from the agents' RTP counters.
 * Everything runs in virtual time: a day of capture takes milliseconds.
 * With pl's data_dir the platform keeps its SQLite store there (accounts
 * provisioned into it, traces, CDRs) for the storage audit, and pl's
 * canaries read every datagram the platform is sent (rpl_vproxy.h).
 * Not re-driven: re-INVITEs, the captured SDP and codecs, MESSAGE and
 * MSRP, registrations that failed in the capture.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "base/rng.h"
#include "inproc/vnet.h"
#include "sip/proxy.h"
#include "ua/ua.h"
#include "replay/replay.h"
#include "replay/rpl_vproxy.h"

#define DOMAIN "replay.test"
#define PASSWORD "replay-secret"
#define MAX_UAS 4000
#define STEP_US 50000ull
#define CALL_LIMIT_US (900ull * 1000000)	/* per call, virtual */
#define RING_US (30ull * 1000000)
#define REG_S 86400u

struct agent {
	char aor[128];
	char user[48];
	struct ua *ua;
	int idx;
	bool registered;
	uint64_t reg_at;	/* virtual time of the last REGISTER */
};

struct drv {
	struct agent *ag;
	size_t n;
	struct rpl_drive_res *res;
	const struct rpl_scn_call *calls;
	size_t ncalls;
	uint32_t *handle;	/* per call, 0 until placed */
	uint64_t *placed_at;
	bool *cancelled;
	unsigned cdr_ok_class;
};

/* Every agent has an account, all with the same password. */
static const char *drv_password(void *arg, const char *user,
				const char *domain)
{
	struct drv *d = arg;
	size_t i;

	(void)domain;
	for (i = 0; i < d->n; i++)
		if (!strcmp(d->ag[i].user, user))
			return PASSWORD;
	return NULL;
}

static struct agent *agent_of(struct drv *d, const char *aor)
{
	size_t i, k = 0;

	for (i = 0; i < d->n; i++)
		if (!strcmp(d->ag[i].aor, aor))
			return &d->ag[i];
	if (d->n == MAX_UAS)
		return NULL;
	snprintf(d->ag[d->n].aor, sizeof(d->ag[0].aor), "%s", aor);
	/* a user name the registrar and the URI grammar accept */
	k = (size_t)snprintf(d->ag[d->n].user, sizeof(d->ag[0].user), "u%zu",
			     d->n);
	(void)k;
	return &d->ag[d->n++];
}

static struct net_addr addr(uint8_t b2, size_t i, uint16_t port)
{
	return rpl_v4(0x7f000000u | (uint32_t)b2 << 16 |
		      (uint32_t)(i / 250) << 8 | (uint32_t)(i % 250 + 1), port);
}

static int agent_start(struct drv *d, struct vnet *v, struct agent *a,
		       size_t i, const struct net_addr *proxy)
{
	struct ua_cfg c;
	struct net_addr any;

	memset(&c, 0, sizeof(c));
	c.user = a->user;
	c.domain = DOMAIN;
	c.password = PASSWORD;
	c.local = addr(1, i, 5060);
	c.proxy = *proxy;
	c.media = addr(2, i, 30000);
	c.user_agent = "rtcbench-replay";
	c.seed = 1000 + i;
	if (ua_new(&a->ua, &c))
		return ENOMEM;
	any = c.media;
	net_addr_set_port(&any, 0);
	a->idx = vnet_attach(v, (struct core_ref){ &ua_core_ops, a->ua },
			     (struct net_addr[]){ c.local, any }, 2);
	(void)d;
	return a->idx < 0 ? ENOMEM : 0;
}

static int cls(uint16_t s)
{
	return s / 100;
}

/* Read every agent's events into the results. */
static void drain(struct drv *d)
{
	struct ua_event e;
	size_t i, k;

	for (i = 0; i < d->n; i++) {
		while (!ua_event_next(d->ag[i].ua, &e)) {
			if (e.type == UA_EV_REGISTERED)
				d->ag[i].registered = true;
			if (e.type != UA_EV_CALL_ANSWERED &&
			    e.type != UA_EV_CALL_FAILED &&
			    e.type != UA_EV_CALL_ENDED)
				continue;
			for (k = 0; k < d->ncalls; k++) {
				struct rpl_drive_res *r = &d->res[k];

				if (!d->handle[k] || d->handle[k] != e.call ||
				    r->caller_idx != i)
					continue;
				if (e.type == UA_EV_CALL_ENDED)
					r->ended = true;
				else if (!r->status)
					r->status = e.status ? e.status : 200;
			}
		}
	}
}

/*
 * A callee that does not answer rings until the caller gives up: after
 * RING_US of ringing (divided by speed) the caller cancels, as a person
 * would; the capture's 408/480 and the 487 compare as the same class.
 */
static void ring_out(struct drv *d, struct vnet *v, double speed)
{
	uint64_t ring = (uint64_t)((double)RING_US / (speed > 0 ? speed : 1));
	size_t k;

	for (k = 0; k < d->ncalls; k++) {
		struct rpl_drive_res *r = &d->res[k];
		struct agent *a = &d->ag[r->caller_idx];

		if (!r->placed || r->status || d->cancelled[k] ||
		    vnet_now(v) < d->placed_at[k] + ring)
			continue;
		d->cancelled[k] = true;
		if (!ua_hangup(a->ua, vnet_now(v), d->handle[k]))
			vnet_kick(v, a->idx);
	}
}

/*
 * Registrations last REG_S; a capture spanning days in virtual time
 * registers again before a binding could lapse (the UA does not refresh
 * on its own), and lets the REGISTER transaction finish.
 */
static void refresh(struct drv *d, struct vnet *v, size_t idx)
{
	struct agent *a = &d->ag[idx];

	if (vnet_now(v) < a->reg_at + REG_S * 1000000ull / 2)
		return;
	if (ua_register(a->ua, vnet_now(v), REG_S))
		return;
	a->reg_at = vnet_now(v);
	vnet_kick(v, a->idx);
	vnet_run_until(v, vnet_now(v) + 1000000, 1000000);
	drain(d);
}

/* Whether agent idx is in a call placed earlier that has not ended. */
static bool agent_busy(const struct drv *d, size_t idx)
{
	size_t k;

	for (k = 0; k < d->ncalls; k++) {
		const struct rpl_drive_res *r = &d->res[k];

		if (r->placed && (r->caller_idx == idx ||
				  r->callee_idx == idx) &&
		    (!r->status || (cls(r->status) == 2 && !r->ended)))
			return true;
	}
	return false;
}

static bool all_done(const struct drv *d)
{
	size_t k;

	for (k = 0; k < d->ncalls; k++) {
		const struct rpl_drive_res *r = &d->res[k];

		if (!r->placed && !r->error[0])
			return false;
		if (r->placed && (!r->status ||
				  (cls(r->status) == 2 && !r->ended)))
			return false;
	}
	return true;
}

int rpl_drive_inproc(const struct rpl_scn_call *calls, size_t n,
		     double speed, struct rpl_plat *pl,
		     struct rpl_drive_res *res, struct rpl_drive_sum *sum)
{
	struct net_addr pa = addr(0, 9, 5060);
	struct sip_proxy_cfg pc;
	struct rpl_vproxy vp;
	struct sip_proxy *px = NULL;
	struct vnet *v = NULL;
	struct drv d;
	uint64_t t0 = 1767225600ull * 1000000, end;
	size_t i, k;
	int e = 0;

	memset(&d, 0, sizeof(d));
	memset(&vp, 0, sizeof(vp));
	memset(sum, 0, sizeof(*sum));
	memset(res, 0, n * sizeof(*res));
	d.res = res;
	d.calls = calls;
	d.ncalls = n;
	d.ag = mem_zalloc(MAX_UAS * sizeof(*d.ag));
	d.handle = mem_zalloc((n ? n : 1) * sizeof(*d.handle));
	d.placed_at = mem_zalloc((n ? n : 1) * sizeof(*d.placed_at));
	d.cancelled = mem_zalloc((n ? n : 1) * sizeof(*d.cancelled));
	if (!d.ag || !d.handle || !d.placed_at || !d.cancelled) {
		e = ENOMEM;
		goto out;
	}
	for (k = 0; k < n; k++) {
		struct agent *a = agent_of(&d, calls[k].caller),
			     *b = agent_of(&d, calls[k].callee);

		if (!a || !b) {
			snprintf(res[k].error, sizeof(res[k].error),
				 "more than %d user agents", MAX_UAS);
			continue;
		}
		res[k].caller_idx = (size_t)(a - d.ag);
		res[k].callee_idx = (size_t)(b - d.ag);
	}
	rpl_vproxy_cfg(&vp, &pc, DOMAIN, &pa, "rtcbench-replay-nonce-key",
		       drv_password, &d, 7);
	if ((e = rpl_vproxy_store(&vp, &pc, pl)))
		goto out;
	for (i = 0; i < d.n && !e; i++)
		e = rpl_vproxy_account(&vp, d.ag[i].user, DOMAIN, PASSWORD,
				       t0);
	if (e || (e = vnet_new(&v, t0, 7)) || (e = sip_proxy_new(&px, &pc)))
		goto out;
	if (vnet_attach(v, rpl_vproxy_core(&vp, px), &pa, 1) < 0) {
		e = ENOMEM;
		goto out;
	}
	for (i = 0; i < d.n && !e; i++) {
		e = agent_start(&d, v, &d.ag[i], i, &pa);
		if (!e && !(e = ua_register(d.ag[i].ua, vnet_now(v), REG_S))) {
			d.ag[i].reg_at = vnet_now(v);
			vnet_kick(v, d.ag[i].idx);
		}
	}
	if (e)
		goto out;
	for (end = vnet_now(v) + 30000000; vnet_now(v) < end;) {
		size_t r = 0;

		vnet_run_until(v, vnet_now(v) + STEP_US, 1000000);
		drain(&d);
		for (i = 0; i < d.n; i++)
			r += d.ag[i].registered;
		if (r == d.n)
			break;
	}
	for (i = 0; i < d.n; i++)
		sum->registered += d.ag[i].registered;
	t0 = vnet_now(v);
	for (k = 0; k < n; k++) {
		const struct rpl_scn_call *c = &calls[k];
		struct rpl_drive_res *r = &res[k];
		struct agent *a, *b;
		struct ua_call_opt o = { 0, UA_MEDIA_RTP, NULL, NULL };
		char to[160];
		uint64_t at = t0, give_up;

		if (r->error[0])
			continue;
		a = &d.ag[r->caller_idx];
		b = &d.ag[r->callee_idx];
		if (speed > 0 && c->start_us > calls[0].start_us &&
		    c->group == calls[0].group)
			at = t0 + (uint64_t)((double)(c->start_us -
						       calls[0].start_us) /
					     speed);
		if (at > vnet_now(v))
			vnet_run_until(v, at, 100000000);
		drain(&d);
		refresh(&d, v, r->caller_idx);
		refresh(&d, v, r->callee_idx);
		snprintf(to, sizeof(to), "%s@%s", b->user, DOMAIN);
		/* one call at a time per agent (a bench UA is one device):
		 * captured overlapping calls are placed in turn */
		give_up = vnet_now(v) + CALL_LIMIT_US;
		while ((agent_busy(&d, r->caller_idx) ||
			agent_busy(&d, r->callee_idx)) &&
		       vnet_now(v) < give_up) {
			vnet_run_until(v, vnet_now(v) + STEP_US, 1000000);
			drain(&d);
			ring_out(&d, v, speed);
		}
		/* how the callee answers this call, set once its previous
		 * call is over: set before, a call still on its way to it
		 * (back to back with --asap) got this one's answer */
		if (cls(c->status) == 2) {
			ua_set_answer(b->ua, UA_ANSWER_YES);
			o.duration_us = (uint64_t)(c->duration_s * 1e6 /
						   (speed > 0 ? speed : 1)) + 1;
		} else if (c->status == 486 || c->status == 600 ||
			   c->status == 603) {
			ua_set_answer(b->ua, UA_ANSWER_BUSY);
		} else {
			ua_set_answer(b->ua, UA_ANSWER_NO);
		}
		e = ua_call(a->ua, vnet_now(v), to, &o, &d.handle[k]);
		if (e) {
			snprintf(r->error, sizeof(r->error),
				 "call not placed: %s", strerror(e));
			e = 0;
			continue;
		}
		r->placed = true;
		d.placed_at[k] = vnet_now(v);
		sum->placed++;
		vnet_kick(v, a->idx);
	}
	for (end = vnet_now(v) + CALL_LIMIT_US; vnet_now(v) < end;) {
		vnet_run_until(v, vnet_now(v) + 10 * STEP_US, 10000000);
		drain(&d);
		if (all_done(&d))
			break;
		ring_out(&d, v, speed);
	}
	/* let BYE transactions and CDRs finish */
	vnet_run_until(v, vnet_now(v) + 5000000, 10000000);
	drain(&d);
	for (i = 0; i < d.n; i++) {
		struct ua_stats st;

		ua_stats(d.ag[i].ua, &st);
		sum->rtp_sent += st.rtp_sent;
		sum->rtp_recv += st.rtp_recv;
	}
	for (k = 0; k < n; k++) {
		if (!res[k].placed)
			continue;
		if (res[k].status && cls(res[k].status) == 2)
			sum->answered++;
		/* a captured final 401/407 is a challenge the capture did
		 * not answer in that dialog: nothing to compare */
		res[k].match = calls[k].status && res[k].status &&
			       calls[k].status != 401 &&
			       calls[k].status != 407 &&
			       cls(calls[k].status) == cls(res[k].status);
		sum->matched += res[k].match;
	}
	sum->virtual_s = (double)(vnet_now(v) - t0) / 1e6;
	sum->agents = d.n;
out:
	vnet_free(v);		/* before the cores it drives */
	sip_proxy_free(px);	/* writes the CDRs of calls still up */
	if (rpl_vproxy_close(&vp) && !e) {
		if (pl)
			snprintf(pl->err, sizeof(pl->err), "platform store "
				 "%s: a write failed", pl->data_dir);
		e = EIO;
	}
	sum->cdrs = vp.cdrs;
	for (i = 0; d.ag && i < d.n; i++)
		ua_free(d.ag[i].ua);
	mem_free(d.ag);
	mem_free(d.handle);
	mem_free(d.placed_at);
	mem_free(d.cancelled);
	return e;
}
