/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The message-level re-drive (rpl_live.c) in process: the same engine,
 * but against the platform's SIP core (ref/sip proxy, registrar, presence,
 * digest auth) on the virtual network, in virtual time, with the accounts
 * given (the proxy's user store is that list). Used by `--target inproc
 * --messages` and by the unit tests, which can also make the network lose
 * datagrams to exercise the engine's retransmissions.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "base/rng.h"
#include "inproc/vnet.h"
#include "sip/proxy.h"
#include "replay/rpl_live.h"

struct vl {
	const struct rpl_acct *a;
	size_t n;
	unsigned cdrs;
};

static int f_ha1(void *arg, const char *user, const char *domain,
		 enum sip_auth_alg alg, char *hex, size_t n)
{
	struct vl *v = arg;
	size_t i;

	for (i = 0; i < v->n; i++)
		if (!strcmp(v->a[i].user, user) &&
		    !strcasecmp(v->a[i].domain, domain))
			return sip_auth_ha1(alg, user, domain,
					    v->a[i].password, hex, n);
	return ENOENT;
}

static int f_exists(void *arg, const char *user, const char *domain)
{
	char hex[SIP_HA1_MAX];

	return f_ha1(arg, user, domain, SIP_AUTH_MD5, hex, sizeof(hex));
}

static void f_cdr(void *arg, const struct sip_cdr *c)
{
	struct vl *v = arg;

	(void)c;
	v->cdrs++;
}

static struct net_addr ad(uint32_t ip, uint16_t port)
{
	struct net_addr a;

	memset(&a, 0, sizeof(a));
	a.tp = NET_UDP;
	a.u.in.sin_family = AF_INET;
	a.u.in.sin_port = htons(port);
	a.u.in.sin_addr.s_addr = htonl(ip);
	return a;
}

int rpl_live_inproc(struct rpl_dlgset *set, const struct rpl_acct *a,
		    size_t na, const char *domain,
		    const struct rpl_vlive_opt *o, struct rpl_live_res *res,
		    struct rpl_vlive_sum *sum)
{
	static const uint8_t secret[] = "rtcbench-replay-live-nonce";
	struct net_addr pa = ad(0x7f000009, 5060), pfx = ad(0x7f000000, 0);
	struct net_addr loc[4] = { ad(0x7f010001, 5060),
				   ad(0x7f010002, 5060),
				   ad(0x7f010001, 30000),
				   ad(0x7f010002, 30002) };
	uint16_t media[2] = { 30000, 30002 };
	struct sip_net nets[1] = { { pfx, 8 } };
	struct sip_proxy_cfg pc;
	struct sip_proxy *px = NULL;
	struct rpl_live_cfg lc;
	struct rpl_live *l = NULL;
	struct vnet *v = NULL;
	struct vl st = { a, na, 0 };
	struct rng rg;
	uint64_t t0 = 1767225600ull * 1000000, end;
	size_t i;
	int e, idx;

	memset(sum, 0, sizeof(*sum));
	rng_seed(&rg, 11);
	memset(&pc, 0, sizeof(pc));
	pc.domain = domain;
	pc.listen = &pa;
	pc.nlisten = 1;
	pc.networks = nets;
	pc.nnetworks = 1;
	pc.auth = true;
	pc.nonce_secret = secret;
	pc.nonce_secret_len = sizeof(secret) - 1;
	pc.max_expires = 7 * 86400;
	pc.rng = &rg;
	pc.store.arg = &st;
	pc.store.ha1_get = f_ha1;
	pc.store.user_exists = f_exists;
	pc.store.cdr_write = f_cdr;
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
	if (vnet_attach(v, (struct core_ref){ &sip_proxy_core_ops, px }, &pa,
			1) < 0 ||
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
	sum->cdrs = st.cdrs;
	rpl_live_free(l);
	return e;
}
