/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Simulated-network experiment: builds the topology of simnet.h, runs the
 * proxy core and the UAs through the ns-3 driver (ns3_core.c), schedules
 * registrations and calls, then folds the UAs' statistics into figures.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "base/rng.h"
#include "sip/proxy.h"
#include "ua/emodel.h"
#include "ua/ua.h"
#include "ns3/ns3_core.h"
#include "ns3/simnet.h"

#define SIM_DOMAIN "sim.test"
#define SIM_PASSWORD "simulated secret 1"

struct sn_user {
	struct ua *ua;
	struct ns3_core nc;
};

struct sn_action {
	struct simnet *sn;
	unsigned user;
	int kind;	/* 0 register, 1 call */
};

struct simnet {
	const struct simnet_opt *o;
	struct sip_proxy *px;
	struct ns3_core pnc;
	struct rng rng;
	struct sn_user *users;
	struct sn_action *acts;
	uint64_t cdrs;
};

static int sn_ha1(void *arg, const char *user, const char *domain,
		  enum sip_auth_alg alg, char *hex, size_t n)
{
	(void)arg;
	if (strncmp(user, "u", 1))
		return ENOENT;
	return sip_auth_ha1(alg, user, domain, SIM_PASSWORD, hex, n);
}

static int sn_exists(void *arg, const char *user, const char *domain)
{
	(void)arg;
	(void)domain;
	return strncmp(user, "u", 1) ? ENOENT : 0;
}

static void sn_cdr(void *arg, const struct sip_cdr *c)
{
	struct simnet *sn = arg;

	(void)c;
	sn->cdrs++;
}

static void act(void *arg)
{
	struct sn_action *a = arg;
	struct simnet *sn = a->sn;
	struct sn_user *u = &sn->users[a->user];
	struct ua_call_opt co = { 0 };
	char to[64];
	uint32_t h;

	if (a->kind == 0) {
		ua_register(u->ua, ns3_now_us(), 3600);
	} else {
		co.duration_us = sn->o->call_duration_us;
		co.media = UA_MEDIA_RTP;
		snprintf(to, sizeof(to), "u%u@" SIM_DOMAIN,
			 a->user + sn->o->users / 2);
		ua_call(u->ua, ns3_now_us(), to, &co, &h);
	}
	ns3_core_kick(&u->nc);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int build(struct simnet *sn, struct simnet_opt *o, char *err,
		 size_t errsz, int *platform, int **access)
{
	unsigned nnodes = (o->users + o->users_per_node - 1) /
			  o->users_per_node, k;
	int router, pl, *acc;

	acc = mem_zalloc((nnodes ? nnodes : 1) * sizeof(*acc));
	if (!acc)
		return ENOMEM;
	router = ns3_node_add();
	pl = ns3_node_add();
	if (ns3_link_add(router, pl, &o->core) < 0) {
		snprintf(err, errsz, "core link: option out of range");
		mem_free(acc);
		return EINVAL;
	}
	for (k = 0; k < nnodes; k++) {
		int a = ns3_node_add(), up = a, l;
		if (o->nat) {
			int nat = ns3_node_add();
			struct ns3_link_opt lan = { 100, 0, 0, 0, 0 };
			if (ns3_link_add(a, nat, &lan) < 0)
				goto bad;
			up = nat;
		}
		l = ns3_link_add(up, router, &o->access);
		if (l < 0)
			goto bad;
		if (o->nat && ns3_nat_add(up, l, o->nat, 300000000ull)) {
			snprintf(err, errsz, "unknown NAT type '%s'", o->nat);
			mem_free(acc);
			return EINVAL;
		}
		acc[k] = a;
	}
	ns3_routes_build();
	*platform = pl;
	*access = acc;
	(void)sn;
	return 0;
bad:
	snprintf(err, errsz, "access link: option out of range");
	mem_free(acc);
	return EINVAL;
}

static void fold(struct simnet *sn, struct simnet_result *r)
{
	const struct simnet_opt *o = sn->o;
	struct ua_stats st;
	struct ua_event e;
	uint64_t dsum = 0, dn = 0, jsum = 0, jn = 0;
	unsigned i;

	for (i = 0; i < o->users; i++) {
		struct ua *u = sn->users[i].ua;
		while (ua_event_next(u, &e) == 0) {
			if (e.type == UA_EV_REGISTERED)
				r->reg_ok++;
			else if (e.type == UA_EV_REG_FAILED)
				r->reg_failed++;
			else if (e.type == UA_EV_CALL_FAILED && i < o->calls)
				r->calls_failed++;
		}
		ua_stats(u, &st);
		if (i < o->calls && st.calls_ok) {
			r->calls_ok++;
			r->setup_ms[r->nsetup++] =
				(double)st.setup_us_max / 1000.0;
		}
		r->rtp_sent += st.rtp_sent;
		r->rtp_recv += st.rtp_recv;
		r->rtp_expected += st.rtp_expected;
		r->rtp_lost += st.rtp_lost;
		dsum += st.rtp_delay_us_sum;
		dn += st.rtp_delay_n;
		jsum += st.jitter_us_sum;
		jn += st.jitter_n;
	}
	r->cdrs = sn->cdrs;
	if (r->nsetup) {
		double s = 0;
		size_t k;
		qsort(r->setup_ms, r->nsetup, sizeof(double), cmp_double);
		for (k = 0; k < r->nsetup; k++)
			s += r->setup_ms[k];
		r->setup_ms_mean = s / (double)r->nsetup;
		r->setup_ms_p50 = r->setup_ms[r->nsetup / 2];
		r->setup_ms_p95 = r->setup_ms[(r->nsetup * 95) / 100];
		r->setup_ms_max = r->setup_ms[r->nsetup - 1];
	}
	r->loss_pct = r->rtp_expected ? 100.0 * (double)r->rtp_lost /
					 (double)r->rtp_expected : 0;
	r->delay_ms_mean = dn ? (double)dsum / (double)dn / 1000.0 : 0;
	r->jitter_ms_mean = jn ? (double)jsum / (double)jn / 1000.0 : 0;
	r->r_factor = r->rtp_recv ? ua_emodel_r(r->delay_ms_mean,
						r->jitter_ms_mean, r->loss_pct)
				  : 0;
	r->mos = r->rtp_recv ? ua_emodel_mos(r->r_factor) : 1.0;
}

static void defaults(struct simnet_opt *o)
{
	if (!o->users_per_node)
		o->users_per_node = 200;
	if (!o->reg_spread_us)
		o->reg_spread_us = 10000000;
	if (!o->call_spread_us)
		o->call_spread_us = 5000000;
	if (!o->call_duration_us)
		o->call_duration_us = 30000000;
	if (!o->end_us)
		o->end_us = o->reg_spread_us + o->call_spread_us +
			    2 * o->call_duration_us + 5000000;
}

int simnet_run(const struct simnet_opt *oin, struct simnet_result *r,
	       char *err, size_t errsz)
{
	static const uint8_t secret[] = "simnet nonce key";
	struct simnet_opt o = *oin;
	struct simnet sn;
	struct sip_proxy_cfg pc;
	struct net_addr paddr, pfx;
	struct sip_net net;
	struct ns3_stats ns;
	uint16_t sip_port = 5060;
	int platform, *acc = NULL, e = 0;
	unsigned i, nacts = 0;

	memset(r, 0, sizeof(*r));
	memset(&sn, 0, sizeof(sn));
	defaults(&o);
	if (!o.users || o.calls > o.users / 2 || o.users_per_node > 4000) {
		snprintf(err, errsz, "need users >= 1, calls <= users/2 and "
			 "users per node <= 4000");
		return EINVAL;
	}
	sn.o = &o;
	rng_seed(&sn.rng, o.seed);
	r->setup_ms = mem_zalloc((o.calls + 1) * sizeof(double));
	sn.users = mem_zalloc(o.users * sizeof(*sn.users));
	sn.acts = mem_zalloc((o.users + o.calls) * sizeof(*sn.acts));
	if (!r->setup_ms || !sn.users || !sn.acts) {
		e = ENOMEM;
		goto out;
	}
	ns3_init(o.seed);
	e = build(&sn, &o, err, errsz, &platform, &acc);
	if (e)
		goto out;
	if (o.pcap_prefix)
		ns3_pcap_enable(o.pcap_prefix);
	ns3_node_addr(platform, &paddr);
	net_addr_set_port(&paddr, sip_port);
	pfx = paddr;
	pfx.u.in.sin_addr.s_addr = htonl(10u << 24);
	net.pfx = pfx;
	net.bits = 8;
	memset(&pc, 0, sizeof(pc));
	pc.domain = SIM_DOMAIN;
	pc.listen = &paddr;
	pc.nlisten = 1;
	pc.networks = &net;
	pc.nnetworks = 1;
	pc.auth = o.auth;
	pc.nonce_secret = secret;
	pc.nonce_secret_len = sizeof(secret) - 1;
	pc.max_aors = o.users + 16;
	pc.max_tsx = 4 * o.users + 1024;
	pc.max_calls = o.calls + 16;
	/* A simulated crowd shares few source addresses: no brute-force
	 * limiter tripping on honest users. */
	pc.fail_burst = 1000000;
	pc.rng = &sn.rng;
	pc.store.arg = &sn;
	pc.store.ha1_get = sn_ha1;
	pc.store.user_exists = sn_exists;
	pc.store.cdr_write = sn_cdr;
	e = sip_proxy_new(&sn.px, &pc);
	if (e) {
		snprintf(err, errsz, "proxy: cannot start (%s)", strerror(e));
		goto out;
	}
	e = ns3_core_attach(&sn.pnc, (struct core_ref){ &sip_proxy_core_ops,
			    sn.px }, platform, &sip_port, 1);
	if (e)
		goto out;
	for (i = 0; i < o.users; i++) {
		unsigned slot = i % o.users_per_node;
		int node = acc[i / o.users_per_node];
		uint16_t ports[3];
		struct ua_cfg uc;
		char user[16];

		ports[0] = (uint16_t)(10000 + slot);
		ports[1] = (uint16_t)(20000 + 8 * slot);
		ports[2] = (uint16_t)(ports[1] + 2);
		memset(&uc, 0, sizeof(uc));
		snprintf(user, sizeof(user), "u%u", i);
		uc.user = user;
		uc.domain = SIM_DOMAIN;
		uc.password = SIM_PASSWORD;
		ns3_node_addr(node, &uc.local);
		uc.local.tp = NET_UDP;
		uc.media = uc.local;
		net_addr_set_port(&uc.local, ports[0]);
		net_addr_set_port(&uc.media, ports[1]);
		uc.proxy = paddr;
		uc.seed = o.seed * 1000003u + i;
		e = ua_new(&sn.users[i].ua, &uc);
		if (!e)
			e = ns3_core_attach(&sn.users[i].nc, (struct core_ref){
					    &ua_core_ops, sn.users[i].ua },
					    node, ports, 3);
		if (e) {
			snprintf(err, errsz, "user %u: cannot attach (%s)", i,
				 strerror(e));
			goto out;
		}
		sn.acts[nacts] = (struct sn_action){ &sn, i, 0 };
		ns3_schedule(o.reg_spread_us * i / o.users, act,
			     &sn.acts[nacts++]);
	}
	for (i = 0; i < o.calls; i++) {
		sn.acts[nacts] = (struct sn_action){ &sn, i, 1 };
		ns3_schedule(o.reg_spread_us + o.call_spread_us * i / o.calls,
			     act, &sn.acts[nacts++]);
	}
	ns3_run(o.end_us);
	ns3_stats(&ns);
	r->sim_events = ns.events;
	r->datagrams = ns.delivered;
	r->nodes = 2 + (o.nat ? 2 : 1) * ((o.users + o.users_per_node - 1) /
					   o.users_per_node);
	fold(&sn, r);
out:
	ns3_fini();
	for (i = 0; sn.users && i < o.users; i++)
		ua_free(sn.users[i].ua);
	sip_proxy_free(sn.px);
	mem_free(sn.users);
	mem_free(sn.acts);
	mem_free(acc);
	if (e) {
		mem_free(r->setup_ms);
		r->setup_ms = NULL;
	}
	return e;
}

void simnet_result_fini(struct simnet_result *r)
{
	mem_free(r->setup_ms);
	r->setup_ms = NULL;
}

/* --- ns-3 alone, for the overhead figure ----------------------------- */

struct echo_ctx {
	int sock;
	uint64_t left, delivered, interval_us;
	struct net_addr dst;
	uint8_t pkt[172];
};

static void echo_back(void *arg, int sock, const struct net_addr *from,
		      const uint8_t *data, size_t len)
{
	(void)arg;
	ns3_udp_send(sock, from, data, len);
}

static void echo_recv(void *arg, int sock, const struct net_addr *from,
		      const uint8_t *data, size_t len)
{
	struct echo_ctx *c = arg;

	(void)sock;
	(void)from;
	(void)data;
	(void)len;
	c->delivered++;
}

static void echo_tick(void *arg)
{
	struct echo_ctx *c = arg;

	if (!c->left)
		return;
	c->left--;
	ns3_udp_send(c->sock, &c->dst, c->pkt, sizeof(c->pkt));
	ns3_schedule(ns3_now_us() + c->interval_us, echo_tick, c);
}

int simnet_echo_baseline(const struct simnet_opt *oin, uint64_t datagrams,
			 uint64_t *delivered)
{
	struct simnet_opt o = *oin;
	struct echo_ctx *cs;
	struct net_addr dst;
	char err[128];
	int platform, *acc = NULL, e, srv;
	unsigned flows, i;

	defaults(&o);
	flows = o.calls ? 2 * o.calls : 1;
	cs = mem_zalloc(flows * sizeof(*cs));
	if (!cs)
		return ENOMEM;
	o.nat = NULL;	/* plain routing: the baseline of the simulator */
	ns3_init(o.seed);
	e = build(NULL, &o, err, sizeof(err), &platform, &acc);
	if (e)
		goto out;
	ns3_node_addr(platform, &dst);
	net_addr_set_port(&dst, 7);
	srv = ns3_udp_open(platform, 7, echo_back, NULL);
	if (srv < 0) {
		e = -srv;
		goto out;
	}
	for (i = 0; i < flows; i++) {
		struct echo_ctx *c = &cs[i];
		unsigned nodes = (o.users + o.users_per_node - 1) /
				 o.users_per_node;
		c->dst = dst;
		/* half the datagrams go out, the echo brings the rest */
		c->left = datagrams / 2 / flows;
		c->interval_us = 20000;
		memset(c->pkt, 0x55, sizeof(c->pkt));
		c->sock = ns3_udp_open(acc[i % nodes], (uint16_t)(30000 + i),
				       echo_recv, c);
		if (c->sock < 0) {
			e = -c->sock;
			goto out;
		}
		ns3_schedule(o.reg_spread_us + o.call_spread_us * i / flows,
			     echo_tick, c);
	}
	ns3_run(o.reg_spread_us + o.call_spread_us +
		(datagrams / 2 / flows + 10) * 20000 + 5000000);
	*delivered = 0;
	for (i = 0; i < flows; i++)
		*delivered += 2 * cs[i].delivered;
out:
	ns3_fini();
	mem_free(cs);
	mem_free(acc);
	return e;
}
