/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The message-level re-drive (rpl_live.c) in process: the same engine,
 * but against the platform's SIP core (ref/sip proxy, registrar, presence,
 * digest auth) on the virtual network, in virtual time, with the accounts
 * given (the proxy's user store is that list). Used by `--target inproc
 * --messages` and by the unit tests, which can also make the network lose
 * datagrams to exercise the engine's retransmissions. With o->plat the
 * platform keeps its store under a data_dir, the accounts provisioned in
 * it, and a tap reads what it is sent for the storage audit.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "base/rng.h"
#include "inproc/vnet.h"
#include "sip/proxy.h"
#include "replay/rpl_live.h"
#include "replay/rpl_vproxy.h"

struct vl {
	const struct rpl_acct *a;
	size_t n;
};

static const char *vl_password(void *arg, const char *user,
			       const char *domain)
{
	struct vl *v = arg;
	size_t i;

	for (i = 0; i < v->n; i++)
		if (!strcmp(v->a[i].user, user) &&
		    !strcasecmp(v->a[i].domain, domain))
			return v->a[i].password;
	return NULL;
}

int rpl_live_inproc(struct rpl_dlgset *set, const struct rpl_acct *a,
		    size_t na, const char *domain,
		    const struct rpl_vlive_opt *o, struct rpl_live_res *res,
		    struct rpl_vlive_sum *sum)
{
	struct net_addr pa = rpl_v4(0x7f000009, 5060);
	struct net_addr loc[4] = { rpl_v4(0x7f010001, 5060),
				   rpl_v4(0x7f010002, 5060),
				   rpl_v4(0x7f010001, 30000),
				   rpl_v4(0x7f010002, 30002) };
	uint16_t media[2] = { 30000, 30002 };
	struct sip_proxy_cfg pc;
	struct rpl_vproxy vp;
	struct sip_proxy *px = NULL;
	struct rpl_live_cfg lc;
	struct rpl_live *l = NULL;
	struct vnet *v = NULL;
	struct vl st = { a, na };
	uint64_t t0 = 1767225600ull * 1000000, end;
	size_t i;
	int e, idx;

	memset(sum, 0, sizeof(*sum));
	rpl_vproxy_cfg(&vp, &pc, domain, &pa, "rtcbench-replay-live-nonce",
		       vl_password, &st, 11);
	if ((e = rpl_vproxy_store(&vp, &pc, o->plat)))
		goto out;
	for (i = 0; i < na && !e; i++)
		e = rpl_vproxy_account(&vp, a[i].user, a[i].domain,
				       a[i].password, t0);
	if (e)
		goto out;
	memset(&lc, 0, sizeof(lc));
	lc.dlgs = set->d;
	lc.n = set->n;
	lc.accts = a;
	lc.nacct = na;
	lc.target = pa;
	lc.local[0] = loc[0];
	lc.local[1] = loc[1];
	lc.media_port[0] = media[0];
	lc.media_port[1] = media[1];
	lc.speed = o->speed;
	lc.step_timeout_us = o->step_timeout_us;
	lc.seed = 3;
	if ((e = vnet_new(&v, t0, 5)) || (e = sip_proxy_new(&px, &pc)) ||
	    (e = rpl_live_new(&l, &lc, t0)))
		goto out;
	vnet_set_loss(v, o->loss);
	if (vnet_attach(v, rpl_vproxy_core(&vp, px), &pa, 1) < 0 ||
	    (idx = vnet_attach(v, (struct core_ref){ &rpl_live_core_ops, l },
			       loc, 4)) < 0) {
		e = ENOMEM;
		goto out;
	}
	rpl_live_start(l, t0);
	vnet_kick(v, idx);
	end = t0 + (o->limit_us ? o->limit_us : 3600ull * 1000000);
	while (!rpl_live_done(l) && vnet_now(v) < end)
		if ((e = vnet_run_until(v, vnet_now(v) + 100000, 1000000)))
			goto out;
	vnet_run_until(v, vnet_now(v) + 1000000, 1000000);
	for (i = 0; i < set->n; i++) {
		res[i] = *rpl_live_result(l, i);
		sum->matched += res[i].v == RPL_V_MATCH;
		sum->diverged += res[i].v == RPL_V_DIVERGED ||
				 res[i].v == RPL_V_PENDING;
		sum->skipped += res[i].v == RPL_V_SKIPPED;
		sum->rtp_sent += res[i].rtp_sent;
		sum->rtp_recv += res[i].rtp_recv;
	}
	rpl_live_regs(l, &sum->registered, &sum->callees);
	sum->virtual_s = (double)(vnet_now(v) - t0) / 1e6;
out:
	vnet_free(v);
	sip_proxy_free(px);
	if (rpl_vproxy_close(&vp) && !e) {
		snprintf(o->plat->err, sizeof(o->plat->err), "platform store "
			 "%s: a write failed", o->plat->data_dir);
		e = EIO;
	}
	sum->cdrs = vp.cdrs;
	rpl_live_free(l);
	return e;
}
